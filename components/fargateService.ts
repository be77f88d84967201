import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlbTlsPolicy } from "../policy/albTlsPolicies";
import { createCluster } from "./fargate/cluster";
import { createLoadBalancer } from "./fargate/loadBalancer";
import type { FargateScope } from "./fargate/scope";
import type { BucketAccess } from "./fargate/documents";
import { createService } from "./fargate/service";
import { fargateProblems, usesDatabase } from "./fargate/validate";

export { CLOUDFRONT_ORIGIN_FACING } from "./fargate/loadBalancer";

export interface FargateHealthCheckArgs {
    /**
     * Path probed by the load balancer. Required: it must answer without authentication, or every health check
     * fails and the circuit breaker rolls every deployment back.
     */
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
    /**
     * A prebuilt image reference, pinned by tag or digest. Default none; exactly one of `image` and `build` is
     * required.
     */
    image?: string;
    /**
     * A local Docker build (context relative to the working directory), pushed to the service's own ECR
     * repository with awsx.ecr.Image. The tag is a hash of the context, because the repository's tags are immutable.
     * Default none; exactly one of `image` and `build` is required, so the image's origin is never ambiguous.
     */
    build?: { context: string; dockerfile?: string; target?: string };
    /** Overrides the image's CMD. Default the image's. */
    command?: string[];
    /** Task CPU units. Required: sizing is the owner's decision; must be a Fargate size with `memory`. */
    cpu: number;
    /** Task memory in MiB. Required, like `cpu`. */
    memory: number;
    /**
     * Default ARM64: Graviton is cheaper per vCPU. X86_64 for images built for Intel only. Both run on Fargate Spot
     * (ARM64 from platform version 1.4.0, which LATEST is).
     */
    architecture?: "ARM64" | "X86_64";
    /** Container port. Default none: the service is a worker with no target group and no ingress rule at all. */
    port?: number;
    /** Load-balancer health check (web services). Default `/healthz` with the defaults of each field. */
    healthCheck?: FargateHealthCheckArgs;
    /**
     * Listener rule (web services; required for them, since the listener sends requests by it): a unique priority and
     * path and/or host patterns. Default none, for workers.
     */
    routing?: { priority: number; pathPatterns?: string[]; hostHeaders?: string[] };
    /** Tasks to run. Default 2: one AZ can fail without an outage. */
    desiredCount?: number;
    /**
     * Target tracking on average CPU (default target 60 %) and, for web services, on ALB requests per target.
     * Default none (fixed `desiredCount`). When set, `desiredCount` is only the initial count: auto scaling owns
     * it after.
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
     * Default none: a service reads only the secrets it names.
     */
    secrets?: Record<string, string>;
    /**
     * Writable ephemeral directories (e.g. /tmp); everything else is read-only. Default none: a service asks for what
     * it writes.
     */
    scratchPaths?: string[];
    /** Non-root user to run as. Default the image's USER: its author knows it; set one when the image runs as root. */
    user?: string;
    /** Log retention in days. Default 30: without one, CloudWatch Logs keeps every event forever. */
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
    /**
     * ECR housekeeping (builds only). Defaults keep 20 images (enough to roll back), expire untagged ones after 7 days,
     * and keep the repository on destroy, since its images may be what is running.
     */
    ecr?: { keepImages?: number; untaggedExpiryDays?: number; forceDelete?: boolean };
    /**
     * Reach the cache (`FargateServiceArgs.cache`): egress to its port, CACHE_HOST / CACHE_READER_HOST / CACHE_PORT /
     * CACHE_TLS / CACHE_CLUSTER_MODE, and its credential as CACHE_USERNAME / CACHE_PASSWORD container secrets.
     * Default false: a service reaches only what it declares.
     */
    cacheAccess?: boolean;
    /**
     * Application data buckets (`FargateServiceArgs.buckets`) by name, with read or read-write access: the task role
     * gets exactly those S3 actions on exactly those buckets and the key use they need, and BUCKET_<NAME> carries
     * each bucket's name. Default none.
     */
    buckets?: Record<string, BucketAccess>;
    /**
     * HTTPS to the internet (0.0.0.0/0): AWS APIs the VPC has no endpoint for, and the application's external
     * services. Default true, because without an endpoint for ECR, CloudWatch Logs and Secrets Manager a task reaches
     * them only through the NAT, and a task that cannot reach them never starts. False replaces it with HTTPS to the
     * VPC's interface endpoints and to S3 through the gateway endpoint's prefix list (ECR image layers, data buckets):
     * it needs `FargateServiceArgs.vpcEndpoints`, and an image in this region's ECR, pulled and logged through the
     * ecr.api, ecr.dkr and logs endpoints. ECS Exec needs the internet (its ssmmessages channel has no endpoint here).
     */
    internetEgress?: boolean;
}

