import { z } from "zod";
import { reservedServiceNames } from "../components/fargate/naming";
import { ALB_TLS_POLICIES, DEFAULT_ALB_TLS_POLICY } from "../policy/albTlsPolicies";
import { logRetentionDays, shortName } from "./common";

/** Keys of the RDS-managed master secret that a service may read (`database:<key>`). */
export const DATABASE_SECRET_KEYS = ["username", "password"] as const;

/**
 * Injected into services with database access, so config must not set them: the writer and reader endpoints, and the
 * same writer connection under libpq's own names, which libpq-based clients (psql, PostgREST, psycopg) and
 * node-postgres read without any code.
 */
export const DATABASE_ENV = [
    "DATABASE_HOST",
    "DATABASE_READER_HOST",
    "DATABASE_PORT",
    "DATABASE_NAME",
    "PGHOST",
    "PGPORT",
    "PGDATABASE",
] as const;

/** Injected into services with cacheAccess (plain variables and the credential's two secrets). */
export const CACHE_ENV = [
    "CACHE_HOST",
    "CACHE_READER_HOST",
    "CACHE_PORT",
    "CACHE_TLS",
    "CACHE_CLUSTER_MODE",
    "CACHE_USERNAME",
    "CACHE_PASSWORD",
] as const;

export const CERT_ARN = /^arn:aws(?:-cn|-us-gov)?:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const healthCheckSchema = z
    .strictObject({
        path: z
            .string()
            .default("/healthz")
            .describe("Path the load balancer probes; it must answer without authentication."),
        matcher: z
            .string()
            .regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, {
                message: 'is not a matcher; expected e.g. "200" or "200-399"',
            })
            .default("200-399")
            .describe("HTTP codes that count as healthy; 200-399 so a redirect from a bare path is not a failure."),
        intervalSeconds: int(5, 300).default(15).describe("Seconds between probes."),
        timeoutSeconds: int(2, 120).default(5).describe("Seconds before a probe fails; less than intervalSeconds."),
        healthyThreshold: int(2, 10).default(2).describe("Passing probes before a target receives traffic."),
        unhealthyThreshold: int(2, 10).default(3).describe("Failing probes before a target is replaced."),
        gracePeriodSeconds: int(0, 7200)
            .default(60)
            .describe("Seconds ECS ignores failing load-balancer health checks after a task starts."),
    })
    .describe("Load-balancer health check; web services only. Default: every key at its default.");
export type HealthCheckSettings = z.output<typeof healthCheckSchema>;
export const DEFAULT_HEALTH_CHECK: HealthCheckSettings = healthCheckSchema.parse({});

const capacityProviderSchema = (weight: number, what: string) =>
    z
        .strictObject({
            weight: int(0, 1000).default(weight).describe("Relative share of tasks placed on this provider."),
            base: int(0, 100000)
                .default(0)
                .describe("Tasks always placed on this provider before the weights apply; one provider only."),
        })
        .prefault({})
        .describe(what);

const buildSchema = z
    .strictObject({
        context: z.string().min(1).describe("Build context, relative to the project directory, e.g. apps/hello."),
        dockerfile: z.string().min(1).optional().describe("Dockerfile relative to the context. Default: Dockerfile."),
        target: z.string().min(1).optional().describe("Multi-stage build target. Default: the last stage."),
    })
    .describe("A local Docker build, pushed to the service's own ECR repository. Set exactly one of image and build.");

const routingSchema = z
    .strictObject({
        priority: int(1, 50000).describe("Rule priority, unique on the load balancer; lower wins."),
        pathPatterns: z.array(z.string()).default([]).describe("Path patterns, e.g. /api/*; at most 3."),
        hostHeaders: z.array(z.string()).default([]).describe("Host names, e.g. api.example.com; at most 3."),
    })
    .describe(
        "Listener rule that sends requests to this service; required for web services. AWS allows at most 5 " +
            "patterns per rule.",
    );

