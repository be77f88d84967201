import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { describeMemoryOptions, isFargateSize, memoryOptions } from "../components/fargate/sizes";
import { ConfigIssue, logRetentionDays, shortName, zodIssues } from "./common";
import type { SecretsSettings } from "./secrets";

const KEY = "aws-platform:services";

/** TLS policies an HTTPS listener may use: TLS 1.2 and 1.3 only (gotcha 11). */
export const TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
] as const;

/** Keys of the RDS-managed master secret that a service may read (`database:<key>`). */
export const DATABASE_SECRET_KEYS = ["username", "password"] as const;

/** Injected into services with database access, so config must not set them. */
export const DATABASE_ENV = ["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME"] as const;

/** Names that say "this is a credential": such values go through `secrets`, never plaintext `environment`. */
const SECRET_LIKE = /PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|CREDENTIAL/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A container image reference with a registry/repository, and a tag or digest. */
const IMAGE_REF =
    /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;
const POLICY_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::(?:aws|\d{12}):policy\/[\w+=,.@/-]+$/;
/** AWS-managed policies that would make a task role an administrator. */
const TOO_BROAD = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;
const CERT_ARN = /^arn:aws(?:-cn|-us-gov)?:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/;
const HOST = /^(\*\.)?([a-z0-9*?]([a-z0-9*?-]{0,61}[a-z0-9*?])?\.)*[a-z0-9*?]([a-z0-9*?-]{0,61}[a-z0-9*?])?$/i;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

export const healthCheckSchema = z.strictObject({
    /** Path the load balancer probes. Default /healthz; it must answer without authentication (gotcha 14). */
    path: z.string().default("/healthz"),
    /** HTTP codes that count as healthy. Default 200-399, so a redirect from a bare path is not a failure. */
    matcher: z
        .string()
        .regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, { message: 'is not a matcher; expected e.g. "200" or "200-399"' })
        .default("200-399"),
    /** Seconds between probes. Default 15. */
    intervalSeconds: int(5, 300).default(15),
    /** Seconds before a probe fails. Default 5; must be less than the interval. */
    timeoutSeconds: int(2, 120).default(5),
    /** Passing probes before a target receives traffic. Default 2. */
    healthyThreshold: int(2, 10).default(2),
    /** Failing probes before a target is replaced. Default 3. */
    unhealthyThreshold: int(2, 10).default(3),
    /** Seconds ECS ignores failing load-balancer health checks after a task starts. Default 60. */
    gracePeriodSeconds: int(0, 7200).default(60),
});
export type HealthCheckSettings = z.output<typeof healthCheckSchema>;
export const DEFAULT_HEALTH_CHECK: HealthCheckSettings = healthCheckSchema.parse({});

const capacityProviderSchema = (weight: number) =>
    z.strictObject({
        /** Relative share of tasks placed on this provider. */
        weight: int(0, 1000).default(weight),
        /** Tasks always placed on this provider before weights apply. Default 0. */
        base: int(0, 100000).default(0),
    });