/** The VPC endpoints a service without internet egress reaches instead (the Network's outputs). */
export interface FargateEndpointArgs {
    /**
     * The interface endpoints' security group, which admits HTTPS from the VPC. Required: services' egress names it.
     */
    securityGroupId: pulumi.Input<string>;
    /**
     * S3's managed prefix list in this region, which the gateway endpoint routes. Required: ECR layers come from S3.
     */
    s3PrefixListId: pulumi.Input<string>;
}

/** An application data bucket services may be granted (the Buckets component's outputs). */
export interface FargateBucketArgs {
    /** The bucket's name. Required: services get it as BUCKET_<NAME>. */
    name: pulumi.Input<string>;
    /** The bucket's ARN. Required: the task role's S3 statements are scoped to it. */
    arn: pulumi.Input<string>;
    /** The key its objects are encrypted with. Required: the task role may use exactly this key, through S3. */
    kmsKeyArn: pulumi.Input<string>;
}

/** The stack's cache, as the services that set `cacheAccess` reach it (the Cache component's outputs). */
export interface FargateCacheArgs {
    /** The cache's security group. Required: services with cacheAccess get egress to it, and it admits them. */
    securityGroupId: pulumi.Input<string>;
    /** The cache's port. Required: the egress rule and CACHE_PORT use it. */
    port: pulumi.Input<number>;
    /** Primary (or, in cluster mode, configuration) endpoint. Required: services get it as CACHE_HOST. */
    host: pulumi.Input<string>;
    /** Reader endpoint, as CACHE_READER_HOST. Default none: in cluster mode the client finds the replicas itself. */
    readerHost?: pulumi.Input<string>;
    /** Whether the cache runs in cluster mode. Required: CACHE_CLUSTER_MODE tells clients to be cluster-aware. */
    clusterMode: boolean;
    /**
     * The credential secret (JSON `username`, `password`), encrypted with `kmsKeyArn`. Required: the cache has AUTH.
     */
    secretArn: pulumi.Input<string>;
    /**
     * The credential's value (the Cache's `secretVersion`): services with cacheAccess wait for it, because their tasks
     * read it at start. Default none, for a credential whose value already exists.
     */
    secretVersion?: pulumi.Resource;
}

export interface FargateLoadBalancerArgs {
    /**
     * ACM certificate (in the stack's region) for an HTTPS listener; CloudFront's VPC origin then speaks HTTPS only.
     * Default none: an HTTP listener that only CloudFront's origin-facing addresses can reach.
     */
    certificateArn?: pulumi.Input<string>;
    /**
     * The name the certificate covers, which CloudFront must use as the origin's domain name: it checks the
     * certificate against that name, and no certificate can cover the load balancer's own DNS name. Exposed as
     * `origin.hostName`. Default none (plain HTTP).
     */
    hostName?: string;
    /**
     * The HTTPS listener's security policy, one of the platform's TLS 1.2+ list (policy/albTlsPolicies.ts, which the
     * policy pack enforces). Default `DEFAULT_ALB_TLS_POLICY` (ELBSecurityPolicy-TLS13-1-2-2021-06): TLS 1.3 and 1.2,
     * so no client that speaks TLS 1.2 is refused; without one AWS would apply ELBSecurityPolicy-2016-08 (TLS 1.0+).
     */
    sslPolicy?: AlbTlsPolicy;
    /** Default true: deleting the entry point of every service takes two steps. */
    deletionProtection?: boolean;
    /** Default 60 s, AWS's default; raise for long polling or WebSockets. */
    idleTimeoutSeconds?: number;
    /** Days access logs are kept. Default 90: enough for incident review, bounded cost. */
    accessLogRetentionDays?: number;
}

