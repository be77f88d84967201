/**
 * The replication group itself: engine, nodes and their AZs, encryption at rest and in transit, RBAC, snapshots,
 * maintenance, log delivery and the final snapshot.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CACHE_PORT, elasticacheId } from "./engine";
import { CACHE_LOG_TYPES, type CacheLogType } from "./parameters";
import type { CacheScope } from "./scope";

/** Node type when config names none: Graviton, memory-optimised. */
export const DEFAULT_NODE_TYPE = "cache.r7g.large";

/** What the replication group is made from; everything in it exists before the group. */
export interface GroupParts {
    subnetGroup: aws.elasticache.SubnetGroup;
    securityGroup: aws.ec2.SecurityGroup;
    parameterGroup: aws.elasticache.ParameterGroup;
    userGroup: aws.elasticache.UserGroup;
    logGroups: Record<CacheLogType, aws.cloudwatch.LogGroup>;
    /** The AZs of the subnet group, in order (validated: at least two when Multi-AZ). */
    azs: pulumi.Output<string[]>;
}

/** The AZ of each node of a cluster-mode-disabled group, primary first, round-robin over the subnets' AZs. */
export function nodeAzs(azs: string[], nodes: number): string[] {
    return Array.from({ length: nodes }, (_, i) => azs[i % azs.length]);
}

/** The replication group's id: fixed, from the stack's prefix, so that the final snapshot's name can follow it. */
export function replicationGroupId(prefix: string): string {
    return elasticacheId(prefix, "cache");
}

export function createReplicationGroup(scope: CacheScope, parts: GroupParts): aws.elasticache.ReplicationGroup {
    const { parent, name, prefix, engine, engineVersion, clusterMode, args } = scope;
    const replicas = args.replicas ?? 2;
    const multiAz = args.multiAz ?? true;
    const nodeType = args.nodeType ?? DEFAULT_NODE_TYPE;
    const autoMinorVersionUpgrade = args.autoMinorVersionUpgrade ?? true;
    const id = replicationGroupId(prefix);
    // Snapshot names are unique in the account and region and final snapshots outlive their group: destroying and
    // recreating the group would otherwise collide with the first one. The suffix is generated once per group id and
    // kept in state; a new group (a new id) gets a new one.
    const snapshotSuffix = new random.RandomId(
        `${name}-final-snapshot`,
        { byteLength: 4, keepers: { replicationGroupId: id } },
        { parent },
    );
    const topology = clusterMode
        ? // Cluster mode: shards, each a primary and its replicas; ElastiCache spreads each shard over the AZs.
          { numNodeGroups: args.shards ?? 1, replicasPerNodeGroup: replicas }
        : // One shard: the primary and its replicas placed explicitly, round-robin, so that no two share an AZ
          // while there are AZs to spare. ElastiCache reads the list at creation only.
          {
              numCacheClusters: replicas + 1,
              preferredCacheClusterAzs: parts.azs.apply((names) => nodeAzs(names, replicas + 1)),
          };

    return new aws.elasticache.ReplicationGroup(
        `${name}-group`,
        {
            // Fixed (lowercase, at most 40 characters), like the Aurora cluster's identifier: the final snapshot's
            // suffix is kept per id. A change that replaces the group therefore deletes the old one first (below).
            replicationGroupId: id,
            description: `${prefix} cache (${engine})`,
            engine,
            engineVersion,
            nodeType,
            // r6gd nodes keep part of the data on SSD and must say so (CreateReplicationGroup, DataTieringEnabled).
            dataTieringEnabled: /^cache\.r6gd\./.test(nodeType) ? true : undefined,
            port: CACHE_PORT,
            parameterGroupName: parts.parameterGroup.name,
            subnetGroupName: parts.subnetGroup.name,
            securityGroupIds: [parts.securityGroup.id],
            // At rest with the platform key: data on disk, snapshots (the final one too) and swap.
            atRestEncryptionEnabled: true,
            kmsKeyId: args.kmsKeyArn,
            // TLS only. "required" (not "preferred", the migration mode) refuses every plain-text connection, and
            // RBAC needs TLS anyway.
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            userGroupIds: [parts.userGroup.userGroupId],
            clusterMode: clusterMode ? "enabled" : "disabled",
            ...topology,
            // Cluster mode runs with automatic failover in any case (ReplicationGroup, automaticFailoverEnabled);
            // Multi-AZ needs it on, and at least one replica (validated).
            automaticFailoverEnabled: multiAz || clusterMode,
            multiAzEnabled: multiAz,
            snapshotRetentionLimit: args.snapshotRetentionDays ?? 7,
            snapshotWindow: args.snapshotWindow ?? "03:00-04:00",
            maintenanceWindow: args.maintenanceWindow ?? "sun:05:00-sun:06:00",
            autoMinorVersionUpgrade,
            applyImmediately: args.applyImmediately ?? false,
            // A final snapshot when the group is deleted, decided on its own (finalSnapshot), not by Pulumi protect:
            // turning protect off to delete a group must not also drop its last copy. Encrypted with the platform
            // key, so it is taken when the stack keeps that key. Read from state at delete time, so a change here
            // must be applied by `pulumi up` before `pulumi destroy`.
            finalSnapshotIdentifier:
                (args.finalSnapshot ?? true) ? pulumi.interpolate`${id}-final-${snapshotSuffix.hex}` : undefined,
            logDeliveryConfigurations: CACHE_LOG_TYPES.map((logType) => ({
                destination: parts.logGroups[logType].name,
                destinationType: "cloudwatch-logs",
                logFormat: "json",
                logType,
            })),
            tags: { Name: `${prefix}-cache` },
        },
        {
            parent,
            protect: args.protect ?? true,
            // The fixed id cannot exist twice: a replacement deletes the old group before creating the new one (and a
            // protected group stops the update instead).
            deleteBeforeReplace: true,
            // While AWS applies minor versions, it records the running major.minor, and the provider replaces a group
            // whose configured version is lower (terraform-provider-aws, engineVersionForceNewOnDowngrade): the
            // configured version is only where the group started, as for the Aurora cluster. A deliberate version
            // change turns autoMinorVersionUpgrade off in the same update (docs/operations.md).
            ignoreChanges: autoMinorVersionUpgrade ? ["engineVersion"] : [],
        },
    );
}
