/**
 * ElastiCache in the offline plan: the provider's auto-naming of its resources and the outputs AWS returns after a
 * create. Kept apart from fakes.ts, which merges both tables.
 */
import { UNKNOWN } from "./types";

/** What fakes.ts builds values with; passed in so that this module does not import fakes.ts back. */
export interface FakeHelpers {
    /** Deterministic hex from a seed. */
    hex(seed: string, length: number): string;
    /** The fake account every plan runs in. */
    accountId: string;
}

const str = (v: unknown, fallback: string) => (typeof v === "string" && v !== UNKNOWN ? v : fallback);

/** What a fake sees of a resource (a subset of fakes.ts's context). */
interface Ctx {
    name: string;
    urn: string;
    inputs: Record<string, unknown>;
    region: string;
    partition: string;
}

type Fake = (c: Ctx) => { id: string; outputs?: Record<string, unknown> };

/**
 * The AWS provider auto-names a replication group's id (at most 40 characters, lowercase: pulumi-aws
 * `AutoNameTransform("replicationGroupId", 40, strings.ToLower)`), and subnet and parameter groups by `name`, which
 * ElastiCache stores lowercase. Users and user groups have required ids and are never auto-named.
 */
export const ELASTICACHE_AUTONAME: Record<
    string,
    { prop: string; prefixProp?: string; maxLength: number; lower?: boolean }
> = {
    "aws:elasticache/replicationGroup:ReplicationGroup": { prop: "replicationGroupId", maxLength: 40, lower: true },
    "aws:elasticache/subnetGroup:SubnetGroup": { prop: "name", maxLength: 255, lower: true },
    "aws:elasticache/parameterGroup:ParameterGroup": { prop: "name", maxLength: 255, lower: true },
};

/** Realistic outputs of the ElastiCache resources, as AWS returns them after a create (update mode only). */
export function elasticacheFakes({ hex, accountId }: FakeHelpers): Record<string, Fake> {
    const arnFor = (c: Ctx, kind: string, id: string) =>
        `arn:${c.partition}:elasticache:${c.region}:${accountId}:${kind}:${id}`;
    const named =
        (kind: string, prop: string): Fake =>
        (c) => {
            const n = str(c.inputs[prop], c.name);
            return { id: n, outputs: { arn: arnFor(c, kind, n) } };
        };
    return {
        "aws:elasticache/subnetGroup:SubnetGroup": named("subnetgroup", "name"),
        "aws:elasticache/parameterGroup:ParameterGroup": named("parametergroup", "name"),
        "aws:elasticache/user:User": named("user", "userId"),
        "aws:elasticache/userGroup:UserGroup": named("usergroup", "userGroupId"),
        "aws:elasticache/replicationGroup:ReplicationGroup": (c) => {
            const id = str(c.inputs.replicationGroupId, c.name);
            const zone = hex(c.urn, 6);
            // Endpoints name the region in short form: eu-west-1 is euw1.
            const parts = c.region.split("-");
            const short = `${parts[0]}${parts
                .slice(1, -1)
                .map((p) => p[0])
                .join("")}${parts[parts.length - 1]}`;
            const host = (kind: string) => `${kind}.${id}.${zone}.${short}.cache.amazonaws.com`;
            const cluster = c.inputs.clusterMode === "enabled";
            const shards = typeof c.inputs.numNodeGroups === "number" ? c.inputs.numNodeGroups : 1;
            const perShard = cluster
                ? 1 + (typeof c.inputs.replicasPerNodeGroup === "number" ? c.inputs.replicasPerNodeGroup : 0)
                : typeof c.inputs.numCacheClusters === "number"
                  ? c.inputs.numCacheClusters
                  : 1;
            const members = Array.from({ length: shards * perShard }, (_, i) =>
                cluster
                    ? `${id}-${String(Math.floor(i / perShard) + 1).padStart(4, "0")}-${String((i % perShard) + 1).padStart(3, "0")}`
                    : `${id}-${String(i + 1).padStart(3, "0")}`,
            );
            return {
                id,
                outputs: {
                    arn: arnFor(c, "replicationgroup", id),
                    // In cluster mode only the configuration endpoint exists; without it, primary and reader.
                    ...(cluster
                        ? { configurationEndpointAddress: host("clustercfg") }
                        : { primaryEndpointAddress: host("master"), readerEndpointAddress: host("replica") }),
                    clusterEnabled: cluster,
                    engineVersionActual: `${str(c.inputs.engineVersion, "8.2")}.0`,
                    memberClusters: members,
                },
            };
        },
    };
}