export const appSchema = z.strictObject({
    /** A prebuilt image with a tag or digest (not `latest`), e.g. `public.ecr.aws/nginx/nginx:1.27`. */
    image: z.string().optional(),
    /** A local Docker build, pushed to the service's own ECR repository. */
    build: z
        .strictObject({
            /** Build context, relative to the project directory, e.g. `apps/hello`. */
            context: z.string().min(1),
            /** Dockerfile relative to the context. Default `Dockerfile`. */
            dockerfile: z.string().min(1).optional(),
            /** Multi-stage build target. Default the last stage. */
            target: z.string().min(1).optional(),
        })
        .optional(),
    /** Overrides the image's CMD. */
    command: z.array(z.string()).min(1).optional(),
    /** Task CPU units (1024 = 1 vCPU). */
    cpu: z.number().int(),
    /** Task memory in MiB; must be a size Fargate offers with `cpu`. */
    memory: z.number().int(),
    /** ARM64 (default: Graviton, cheaper) or X86_64, for images built for Intel only. Both run on Fargate Spot. */
    architecture: z.enum(["ARM64", "X86_64"]).default("ARM64"),
    /** Container port. Without one the service is a worker: no target group, no ingress at all. */
    port: int(1, 65535).optional(),
    /** Load-balancer health check; web services only. */
    healthCheck: healthCheckSchema.optional(),
    /** Listener rule that sends requests to this service; required for web services. */
    routing: z
        .strictObject({
            /** Rule priority, unique on the load balancer; lower wins. */
            priority: int(1, 50000),
            /** Path patterns, e.g. `/api/*`. */
            pathPatterns: z.array(z.string()).default([]),
            /** Host names, e.g. `api.example.com`. */
            hostHeaders: z.array(z.string()).default([]),
        })
        .optional(),
    /** Tasks to run. Default 2: one AZ can fail without an outage. */
    desiredCount: int(1, 1000).default(2),
    /** Target-tracking autoscaling of the task count. */
    autoscaling: z
        .strictObject({
            minCount: int(1, 1000),
            maxCount: int(1, 1000),
            /** Average CPU the service is kept at. Default 60 %. */
            cpuTargetPercent: int(10, 95).default(60),
            /** ALB requests per task per minute to keep; web services only. Default none. */
            requestsPerTarget: int(1, 1000000).optional(),
            /** Seconds between scale-in steps. Default 300: shrink slowly. */
            scaleInCooldownSeconds: int(0, 3600).default(300),
            /** Seconds between scale-out steps. Default 60: grow fast. */
            scaleOutCooldownSeconds: int(0, 3600).default(60),
        })
        .optional(),
    /** Capacity provider strategy. Default all on-demand FARGATE. */
    capacity: z
        .strictObject({
            fargate: capacityProviderSchema(1).prefault({}),
            fargateSpot: capacityProviderSchema(0).prefault({}),
        })
        .prefault({}),
    /** Rolling deployment bounds. Default 100/200: full capacity is kept while new tasks start. */
    deployment: z
        .strictObject({ minimumHealthyPercent: int(0, 100).default(100), maximumPercent: int(100, 200).default(200) })
        .prefault({}),
    /** Plain environment variables. Credentials are refused here: use `secrets`. */
    environment: z
        .record(
            z.string(),
            z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
        )
        .default({}),
    /** Env var name → application secret name, or `database:username` / `database:password`. */
    secrets: z.record(z.string(), z.string()).default({}),
    /** Writable ephemeral directories; the root filesystem is read-only. Default none. */
    scratchPaths: z.array(z.string()).default([]),
    /** Run as this user (`uid`, `uid:gid` or a name); never root. Default the image's user. */
    user: z.string().min(1).optional(),
    /** Retention of the service's log group. Default 30 days. */
    logRetentionDays: logRetentionDays.default(30),
    /** Seconds the load balancer drains a stopping task. Default 15; web services only. */
    deregistrationDelaySeconds: int(0, 3600).optional(),
    /** ECS Exec into running tasks. Default false: a shell in production is a break-glass decision. */
    enableExecuteCommand: z.boolean().default(false),
    /** Permissions of the application itself. Default none. */
    taskRole: z.strictObject({ managedPolicyArns: z.array(z.string()).default([]) }).prefault({}),
    /** Security-group access to the database. Default: on when a `database:*` secret or `databaseIamUser` is used. */
    databaseAccess: z.boolean().optional(),
    /**
     * A PostgreSQL user this service connects as with IAM database authentication (short-lived tokens, nothing
     * to rotate). Default none. Preferred over the master secret, which RDS rotates every 7 days while tasks keep
     * the value they started with. The user must exist with `GRANT rds_iam`.
     */
    databaseIamUser: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/, { message: "is not a PostgreSQL user name ([a-z][a-z0-9_]{0,62})" })
        .refine((u) => !/^(rds|pg_)/.test(u) && u !== "postgres" && u !== "public", {
            message: "is reserved (rds*, pg_*, postgres and public are not application users)",
        })
        .optional(),
    /** ECR repository housekeeping; only with `build`. */
    ecr: z
        .strictObject({
            /** Images kept. Default 20. */
            keepImages: int(1, 1000).default(20),
            /** Days before untagged images are deleted. Default 7. */
            untaggedExpiryDays: int(1, 365).default(7),
            /** Delete the repository with its images on destroy. Default false. */
            forceDelete: z.boolean().default(false),
        })
        .prefault({}),
});
export type AppSettings = z.output<typeof appSchema>;

export const clusterSchema = z.strictObject({
    /** Container Insights. Default `enhanced` (per-task and per-container metrics). */
    containerInsights: z.enum(["enhanced", "enabled", "disabled"]).default("enhanced"),
    /** Retention of the Container Insights performance log group, created encrypted before the cluster. Default 30. */
    insightsLogRetentionDays: logRetentionDays.default(30),
});

