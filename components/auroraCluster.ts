import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { POSTGRES_PORT, createCluster, insightsSettings } from "./aurora/cluster";
import { createInstances, createReaderAutoscaling } from "./aurora/instances";
import { createMonitoringRole } from "./aurora/monitoring";
import { createSecurityGroup, createSubnetGroup } from "./aurora/network";
import { createLogGroup, createParameterGroup } from "./aurora/parameters";
import type { AuroraScope } from "./aurora/scope";
import { engineVersionProblems, runningEngineVersion } from "./aurora/engineVersion";
import { createIamDatabaseUsers } from "./aurora/iamUsers";
import { DEFAULT_ENGINE_VERSION, DEFAULT_INSTANCE_CLASS, auroraProblems, engineMajor } from "./aurora/validate";

export { POSTGRES_PORT } from "./aurora/cluster";
export { RDS_CA } from "./aurora/instances";

export interface ServerlessCapacity {
    /** Lowest ACUs. 0 lets idle instances pause; the engine version must support it (validated by the settings). */
    minCapacity: number;
    /** Highest ACUs, at most 256. */
    maxCapacity: number;
    /** Idle seconds before pausing, only with `minCapacity: 0`. Default: AWS's 300. */
    secondsUntilAutoPause?: number;
}

export interface ReaderAutoscalingArgs {
    /** Fewest readers. Required, and at least `readers`: AWS counts the Pulumi-managed readers too. */
    minReaders: number;
    /** Most readers. Required, so that cost has a ceiling; at most 15, Aurora's replica limit. */
    maxReaders: number;
    /**
     * Average reader CPU (%) to hold. Default 70: headroom for a spike while a new reader starts, which takes minutes.
     */
    targetCpuPercent?: number;
    /** Seconds between scale-ins. Default 300: a reader is not removed while the load it was added for settles. */
    scaleInCooldownSeconds?: number;
    /** Seconds between scale-outs. Default 300: a new reader needs minutes before it takes load. */
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
    /**
     * The platform CMK: storage, master secret, Performance Insights and the log group. Required: no AWS-managed keys.
     */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * Security groups allowed to connect on 5432. Default none; more can be added with `allowClient`, which names
     * the rule after the client and so survives reordering (these are named by position).
     */
    clientSecurityGroupIds?: pulumi.Input<string>[];
    /**
     * Aurora PostgreSQL `<major>.<minor>`. Default 16.6. The cluster parameter group family follows the major. It is
     * checked against the running cluster's version at every preview: never older, and, while
     * `autoMinorVersionUpgrade` is on, never newer (a major upgrade turns that off in the same update).
     */
    engineVersion?: string;
    /** `db.serverless` (then `serverless` is required) or a provisioned class. Default db.r8g.large (Graviton4). */
    instanceClass?: string;
    /** Serverless v2 capacity. Required with `db.serverless`, which has no size of its own; default none otherwise. */
    serverless?: ServerlessCapacity;
    /** Readers besides the writer. Default 2: after a failover one is promoted and the other still serves reads. */
    readers?: number;
    /** Reader auto scaling on CPU. Default off. Readers it adds are created by AWS, outside Pulumi. */
    readerAutoscaling?: ReaderAutoscalingArgs;
    /** Point-in-time recovery days, 1-35. Default 7: a week to notice lost data; AWS's 1 day is too short. */
    backupRetentionDays?: number;
    /**
     * Daily backup window (UTC). Default 02:00-03:00: at night in Europe, and before the default maintenance window.
     */
    backupWindow?: string;
    /**
     * Weekly maintenance window (UTC), not overlapping the backup window. Default sun:04:00-sun:05:00: early Sunday,
     * after the backup window.
     */
    maintenanceWindow?: string;
    /** AWS deletion protection. Default true: a database is the one thing that cannot be recreated. */
    deletionProtection?: boolean;
    /**
     * Pulumi `protect` on the cluster, a final snapshot and automated backups kept after a delete. Default true, for
     * the same reason. Disposable stacks turn it off: then `pulumi destroy` deletes the cluster with its backups and
     * takes no final snapshot, since the stack's key that encrypts them goes with it.
     */
    protect?: boolean;
    /**
     * `aurora` (standard) or `aurora-iopt1` (I/O-Optimized). Default aurora: pay per I/O, which costs less until I/O is
     * about a quarter of the cluster's bill.
     */
    storageType?: "aurora" | "aurora-iopt1";
    /** Performance Insights retention (7, a multiple of 31, or 731). Default 7, the free tier. */
    performanceInsightsRetentionDays?: number;
    /**
     * Database Insights mode. Default standard: free; advanced costs per vCPU and needs 465 days of Performance
     * Insights.
     */
    databaseInsightsMode?: "standard" | "advanced";
    /**
     * Minor versions applied by AWS in the maintenance window. Default true: security patches without a deploy. While
     * on, Pulumi leaves the cluster's version to AWS (which moves past the configured minor; a rollback would be
     * refused), and an `engineVersion` ahead of the running one is refused. Turn it off in the update that changes
     * the version on purpose, such as a major upgrade.
     */
    autoMinorVersionUpgrade?: boolean;
    /** Enhanced Monitoring interval (0, 1, 5, 10, 15, 30, 60). Default 60; 0 creates no monitoring role. */
    monitoringIntervalSeconds?: number;
    /** Retention of the exported PostgreSQL log. Default 365 days: a year of query and connection evidence. */
    logRetentionDays?: number;
    /**
     * `log_min_duration_statement` in ms; -1 is off. Default 1000: a statement over a second is worth a look, and few
     * are.
     */
    slowQueryThresholdMs?: number;
    /** Log connections and disconnections. Default true: who connected, from where, for security review. */
    logConnections?: boolean;
    /** Database created with the cluster. Default app: one application database, whose name need not vary by stack. */
    databaseName?: string;
    /**
     * Master user name; its password is generated and rotated by RDS in Secrets Manager. Default dbadmin: not a name
     * PostgreSQL or RDS reserves.
     */
    masterUsername?: string;
    /**
     * PostgreSQL users that services log in as with IAM authentication, created in the database through the RDS Data
     * API (which this turns on) on every `pulumi up` that adds one. Default none: no Data API, no function. Never the
     * master user; users removed from the list are kept (dropping a role is a manual decision).
     */
    iamDatabaseUsers?: string[];
}

