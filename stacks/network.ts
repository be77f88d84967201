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

export const networkSchema = z.strictObject({
    /** VPC CIDR. Default 10.0.0.0/16, the largest block AWS allows, so every tier has room to grow. */
    cidr: vpcCidr.default("10.0.0.0/16"),
    /** AZs to spread over. Default 3: survives the loss of one AZ with capacity to spare. */
    azCount: z.number().int().min(2).max(6).default(3),
    /** `perAz` (default) keeps egress alive when one AZ fails; `single` saves cost in throwaway stacks. */
    natGateways: z.enum(["perAz", "single"]).default("perAz"),
    /** Prefix length of each tier's subnets, used when `subnetCidrs` is not given. */
    subnetPrefixLengths: z
        .strictObject({
            public: prefixLength.default(24),
            private: prefixLength.default(20),
            isolated: prefixLength.default(22),
        })
        .prefault({}),
    /** Explicit subnet CIDRs per tier (one per AZ), for VPCs that must fit an existing IP plan. */
    subnetCidrs: z
        .strictObject({
            public: z.array(cidrString),
            private: z.array(cidrString),
            isolated: z.array(cidrString),
        })
        .optional(),
    /** Flow-log retention. Default 365 days: a year of network evidence for incident response. */
    flowLogRetentionDays: logRetentionDays.default(365),
    /** Interface endpoints to create. Default none: each costs per AZ-hour; the S3 gateway endpoint is always on. */
    interfaceEndpoints: z
        .array(z.enum(INTERFACE_ENDPOINTS))
        .default([])
        .refine((v) => new Set(v).size === v.length, { message: "lists an endpoint twice" }),
});

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
