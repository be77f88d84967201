/**
 * What the engine runs with and where it logs: the parameter group (its family follows the engine version) and
 * the log groups the slow log and the engine log are delivered to.
 */
import * as aws from "@pulumi/aws";
import { parameterFamily } from "./engine";
import type { CacheScope } from "./scope";

/** The logs ElastiCache can deliver, each to a log group of its own (ReplicationGroup logDeliveryConfigurations). */
export const CACHE_LOG_TYPES = ["slow-log", "engine-log"] as const;
export type CacheLogType = (typeof CACHE_LOG_TYPES)[number];

export function createParameterGroup(scope: CacheScope): aws.elasticache.ParameterGroup {
    const { parent, name, prefix, engine, engineVersion, clusterMode } = scope;
    // A family's default group cannot be changed; a group of our own can take tuning later without a new group. With
    // cluster mode its `cluster-enabled` must be yes (the family's default is no), or CreateReplicationGroup refuses
    // the pair; terraform-aws-modules/elasticache sets it the same way. Auto-named, so a new family (a major
    // upgrade) creates the new group before the old one goes.
    return new aws.elasticache.ParameterGroup(
        `${name}-params`,
        {
            family: parameterFamily(engine, engineVersion)!,
            description: `${prefix} cache (${engine})`,
            parameters: clusterMode ? [{ name: "cluster-enabled", value: "yes" }] : [],
        },
        { parent },
    );
}

/**
 * One log group per log type, created before the replication group with the platform key and a retention: the
 * delivery writes into an existing group and never sets either. The names start with /aws/vendedlogs/, the prefix
 * CloudWatch Logs covers with one wildcard resource-policy statement for log deliveries, instead of one statement
 * per group against the account's 5120-character resource-policy limit (AWS CloudWatch Logs 'Enable logging from
 * AWS services', logs sent to CloudWatch Logs).
 */
export function createLogGroups(scope: CacheScope): Record<CacheLogType, aws.cloudwatch.LogGroup> {
    const { parent, name, prefix, args } = scope;
    const groups = {} as Record<CacheLogType, aws.cloudwatch.LogGroup>;
    for (const type of CACHE_LOG_TYPES) {
        groups[type] = new aws.cloudwatch.LogGroup(
            `${name}-${type}`,
            {
                namePrefix: `/aws/vendedlogs/elasticache/${prefix}/${type}-`,
                retentionInDays: args.logRetentionDays ?? 365,
                kmsKeyId: args.kmsKeyArn,
            },
            { parent },
        );
    }
    return groups;
}