const autoscalingSchema = z
    .strictObject({
        minCount: int(1, 1000).describe("Fewest tasks."),
        maxCount: int(1, 1000).describe("Most tasks."),
        cpuTargetPercent: int(10, 95).default(60).describe("Average CPU the service is kept at."),
        requestsPerTarget: int(1, 1000000)
            .optional()
            .describe("Load-balancer requests per task per minute to keep; web services only. Default: none."),
        scaleInCooldownSeconds: int(0, 3600).default(300).describe("Seconds between scale-in steps: shrink slowly."),
        scaleOutCooldownSeconds: int(0, 3600).default(60).describe("Seconds between scale-out steps: grow fast."),
    })
    .describe("Target-tracking autoscaling of the task count. Default: off.");

const ecrSchema = z
    .strictObject({
        keepImages: int(1, 1000).default(20).describe("Images kept in the repository."),
        untaggedExpiryDays: int(1, 365).default(7).describe("Days before untagged images are deleted."),
        forceDelete: z.boolean().default(false).describe("Delete the repository with its images on destroy."),
    })
    .prefault({})
    .describe("ECR repository housekeeping; only with build.");

export const appSchema = z.strictObject({
    image: z
        .string()
        .optional()
        .describe("A prebuilt image with a fixed tag (not latest) or a digest, e.g. public.ecr.aws/nginx/nginx:1.27."),
    build: buildSchema.optional(),
    command: z
        .array(z.string())
        .min(1)
        .refine((c) => c[0] !== "", { message: "starts with an empty entry; expected the program to run first" })
        .optional()
        .describe("Overrides the image's CMD."),
    cpu: z.number().int().describe("Task CPU units (1024 = 1 vCPU); a size Fargate offers."),
    memory: z.number().int().describe("Task memory in MiB; a size Fargate offers with cpu."),
    architecture: z
        .enum(["ARM64", "X86_64"])
        .default("ARM64")
        .describe("ARM64 (Graviton, cheaper) or X86_64, for images built for Intel only. Both run on Fargate Spot."),
    port: int(1, 65535)
        .optional()
        .describe("Container port. Without one the service is a worker: no target group and no ingress at all."),
    healthCheck: healthCheckSchema.optional(),
    routing: routingSchema.optional(),
    desiredCount: int(1, 1000).default(2).describe("Tasks to run; two let one AZ fail without an outage."),
    autoscaling: autoscalingSchema.optional(),
    capacity: z
        .strictObject({
            fargate: capacityProviderSchema(1, "On-demand FARGATE."),
            fargateSpot: capacityProviderSchema(0, "FARGATE_SPOT: interruptible with two minutes' notice, cheaper."),
        })
        .prefault({})
        .describe("Capacity provider strategy. Default: all on-demand FARGATE."),
    deployment: z
        .strictObject({
            minimumHealthyPercent: int(0, 100)
                .default(100)
                .describe("Share of desired tasks kept running during a deployment."),
            maximumPercent: int(100, 200)
                .default(200)
                .describe("Upper bound on running tasks during a deployment; above minimumHealthyPercent."),
        })
        .prefault({})
        .describe("Rolling deployment bounds: full capacity is kept while new tasks start."),
    environment: z
        .record(
            z.string(),
            z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
        )
        .default({})
        .describe(
            "Plain environment variables. Names that look like credentials, and values that carry one (a URL with a " +
                "user or password, a Bearer or Basic authorization, an AWS access key id), are refused: use secrets. " +
                "DATABASE_HOST, DATABASE_READER_HOST, DATABASE_PORT and DATABASE_NAME, and the same writer " +
                "connection as PGHOST, PGPORT and PGDATABASE, are set by the platform for services with database " +
                "access; BUCKET_<NAME> for each bucket the service lists.",
        ),
    secrets: z
        .record(z.string(), z.string())
        .default({})
        .describe(
            "Environment variable name to an application secret's name (secrets.appSecrets[].name), or " +
                "database:username / database:password.",
        ),
    scratchPaths: z
        .array(z.string())
        .default([])
        .describe("Writable ephemeral directories; the root filesystem is read-only."),
    user: z
        .string()
        .min(1)
        .optional()
        .describe("Run as this user (uid, uid:gid or a name), never root. Default: the image's user."),
    logRetentionDays: logRetentionDays.default(30).describe("Days the service's log group keeps its logs."),
    deregistrationDelaySeconds: int(0, 3600)
        .optional()
        .describe("Seconds the load balancer drains a stopping task; web services only. Default: 15."),
    enableExecuteCommand: z
        .boolean()
        .default(false)
        .describe("ECS Exec into running tasks; a shell in production is a break-glass decision."),
    taskRole: z
        .strictObject({
            managedPolicyArns: z
                .array(z.string())
                .default([])
                .describe("IAM managed policies for the application; administrator-level policies are refused."),
        })
        .prefault({})
        .describe("Permissions of the application itself. Default: none."),
    databaseAccess: z
        .boolean()
        .optional()
        .describe(
            "Security-group access to the database. Default: on when a database:* secret or databaseIamUser is used.",
        ),
    databaseIamUser: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/, { message: "is not a PostgreSQL user name ([a-z][a-z0-9_]{0,62})" })
        .refine((u) => !/^(rds|pg_)/.test(u) && u !== "postgres" && u !== "public", {
            message: "is reserved (rds*, pg_*, postgres and public are not application users)",
        })
        .optional()
        .describe(
            "A PostgreSQL user this service connects as with IAM database authentication: short-lived tokens, " +
                "nothing to rotate. Preferred over the master secret, which RDS rotates every 7 days while tasks " +
                "keep the value they started with. The user must exist with GRANT rds_iam. Default: none.",
        ),
    cacheAccess: z
        .boolean()
        .default(false)
        .describe(
            "Reach the stack's cache (aws-platform:cache): security-group access on its port, CACHE_HOST, " +
                "CACHE_READER_HOST (without cluster mode), CACHE_PORT, CACHE_TLS and CACHE_CLUSTER_MODE, and the " +
                "credential as CACHE_USERNAME / CACHE_PASSWORD from Secrets Manager.",
        ),
    buckets: z
        .record(shortName, z.enum(["read", "read-write"]))
        .default({})
        .describe(
            "Application data buckets (aws-platform:buckets) the service uses, by name, with read or read-write " +
                "access: its task role gets exactly those S3 actions on exactly those buckets and the key use they " +
                "need, and BUCKET_<NAME> carries each bucket's name. Default: none.",
        )
        .meta({ typeName: "map of bucket name to read | read-write" }),
    ecr: ecrSchema,
    internetEgress: z
        .boolean()
        .default(true)
        .describe(
            "HTTPS from the service to the internet (0.0.0.0/0), for AWS APIs the VPC has no endpoint for and the " +
                "application's external services. Default true: without the interface endpoints, image pulls, logs " +
                "and secret reads go through the NAT, and a task that cannot reach them never starts. false leaves " +
                "HTTPS only to the VPC's interface endpoints and to S3 through its gateway endpoint, which together " +
                "carry the image pull (ecr.api, ecr.dkr, and the layers from S3), the logs and the secrets: it needs " +
                "network.interfaceEndpoints to list ecr.api, ecr.dkr and logs, and secretsmanager when the service " +
                "reads secrets; an image in the stack region's ECR (build, or an ECR image); and no " +
                "enableExecuteCommand, whose channel has no endpoint here.",
        ),
});
export type AppSettings = z.output<typeof appSchema>;

