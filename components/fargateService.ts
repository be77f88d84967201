import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import {
    LEGACY_ELB_LOG_REGIONS,
    containerDefinition,
    ecrLifecyclePolicy,
    ecsTasksTrustPolicy,
    databaseConnectPolicy,
    execCommandPolicy,
    executionRolePolicy,
    logBucketPolicy,
    scratchVolumeName,
} from "./fargate/documents";
import { contextTag } from "./fargate/imageTag";
import { describeMemoryOptions, isFargateSize } from "./fargate/sizes";

/** The managed prefix list of CloudFront's origin-facing addresses (gotcha 7). */
export const CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing";
/** Keys of the RDS-managed master secret (`database:<key>` in `secrets`). */
const DATABASE_KEYS = ["username", "password"];

export interface FargateHealthCheckArgs {
    /** Path probed by the load balancer. Required: it must answer without authentication, or every deployment rolls back (gotcha 14). */
    path: string;
    /** Healthy HTTP codes. Default "200-399": a redirect from a bare path is not a failure. */
    matcher?: string;
    /** Seconds between probes. Default 15: a dead task leaves within ~45 s with the default thresholds. */
    intervalSeconds?: number;
    /** Seconds before a probe fails. Default 5; AWS requires it to be less than the interval. */
    timeoutSeconds?: number;
    /** Passing probes before traffic. Default 2: fast enough for deployments, not fooled by one lucky probe. */
    healthyThreshold?: number;
    /** Failing probes before the target is replaced. Default 3: one slow response does not kill a task. */
    unhealthyThreshold?: number;
    /** Seconds ECS ignores failing load-balancer checks after a task starts. Default 60: time to boot. */
    gracePeriodSeconds?: number;
}

export interface FargateAppArgs {
    /** A prebuilt image reference. Exactly one of `image` and `build` is required. */
    image?: string;
    /**
     * A local Docker build (context relative to the working directory), pushed to the service's own ECR
     * repository with awsx.ecr.Image. The tag is a hash of the context, because the repository's tags are immutable.
     */
    build?: { context: string; dockerfile?: string; target?: string };
    /** Overrides the image's CMD. Default the image's. */
    command?: string[];
    /** Task CPU units. Required: sizing is the owner's decision; must be a Fargate size with `memory`. */
    cpu: number;
    /** Task memory in MiB. Required, like `cpu`. */
    memory: number;
    /** Default ARM64: Graviton is cheaper per vCPU. X86_64 is needed for Fargate Spot. */
    architecture?: "ARM64" | "X86_64";
    /** Container port. Default none: the service is a worker with no target group and no ingress rule at all. */
    port?: number;
    /** Load-balancer health check (web services). Default `/healthz` with the defaults of each field. */
    healthCheck?: FargateHealthCheckArgs;
    /** Listener rule (web services; required for them): a unique priority and path and/or host patterns. */
    routing?: { priority: number; pathPatterns?: string[]; hostHeaders?: string[] };
    /** Tasks to run. Default 2: one AZ can fail without an outage. */
    desiredCount?: number;
    /**
     * Target tracking on average CPU (default target 60 %) and, for web services, on ALB requests per target.
     * Default none (fixed `desiredCount`). When set, `desiredCount` is only the initial count (gotcha 15).
     */
    autoscaling?: {
        minCount: number;
        maxCount: number;
        cpuTargetPercent?: number;
        requestsPerTarget?: number;
        scaleInCooldownSeconds?: number;
        scaleOutCooldownSeconds?: number;
    };
    /** Capacity strategy. Default on-demand FARGATE only: Spot tasks can be reclaimed with two minutes' notice. */
    capacity?: { fargate?: { weight?: number; base?: number }; fargateSpot?: { weight?: number; base?: number } };
    /** Rolling deployment bounds. Default 100/200: capacity never drops during a deployment. */
    deployment?: { minimumHealthyPercent?: number; maximumPercent?: number };
    /** Plain environment variables. Default none. Never credentials: those go in `secrets`. */
    environment?: Record<string, string>;
    /**
     * Env var name → a SecretsStore secret name, or `database:username` / `database:password` (keys of the RDS
     * master secret). Injected by ECS at start as container `secrets`; the values never appear in the task definition.
     */
    secrets?: Record<string, string>;
    /** Writable ephemeral directories (e.g. /tmp); everything else is read-only. Default none. */
    scratchPaths?: string[];
    /** Non-root user to run as. Default the image's USER. */
    user?: string;
    /** Log retention in days. Default 30 (AWS keeps logs forever otherwise, gotcha 27). */
    logRetentionDays?: number;
    /** Seconds a stopping task is drained. Default 15: requests are short; AWS's 300 s slows every deployment. */
    deregistrationDelaySeconds?: number;
    /** ECS Exec. Default false: an interactive shell in a task is a break-glass decision. */
    enableExecuteCommand?: boolean;
    /** Permissions of the application. Default none: the task role exists but grants nothing. */
    taskRole?: { managedPolicyArns?: string[] };
    /** Reach the database on its port. Default: true when `secrets` reads `database:*` or `databaseIamUser` is set. */
    databaseAccess?: boolean;
    /**
     * Connect to the database as this PostgreSQL user with IAM authentication: the task role may `rds-db:connect`
     * as exactly this user, and DATABASE_USER / DATABASE_IAM_AUTH tell the app. Default none. Preferred over the
     * master secret, which RDS rotates every 7 days while running tasks keep the value they started with.
     */
    databaseIamUser?: string;
    /** ECR housekeeping (builds only). Defaults keep 20 images, expire untagged after 7 days, keep the repository on destroy. */
    ecr?: { keepImages?: number; untaggedExpiryDays?: number; forceDelete?: boolean };
}

