import { z } from "zod";
import { ConfigIssue, logRetentionDays } from "./common";
import {
    MAX_SUBNET_PREFIX,
    MIN_VPC_PREFIX,
    TIERS,
    Tier,
    isPrivateRange,
    overlaps,
    parseCidr,
    planSubnets,
} from "./cidr";

/** Interface endpoints that keep Fargate's image pulls, logs and secret reads off the NAT path. */
export const INTERFACE_ENDPOINTS = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "kms", "sts"] as const;

const cidrString = z.string().superRefine((v, ctx) => {
    const parsed = parseCidr(v);
    if ("error" in parsed) ctx.addIssue({ code: "custom", message: parsed.error });
});

/**
 * The VPC's own range: a valid CIDR, of a size AWS allows, in a private range. Checked per field, so it is reported
 * even when another network setting is wrong too.
 */
const vpcCidr = z.string().superRefine((v, ctx) => {
    const parsed = parseCidr(v);
    if ("error" in parsed) {
        ctx.addIssue({ code: "custom", message: parsed.error });
    } else if (parsed.block.bitmask < MIN_VPC_PREFIX || parsed.block.bitmask > MAX_SUBNET_PREFIX) {
        ctx.addIssue({ code: "custom", message: "is not a valid VPC size; AWS allows /16 to /28" });
    } else if (!isPrivateRange(parsed.block)) {
        ctx.addIssue({
            code: "custom",
            message:
                "is not a private range; expected a block inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10",
        });
    }
});

const prefixLength = z.number().int().min(MIN_VPC_PREFIX).max(MAX_SUBNET_PREFIX);

export const networkSchema = z
    .strictObject({
        cidr: vpcCidr
            .default("10.0.0.0/16")
            .describe(
                "The VPC's range: a network address of /16 to /28 inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or " +
                    "100.64.0.0/10. The default is the largest block AWS allows, so every tier has room to grow.",
            )
            .meta({ typeName: "IPv4 CIDR" }),
        azCount: z
            .number()
            .int()
            .min(2)
            .max(6)
            .default(3)
            .describe(
                "Availability Zones every tier spans, at most as many as the region offers a new account " +
                    "(stacks/regions.json). Three survive the loss of one AZ with capacity to spare.",
            ),
        natGateways: z
            .enum(["perAz", "single"])
            .default("perAz")
            .describe(
                "perAz keeps each AZ's egress alive when another AZ fails; single saves cost in disposable stacks.",
            ),
        subnetPrefixLengths: z
            .strictObject({
                public: prefixLength.default(24).describe("Prefix length of each public subnet (NAT gateways only)."),
                private: prefixLength.default(20).describe("Prefix length of each private subnet (the services)."),
                isolated: prefixLength.default(22).describe("Prefix length of each isolated subnet (the data tier)."),
            })
            .prefault({})
            .describe(
                "Size of each tier's subnets when subnetCidrs is not given. The plan is laid out largest first and " +
                    "aligned; a VPC too small for it is a config error. Changing azCount or these lengths re-lays " +
                    "(replaces) the subnets; use subnetCidrs to grow in place.",
            ),
        subnetCidrs: z
            .strictObject({
                public: z.array(cidrString).describe("Public subnets, one per AZ, in AZ order."),
                private: z.array(cidrString).describe("Private subnets, one per AZ, in AZ order."),
                isolated: z.array(cidrString).describe("Isolated subnets, one per AZ, in AZ order."),
            })
            .optional()
            .describe(
                "Explicit subnets per tier, for a VPC that must fit an existing IP plan. Each must lie inside cidr; " +
                    "no two may overlap. Default: computed from subnetPrefixLengths.",
            ),
        flowLogRetentionDays: logRetentionDays
            .default(365)
            .describe("Days VPC flow logs are kept: a year of network evidence for incident response."),
        interfaceEndpoints: z
            .array(z.enum(INTERFACE_ENDPOINTS))
            .default([])
            .refine((v) => new Set(v).size === v.length, { message: "lists an endpoint twice" })
            .describe(
                "Interface endpoints in the private tier, so image pulls, logs and secret reads stay off the NAT " +
                    "path. Each costs per AZ-hour; the S3 gateway endpoint is always created.",
            ),
    })
    .describe("The VPC: three subnet tiers over several AZs, NAT, flow logs and VPC endpoints.");

export type NetworkSettings = z.output<typeof networkSchema> & { subnets: Record<Tier, string[]> };

/** Cross-field checks: the VPC range, and the subnet plan that must fit in it. */
export function checkNetwork(n: z.output<typeof networkSchema>): {
    issues: ConfigIssue[];
    subnets?: Record<Tier, string[]>;
} {
    const issues: ConfigIssue[] = [];
    const key = "aws-platform:network";
    // The schema has already checked the range itself: valid, of a size AWS allows, private.
    const vpc = parseCidr(n.cidr);
    if ("error" in vpc) return { issues };
    if (n.subnetCidrs) {
        const seen: { tier: Tier; index: number; cidr: string }[] = [];
        for (const tier of TIERS) {
            const list = n.subnetCidrs[tier];
            if (list.length !== n.azCount) {
                issues.push({
                    key: `${key}.subnetCidrs.${tier}`,
                    value: list,
                    message: `has ${list.length} CIDRs; expected one per AZ (azCount is ${n.azCount})`,
                });
            }
            list.forEach((cidr, index) => {
                const parsed = parseCidr(cidr);
                if ("error" in parsed) return;
                const k = `${key}.subnetCidrs.${tier}[${index}]`;
                if (!vpc.block.contains(parsed.block.base) || parsed.block.bitmask < vpc.block.bitmask) {
                    issues.push({ key: k, value: cidr, message: `is not inside the VPC CIDR ${n.cidr}` });
                } else if (parsed.block.bitmask > MAX_SUBNET_PREFIX) {
                    issues.push({
                        key: k,
                        value: cidr,
                        message: "is smaller than /28, the smallest subnet AWS allows",
                    });
                }
                for (const other of seen) {
                    if (overlaps(parsed.block, blockOf(other.cidr))) {
                        issues.push({
                            key: k,
                            value: cidr,
                            message: `overlaps ${other.cidr} (network.subnetCidrs.${other.tier}[${other.index}])`,
                        });
                    }
                }
                seen.push({ tier, index, cidr });
            });
        }
        return { issues, subnets: issues.length ? undefined : n.subnetCidrs };
    }
    try {
        return { issues, subnets: planSubnets(n.cidr, n.azCount, n.subnetPrefixLengths) };
    } catch (e) {
        issues.push({
            key: `${key}.cidr`,
            value: n.cidr,
            message: `is too small for the requested subnets: ${(e as Error).message}; use a larger VPC CIDR, fewer AZs or longer subnetPrefixLengths`,
        });
        return { issues };
    }
}

function blockOf(cidr: string) {
    const parsed = parseCidr(cidr);
    if ("error" in parsed) throw new Error(parsed.error);
    return parsed.block;
}