export const loadBalancerSchema = z.strictObject({
    /** Always true: only CloudFront (a VPC origin) faces the internet. Present so `false` gets a clear error. */
    internal: z.boolean().default(true),
    /** ACM certificate (same region) for the HTTPS listener. Default none: an HTTP listener only CloudFront can reach. */
    certificateArn: z.string().regex(CERT_ARN, { message: "is not an ACM certificate ARN" }).optional(),
    /** TLS policy of the HTTPS listener. Default ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3). */
    sslPolicy: z.enum(TLS_POLICIES).default("ELBSecurityPolicy-TLS13-1-2-2021-06"),
    /** Deletion protection. Default true. */
    deletionProtection: z.boolean().default(true),
    /** Idle connection timeout. Default 60 s. */
    idleTimeoutSeconds: int(1, 4000).default(60),
    /** Days access logs are kept in S3. Default 90. */
    accessLogRetentionDays: int(1, 3650).default(90),
});

/**
 * The section's outer shape. Its parts are parsed one by one in `checkServices`, so that one app's schema errors
 * and every other app's cross-checks are reported together instead of the first failure hiding the rest.
 */
export const servicesSchema = z.strictObject({
    cluster: z.unknown().optional(),
    loadBalancer: z.unknown().optional(),
    /** Services by name (1-20 characters: the name is part of ALB target-group names, which AWS caps at 32). */
    apps: z.record(z.string(), z.unknown()).default({}),
});

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

/**
 * Cross-field and cross-section checks; `secrets` is undefined when that section itself failed to parse.
 * Keys are full config keys (`aws-platform:services.<path>`). `baseDir` is where build contexts are resolved
 * (the project directory, which is the working directory of `pulumi up`).
 */