export interface FargateServiceArgs {
    /** VPC of the services and the load balancer. Required: their security groups and target groups live there. */
    vpcId: pulumi.Input<string>;
    /**
     * Private subnets (one per AZ): the tasks and the internal load balancer live here. Required: nothing of it is
     * public.
     */
    privateSubnetIds: pulumi.Input<string>[];
    /** The stack's CMK: encrypts ECR repositories and log groups, and the secrets the services read. Required. */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * SecretsStore ARNs by secret name; services reference secrets by these names. Default none: services can read no
     * secret that is not given here.
     */
    secretArns?: Record<string, pulumi.Input<string>>;
    /**
     * The values of those secrets by the same names (the SecretsStore's `secretVersions`): each service waits for the
     * values it reads, because ECS reads them when a task starts and a secret without a value fails the task. Default
     * none, for secrets whose values already exist.
     */
    secretVersions?: Record<string, pulumi.Resource>;
    /**
     * The database's security group; services with database access get egress to it. Default none: without it no
     * service has database access.
     */
    databaseSecurityGroupId?: pulumi.Input<string>;
    /** The database port. Default 5432, PostgreSQL's, which Aurora PostgreSQL uses unless told otherwise. */
    databasePort?: pulumi.Input<number>;
    /** The RDS-managed master secret, read by `database:*` secrets. Default none: then no service may read it. */
    databaseSecretArn?: pulumi.Input<string>;
    /** Writer endpoint, injected as DATABASE_HOST and PGHOST into services with database access. Default none. */
    databaseEndpoint?: pulumi.Input<string>;
    /**
     * Reader endpoint, injected as DATABASE_READER_HOST: reads spread over the replicas (seeds 000 and 004). Default
     * none.
     */
    databaseReaderEndpoint?: pulumi.Input<string>;
    /**
     * Database name, injected as DATABASE_NAME and PGDATABASE. Default none: nothing is injected without a database.
     */
    databaseName?: pulumi.Input<string | undefined>;
    /**
     * The cluster's resource id, for `rds-db:connect` ARNs of services with `databaseIamUser`. Default none: no service
     * may then connect with IAM.
     */
    databaseClusterResourceId?: pulumi.Input<string>;
    /**
     * What creates the IAM database users (the AuroraCluster's `iamUsersReady`). Required when a service has
     * `databaseIamUser`: its service waits for it, so that no task tries to log in as a user that does not exist yet.
     */
    databaseUsersReady?: pulumi.Resource;
    /** The cache that services with `cacheAccess` reach. Default none: the stack has no cache. */
    cache?: FargateCacheArgs;
    /**
     * Application data buckets by name, which services list in their `buckets`. Default none: no service gets bucket
     * access.
     */
    buckets?: Record<string, FargateBucketArgs>;
    /**
     * The private subnets' way out (the Network's `privateEgress`: NAT routes, VPC endpoints). Every ECS service
     * waits for these, so that the first tasks of a new stack can pull their image and read their secrets. Default
     * none, for subnets whose egress already exists.
     */
    privateEgress?: pulumi.Resource[];
    /**
     * The VPC endpoints, for services whose `internetEgress` is false: they get HTTPS to these instead of to the
     * internet. Default none, which only services with internet egress can do without.
     */
    vpcEndpoints?: FargateEndpointArgs;
    /** Container Insights. Default "enhanced": per-task and per-container metrics for alarms and right-sizing. */
    containerInsights?: "enhanced" | "enabled" | "disabled";
    /** Retention of the Container Insights performance log group. Default 30 days: metrics keep the long view. */
    insightsLogRetentionDays?: number;
    /**
     * The shared load balancer, created when at least one service has a port. Defaults per field
     * (`FargateLoadBalancerArgs`), so a caller sets only what differs.
     */
    loadBalancer?: FargateLoadBalancerArgs;
    /**
     * Services by short name (≤ 20 characters: the name is part of target-group names, capped at 32 by AWS).
     * Required: the component exists to run them; index.ts creates none when the stack has no services.
     */
    services: Record<string, FargateAppArgs>;
    /**
     * The region of the component's provider, as a plain string. Required, with no default: it decides, while the
     * program runs and so already at preview, how ELB may write access logs (the region's own ELB account in regions
     * that predate August 2022, the log-delivery service principal in all), and a component does not read the
     * stack's config itself. The log bucket's policy refuses to deploy if the provider's region differs.
     */
    region: string;
    /**
     * Prefix of task families, the cluster's and the log bucket's names, unique per account. Required, with no
     * default: the caller knows the stack's identity (`<project>-<stack>` in index.ts); a component does not read it.
     */
    namePrefix: string;
}

/** The load balancer as CloudFront's VPC origin needs it. */
export interface FargateOrigin {
    /** The load balancer's ARN, known once its listener exists. */
    loadBalancerArn: pulumi.Output<string>;
    loadBalancerDnsName: pulumi.Output<string>;
    /** The listener's port and protocol. */
    port: number;
    protocol: "HTTP" | "HTTPS";
    /** With HTTPS, the name the listener's certificate covers (`loadBalancer.hostName`). */
    hostName?: string;
}

/**
 * One ECS cluster with any number of Fargate services, the web ones behind one shared internal Application Load
 * Balancer that only a CloudFront VPC origin (created by EdgeCdn from `origin`) reaches. Each service gets its own
 * security group, roles, log
 * group, target group and (for local builds) ECR repository; workers get no load balancer and no ingress.
 *
 * The parts live in components/fargate/: cluster.ts, loadBalancer.ts, service.ts and task.ts (one
 * service), documents.ts (IAM and JSON documents), validate.ts. Every resource is a direct child of this component.
 */
