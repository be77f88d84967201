/**
 * The cluster's instances (a writer and its readers, spread over the AZs) and reader auto scaling.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { InsightsSettings } from "./cluster";
import type { AuroraScope } from "./scope";

/** The current RDS certificate authority (RSA 2048, valid to 2061); rds-ca-2019 expired in 2024. */
export const RDS_CA = "rds-ca-rsa2048-g1";

export interface InstanceParts {
    cluster: aws.rds.Cluster;
    subnetGroup: aws.rds.SubnetGroup;
    instanceClass: string;
    /** The AZs of the subnet group, in order (validated: at least two). */
    azs: pulumi.Output<string[]>;
    insights: InsightsSettings;
    autoMinorVersionUpgrade: boolean;
}

/** The writer (index 0) and `args.readers` readers. */
export function createInstances(scope: AuroraScope, parts: InstanceParts): aws.rds.ClusterInstance[] {
    const { parent, name, id, args } = scope;
    const readers = args.readers ?? 2;
    // Instance identifiers carry a number, not a role: after a failover any reader may be the writer.
    const instances: aws.rds.ClusterInstance[] = [];
    for (let i = 0; i <= readers; i++) {
        instances.push(
            new aws.rds.ClusterInstance(
                `${name}-instance-${i}`,
                {
                    identifier: `${id}-${i + 1}`,
                    clusterIdentifier: parts.cluster.id,
                    engine: "aurora-postgresql",
                    // No engineVersion: an Aurora instance runs its cluster's version, and only the cluster changes it
                    // (aws.rds.ClusterInstance, engineVersion: "must be done on the aws.rds.Cluster"). The cluster's
                    // version in state can be stale after AWS applies a minor version, and a new or replaced reader
                    // sent that older version could be refused; left out, RDS gives it the cluster's.
                    instanceClass: parts.instanceClass,
                    dbSubnetGroupName: parts.subnetGroup.name,
                    // Round-robin over the subnet group's AZs: the writer and its first readers never share one.
                    availabilityZone: parts.azs.apply((names) => names[i % names.length]),
                    // The writer is tier 0; readers tier 1 are the preferred failover targets, and on Serverless v2
                    // tiers 0-1 scale with the writer, so a promoted reader is already large enough.
                    promotionTier: i === 0 ? 0 : 1,
                    publiclyAccessible: false,
                    caCertIdentifier: RDS_CA,
                    autoMinorVersionUpgrade: parts.autoMinorVersionUpgrade,
                    preferredMaintenanceWindow: args.maintenanceWindow ?? "sun:04:00-sun:05:00",
                    copyTagsToSnapshot: true,
                    ...parts.insights,
                    tags: { Name: `${id}-${i + 1}` },
                },
                // The first instance to become available is the writer: readers wait for it, so it is this one.
                // A change of AZ (azCount moves a reader in the round-robin) replaces the instance, and its fixed
                // identifier cannot exist twice, so the old one goes first.
                { parent, dependsOn: i === 0 ? [] : [instances[0]], deleteBeforeReplace: true },
            ),
        );
    }
    return instances;
}

/** Target tracking on average reader CPU; the readers it adds are created by AWS, outside Pulumi. */
export function createReaderAutoscaling(
    scope: AuroraScope,
    cluster: aws.rds.Cluster,
    instances: aws.rds.ClusterInstance[],
): void {
    const { parent, name, id } = scope;
    const scaling = scope.args.readerAutoscaling!;
    const target = new aws.appautoscaling.Target(
        `${name}-readers`,
        {
            serviceNamespace: "rds",
            scalableDimension: "rds:cluster:ReadReplicaCount",
            resourceId: pulumi.interpolate`cluster:${cluster.clusterIdentifier}`,
            minCapacity: scaling.minReaders,
            maxCapacity: scaling.maxReaders,
        },
        // AWS scales only a cluster whose instances are all available; registering first would race them.
        // Readers it adds are not in Pulumi's state: scale in (or lower maxReaders) before destroying the cluster.
        { parent, dependsOn: instances },
    );
    new aws.appautoscaling.Policy(
        `${name}-readers-cpu`,
        {
            name: `${id}-readers-cpu`,
            policyType: "TargetTrackingScaling",
            serviceNamespace: target.serviceNamespace,
            scalableDimension: target.scalableDimension,
            resourceId: target.resourceId,
            targetTrackingScalingPolicyConfiguration: {
                predefinedMetricSpecification: { predefinedMetricType: "RDSReaderAverageCPUUtilization" },
                targetValue: scaling.targetCpuPercent ?? 70,
                scaleInCooldown: scaling.scaleInCooldownSeconds ?? 300,
                scaleOutCooldown: scaling.scaleOutCooldownSeconds ?? 300,
            },
        },
        { parent },
    );
}
