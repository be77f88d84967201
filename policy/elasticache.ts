/**
 * ElastiCache (Valkey and Redis OSS replication groups): encrypted at rest with a customer-managed key, TLS
 * required, in non-public subnets, and, where the profile asks for it, Multi-AZ with automatic failover. Each policy
 * belongs to an area and is listed in that area's module (encryptionAtRest.ts, encryptionInTransit.ts,
 * privateNetworking.ts, multiAz.ts); they live together here because they read the same resource.
 *
 * Preview safety: every flag here is a literal in the program, so it is known at preview; the key, the subnet group
 * and the subnets come from resources created in the same update, so they are checked for presence (`isSet`) or
 * followed through `propertyDependencies`, never read.
 */
import type { PolicyResource } from "@pulumi/policy";

import { resourcePolicy, stackPolicy, type Later } from "./builders";
import { label, meetsAzMinimum, ResourceGraph } from "./graph";
import { reportPublicSubnets, requireCmk, settingNumber } from "./helpers";
import { T } from "./tokens";
import { isSet, isUnknown, knownNumber, peek, readThrough } from "./values";

/** Reads a value that decides the verdict but is unknown, so the engine reports it cannot tell yet. */
function undecided(props: Record<string, unknown>, key: string): boolean {
    if (isUnknown(peek(props, key))) {
        readThrough(props, key);
        return true;
    }
    return false;
}

export const elasticacheEncryptedCmk = resourcePolicy({
    name: "elasticache-encrypted-cmk",
    category: "encryption-at-rest",
    severity: "high",
    summary: "ElastiCache replication groups encrypt data at rest (nodes, snapshots) with a customer-managed KMS key.",
    remediation:
        "Set atRestEncryptionEnabled: true and kmsKeyId to the platform CMK's ARN on the aws.elasticache.ReplicationGroup (both fixed at creation: a change replaces the group).",
    types: T.elasticacheReplicationGroup,
    checkov: ["CKV_AWS_29"],
    trivy: ["AVD-AWS-0045"],
    awsConfig: ["ELASTICACHE_REPL_GRP_ENCRYPTED_AT_REST"],
    check: (props, report) => {
        const enabled = peek(props, "atRestEncryptionEnabled");
        // Without the flag the provider lets AWS decide: on for valkey, off for redis (the default engine).
        if (enabled === undefined && !undecided(props, "engine") && peek(props, "engine") !== "valkey") {
            report("atRestEncryptionEnabled is not set, and a redis replication group is then unencrypted at rest.");
            return;
        }
        if (enabled === false || undecided(props, "atRestEncryptionEnabled")) {
            report("atRestEncryptionEnabled is false: nodes and snapshots are unencrypted.");
            return;
        }
        requireCmk(props, "kmsKeyId", report, "the cache's data at rest and its snapshots");
    },
});

export const elasticacheInTransitEncryption = resourcePolicy({
    name: "elasticache-in-transit-encryption",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "ElastiCache replication groups require TLS: transit encryption on, and not in the preferred (migration) mode that still accepts plain text.",
    remediation:
        'Set transitEncryptionEnabled: true and transitEncryptionMode: "required" on the aws.elasticache.ReplicationGroup; clients connect with TLS.',
    types: T.elasticacheReplicationGroup,
    checkov: ["CKV_AWS_30"],
    trivy: ["AVD-AWS-0051"],
    awsConfig: ["ELASTICACHE_REPL_GRP_ENCRYPTED_IN_TRANSIT"],
    check: (props, report) => {
        const enabled = peek(props, "transitEncryptionEnabled");
        if (enabled !== true) {
            undecided(props, "transitEncryptionEnabled");
            report(
                `transitEncryptionEnabled is ${enabled === undefined ? "not set (false)" : String(enabled)}: clients connect in plain text.`,
            );
            return;
        }
        // Unset with encryption on means required, the API's default for a new group.
        const mode = peek(props, "transitEncryptionMode");
        if (!undecided(props, "transitEncryptionMode") && mode !== undefined && mode !== null && mode !== "required") {
            report(`transitEncryptionMode is '${String(mode)}': plain-text connections are still accepted.`);
        }
    },
});

/** The subnets of an ElastiCache subnet group, through its subnetIds' dependencies. */
function subnetsOf(graph: ResourceGraph, group: PolicyResource): PolicyResource[] {
    return graph.via(group, "subnetIds", T.subnet);
}

