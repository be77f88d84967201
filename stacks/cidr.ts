import { Netmask } from "netmask";

/** The subnet tiers, in the order their blocks are laid out when sizes tie. */
export const TIERS = ["public", "private", "isolated"] as const;
export type Tier = (typeof TIERS)[number];

export type SubnetPlan = Record<Tier, string[]>;

const DOTTED_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses a strict `a.b.c.d/n` IPv4 CIDR. Returns a reason instead of throwing, so that the settings
 * validator can report it next to every other problem.
 */
export function parseCidr(cidr: string): { block: Netmask } | { error: string } {
    const m = DOTTED_CIDR.exec(cidr);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
        return { error: "is not a valid IPv4 CIDR (expected a.b.c.d/n with n from 0 to 32)" };
    }
    const block = new Netmask(cidr);
    if (block.base !== cidr.split("/")[0]) {
        return { error: `is not a network address; did you mean "${block.toString()}"?` };
    }
    return { block };
}

/** RFC 1918 plus the shared address space (RFC 6598) that some organisations use for VPCs. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map((c) => new Netmask(c));

export function isPrivateRange(block: Netmask): boolean {
    return PRIVATE_RANGES.some((r) => r.contains(block.toString()));
}

export function overlaps(a: Netmask, b: Netmask): boolean {
    return a.contains(b.base) || b.contains(a.base);
}

/** The smallest subnet AWS allows is a /28; the largest VPC is a /16. */
export const MIN_VPC_PREFIX = 16;
export const MAX_SUBNET_PREFIX = 28;

/**
 * Lays out one subnet per tier per AZ inside the VPC CIDR. Blocks are placed largest first from the
 * start of the range, so every block lands on its own alignment without gaps. Deterministic: the same
 * inputs always give the same plan, so re-running never replaces subnets.
 *
 * @throws Error with a readable reason when the blocks do not fit.
 */
export function planSubnets(vpcCidr: string, azCount: number, prefixLengths: Record<Tier, number>): SubnetPlan {
    const parsed = parseCidr(vpcCidr);
    if ("error" in parsed) throw new Error(`${vpcCidr} ${parsed.error}`);
    const vpc = parsed.block;
    for (const tier of TIERS) {
        const p = prefixLengths[tier];
        if (p < vpc.bitmask || p > MAX_SUBNET_PREFIX) {
            throw new Error(
                `a /${p} ${tier} subnet cannot be carved from ${vpcCidr}; expected /${vpc.bitmask}-/${MAX_SUBNET_PREFIX}`,
            );
        }
    }
    const needed = TIERS.reduce((sum, t) => sum + azCount * 2 ** (32 - prefixLengths[t]), 0);
    if (needed > vpc.size) {
        throw new Error(
            `${vpcCidr} holds ${vpc.size} addresses but ${azCount} AZs x 3 tiers ` +
                `(/${prefixLengths.public} public, /${prefixLengths.private} private, /${prefixLengths.isolated} isolated) need ${needed}`,
        );
    }
    const order = [...TIERS].sort((a, b) => prefixLengths[a] - prefixLengths[b] || TIERS.indexOf(a) - TIERS.indexOf(b));
    const plan: SubnetPlan = { public: [], private: [], isolated: [] };
    let cursor = vpc.netLong;
    for (const tier of order) {
        const size = 2 ** (32 - prefixLengths[tier]);
        for (let az = 0; az < azCount; az++) {
            plan[tier].push(new Netmask(`${longToIp(cursor)}/${prefixLengths[tier]}`).toString());
            cursor += size;
        }
    }
    return plan;
}

function longToIp(n: number): string {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}