export class FargateService extends pulumi.ComponentResource {
    public readonly clusterName: pulumi.Output<string>;
    public readonly clusterArn: pulumi.Output<string>;
    /** ECS service names by config name. */
    public readonly serviceNames: Record<string, pulumi.Output<string>> = {};
    /** ECS service ARNs by config name (for event rules on their deployments). */
    public readonly serviceArns: Record<string, pulumi.Output<string>> = {};
    /** Security groups of every service, by config name. */
    public readonly securityGroupIds: Record<string, pulumi.Output<string>> = {};
    /** Security groups of the services with database access: the database admits exactly these. */
    public readonly databaseClientSecurityGroupIds: Record<string, pulumi.Output<string>> = {};
    /** Security groups of the services with cacheAccess: the cache admits exactly these. */
    public readonly cacheClientSecurityGroupIds: Record<string, pulumi.Output<string>> = {};
    /** Target-group ARN suffixes (for CloudWatch alarms), web services only. */
    public readonly targetGroupArnSuffixes: Record<string, pulumi.Output<string>> = {};
    public readonly logGroupNames: Record<string, pulumi.Output<string>> = {};
    /** ECR repository URLs of the services built here. */
    public readonly repositoryUrls: Record<string, pulumi.Output<string>> = {};
    public readonly loadBalancerArn?: pulumi.Output<string>;
    public readonly loadBalancerArnSuffix?: pulumi.Output<string>;
    public readonly loadBalancerDnsName?: pulumi.Output<string>;
    public readonly loadBalancerSecurityGroupId?: pulumi.Output<string>;
    public readonly accessLogBucketName?: pulumi.Output<string>;
    /** What CloudFront's VPC origin needs to reach the load balancer; absent without a web service. */
    public readonly origin?: FargateOrigin;

    constructor(name: string, args: FargateServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:FargateService", name, {}, opts);
        const problems = fargateProblems(name, args);
        if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));

        const partition = aws.getPartitionOutput({}, { parent: this });
        const scope: FargateScope = {
            parent: this,
            name,
            prefix: args.namePrefix,
            args,
            accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
            partition: partition.partition,
            dnsSuffix: partition.dnsSuffix,
            region: aws.getRegionOutput({}, { parent: this }).region,
        };
        const apps = Object.entries(args.services);

        const cluster = createCluster(scope);

        // The load balancer exists only when at least one service has a port.
        const lb = apps.some(([, a]) => a.port !== undefined) ? createLoadBalancer(scope) : undefined;
        if (lb) {
            this.origin = {
                // Resolves once the listener exists: a VPC origin created before it would have nothing to answer.
                loadBalancerArn: pulumi.all([lb.alb.arn, lb.listener.arn]).apply(([arn]) => arn),
                loadBalancerDnsName: lb.alb.dnsName,
                port: lb.https ? 443 : 80,
                protocol: lb.https ? "HTTPS" : "HTTP",
                hostName: lb.https ? args.loadBalancer?.hostName : undefined,
            };
            this.loadBalancerArn = lb.alb.arn;
            this.loadBalancerArnSuffix = lb.alb.arnSuffix;
            this.loadBalancerDnsName = lb.alb.dnsName;
            this.loadBalancerSecurityGroupId = lb.securityGroup.id;
            this.accessLogBucketName = lb.accessLogBucket.bucket;
        }

        for (const [svc, app] of apps) {
            const created = createService(scope, cluster, lb, { svc, id: `${name}-${svc}`, app });
            if (usesDatabase(app)) this.databaseClientSecurityGroupIds[svc] = created.securityGroup.id;
            if (app.cacheAccess) this.cacheClientSecurityGroupIds[svc] = created.securityGroup.id;
            if (created.targetGroup) this.targetGroupArnSuffixes[svc] = created.targetGroup.arnSuffix;
            if (created.repository) this.repositoryUrls[svc] = created.repository.repositoryUrl;
            this.serviceNames[svc] = created.service.name;
            this.serviceArns[svc] = created.service.arn;
            this.securityGroupIds[svc] = created.securityGroup.id;
            this.logGroupNames[svc] = created.logGroup.name;
        }

        this.clusterName = cluster.cluster.name;
        this.clusterArn = cluster.cluster.arn;
        this.registerOutputs({
            clusterName: this.clusterName,
            clusterArn: this.clusterArn,
            serviceNames: this.serviceNames,
            serviceArns: this.serviceArns,
            securityGroupIds: this.securityGroupIds,
            targetGroupArnSuffixes: this.targetGroupArnSuffixes,
            loadBalancerArn: this.loadBalancerArn,
            loadBalancerArnSuffix: this.loadBalancerArnSuffix,
            loadBalancerDnsName: this.loadBalancerDnsName,
            origin: this.origin,
        });
    }
}