export const elasticacheSubnetGroupNonPublic = stackPolicy({
    name: "elasticache-subnet-group-non-public",
    category: "private-networking",
    severity: "critical",
    summary:
        "ElastiCache replication groups use a subnet group of this stack, and ElastiCache subnet groups contain only non-public subnets (no route to an internet gateway, no public IPs on launch).",
    remediation:
        "Build an aws.elasticache.SubnetGroup from the isolated (or private) aws.ec2.Subnet resources of this stack and pass its name to the replication group's subnetGroupName.",
    types: [...T.elasticacheReplicationGroup, ...T.elasticacheSubnetGroup, ...T.subnet],
    check: (graph, report) => {
        for (const group of graph.ofType(T.elasticacheSubnetGroup)) {
            const subnets = subnetsOf(graph, group);
            reportPublicSubnets(graph, group, subnets, report);
        }
        for (const rg of graph.ofType(T.elasticacheReplicationGroup)) {
            if (graph.via(rg, "subnetGroupName", T.elasticacheSubnetGroup).length === 0) {
                report(
                    isSet(rg.props, "subnetGroupName")
                        ? `${label(rg)}: subnetGroupName does not come from an aws.elasticache.SubnetGroup in this stack, so its subnets cannot be verified.`
                        : `${label(rg)} has no subnetGroupName and lands in the default VPC's default subnet group.`,
                    rg.urn,
                );
            }
        }
    },
});

/** Replicas per shard as the inputs say: replicasPerNodeGroup, else numCacheClusters less the primary. */
function replicasOf(rg: PolicyResource, later: Later): number | undefined {
    const key = isSet(rg.props, "replicasPerNodeGroup") ? "replicasPerNodeGroup" : "numCacheClusters";
    if (isUnknown(peek(rg.props, key))) {
        later(() => readThrough(rg.props, key));
        return undefined;
    }
    const value = knownNumber(rg.props, key);
    if (key === "replicasPerNodeGroup") return value ?? 0;
    return (value ?? 1) - 1;
}

export const elasticacheMultiAz = stackPolicy({
    name: "elasticache-multi-az",
    category: "multi-az",
    severity: "medium",
    summary:
        "When requireMultiAz is on, each ElastiCache replication group has Multi-AZ and automatic failover enabled, at least minReplicas replicas per shard, and a subnet group spanning at least minAzCount AZs.",
    remediation:
        "Set multiAzEnabled: true and automaticFailoverEnabled: true, numCacheClusters ≥ minReplicas + 1 (or replicasPerNodeGroup ≥ minReplicas), and build the subnet group from subnets in minAzCount AZs.",
    types: [...T.elasticacheReplicationGroup, ...T.elasticacheSubnetGroup, ...T.subnet],
    awsConfig: ["ELASTICACHE_REPL_GRP_AUTO_FAILOVER_ENABLED"],
    configSchema: {
        properties: {
            requireMultiAz: {
                type: "boolean",
                default: false,
                description: "Require Multi-AZ with automatic failover and replicas (production profiles turn it on).",
            },
            minReplicas: {
                type: "integer",
                minimum: 1,
                maximum: 5,
                default: 1,
                description: "Minimum replicas per shard.",
            },
            minAzCount: {
                type: "integer",
                minimum: 1,
                maximum: 6,
                default: 2,
                description: "Minimum number of distinct availability zones.",
            },
        },
    },
    check: (graph, report, settings, later) => {
        if (settings.requireMultiAz !== true) return;
        const minReplicas = settingNumber(settings, "minReplicas");
        const minAz = settingNumber(settings, "minAzCount");
        for (const rg of graph.ofType(T.elasticacheReplicationGroup)) {
            for (const flag of ["multiAzEnabled", "automaticFailoverEnabled"]) {
                const value = peek(rg.props, flag);
                if (isUnknown(value)) later(() => readThrough(rg.props, flag));
                else if (value !== true) {
                    report(
                        `${label(rg)} has ${flag} ${value === undefined ? "unset (false)" : String(value)}.`,
                        rg.urn,
                    );
                }
            }
            const replicas = replicasOf(rg, later);
            if (replicas !== undefined && replicas < minReplicas) {
                report(
                    `${label(rg)} has ${replicas} replica(s) per shard; at least ${minReplicas} are required for failover.`,
                    rg.urn,
                );
            }
            for (const group of graph.via(rg, "subnetGroupName", T.elasticacheSubnetGroup)) {
                const spread = graph.azSpread(subnetsOf(graph, group));
                const verdict = meetsAzMinimum(spread, minAz);
                if (verdict === "undecided") {
                    const subnet = spread.unknown[0];
                    const key = isUnknown(peek(subnet.props, "availabilityZone"))
                        ? "availabilityZone"
                        : "availabilityZoneId";
                    later(() => readThrough(subnet.props, key));
                } else if (verdict === "no") {
                    const known = [...spread.known].sort();
                    report(
                        `${label(group)} of ${label(rg)} spans fewer than ${minAz} AZs (${known.length > 0 ? `AZs ${known.join(", ")}` : "no known AZ"}).`,
                        group.urn,
                    );
                }
            }
        }
    },
});
