import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** PostgreSQL's port. Fixed: clients, security group rules and alarms all assume it. */
export const POSTGRES_PORT = 5432;

/** The current RDS certificate authority (RSA 2048, valid to 2061); rds-ca-2019 expired in 2024. */
export const RDS_CA = "rds-ca-rsa2048-g1";

/** AWS's rule for cluster and instance identifiers: 1-63 letters, digits or hyphens, starting with a letter. */
const IDENTIFIER = /^[a-z][a-z0-9-]*$/;

export interface ServerlessCapacity {
    /** Lowest ACUs. 0 lets idle instances pause; the engine version must support it (validated by the settings). */
    minCapacity: number;
    /** Highest ACUs, at most 256. */
    maxCapacity: number;
    /** Idle seconds before pausing, only with `minCapacity: 0`. Default: AWS's 300. */
    secondsUntilAutoPause?: number;
}

export interface ReaderAutoscalingArgs {
    /** Fewest readers; at least `readers`, because AWS counts the Pulumi-managed readers too. */
    minReaders: number;
    /** Most readers, at most 15 (Aurora's replica limit). */
    maxReaders: number;
    /** Average reader CPU (%) to hold. Default 70. */
    targetCpuPercent?: number;
    /** Seconds between scale-ins. Default 300. */
    scaleInCooldownSeconds?: number;
    /** Seconds between scale-outs. Default 300. */
    scaleOutCooldownSeconds?: number;
}

export interface AuroraClusterArgs {
    /**
     * The cluster identifier, e.g. `<project>-<stack>`. Required and set explicitly (not auto-named): the PostgreSQL
     * log group that must exist before the cluster is named after it. Lowercase letters, digits and single hyphens,
     * at most 60 characters so that instance identifiers (`<id>-<n>`) stay within AWS's 63.
     */
    clusterIdentifier: string;
    /** VPC of the subnets. Required: the security group lives there. */
    vpcId: pulumi.Input<string>;
    /** Isolated-tier subnets for the DB subnet group, at least two (one per AZ). Required: no default VPC fallback. */
    subnetIds: pulumi.Input<string>[];
    /**
     * The AZs of `subnetIds`, in order. Required: each instance is placed explicitly, round-robin, so the writer and
     * its readers never share an AZ while there are AZs to spare.
     */
    availabilityZones: pulumi.Input<string[]>;
    /** The platform CMK: storage, master secret, Performance Insights and the log group. Required: no AWS-managed keys. */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * Security groups allowed to connect on 5432. Default none; more can be added with `allowClient`, which names
     * the rule after the client and so survives reordering (these are named by position).
     */
    clientSecurityGroupIds?: pulumi.Input<string>[];
    /** Aurora PostgreSQL `<major>.<minor>`. Default 16.6. The cluster parameter group family follows the major. */
    engineVersion?: string;
    /** `db.serverless` (then `serverless` is required) or a provisioned class. Default db.r8g.large (Graviton4). */
    instanceClass?: string;
    /** Serverless v2 capacity; required with `db.serverless`. */
    serverless?: ServerlessCapacity;
    /** Readers besides the writer. Default 2 (seed 000: a primary and two read replicas). */
    readers?: number;
    /** Reader auto scaling on CPU. Default off. Readers it adds are created by AWS, outside Pulumi. */
    readerAutoscaling?: ReaderAutoscalingArgs;
    /** Point-in-time recovery days, 1-35. Default 7. */
    backupRetentionDays?: number;
    /** Daily backup window (UTC). Default 02:00-03:00. */
    backupWindow?: string;
    /** Weekly maintenance window (UTC), not overlapping the backup window. Default sun:04:00-sun:05:00. */
    maintenanceWindow?: string;
    /** AWS deletion protection. Default true: a database is the one thing that cannot be recreated. */
    deletionProtection?: boolean;
    /** Pulumi `protect` on the cluster. Default true, for the same reason; disposable stacks turn it off. */
    protect?: boolean;
    /** `aurora` (standard) or `aurora-iopt1` (I/O-Optimized). Default aurora. */
    storageType?: "aurora" | "aurora-iopt1";
    /** Performance Insights retention (7, a multiple of 31, or 731). Default 7, the free tier. */
    performanceInsightsRetentionDays?: number;
    /** Database Insights mode. Default standard. */
    databaseInsightsMode?: "standard" | "advanced";
    /**
     * Minor versions applied by AWS in the maintenance window. Default true: security patches without a deploy. While
     * on, later changes to `engineVersion` are ignored: AWS moves past the pinned minor, and Pulumi would otherwise try
     * to roll it back, which RDS refuses. Turn it off in the update that changes the version on purpose.
     */
    autoMinorVersionUpgrade?: boolean;
    /** Enhanced Monitoring interval (0, 1, 5, 10, 15, 30, 60). Default 60; 0 creates no monitoring role. */
    monitoringIntervalSeconds?: number;
    /** Retention of the exported PostgreSQL log. Default 365 days. */
    logRetentionDays?: number;
    /** `log_min_duration_statement` in ms; -1 is off. Default 1000. */
    slowQueryThresholdMs?: number;
    /** Log connections and disconnections. Default true. */
    logConnections?: boolean;
    /** Database created with the cluster. Default app. */
    databaseName?: string;
    /** Master user name; its password is generated and rotated by RDS in Secrets Manager. Default dbadmin. */
    masterUsername?: string;
}

