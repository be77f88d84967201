/**
 * The Aurora PostgreSQL cluster itself: engine, credentials, encryption, network, backups, final snapshot and
 * the observability settings its instances repeat.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { AuroraScope } from "./scope";

/** PostgreSQL's port. Fixed: clients, security group rules and alarms all assume it. */
export const POSTGRES_PORT = 5432;

/**
 * Settings shared by the cluster and its instances. Set on the cluster so that readers AWS adds through auto
 * scaling inherit them; repeated on each instance so that Pulumi's view of the instances matches AWS.
 */
export interface InsightsSettings {
    performanceInsightsEnabled: boolean;
    performanceInsightsKmsKeyId: pulumi.Input<string>;
    performanceInsightsRetentionPeriod: number;
    monitoringInterval: number;
    monitoringRoleArn?: pulumi.Output<string>;
}

export function insightsSettings(scope: AuroraScope, monitoringRole?: aws.iam.Role): InsightsSettings {
    return {
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: scope.args.kmsKeyArn,
        performanceInsightsRetentionPeriod: scope.args.performanceInsightsRetentionDays ?? 7,
        monitoringInterval: scope.args.monitoringIntervalSeconds ?? 60,
        monitoringRoleArn: monitoringRole?.arn,
    };
}

/** What the cluster is made from; everything in it exists before the cluster. */
export interface ClusterParts {
    engineVersion: pulumi.Input<string>;
    instanceClass: string;
    subnetGroup: aws.rds.SubnetGroup;
    securityGroup: aws.ec2.SecurityGroup;
    parameterGroup: aws.rds.ClusterParameterGroup;
    logGroup: aws.cloudwatch.LogGroup;
    monitoringAttachment?: aws.iam.RolePolicyAttachment;
    insights: InsightsSettings;
    /** Properties AWS changes on its own and Pulumi must not roll back. */
    ignoreChanges: string[];
}

export function createCluster(scope: AuroraScope, parts: ClusterParts): aws.rds.Cluster {
    const { parent, name, id, args } = scope;
    // A snapshot identifier must be unique in the account and region, and final snapshots outlive their cluster:
    // destroying and recreating the stack would otherwise collide with the first one. The suffix is
    // generated once per cluster identifier and kept in state, so it does not change on later updates.
    const snapshotSuffix = new random.RandomId(
        `${name}-final-snapshot`,
        { byteLength: 4, keepers: { clusterIdentifier: id } },
        { parent },
    );
    const serverless = parts.instanceClass === "db.serverless" ? args.serverless! : undefined;
    const protect = args.protect ?? true;

    return new aws.rds.Cluster(
        `${name}-cluster`,
        {
            clusterIdentifier: id,
            engine: "aurora-postgresql",
            engineMode: "provisioned",
            engineVersion: parts.engineVersion,
            // A deliberate major upgrade (a new major in config, with autoMinorVersionUpgrade off) sends the version,
            // the new family's parameter group and this flag in one ModifyDBCluster call, as RDS requires.
            allowMajorVersionUpgrade: true,
            // The database name, the master user and the storage key are fixed when the cluster is created: AWS cannot
            // change them, so a new value would replace the cluster. The fixed identifier (and protect) make such an
            // update fail rather than create a second database; change them by restoring into a new cluster.
            databaseName: args.databaseName ?? "app",
            masterUsername: args.masterUsername ?? "dbadmin",
            // RDS generates the password, keeps it in Secrets Manager under the CMK and rotates it; no password
            // exists in config, code or state (RDS rejects masterPassword together with manageMasterUserPassword).
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: args.kmsKeyArn,
            iamDatabaseAuthenticationEnabled: true,
            // The RDS Data API, only when IAM database users are created through it (iamUsers.ts): it is an HTTPS
            // endpoint that runs SQL with a Secrets Manager secret, so it stays off where nothing needs it.
            enableHttpEndpoint: (args.iamDatabaseUsers ?? []).length > 0,
            port: POSTGRES_PORT,
            storageEncrypted: true,
            kmsKeyId: args.kmsKeyArn,
            storageType: args.storageType === "aurora-iopt1" ? "aurora-iopt1" : undefined,
            // availabilityZones is left to AWS: the subnet group decides, and a list that differs from the
            // three AZs AWS records would force a replacement on the next update.
            dbSubnetGroupName: parts.subnetGroup.name,
            vpcSecurityGroupIds: [parts.securityGroup.id],
            dbClusterParameterGroupName: parts.parameterGroup.name,
            // Serverless v2 capacity lives on the cluster and RDS refuses a db.serverless instance in a cluster
            // without it: the instances reference cluster.id, so they are created after it.
            serverlessv2ScalingConfiguration: serverless
                ? {
                      minCapacity: serverless.minCapacity,
                      maxCapacity: serverless.maxCapacity,
                      secondsUntilAutoPause:
                          serverless.minCapacity === 0 ? serverless.secondsUntilAutoPause : undefined,
                  }
                : undefined,
            backupRetentionPeriod: args.backupRetentionDays ?? 7,
            preferredBackupWindow: args.backupWindow ?? "02:00-03:00",
            preferredMaintenanceWindow: args.maintenanceWindow ?? "sun:04:00-sun:05:00",
            copyTagsToSnapshot: true,
            deletionProtection: args.deletionProtection ?? true,
            // A protected cluster leaves a final snapshot (RDS requires its identifier when skipFinalSnapshot is
            // false, or the delete fails), named uniquely, and keeps its automated backups after a delete. A
            // disposable one (protect: false) leaves neither: they would be encrypted with the stack's key, which
            // the same destroy schedules for deletion, so nothing could ever restore them. The identifier is always
            // set; the provider sends it only when the snapshot is taken. Both are read from state at delete time,
            // so a change here must be applied by `pulumi up` before `pulumi destroy`.
            skipFinalSnapshot: !protect,
            finalSnapshotIdentifier: pulumi.interpolate`${id}-final-${snapshotSuffix.hex}`,
            deleteAutomatedBackups: !protect,
            // Only `postgresql` is exported: each other type Aurora PostgreSQL offers (`instance`, `iam-db-auth-error`
            // on recent versions) writes to a log group of its own, which would have to be pre-created as well.
            enabledCloudwatchLogsExports: ["postgresql"],
            databaseInsightsMode: args.databaseInsightsMode ?? "standard",
            ...parts.insights,
            tags: { Name: id },
        },
        {
            parent,
            protect,
            dependsOn: [parts.logGroup, ...(parts.monitoringAttachment ? [parts.monitoringAttachment] : [])],
            ignoreChanges: parts.ignoreChanges,
        },
    );
}