export interface FargateLoadBalancerArgs {
    /**
     * ACM certificate (in the stack's region) for an HTTPS listener; the VPC origin then speaks HTTPS only.
     * Default none: an HTTP listener that only CloudFront's origin-facing addresses can reach.
     */
    certificateArn?: pulumi.Input<string>;
    /** Default ELBSecurityPolicy-TLS13-1-2-2021-06: TLS 1.2 and 1.3 only (gotcha 11). */
    sslPolicy?: string;
    /** Default true: deleting the entry point of every service takes two steps. */
    deletionProtection?: boolean;
    /** Default 60 s, AWS's default; raise for long polling or WebSockets. */
    idleTimeoutSeconds?: number;
    /** Days access logs are kept. Default 90: enough for incident review, bounded cost. */
    accessLogRetentionDays?: number;
}

export interface FargateServiceArgs {
    /** VPC of the services and the load balancer. Required. */
    vpcId: pulumi.Input<string>;
    /** Private subnets (one per AZ): the tasks and the internal load balancer live here. Required. */
    privateSubnetIds: pulumi.Input<string>[];
    /** The stack's CMK: encrypts ECR repositories and log groups, and the secrets the services read. Required. */
    kmsKeyArn: pulumi.Input<string>;
    /** SecretsStore ARNs by secret name; services reference secrets by these names. Default none. */
    secretArns?: Record<string, pulumi.Input<string>>;
    /** The database's security group; services with database access get egress to it. Default none. */
    databaseSecurityGroupId?: pulumi.Input<string>;
    /** The database port. Default 5432. */
    databasePort?: pulumi.Input<number>;
    /** The RDS-managed master secret, read by `database:*` secrets. Default none. */
    databaseSecretArn?: pulumi.Input<string>;
    /** Writer endpoint, injected as DATABASE_HOST into services with database access. Default none. */
    databaseEndpoint?: pulumi.Input<string>;
    /** Database name, injected as DATABASE_NAME. Default none. */
    databaseName?: pulumi.Input<string | undefined>;
    /** The cluster's resource id, for `rds-db:connect` ARNs of services with `databaseIamUser`. Default none. */
    databaseClusterResourceId?: pulumi.Input<string>;
    /** Container Insights. Default "enhanced": per-task and per-container metrics for alarms and right-sizing. */
    containerInsights?: "enhanced" | "enabled" | "disabled";
    /** Retention of the Container Insights performance log group. Default 30 days: metrics keep the long view. */
    insightsLogRetentionDays?: number;
    /** The shared load balancer, created when at least one service has a port. Defaults per field. */
    loadBalancer?: FargateLoadBalancerArgs;
    /** Services by short name (≤ 20 characters: the name is part of target-group names, capped at 32 by AWS). */
    services: Record<string, FargateAppArgs>;
    /**
     * The stack's region, known when the program starts: it decides how ELB is allowed to write access logs
     * (regional account before August 2022, service principal after). Default the `aws:region` config.
     */
    region?: string;
    /** Prefix of task families and the VPC origin name, unique per account. Default `<project>-<stack>`. */
    namePrefix?: string;
}

function usesDatabase(app: FargateAppArgs): boolean {
    return (
        app.databaseAccess ??
        (Object.values(app.secrets ?? {}).some((r) => r.startsWith("database:")) || app.databaseIamUser !== undefined)
    );
}

/**
 * One ECS cluster with any number of Fargate services, the web ones behind one shared internal Application Load
 * Balancer that only a CloudFront VPC origin reaches. Each service gets its own security group, roles, log
 * group, target group and (for local builds) ECR repository; workers get no load balancer and no ingress.
 */