/**
 * Aurora PostgreSQL: a writer and readers spread over the isolated subnets' AZs, encrypted with the platform key,
 * reachable only from the services' security groups over TLS, with RDS-managed credentials, backups, a final
 * snapshot, Performance Insights, Enhanced Monitoring and the PostgreSQL log in a pre-created, encrypted log group.
 */
export class AuroraCluster extends pulumi.ComponentResource {
    public readonly clusterIdentifier: pulumi.Output<string>;
    public readonly clusterArn: pulumi.Output<string>;
    /** For IAM database authentication policies (`rds-db:connect` on `dbuser:<resource id>/<user>`). */
    public readonly clusterResourceId: pulumi.Output<string>;
    public readonly writerEndpoint: pulumi.Output<string>;
    public readonly readerEndpoint: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    public readonly databaseName: pulumi.Output<string | undefined>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** The RDS-managed master secret (unknown until the cluster exists). */
    public readonly masterSecretArn: pulumi.Output<string>;
    /** Identifiers of the Pulumi-managed instances, writer first (for alarms). */
    public readonly instanceIdentifiers: pulumi.Output<string>[];
    public readonly logGroupName: pulumi.Output<string>;

    private readonly componentName: string;
    private readonly sg: aws.ec2.SecurityGroup;

    constructor(name: string, args: AuroraClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:AuroraCluster", name, {}, opts);
        this.componentName = name;

        const id = args.clusterIdentifier;
        if (id.length > 60 || !IDENTIFIER.test(id) || id.endsWith("-") || id.includes("--")) {
            throw new Error(
                `AuroraCluster ${name}: clusterIdentifier "${id}" is not valid; expected 1-60 lowercase letters, ` +
                    "digits or single hyphens, starting with a letter and not ending with a hyphen",
            );
        }
        // A subnet group needs subnets in two AZs (AWS rejects one), and failover needs somewhere to go.
        if (args.subnetIds.length < 2) {
            throw new Error(
                `AuroraCluster ${name}: ${args.subnetIds.length} subnet(s); a DB subnet group needs at least 2 AZs`,
            );
        }
        const engineVersion = args.engineVersion ?? "16.6";
        const major = /^(\d+)\.\d+$/.exec(engineVersion)?.[1];
        if (!major) throw new Error(`AuroraCluster ${name}: engineVersion "${engineVersion}" is not <major>.<minor>`);
        const instanceClass = args.instanceClass ?? "db.r8g.large";
        const serverless = instanceClass === "db.serverless";
        if (serverless && !args.serverless) {
            throw new Error(`AuroraCluster ${name}: instanceClass db.serverless needs a serverless capacity range`);
        }
        const readers = args.readers ?? 2;
        const autoMinor = args.autoMinorVersionUpgrade ?? true;
        const versionDrift = autoMinor ? ["engineVersion"] : [];
        const monitoringInterval = args.monitoringIntervalSeconds ?? 60;
        const piRetention = args.performanceInsightsRetentionDays ?? 7;
        const azs = pulumi.output(args.availabilityZones).apply((names) => {
            if (new Set(names).size < 2) {
                throw new pulumi.RunError(
                    `AuroraCluster ${name}: the subnets span ${new Set(names).size} AZ(s); at least 2 are needed`,
                );
            }
            return names;
        });

        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            {
                description: `Isolated subnets of ${id}: no route out of the VPC`,
                subnetIds: args.subnetIds,
                tags: { Name: `${id}-subnets` },
            },
            { parent: this },
        );