export const clusterSchema = z
    .strictObject({
        containerInsights: z
            .enum(["enhanced", "enabled", "disabled"])
            .default("enhanced")
            .describe("Container Insights; enhanced adds per-task and per-container metrics."),
        insightsLogRetentionDays: logRetentionDays
            .default(30)
            .describe(
                "Days the Container Insights performance log group, created encrypted before the cluster, keeps.",
            ),
    })
    .describe("The ECS cluster all services share.");

export const loadBalancerSchema = z
    .strictObject({
        internal: z
            .boolean()
            .default(true)
            .describe(
                "Always true: only CloudFront's VPC origin reaches the load balancer. Present so false gets a clear error.",
            ),
        certificateArn: z
            .string()
            .regex(CERT_ARN, { message: "is not an ACM certificate ARN" })
            .optional()
            .describe(
                "ACM certificate in the stack's region, covering edge.domain.originHostName, for an HTTPS listener; " +
                    "it needs edge.domain, since CloudFront checks it against that name. Default: the one edge.domain " +
                    "issues, or without a domain none: an HTTP listener that only CloudFront's VPC origin can reach.",
            ),
        sslPolicy: z
            .enum(ALB_TLS_POLICIES)
            .default(DEFAULT_ALB_TLS_POLICY)
            .describe(
                "TLS policy of the HTTPS listener: TLS 1.2 and 1.3 only, the policy pack's default allow-list; the PQ " +
                    "policies add post-quantum key exchange. The default accepts every client that speaks TLS 1.2.",
            ),
        deletionProtection: z.boolean().default(true).describe("Deletion protection of the load balancer."),
        idleTimeoutSeconds: int(1, 4000).default(60).describe("Idle connection timeout."),
        accessLogRetentionDays: int(1, 3650).default(90).describe("Days access logs are kept in S3."),
    })
    .describe("The internal Application Load Balancer shared by the web services.");