export class FargateService extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly clusterArn: pulumi.Output<string>;
    /** ECS service names by config name. */
    public readonly serviceNames: Record<string, pulumi.Output<string>>;
    /** Security groups of every service, by config name. */
    public readonly securityGroupIds: Record<string, pulumi.Output<string>>;
    /** Security groups of the services with database access: the database admits exactly these. */
    public readonly databaseClientSecurityGroupIds: Record<string, pulumi.Output<string>>;
    /** Target-group ARN suffixes (for CloudWatch alarms), web services only. */
    public readonly targetGroupArnSuffixes: Record<string, pulumi.Output<string>>;
    public readonly logGroupNames: Record<string, pulumi.Output<string>>;
    /** ECR repository URLs of the services built here. */
    public readonly repositoryUrls: Record<string, pulumi.Output<string>>;
    public readonly loadBalancerArn?: pulumi.Output<string>;
    public readonly loadBalancerArnSuffix?: pulumi.Output<string>;
    public readonly loadBalancerDnsName?: pulumi.Output<string>;
    public readonly loadBalancerSecurityGroupId?: pulumi.Output<string>;
    public readonly accessLogBucketName?: pulumi.Output<string>;
    /** The CloudFront VPC origin of the load balancer, for the edge distribution's `vpcOriginConfig`. */
    public readonly vpcOriginId?: pulumi.Output<string>;
    public readonly vpcOriginArn?: pulumi.Output<string>;

    constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:FargateService", name, {}, opts);
        const prefix = args.namePrefix ?? `${pulumi.getProject()}-${pulumi.getStack()}`;
        const apps = Object.entries(args.services);
        const web = apps.filter(([, a]) => a.port !== undefined);
        this.validate(name, args);

        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const partitionInfo = aws.getPartitionOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this }).region;

        // ---------------------------------------------------------------- cluster
        // Container Insights writes to /aws/ecs/containerinsights/<cluster>/performance and creates it unencrypted and
        // kept forever unless it exists first (the ECS twin of gotcha 18). So the cluster gets a fixed name and its
        // group is created, on the stack's key and with a retention, before the cluster.
        const insights = args.containerInsights ?? "enhanced";
        const clusterName = `${prefix}-${name}`;
        const insightsLogGroup =
            insights === "disabled"
                ? undefined
                : new aws.cloudwatch.LogGroup(
                      `${name}-insights`,
                      {
                          name: `/aws/ecs/containerinsights/${clusterName}/performance`,
                          retentionInDays: args.insightsLogRetentionDays ?? 30,
                          kmsKeyId: args.kmsKeyArn,
                      },
                      { parent: this },
                  );
        const cluster = new aws.ecs.Cluster(
            `${name}-cluster`,
            {
                name: clusterName,
                settings: [{ name: "containerInsights", value: insights }],
                // ECS Exec sessions (when a service enables them) are encrypted with the stack's key and logged.
                ...(apps.some(([, a]) => a.enableExecuteCommand)
                    ? {
                          configuration: {
                              executeCommandConfiguration: { kmsKeyId: args.kmsKeyArn, logging: "DEFAULT" },
                          },
                      }
                    : {}),
            },
            { parent: this, dependsOn: insightsLogGroup ? [insightsLogGroup] : [] },
        );
        // Services name FARGATE / FARGATE_SPOT in their strategies; the cluster must have them associated first.
        const capacityProviders = new aws.ecs.ClusterCapacityProviders(
            `${name}-capacity`,
            {
                clusterName: cluster.name,
                capacityProviders: ["FARGATE", "FARGATE_SPOT"],
                defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
            },
            { parent: this },
        );

        // ---------------------------------------------------------------- load balancer (only with web services)
        let albSg: aws.ec2.SecurityGroup | undefined;
        let alb: aws.lb.LoadBalancer | undefined;
        let listener: aws.lb.Listener | undefined;
        if (web.length > 0) {
            const lbArgs = args.loadBalancer ?? {};
            const https = lbArgs.certificateArn !== undefined;
            const listenerPort = https ? 443 : 80;
            const logPrefix = "alb";

            // Access logs (gotcha 8): same region, SSE-S3 (ELB cannot write to SSE-KMS buckets), no ACLs, no
            // public access, TLS only, a lifecycle, and a policy that lets only ELB log delivery write.
            // Named from the stack and the account rather than auto-named, so the bucket ARN (and with it the bucket
            // policy) is known at preview and policies can judge the policy document before `pulumi up`.
            const bucketName = identity.accountId.apply((account) => {
                const n = `${prefix}-${name}-alb-logs-${account}`.toLowerCase();
                if (n.length > 63)
                    throw new Error(`FargateService ${name}: log bucket name ${n} exceeds 63 characters`);
                return n;
            });
            const bucketArn = pulumi.interpolate`arn:${partitionInfo.partition}:s3:::${bucketName}`;
            const bucket = new aws.s3.Bucket(
                `${name}-alb-logs`,
                // A disposable stack (no deletion protection) can be destroyed with its logs.
                { bucket: bucketName, forceDestroy: !(lbArgs.deletionProtection ?? true) },
                { parent: this },
            );
            const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
                `${name}-alb-logs`,
                { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
                { parent: this },
            );
            const publicAccess = new aws.s3.BucketPublicAccessBlock(
                `${name}-alb-logs`,
                {
                    bucket: bucket.id,
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                },
                { parent: this },
            );
            const ownership = new aws.s3.BucketOwnershipControls(
                `${name}-alb-logs`,
                { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
                { parent: this },
            );
            new aws.s3.BucketLifecycleConfiguration(
                `${name}-alb-logs`,
                {
                    bucket: bucket.id,
                    rules: [
                        {
                            id: "expire-access-logs",
                            status: "Enabled",
                            filter: { prefix: `${logPrefix}/` },
                            expiration: { days: lbArgs.accessLogRetentionDays ?? 90 },
                            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                        },
                    ],
                },
                { parent: this },
            );
            const stackRegion = args.region ?? new pulumi.Config("aws").get("region") ?? "";
            const elbAccountArn = LEGACY_ELB_LOG_REGIONS.has(stackRegion)
                ? aws.elb.getServiceAccountOutput({}, { parent: this }).arn
                : undefined;
            const bucketPolicy = new aws.s3.BucketPolicy(
                `${name}-alb-logs`,
                {
                    bucket: bucket.id,
                    policy: pulumi
                        .all([bucketArn, identity.accountId, elbAccountArn])
                        .apply(([bucketArn, account, elbArn]) =>
                            JSON.stringify(
                                logBucketPolicy({ bucketArn, prefix: logPrefix, account, elbAccountArn: elbArn }),
                            ),
                        ),
                },
                // S3 rejects concurrent configuration changes on one bucket ("conflicting conditional operation").
                { parent: this, dependsOn: [publicAccess, ownership, encryption] },
            );

            albSg = new aws.ec2.SecurityGroup(
                `${name}-alb`,
                {
                    vpcId: args.vpcId,
                    // No inline rules: each rule is its own resource. The provider revokes AWS's default allow-all
                    // egress rule when it creates a VPC security group, so egress is only what is declared below.
                    description: `Load balancer ${name}: CloudFront origin-facing addresses in, services out`,
                    tags: { Name: `${name}-alb` },
                },
                { parent: this },
            );
            // CloudFront reaches an internal ALB through its VPC origin; AWS documents admitting the origin-facing
            // managed prefix list (or the CloudFront-VPCOrigins-Service-SG, which only exists after the VPC origin
            // and so cannot be referenced here). Only the listener's port is opened; no CIDR is ever opened.
            const cloudfront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING }, { parent: this });
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-alb-from-cloudfront`,
                {
                    securityGroupId: albSg.id,
                    prefixListId: cloudfront.id,
                    ipProtocol: "tcp",
                    fromPort: listenerPort,
                    toPort: listenerPort,
                    description: `${https ? "HTTPS" : "HTTP"} from CloudFront origin-facing addresses`,
                },
                { parent: this },
            );

            alb = new aws.lb.LoadBalancer(
                `${name}-alb`,
                {
                    loadBalancerType: "application",
                    // Internal in the private subnets: CloudFront (VPC origin) is the only way in (gotcha 7).
                    internal: true,
                    subnets: args.privateSubnetIds,
                    securityGroups: [albSg.id],
                    ipAddressType: "ipv4",
                    dropInvalidHeaderFields: true,
                    desyncMitigationMode: "strictest",
                    enableDeletionProtection: lbArgs.deletionProtection ?? true,
                    idleTimeout: lbArgs.idleTimeoutSeconds ?? 60,
                    accessLogs: { bucket: bucket.id, prefix: logPrefix, enabled: true },
                },
                // ELB checks write access when logging is enabled: without the bucket policy creation fails.
                { parent: this, dependsOn: [bucketPolicy] },
            );

            // Requests that match no service's rule get a 404 from the load balancer itself.
            const notFound = {
                type: "fixed-response",
                fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not Found" },
            };
            listener = new aws.lb.Listener(
                `${name}-${https ? "https" : "http"}`,
                https
                    ? {
                          loadBalancerArn: alb.arn,
                          port: 443,
                          protocol: "HTTPS",
                          sslPolicy: lbArgs.sslPolicy ?? "ELBSecurityPolicy-TLS13-1-2-2021-06",
                          certificateArn: lbArgs.certificateArn,
                          defaultActions: [notFound],
                      }
                    : {
                          // Plain HTTP only between CloudFront's VPC origin and an internal ALB that nothing else
                          // can reach (the security group admits the origin-facing prefix list only). There is no
                          // HTTP→HTTPS redirect listener: nothing but CloudFront could ever use it.
                          loadBalancerArn: alb.arn,
                          port: 80,
                          protocol: "HTTP",
                          defaultActions: [notFound],
                      },
                { parent: this },
            );

            const vpcOrigin = new aws.cloudfront.VpcOrigin(
                `${name}-origin`,
                {
                    vpcOriginEndpointConfig: {
                        name: `${prefix}-${name}`,
                        arn: alb.arn,
                        httpPort: 80,
                        httpsPort: 443,
                        originProtocolPolicy: https ? "https-only" : "http-only",
                        originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
                    },
                },
                // The origin is useless until the listener exists.
                { parent: this, dependsOn: [listener] },
            );

            this.loadBalancerArn = alb.arn;
            this.loadBalancerArnSuffix = alb.arnSuffix;
            this.loadBalancerDnsName = alb.dnsName;
            this.loadBalancerSecurityGroupId = albSg.id;
            this.accessLogBucketName = bucket.bucket;
            this.vpcOriginId = vpcOrigin.id;
            this.vpcOriginArn = vpcOrigin.arn;
        }

        // ---------------------------------------------------------------- services
        this.serviceNames = {};
        this.securityGroupIds = {};
        this.databaseClientSecurityGroupIds = {};
        this.targetGroupArnSuffixes = {};
        this.logGroupNames = {};
        this.repositoryUrls = {};
        const trustExecution = identity.accountId.apply((account) => JSON.stringify(ecsTasksTrustPolicy(account)));
        const trustTask = pulumi
            .all([identity.accountId, region, partitionInfo.partition])
            .apply(([account, reg, part]) =>
                JSON.stringify(ecsTasksTrustPolicy(account, { sourceArn: `arn:${part}:ecs:${reg}:${account}:*` })),
            );

        for (const [svc, app] of apps) {
            const id = `${name}-${svc}`;
            const isWeb = app.port !== undefined;
            const port = app.port ?? 0;
            const dbAccess = usesDatabase(app);

            // Security group: no inline rules, AWS's default egress revoked by the provider (see the ALB's group).
            const sg = new aws.ec2.SecurityGroup(
                id,
                {
                    vpcId: args.vpcId,
                    description: isWeb
                        ? `Service ${svc}: load balancer in on ${port}, HTTPS${dbAccess ? " and database" : ""} out`
                        : `Worker ${svc}: nothing in, HTTPS${dbAccess ? " and database" : ""} out`,
                    tags: { Name: id },
                },
                { parent: this },
            );
            if (isWeb && albSg) {
                new aws.vpc.SecurityGroupIngressRule(
                    `${id}-from-alb`,
                    {
                        securityGroupId: sg.id,
                        referencedSecurityGroupId: albSg.id,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        description: `Port ${port} from the load balancer`,
                    },
                    { parent: this },
                );
                // The ALB's group has no default egress either: it may reach each service on its port only.
                new aws.vpc.SecurityGroupEgressRule(
                    `${name}-alb-to-${svc}`,
                    {
                        securityGroupId: albSg.id,
                        referencedSecurityGroupId: sg.id,
                        ipProtocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        description: `Requests and health checks to ${svc}`,
                    },
                    { parent: this },
                );
            }
            // HTTPS out: image pulls (ECR API, registry, S3 layers through the gateway endpoint), CloudWatch Logs,
            // Secrets Manager and the app's own HTTPS calls (gotcha 12). With interface endpoints these resolve to
            // endpoint addresses inside the VPC, without them to public AWS ranges through the NAT; S3 is always a
            // public range, so the destination cannot be narrower than 0.0.0.0/0. DNS to the VPC resolver is not
            // subject to security groups. This is egress only; nothing can connect in.
            new aws.vpc.SecurityGroupEgressRule(
                `${id}-https`,
                {
                    securityGroupId: sg.id,
                    cidrIpv4: "0.0.0.0/0",
                    ipProtocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                    description: "HTTPS to AWS APIs and external services",
                },
                { parent: this },
            );
            if (dbAccess) {
                new aws.vpc.SecurityGroupEgressRule(
                    `${id}-to-database`,
                    {
                        securityGroupId: sg.id,
                        referencedSecurityGroupId: args.databaseSecurityGroupId!,
                        ipProtocol: "tcp",
                        fromPort: args.databasePort ?? 5432,
                        toPort: args.databasePort ?? 5432,
                        description: "PostgreSQL to the database",
                    },
                    { parent: this },
                );
                this.databaseClientSecurityGroupIds[svc] = sg.id;
            }

            // Logs: created before the task definition, whose container definition takes its name (gotcha 16).
            const logGroup = new aws.cloudwatch.LogGroup(
                id,
                {
                    namePrefix: `/ecs/${prefix}/${svc}-`,
                    retentionInDays: app.logRetentionDays ?? 30,
                    kmsKeyId: args.kmsKeyArn,
                },
                { parent: this },
            );

            // Image: prebuilt reference, or a build pushed to this service's own repository.
            let image: pulumi.Input<string>;
            let repository: aws.ecr.Repository | undefined;
            if (app.build) {
                repository = new aws.ecr.Repository(
                    id,
                    {
                        imageTagMutability: "IMMUTABLE",
                        imageScanningConfiguration: { scanOnPush: true },
                        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                        forceDelete: app.ecr?.forceDelete ?? false,
                    },
                    { parent: this },
                );
                new aws.ecr.LifecyclePolicy(
                    id,
                    {
                        repository: repository.name,
                        policy: ecrLifecyclePolicy(app.ecr?.keepImages ?? 20, app.ecr?.untaggedExpiryDays ?? 7),
                    },
                    { parent: this },
                );
                const platform = (app.architecture ?? "ARM64") === "ARM64" ? "linux/arm64" : "linux/amd64";
                const dockerfile = app.build.dockerfile ? `${app.build.context}/${app.build.dockerfile}` : undefined;
                // awsx only for the build: it is a remote component whose children mocks and policies cannot see
                // (gotcha 28), so everything that matters for security is a plain aws resource above.
                const built = new awsx.ecr.Image(
                    id,
                    {
                        repositoryUrl: repository.repositoryUrl,
                        context: app.build.context,
                        ...(dockerfile ? { dockerfile } : {}),
                        ...(app.build.target ? { target: app.build.target } : {}),
                        platform,
                        imageTag: contextTag(app.build.context, {
                            dockerfile: app.build.dockerfile,
                            target: app.build.target,
                            platform,
                        }),
                    },
                    { parent: this },
                );
                image = built.imageUri;
                this.repositoryUrls[svc] = repository.repositoryUrl;
            } else {
                image = app.image!;
            }

            // Secrets: container `valueFrom` references; the execution role may read exactly these ARNs.
            const secretRefs = Object.entries(app.secrets ?? {}).map(([envName, ref]) => {
                if (ref.startsWith("database:")) {
                    const key = ref.slice("database:".length);
                    const arn = args.databaseSecretArn!;
                    return { envName, arn, valueFrom: pulumi.interpolate`${arn}:${key}::` };
                }
                const arn = args.secretArns![ref];
                return { envName, arn, valueFrom: pulumi.output(arn) };
            });

            const executionRole = new aws.iam.Role(
                `${id}-exec`,
                { description: `ECS agent for ${svc}: pull, log, read its secrets`, assumeRolePolicy: trustExecution },
                { parent: this },
            );
            new aws.iam.RolePolicy(
                `${id}-exec`,
                {
                    role: executionRole.id,
                    policy: pulumi
                        .all([
                            pulumi.all(secretRefs.map((s) => s.arn)),
                            args.kmsKeyArn,
                            region,
                            partitionInfo.dnsSuffix,
                            repository?.arn,
                            logGroup.arn,
                        ])
                        .apply(([secretArns, kmsKeyArn, reg, dnsSuffix, repositoryArn, logGroupArn]) =>
                            JSON.stringify(
                                executionRolePolicy({
                                    secretArns,
                                    kmsKeyArn,
                                    region: reg,
                                    dnsSuffix,
                                    repositoryArn,
                                    logGroupArn,
                                }),
                            ),
                        ),
                },
                { parent: this },
            );
            const taskRole = new aws.iam.Role(
                `${id}-task`,
                { description: `Application ${svc}: only what config grants`, assumeRolePolicy: trustTask },
                { parent: this },
            );
            (app.taskRole?.managedPolicyArns ?? []).forEach(
                (policyArn, i) =>
                    new aws.iam.RolePolicyAttachment(
                        `${id}-task-${i}`,
                        { role: taskRole.name, policyArn },
                        { parent: this },
                    ),
            );
            if (app.enableExecuteCommand) {
                new aws.iam.RolePolicy(
                    `${id}-exec-command`,
                    {
                        role: taskRole.id,
                        policy: pulumi
                            .all([args.kmsKeyArn, logGroup.arn])
                            .apply(([kmsKeyArn, logGroupArn]) =>
                                JSON.stringify(execCommandPolicy({ kmsKeyArn, logGroupArn })),
                            ),
                    },
                    { parent: this },
                );
            }
            if (app.databaseIamUser) {
                const user = app.databaseIamUser;
                new aws.iam.RolePolicy(
                    `${id}-db-connect`,
                    {
                        role: taskRole.id,
                        policy: pulumi
                            .all([partitionInfo.partition, region, identity.accountId, args.databaseClusterResourceId!])
                            .apply(([partition, reg, account, clusterResourceId]) =>
                                JSON.stringify(
                                    databaseConnectPolicy({ partition, region: reg, account, clusterResourceId, user }),
                                ),
                            ),
                    },
                    { parent: this },
                );
            }

            const environment: Record<string, pulumi.Input<string>> = { ...(app.environment ?? {}) };
            if (dbAccess) {
                if (args.databaseEndpoint) environment.DATABASE_HOST = args.databaseEndpoint;
                environment.DATABASE_PORT = pulumi.output(args.databasePort ?? 5432).apply(String);
                if (args.databaseName)
                    environment.DATABASE_NAME = pulumi.output(args.databaseName).apply((n) => n ?? "");
                if (app.databaseIamUser) {
                    environment.DATABASE_USER = app.databaseIamUser;
                    environment.DATABASE_IAM_AUTH = "true";
                }
            }
            // ECS Exec bind-mounts the SSM agent, which must write to these paths; with a read-only root filesystem
            // they need writable volumes (aws/containers-roadmap#1359, amazon-ecs-exec-checker#21).
            const execPaths = app.enableExecuteCommand
                ? ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"]
                : [];
            const scratchPaths = [...new Set([...(app.scratchPaths ?? []), ...execPaths])];
            const containerDefinitions = pulumi
                .all([
                    image,
                    pulumi.all(environment),
                    pulumi.all(Object.fromEntries(secretRefs.map((s) => [s.envName, s.valueFrom]))),
                    logGroup.name,
                    region,
                ])
                .apply(([img, env, secretEnv, logGroupName, reg]) =>
                    JSON.stringify([
                        containerDefinition({
                            name: svc,
                            image: img,
                            command: app.command,
                            port: app.port,
                            environment: env,
                            secrets: secretEnv,
                            scratchPaths,
                            user: app.user,
                            logGroupName,
                            region: reg,
                        }),
                    ]),
                );
            const taskDefinition = new aws.ecs.TaskDefinition(
                id,
                {
                    family: `${prefix}-${svc}`,
                    requiresCompatibilities: ["FARGATE"],
                    networkMode: "awsvpc",
                    cpu: String(app.cpu),
                    memory: String(app.memory),
                    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: app.architecture ?? "ARM64" },
                    executionRoleArn: executionRole.arn,
                    taskRoleArn: taskRole.arn,
                    // No host path: Fargate gives each task its own ephemeral (encrypted) storage for these.
                    volumes: scratchPaths.map((_, i) => ({ name: scratchVolumeName(i) })),
                    containerDefinitions,
                },
                { parent: this },
            );

            // Target group and routing (web services).
            let targetGroup: aws.lb.TargetGroup | undefined;
            let rule: aws.lb.ListenerRule | undefined;
            if (isWeb && alb && listener) {
                const hc = app.healthCheck ?? { path: "/healthz" };
                targetGroup = new aws.lb.TargetGroup(
                    id,
                    {
                        vpcId: args.vpcId,
                        // Fargate tasks register by IP (awsvpc networking): "instance" targets would fail (gotcha 9).
                        targetType: "ip",
                        protocol: "HTTP",
                        protocolVersion: "HTTP1",
                        port,
                        deregistrationDelay: app.deregistrationDelaySeconds ?? 15,
                        healthCheck: {
                            enabled: true,
                            protocol: "HTTP",
                            port: "traffic-port",
                            path: hc.path,
                            matcher: hc.matcher ?? "200-399",
                            interval: hc.intervalSeconds ?? 15,
                            timeout: hc.timeoutSeconds ?? 5,
                            healthyThreshold: hc.healthyThreshold ?? 2,
                            unhealthyThreshold: hc.unhealthyThreshold ?? 3,
                        },
                    },
                    { parent: this },
                );
                const conditions: aws.types.input.lb.ListenerRuleCondition[] = [];
                if (app.routing?.pathPatterns?.length)
                    conditions.push({ pathPattern: { values: app.routing.pathPatterns } });
                if (app.routing?.hostHeaders?.length)
                    conditions.push({ hostHeader: { values: app.routing.hostHeaders } });
                rule = new aws.lb.ListenerRule(
                    id,
                    {
                        listenerArn: listener.arn,
                        priority: app.routing!.priority,
                        actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
                        conditions,
                    },
                    { parent: this },
                );
                this.targetGroupArnSuffixes[svc] = targetGroup.arnSuffix;
            }

            const strategies = [
                { capacityProvider: "FARGATE", ...app.capacity?.fargate },
                { capacityProvider: "FARGATE_SPOT", weight: 0, ...app.capacity?.fargateSpot },
            ]
                .map((s) => ({ capacityProvider: s.capacityProvider, weight: s.weight ?? 1, base: s.base ?? 0 }))
                .filter((s) => s.weight > 0 || s.base > 0);
            const deployment = app.deployment ?? {};
            const service = new aws.ecs.Service(
                id,
                {
                    cluster: cluster.arn,
                    taskDefinition: taskDefinition.arn,
                    desiredCount: app.desiredCount ?? 2,
                    capacityProviderStrategies: strategies,
                    platformVersion: "LATEST",
                    networkConfiguration: {
                        subnets: args.privateSubnetIds,
                        securityGroups: [sg.id],
                        // Private subnets reach AWS through NAT or endpoints; a public IP would only add exposure.
                        assignPublicIp: false,
                    },
                    ...(targetGroup
                        ? {
                              loadBalancers: [
                                  { targetGroupArn: targetGroup.arn, containerName: svc, containerPort: port },
                              ],
                              healthCheckGracePeriodSeconds: app.healthCheck?.gracePeriodSeconds ?? 60,
                          }
                        : {}),
                    // Self-healing deployments: the circuit breaker needs the rolling ECS controller (gotcha 14) and
                    // returns to the last working task definition when new tasks keep failing.
                    deploymentController: { type: "ECS" },
                    deploymentCircuitBreaker: { enable: true, rollback: true },
                    deploymentMinimumHealthyPercent: deployment.minimumHealthyPercent ?? 100,
                    deploymentMaximumPercent: deployment.maximumPercent ?? 200,
                    availabilityZoneRebalancing: "ENABLED",
                    enableExecuteCommand: app.enableExecuteCommand ?? false,
                    enableEcsManagedTags: true,
                    propagateTags: "SERVICE",
                    // `pulumi up` fails (instead of reporting success) when a deployment never becomes stable.
                    waitForSteadyState: true,
                    // ECS refuses a capacity-provider-strategy change on a running service without a new deployment.
                    // Every rollout here deploys anyway (the task definition changes), so this costs nothing extra.
                    forceNewDeployment: true,
                },
                {
                    parent: this,
                    // ECS rejects a target group that no listener uses yet, and strategies naming providers the
                    // cluster does not have.
                    dependsOn: [capacityProviders, ...(rule ? [rule] : [])],
                    // Autoscaling owns the running count; re-applying desiredCount would undo it (gotcha 15).
                    ...(app.autoscaling ? { ignoreChanges: ["desiredCount"] } : {}),
                },
            );

            if (app.autoscaling) {
                const as = app.autoscaling;
                const target = new aws.appautoscaling.Target(
                    id,
                    {
                        serviceNamespace: "ecs",
                        scalableDimension: "ecs:service:DesiredCount",
                        // Built from the cluster and service outputs, so the target follows the service.
                        resourceId: pulumi.interpolate`service/${cluster.name}/${service.name}`,
                        minCapacity: as.minCount,
                        maxCapacity: as.maxCount,
                    },
                    { parent: this },
                );
                const tracking = (metric: string, value: number, resourceLabel?: pulumi.Input<string>) => ({
                    policyType: "TargetTrackingScaling",
                    resourceId: target.resourceId,
                    scalableDimension: target.scalableDimension,
                    serviceNamespace: target.serviceNamespace,
                    targetTrackingScalingPolicyConfiguration: {
                        targetValue: value,
                        scaleInCooldown: as.scaleInCooldownSeconds ?? 300,
                        scaleOutCooldown: as.scaleOutCooldownSeconds ?? 60,
                        predefinedMetricSpecification: {
                            predefinedMetricType: metric,
                            ...(resourceLabel ? { resourceLabel } : {}),
                        },
                    },
                });
                new aws.appautoscaling.Policy(
                    `${id}-cpu`,
                    tracking("ECSServiceAverageCPUUtilization", as.cpuTargetPercent ?? 60),
                    { parent: this },
                );
                if (as.requestsPerTarget !== undefined && alb && targetGroup) {
                    new aws.appautoscaling.Policy(
                        `${id}-requests`,
                        tracking(
                            "ALBRequestCountPerTarget",
                            as.requestsPerTarget,
                            pulumi.interpolate`${alb.arnSuffix}/${targetGroup.arnSuffix}`,
                        ),
                        { parent: this },
                    );
                }
            }

            this.serviceNames[svc] = service.name;
            this.securityGroupIds[svc] = sg.id;
            this.logGroupNames[svc] = logGroup.name;
        }

        this.clusterName = cluster.name;
        this.clusterArn = cluster.arn;
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            serviceNames: this.serviceNames,
            securityGroupIds: this.securityGroupIds,
            targetGroupArnSuffixes: this.targetGroupArnSuffixes,
            loadBalancerArn: this.loadBalancerArn,
            loadBalancerArnSuffix: this.loadBalancerArnSuffix,
            loadBalancerDnsName: this.loadBalancerDnsName,
            vpcOriginId: this.vpcOriginId,
            vpcOriginArn: this.vpcOriginArn,
        });
    }

    /**
     * Checks what the component itself relies on, so a program that bypasses the settings validation still fails
     * with a readable message before AWS does.
     */
    private validate(name: string, args: FargateServiceArgs): void {
        const problems: string[] = [];
        const priorities = new Set<number>();
        // An ALB needs subnets in at least two AZs (gotcha 23); so do services that must survive an AZ failure.
        if (args.privateSubnetIds.length < 2) {
            problems.push(
                `FargateService ${name}: privateSubnetIds has ${args.privateSubnetIds.length}; at least 2 AZs are required`,
            );
        }
        for (const [svc, app] of Object.entries(args.services)) {
            const at = `FargateService ${name}: service ${svc}`;
            // Target groups are auto-named `<name>-<svc>-<7 hex>` and AWS caps them at 32 characters (gotcha 10).
            if (`${name}-${svc}`.length > 24) problems.push(`${at}: "${name}-${svc}" is longer than 24 characters`);
            if ((app.image === undefined) === (app.build === undefined))
                problems.push(`${at}: set exactly one of image and build`);
            if (!isFargateSize(app.cpu, app.memory)) {
                problems.push(
                    `${at}: cpu ${app.cpu} / memory ${app.memory} is not a Fargate size; ${describeMemoryOptions(app.cpu)}`,
                );
            }
            if (app.port !== undefined) {
                if (!app.routing) problems.push(`${at}: a web service needs routing`);
                else if (priorities.has(app.routing.priority))
                    problems.push(`${at}: routing priority ${app.routing.priority} is used twice`);
                else priorities.add(app.routing.priority);
            }
            const spot = app.capacity?.fargateSpot;
            if (((spot?.weight ?? 0) > 0 || (spot?.base ?? 0) > 0) && (app.architecture ?? "ARM64") === "ARM64") {
                problems.push(`${at}: Fargate Spot runs only X86_64 tasks`);
            }
            for (const ref of Object.values(app.secrets ?? {})) {
                if (ref.startsWith("database:")) {
                    if (!DATABASE_KEYS.includes(ref.slice("database:".length)))
                        problems.push(`${at}: ${ref} is not a database secret key`);
                    else if (args.databaseSecretArn === undefined)
                        problems.push(`${at}: ${ref} needs databaseSecretArn`);
                } else if (args.secretArns?.[ref] === undefined)
                    problems.push(`${at}: secret ${ref} is not in secretArns`);
            }
            if (usesDatabase(app) && args.databaseSecurityGroupId === undefined) {
                problems.push(`${at}: database access needs databaseSecurityGroupId`);
            }
            if (app.databaseIamUser && args.databaseClusterResourceId === undefined) {
                problems.push(`${at}: databaseIamUser needs databaseClusterResourceId`);
            }
        }
        if (problems.length > 0) throw new Error(problems.join("\n"));
    }
}