export function checkServices(
    s: ServicesSettings,
    secrets: SecretsSettings | undefined,
    baseDir: string = process.cwd(),
): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const add = (key: string, value: unknown, message: string) => issues.push({ key: `${KEY}.${key}`, value, message });

    // Parse each part on its own and normalise `s` in place with the typed results (see servicesSchema).
    const raw = s as unknown as { cluster?: unknown; loadBalancer?: unknown; apps: Record<string, unknown> };
    const part = <T>(schema: z.ZodType<T>, value: unknown, key: string): T | undefined => {
        const result = schema.safeParse(value ?? {}, { reportInput: true });
        if (result.success) return result.data;
        issues.push(...zodIssues(`${KEY}.${key}`, value ?? {}, result.error));
        return undefined;
    };
    const cluster = part(clusterSchema, raw.cluster, "cluster");
    const loadBalancer = part(loadBalancerSchema, raw.loadBalancer, "loadBalancer");
    const apps: Record<string, AppSettings> = {};
    for (const [name, value] of Object.entries(raw.apps)) {
        const nameCheck = shortName.safeParse(name);
        if (!nameCheck.success) {
            add(
                `apps.${name}`,
                name,
                `${nameCheck.error.issues[0].message} (it becomes part of ALB target-group names)`,
            );
        }
        const app = part(appSchema, value, `apps.${name}`);
        if (app) apps[name] = app;
    }
    if (cluster) s.cluster = cluster;
    if (loadBalancer) s.loadBalancer = loadBalancer;
    s.apps = apps;

    if (loadBalancer && !loadBalancer.internal) {
        add(
            "loadBalancer.internal",
            false,
            "is not allowed; the load balancer is always internal and reached only through a CloudFront VPC origin, so plain HTTP never faces the internet",
        );
    }

    const knownSecrets = secrets ? new Set(secrets.appSecrets.map((x) => x.name)) : undefined;
    const priorities = new Map<number, string>();

    for (const [name, app] of Object.entries(s.apps)) {
        const k = `apps.${name}`;
        // Image source: exactly one of a prebuilt reference or a local build.
        if ((app.image === undefined) === (app.build === undefined)) {
            add(
                k,
                undefined,
                'needs exactly one of "image" (a prebuilt reference) or "build" (a local Docker context)',
            );
        }
        if (app.image !== undefined) {
            const m = IMAGE_REF.exec(app.image);
            if (!m)
                add(`${k}.image`, app.image, "is not an image reference (registry/repository:tag or @sha256:digest)");
            else if (!m[2] && (!m[1] || m[1] === "latest")) {
                add(
                    `${k}.image`,
                    app.image,
                    "has no fixed version; pin a tag other than latest or a @sha256 digest, so a rollback returns to the same image",
                );
            }
        }
        if (app.build) {
            const ctx = app.build.context;
            if (path.isAbsolute(ctx) || ctx.split(/[\\/]/).includes("..")) {
                add(`${k}.build.context`, ctx, "must be a path inside the project directory, e.g. apps/<name>");
            } else if (!fs.existsSync(path.join(baseDir, ctx)) || !fs.statSync(path.join(baseDir, ctx)).isDirectory()) {
                add(`${k}.build.context`, ctx, "is not a directory in the project");
            } else {
                const dockerfile = path.join(baseDir, ctx, app.build.dockerfile ?? "Dockerfile");
                if (!fs.existsSync(dockerfile)) {
                    add(
                        `${k}.build${app.build.dockerfile ? ".dockerfile" : ""}`,
                        app.build.dockerfile,
                        `names no file (${path.relative(baseDir, dockerfile)} does not exist)`,
                    );
                }
            }
        }

        if (memoryOptions(app.cpu).length === 0) {
            // The CPU itself is not offered: name that key, not the memory that cannot be judged without it.
            add(`${k}.cpu`, app.cpu, `is not a Fargate CPU size; ${describeMemoryOptions(app.cpu)}`);
        } else if (!isFargateSize(app.cpu, app.memory)) {
            add(
                `${k}.memory`,
                app.memory,
                `is not a Fargate size with cpu ${app.cpu}; ${describeMemoryOptions(app.cpu)}`,
            );
        }

        // Capacity: AWS allows a base on one provider only. Either architecture may run on Fargate Spot (X86_64 on
        // platform 1.3.0+, ARM64 on 1.4.0+: AWS ECS API 'CapacityProviderStrategyItem'); services use LATEST.
        const { fargate, fargateSpot } = app.capacity;
        if (fargate.weight + fargateSpot.weight === 0) {
            add(`${k}.capacity`, app.capacity, "gives every provider weight 0; at least one weight must be > 0");
        }
        if (fargate.base > 0 && fargateSpot.base > 0) {
            add(`${k}.capacity`, app.capacity, "sets a base on both providers; AWS allows a base on only one");
        }

        if (app.autoscaling) {
            const { minCount, maxCount, requestsPerTarget } = app.autoscaling;
            if (minCount > maxCount)
                add(`${k}.autoscaling.minCount`, minCount, `is greater than maxCount (${maxCount})`);
            if (app.desiredCount < minCount || app.desiredCount > maxCount) {
                add(
                    `${k}.desiredCount`,
                    app.desiredCount,
                    `is outside autoscaling minCount-maxCount (${minCount}-${maxCount})`,
                );
            }
            if (requestsPerTarget !== undefined && !isWeb(app)) {
                add(
                    `${k}.autoscaling.requestsPerTarget`,
                    requestsPerTarget,
                    "needs a port: a worker receives no load-balancer requests",
                );
            }
        }
        if (app.deployment.maximumPercent <= app.deployment.minimumHealthyPercent) {
            add(
                `${k}.deployment.maximumPercent`,
                app.deployment.maximumPercent,
                `must be greater than minimumHealthyPercent (${app.deployment.minimumHealthyPercent}), or deployments cannot make progress`,
            );
        }

        if (isWeb(app)) {
            if (!app.routing) {
                add(
                    `${k}.routing`,
                    undefined,
                    "is required for a service with a port (a listener rule with a priority and path or host patterns)",
                );
            } else {
                const r = app.routing;
                const other = priorities.get(r.priority);
                if (other)
                    add(
                        `${k}.routing.priority`,
                        r.priority,
                        `is also used by apps.${other}; priorities must be unique`,
                    );
                else priorities.set(r.priority, name);
                const values = r.pathPatterns.length + r.hostHeaders.length;
                if (values === 0) add(`${k}.routing`, r, "needs at least one pathPatterns or hostHeaders entry");
                // AWS: at most 3 values per condition and 5 per rule ("Listener rules for your ALB", quotas).
                for (const field of ["pathPatterns", "hostHeaders"] as const) {
                    if (r[field].length > 3)
                        add(
                            `${k}.routing.${field}`,
                            r[field],
                            `has ${r[field].length} values; AWS allows at most 3 per condition`,
                        );
                }
                if (values > 5)
                    add(`${k}.routing`, r, `has ${values} patterns; AWS allows at most 5 condition values per rule`);
                r.pathPatterns.forEach((p, i) => {
                    if (!p.startsWith("/") || p.length > 128)
                        add(`${k}.routing.pathPatterns[${i}]`, p, 'must start with "/" (at most 128 characters)');
                });
                r.hostHeaders.forEach((h, i) => {
                    if (!HOST.test(h) || h.length > 128)
                        add(`${k}.routing.hostHeaders[${i}]`, h, "is not a host name pattern");
                });
            }
            const hc = app.healthCheck ?? DEFAULT_HEALTH_CHECK;
            if (!hc.path.startsWith("/")) add(`${k}.healthCheck.path`, hc.path, 'must start with "/"');
            if (hc.timeoutSeconds >= hc.intervalSeconds) {
                add(
                    `${k}.healthCheck.timeoutSeconds`,
                    hc.timeoutSeconds,
                    `must be less than intervalSeconds (${hc.intervalSeconds})`,
                );
            }
        } else {
            // Workers have no target group: settings that only a load balancer uses are mistakes.
            for (const key of ["healthCheck", "routing", "deregistrationDelaySeconds"] as const) {
                if (app[key] !== undefined)
                    add(
                        `${k}.${key}`,
                        app[key],
                        "needs a port: a service without one is a worker with no load balancer",
                    );
            }
        }

        // Environment: valid names, no credentials in plaintext, no clash with secrets or injected names.
        const injected = usesDatabase(app) ? new Set<string>(DATABASE_ENV) : new Set<string>();
        for (const envName of Object.keys(app.environment)) {
            const ek = `${k}.environment.${envName}`;
            if (!ENV_NAME.test(envName))
                add(
                    ek,
                    undefined,
                    "is not a valid environment variable name (letters, digits, _; not starting with a digit)",
                );
            else if (SECRET_LIKE.test(envName)) {
                add(
                    ek,
                    undefined,
                    "looks like a credential; plaintext environment is visible in the task definition, so move it to secrets (a Secrets Manager reference)",
                );
            } else if (envName in app.secrets) add(ek, undefined, "is also set in secrets; set it in one place");
            else if (injected.has(envName))
                add(ek, undefined, "is set by the platform for services with database access");
        }
        for (const [envName, ref] of Object.entries(app.secrets)) {
            const sk = `${k}.secrets.${envName}`;
            if (!ENV_NAME.test(envName))
                add(
                    sk,
                    undefined,
                    "is not a valid environment variable name (letters, digits, _; not starting with a digit)",
                );
            else if (injected.has(envName))
                add(sk, undefined, "is set by the platform for services with database access");
            if (ref.startsWith("database:")) {
                const dbKey = ref.slice("database:".length);
                if (!(DATABASE_SECRET_KEYS as readonly string[]).includes(dbKey)) {
                    add(
                        sk,
                        ref,
                        `is not a key of the database master secret; expected ${DATABASE_SECRET_KEYS.map((x) => `database:${x}`).join(" or ")}`,
                    );
                }
            } else if (knownSecrets && !knownSecrets.has(ref)) {
                const names = [...knownSecrets];
                add(
                    sk,
                    ref,
                    `names no secret; expected one of aws-platform:secrets.appSecrets[].name (${names.length ? names.join(", ") : "none defined"}) or database:username / database:password`,
                );
            }
        }
        if (app.databaseAccess === false && databaseSecretRefs(app).length > 0) {
            add(`${k}.databaseAccess`, false, "is false but the service reads database credentials from secrets");
        }
        if (app.databaseAccess === false && app.databaseIamUser !== undefined) {
            add(`${k}.databaseAccess`, false, "is false but the service connects as databaseIamUser");
        }

        const seen = new Set<string>();
        app.scratchPaths.forEach((p, i) => {
            if (!/^\/[\w.@/-]*$/.test(p) || p === "/" || p.split("/").includes("..")) {
                add(`${k}.scratchPaths[${i}]`, p, "is not an absolute directory path below /");
            } else if (seen.has(p)) add(`${k}.scratchPaths[${i}]`, p, "is listed twice");
            seen.add(p);
        });
        if (app.user !== undefined && /^(root|0)(:|$)/.test(app.user)) {
            add(`${k}.user`, app.user, "runs the container as root; use a non-root uid or name, or leave it unset");
        } else if (app.user !== undefined && !/^[\w.-]+(:[\w.-]+)?$/.test(app.user)) {
            add(`${k}.user`, app.user, 'is not a user; expected "uid", "uid:gid" or a user name');
        }
        app.taskRole.managedPolicyArns.forEach((arn, i) => {
            const pk = `${k}.taskRole.managedPolicyArns[${i}]`;
            if (!POLICY_ARN.test(arn))
                add(pk, arn, "is not an IAM policy ARN (arn:aws:iam::<account or aws>:policy/<name>)");
            else if (TOO_BROAD.test(arn))
                add(pk, arn, "grants administrator-level access; attach a policy scoped to what the service does");
        });
        if (!app.build && JSON.stringify(app.ecr) !== JSON.stringify(appSchema.shape.ecr.parse({}))) {
            add(`${k}.ecr`, app.ecr, "applies only to services with build: a prebuilt image has no repository here");
        }
    }
    return issues;
}