/**
 * Aurora PostgreSQL: a writer and readers spread over the isolated subnets' AZs, encrypted with the platform key,
 * reachable only from the services' security groups over TLS, with RDS-managed credentials, backups, a final
 * snapshot, Performance Insights, Enhanced Monitoring and the PostgreSQL log in a pre-created, encrypted log group.
 *
 * The parts live in components/aurora/: network.ts (subnet group, security group), parameters.ts (parameter
 * group, PostgreSQL log group), monitoring.ts (Enhanced Monitoring role), cluster.ts, instances.ts (instances,
 * reader auto scaling), validate.ts. Every resource is a direct child of this component.
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
    /**
     * The invocation that creates `iamDatabaseUsers`, when there are any: services that log in as one of them wait
     * for it.
     */
    public readonly iamUsersReady?: aws.lambda.Invocation;

    private readonly componentName: string;
    private readonly sg: aws.ec2.SecurityGroup;

    constructor(name: string, args: AuroraClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:AuroraCluster", name, {}, opts);
        this.componentName = name;
        const problems = auroraProblems(name, args);
        if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));

        const scope: AuroraScope = { parent: this, name, id: args.clusterIdentifier, args };
        const engineVersion = args.engineVersion ?? DEFAULT_ENGINE_VERSION;
        const instanceClass = args.instanceClass ?? DEFAULT_INSTANCE_CLASS;
        const autoMinorVersionUpgrade = args.autoMinorVersionUpgrade ?? true;
        // While AWS applies minor versions itself, the configured version is only where the cluster started.
        const ignoreChanges = autoMinorVersionUpgrade ? ["engineVersion"] : [];
        // The configured version, once checked against the running cluster's: a version that cannot be applied
        // (a downgrade, or an upgrade hidden by ignoreChanges) fails the preview before anything is changed. The
        // parameter group's family and the cluster's version both come from it.
        const checkedVersion = runningEngineVersion(this, args.clusterIdentifier).apply((running) => {
            const versionProblems = engineVersionProblems(engineVersion, running, autoMinorVersionUpgrade);
            if (versionProblems.length > 0) {
                throw new pulumi.RunError(versionProblems.map((p) => `AuroraCluster ${name}: ${p}`).join("\n"));
            }
            return engineVersion;
        });
        const azs = pulumi.output(args.availabilityZones).apply((names) => {
            if (new Set(names).size < 2) {
                throw new pulumi.RunError(
                    `AuroraCluster ${name}: the subnets span ${new Set(names).size} AZ(s); at least 2 are needed`,
                );
            }
            return names;
        });

        const subnetGroup = createSubnetGroup(scope);
        this.sg = createSecurityGroup(scope);
        (args.clientSecurityGroupIds ?? []).forEach((sgId, i) => this.allowClient(`client-${i}`, sgId));
        const parameterGroup = createParameterGroup(
            scope,
            checkedVersion.apply((v) => engineMajor(v)!),
        );
        const logGroup = createLogGroup(scope);
        const monitoring = (args.monitoringIntervalSeconds ?? 60) > 0 ? createMonitoringRole(scope) : undefined;
        const insights = insightsSettings(scope, monitoring?.role);

        const cluster = createCluster(scope, {
            engineVersion: checkedVersion,
            instanceClass,
            subnetGroup,
            securityGroup: this.sg,
            parameterGroup,
            logGroup,
            monitoringAttachment: monitoring?.attachment,
            insights,
            ignoreChanges,
        });
        const instances = createInstances(scope, {
            cluster,
            subnetGroup,
            instanceClass,
            azs,
            insights,
            autoMinorVersionUpgrade,
        });
        if (args.readerAutoscaling) createReaderAutoscaling(scope, cluster, instances);
        const masterSecretArn = cluster.masterUserSecrets.apply((s) => s[0].secretArn);
        if ((args.iamDatabaseUsers ?? []).length > 0) {
            this.iamUsersReady = this.createIamUsers(args, cluster, masterSecretArn, instances[0]);
        }

        this.clusterIdentifier = cluster.clusterIdentifier;
        this.clusterArn = cluster.arn;
        this.clusterResourceId = cluster.clusterResourceId;
        this.writerEndpoint = cluster.endpoint;
        this.readerEndpoint = cluster.readerEndpoint;
        this.port = cluster.port;
        this.databaseName = cluster.databaseName;
        this.securityGroupId = this.sg.id;
        this.masterSecretArn = masterSecretArn;
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

    /** The IAM database users, created once the writer exists: the Data API runs statements on the writer only. */
    private createIamUsers(
        args: AuroraClusterArgs,
        cluster: aws.rds.Cluster,
        masterSecretArn: pulumi.Output<string>,
        writer: aws.rds.ClusterInstance,
    ): aws.lambda.Invocation {
        const partition = aws.getPartitionOutput({}, { parent: this });
        return createIamDatabaseUsers(this, this.componentName, {
            clusterArn: cluster.arn,
            masterSecretArn,
            kmsKeyArn: args.kmsKeyArn,
            databaseName: args.databaseName ?? "app",
            masterUsername: args.masterUsername ?? "dbadmin",
            users: args.iamDatabaseUsers ?? [],
            accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
            region: aws.getRegionOutput({}, { parent: this }).region,
            dnsSuffix: partition.dnsSuffix,
            dependsOn: [writer],
            logRetentionDays: args.logRetentionDays,
        }).invocation;
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