const SERVICES_DESCRIPTION =
    "One ECS cluster running Fargate services and workers behind one internal load balancer, reached through a " +
    "CloudFront VPC origin.";

/**
 * The section's outer shape as the settings parse it. Its parts are parsed one by one in `checkServices`, so that one
 * app's schema errors and every other app's cross-checks are reported together instead of the first failure hiding
 * the rest.
 */
export const servicesSchema = z
    .strictObject({
        cluster: z.unknown().optional(),
        loadBalancer: z.unknown().optional(),
        apps: z.record(z.string(), z.unknown()).default({}),
    })
    .describe(SERVICES_DESCRIPTION);

/** The same section with its parts' schemas, for the config reference and for naming the keys allowed where. */
export const servicesReferenceSchema = z
    .strictObject({
        cluster: clusterSchema.prefault({}),
        loadBalancer: loadBalancerSchema.prefault({}),
        apps: z
            .record(shortName, appSchema)
            .default({})
            .describe(
                "Services by name. A name is 1-20 characters because it is part of ALB target-group names, which " +
                    `AWS caps at 32. ${reservedServiceNames().join(" and ")} and client-<n> are reserved, and two ` +
                    "names whose children would share a name (such as alb-to-web and web-https) are refused: the " +
                    "engine refuses two resources with one URN.",
            ),
    })
    .describe(SERVICES_DESCRIPTION);

export interface ServicesSettings {
    cluster: z.output<typeof clusterSchema>;
    loadBalancer: z.output<typeof loadBalancerSchema>;
    apps: Record<string, AppSettings>;
}

/** True when the app is a web service (has a port and so a target group and listener rule). */
export function isWeb(app: AppSettings): app is AppSettings & { port: number } {
    return app.port !== undefined;
}

/** The `database:<key>` secret references of an app. */
export function databaseSecretRefs(app: AppSettings): string[] {
    return Object.values(app.secrets).filter((ref) => ref.startsWith("database:"));
}

/** Whether the app reaches the database: explicit `databaseAccess`, or implied by its database credentials. */
export function usesDatabase(app: AppSettings): boolean {
    return app.databaseAccess ?? (databaseSecretRefs(app).length > 0 || app.databaseIamUser !== undefined);
}