        // No inline rules at all: the ingress rules are separate resources (mixing both makes them fight), and the
        // AWS provider deletes the allow-all egress rule AWS adds to a new group (documented in
        // aws.ec2.SecurityGroup, "NOTE on Egress rules"), so the group denies all egress. A database answers
        // connections; it never opens one. `egress: []` would also work but would make this group inline-managed.
        this.sg = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: `Aurora ${id}: PostgreSQL from the services' security groups only`,
                tags: { Name: `${id}-db` },
            },
            { parent: this },
        );
        (args.clientSecurityGroupIds ?? []).forEach((sgId, i) => this.allowClient(`client-${i}`, sgId));

        // rds.force_ssl is a cluster-level parameter (gotcha 20). pending-reboot is accepted for static and dynamic
        // parameters alike, and a new cluster boots with the group already attached, so it is in force from the start;
        // on an existing cluster it takes effect at the next reboot. The logging parameters are dynamic.
        const parameters = [
            { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
            {
                name: "log_min_duration_statement",
                value: String(args.slowQueryThresholdMs ?? 1000),
                applyMethod: "immediate",
            },
            { name: "log_lock_waits", value: "1", applyMethod: "immediate" },
        ];
        if (args.logConnections ?? true) {
            // Booleans up to PostgreSQL 17 (18 turns log_connections into a list, outside the supported majors).
            parameters.push(
                { name: "log_connections", value: "1", applyMethod: "immediate" },
                { name: "log_disconnections", value: "1", applyMethod: "immediate" },
            );
        }
        const parameterGroup = new aws.rds.ClusterParameterGroup(
            `${name}-params`,
            {
                // Auto-named, so a new major (new family) creates the new group before the old one is deleted.
                family: `aurora-postgresql${major}`,
                description: `${id}: TLS only, slow-query and connection logging`,
                parameters,
            },
            { parent: this },
        );

        // RDS creates /aws/rds/cluster/<id>/postgresql itself, unencrypted and kept forever, unless it exists first
        // (gotcha 18): created here, and the cluster waits for it.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-postgresql-log`,
            {
                name: `/aws/rds/cluster/${id}/postgresql`,
                retentionInDays: args.logRetentionDays ?? 365,
                kmsKeyId: args.kmsKeyArn,
            },
            { parent: this },
        );

        let monitoringRole: aws.iam.Role | undefined;
        let monitoringPolicy: aws.iam.RolePolicyAttachment | undefined;
        if (monitoringInterval > 0) {
            monitoringRole = new aws.iam.Role(
                `${name}-monitoring`,
                {
                    description: `Enhanced Monitoring for ${id}`,
                    assumeRolePolicy: identity.accountId.apply((account) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Effect: "Allow",
                                    Principal: { Service: "monitoring.rds.amazonaws.com" },
                                    Action: "sts:AssumeRole",
                                    // Confused-deputy guard: only RDS acting for this account may assume the role.
                                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                                },
                            ],
                        }),
                    ),
                },
                { parent: this },
            );
            monitoringPolicy = new aws.iam.RolePolicyAttachment(
                `${name}-monitoring`,
                {
                    role: monitoringRole.name,
                    policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
                },
                { parent: this },
            );
        }

        // A snapshot identifier must be unique in the account and region, and final snapshots outlive their cluster:
        // destroying and recreating the stack would otherwise collide with the first one (gotcha 17). The suffix is
        // generated once per cluster identifier and kept in state, so it does not change on later updates.
        const snapshotSuffix = new random.RandomId(
            `${name}-final-snapshot`,
            { byteLength: 4, keepers: { clusterIdentifier: id } },
            { parent: this },
        );

        // Settings shared by the cluster and its instances. Set on the cluster so that readers AWS adds through auto
        // scaling inherit them; repeated on each instance so that Pulumi's view of the instances matches AWS.
        const insights = {
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: args.kmsKeyArn,
            performanceInsightsRetentionPeriod: piRetention,
            monitoringInterval,
            monitoringRoleArn: monitoringRole?.arn,
        };

        const cluster = new aws.rds.Cluster(
            `${name}-cluster`,
            {
                clusterIdentifier: id,
                engine: "aurora-postgresql",
                engineMode: "provisioned",
                engineVersion,
                // A deliberate major upgrade (new version and parameter group family in config) is allowed to apply.
                allowMajorVersionUpgrade: true,
                databaseName: args.databaseName ?? "app",
                masterUsername: args.masterUsername ?? "dbadmin",
                // RDS generates the password, keeps it in Secrets Manager under the CMK and rotates it; no password
                // exists in config, code or state (gotcha 21: masterPassword must then be absent).
                manageMasterUserPassword: true,
                masterUserSecretKmsKeyId: args.kmsKeyArn,
                iamDatabaseAuthenticationEnabled: true,
                port: POSTGRES_PORT,
                storageEncrypted: true,
                kmsKeyId: args.kmsKeyArn,
                storageType: args.storageType === "aurora-iopt1" ? "aurora-iopt1" : undefined,
                // availabilityZones is left to AWS: the subnet group decides, and a list that differs from the
                // three AZs AWS records would force a replacement on the next update.
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [this.sg.id],
                dbClusterParameterGroupName: parameterGroup.name,
                // Serverless v2 capacity lives on the cluster and must exist before any db.serverless instance
                // (gotcha 22): the instances reference cluster.id, so they are created after it.
                serverlessv2ScalingConfiguration: serverless
                    ? {
                          minCapacity: args.serverless!.minCapacity,
                          maxCapacity: args.serverless!.maxCapacity,
                          secondsUntilAutoPause:
                              args.serverless!.minCapacity === 0 ? args.serverless!.secondsUntilAutoPause : undefined,
                      }
                    : undefined,
                backupRetentionPeriod: args.backupRetentionDays ?? 7,
                preferredBackupWindow: args.backupWindow ?? "02:00-03:00",
                preferredMaintenanceWindow: args.maintenanceWindow ?? "sun:04:00-sun:05:00",
                copyTagsToSnapshot: true,
                deletionProtection: args.deletionProtection ?? true,
                // Always a final snapshot, named uniquely (gotcha 17), and automated backups kept after a delete.
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: pulumi.interpolate`${id}-final-${snapshotSuffix.hex}`,
                deleteAutomatedBackups: false,
                // Only `postgresql` is exported (gotcha 20); `iam-db-auth-error` exists on recent versions only and would
                // need its own pre-created log group.
                enabledCloudwatchLogsExports: ["postgresql"],
                databaseInsightsMode: args.databaseInsightsMode ?? "standard",
                ...insights,
                tags: { Name: id },
            },
            {
                parent: this,
                protect: args.protect ?? true,
                dependsOn: [logGroup, ...(monitoringPolicy ? [monitoringPolicy] : [])],
                ignoreChanges: versionDrift,
            },
        );

        // Instance identifiers carry a number, not a role: after a failover any reader may be the writer.
        const instances: aws.rds.ClusterInstance[] = [];
        for (let i = 0; i <= readers; i++) {
            instances.push(
                new aws.rds.ClusterInstance(
                    `${name}-instance-${i}`,
                    {
                        identifier: `${id}-${i + 1}`,
                        clusterIdentifier: cluster.id,
                        engine: "aurora-postgresql",
                        engineVersion: cluster.engineVersion,
                        instanceClass,
                        dbSubnetGroupName: subnetGroup.name,
                        // Round-robin over the subnet group's AZs: the writer and its first readers never share one.
                        availabilityZone: azs.apply((names) => names[i % names.length]),
                        // The writer is tier 0; readers tier 1 are the preferred failover targets, and on Serverless v2
                        // tiers 0-1 scale with the writer, so a promoted reader is already large enough.
                        promotionTier: i === 0 ? 0 : 1,
                        publiclyAccessible: false,
                        caCertIdentifier: RDS_CA,
                        autoMinorVersionUpgrade: autoMinor,
                        preferredMaintenanceWindow: args.maintenanceWindow ?? "sun:04:00-sun:05:00",
                        copyTagsToSnapshot: true,
                        ...insights,
                        tags: { Name: `${id}-${i + 1}` },
                    },
                    // The first instance to become available is the writer: readers wait for it, so it is this one.
                    { parent: this, dependsOn: i === 0 ? [] : [instances[0]], ignoreChanges: versionDrift },
                ),
            );
        }

        if (args.readerAutoscaling) {
            const scaling = args.readerAutoscaling;
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
                { parent: this, dependsOn: instances },
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
                { parent: this },
            );
        }

        this.clusterIdentifier = cluster.clusterIdentifier;
        this.clusterArn = cluster.arn;
        this.clusterResourceId = cluster.clusterResourceId;
        this.writerEndpoint = cluster.endpoint;
        this.readerEndpoint = cluster.readerEndpoint;
        this.port = cluster.port;
        this.databaseName = cluster.databaseName;
        this.securityGroupId = this.sg.id;
        this.masterSecretArn = cluster.masterUserSecrets.apply((s) => s[0].secretArn);
        this.instanceIdentifiers = instances.map((i) => i.identifier);
        this.logGroupName = logGroup.name;
        this.registerOutputs({
            clusterIdentifier: this.clusterIdentifier,
            clusterArn: this.clusterArn,
            writerEndpoint: this.writerEndpoint,
            readerEndpoint: this.readerEndpoint,
            port: this.port,
            securityGroupId: this.securityGroupId,
            masterSecretArn: this.masterSecretArn,
            instanceIdentifiers: this.instanceIdentifiers,
        });
    }

    /**
     * Admits one more client security group on 5432. The rule is a child of this component named
     * `<component>-from-<clientName>`, so services can be added after the database without a cycle.
     */
    public allowClient(clientName: string, securityGroupId: pulumi.Input<string>): aws.vpc.SecurityGroupIngressRule {
        return new aws.vpc.SecurityGroupIngressRule(
            `${this.componentName}-from-${clientName}`,
            {
                securityGroupId: this.sg.id,
                referencedSecurityGroupId: securityGroupId,
                ipProtocol: "tcp",
                fromPort: POSTGRES_PORT,
                toPort: POSTGRES_PORT,
                description: `PostgreSQL from ${clientName}`,
                tags: { Name: `${this.componentName}-from-${clientName}` },
            },
            { parent: this },
        );
    }
}
