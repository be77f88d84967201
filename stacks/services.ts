/**
 * Cross-field and cross-section checks of the services section; the schemas themselves are in services-schema.ts.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { describeMemoryOptions, isFargateSize, memoryOptions } from "../components/fargate/sizes";
import { serviceNameCollisions } from "../components/fargate/naming";
import { ConfigIssue, shortName, zodIssues } from "./common";
import type { SecretsSettings } from "./secrets";
import {
    AppSettings,
    CACHE_ENV,
    DATABASE_ENV,
    DATABASE_SECRET_KEYS,
    DEFAULT_HEALTH_CHECK,
    ServicesSettings,
    appSchema,
    clusterSchema,
    databaseSecretRefs,
    isWeb,
    loadBalancerSchema,
    usesDatabase,
} from "./services-schema";

export * from "./services-schema";

const KEY = "aws-platform:services";

/** Names that say "this is a credential": such values go through `secrets`, never plaintext `environment`. */
const SECRET_LIKE = /PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|CREDENTIAL/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A container image reference with a registry/repository, and a tag or digest. */
const IMAGE_REF =
    /^(?:[a-z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::([\w][\w.-]{0,127}))?(?:@(sha256:[a-f0-9]{64}))?$/;
const POLICY_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::(?:aws|\d{12}):policy\/[\w+=,.@/-]+$/;
/** AWS-managed policies that would make a task role an administrator. */
const TOO_BROAD = /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/;
const HOST = /^(\*\.)?([a-z0-9*?]([a-z0-9*?-]{0,61}[a-z0-9*?])?\.)*[a-z0-9*?]([a-z0-9*?-]{0,61}[a-z0-9*?])?$/i;
/** `scheme://user:password@host` or `scheme://token@host`: a credential in a URL's userinfo. */
const URL_USERINFO = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]+@/i;
/** An HTTP authorization value (RFC 9110): the scheme and an RFC 7235 token68. */
const AUTH_SCHEME = /(?:^|[\s:"'])(Bearer|Basic)\s+([A-Za-z0-9._~+/-]+=*)/g;
/** An AWS access key id, long-term (AKIA) or temporary (ASIA). */
const ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/;

/**
 * What kind of credential an environment value carries in plain text, or undefined when it carries none: a URL with
 * userinfo, a Bearer token, a Basic authorization (whose base64 decodes to `user:password`) or an AWS access key id.
 */
export function credentialInValue(value: string): string | undefined {
    if (URL_USERINFO.test(value)) return "a URL with a user or password in it";
    if (ACCESS_KEY_ID.test(value)) return "an AWS access key id";
    for (const [, scheme, token] of value.matchAll(AUTH_SCHEME)) {
        if (scheme === "Bearer" && token.length >= 8) return "a Bearer token";
        if (scheme === "Basic" && Buffer.from(token, "base64").toString("latin1").includes(":")) {
            return "a Basic authorization (user and password)";
        }
    }
    return undefined;
}

const ENV_NAME_MESSAGE = "is not a valid environment variable name (letters, digits, _; not starting with a digit)";

/** Collects issues under `aws-platform:services.<key>`. */
type Add = (key: string, value: unknown, message: string) => void;

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
    const add: Add = (key, value, message) => issues.push({ key: `${KEY}.${key}`, value, message });

    parseParts(s, issues, add);
    if (s.loadBalancer && !s.loadBalancer.internal) {
        add(
            "loadBalancer.internal",
            false,
            "is not allowed; the load balancer is always internal and reached only through a CloudFront VPC origin, so plain HTTP never faces the internet",
        );
    }
    checkNames(Object.keys(s.apps), add);

    const knownSecrets = secrets ? new Set(secrets.appSecrets.map((x) => x.name)) : undefined;
    const priorities = new Map<number, string>();
    for (const [name, app] of Object.entries(s.apps)) {
        const k = `apps.${name}`;
        checkImage(k, app, baseDir, add);
        checkSizeAndCapacity(k, app, add);
        checkScaling(k, app, add);
        if (isWeb(app)) checkWeb(k, name, app, priorities, add);
        else checkWorker(k, app, add);
        checkEnvironment(k, app, add);
        checkSecretRefs(k, app, knownSecrets, add);
        checkRuntime(k, app, add);
    }
    return issues;
}

/**
 * Parses each part on its own and normalises `s` in place with the typed results (see servicesSchema): one app's
 * schema errors do not hide the other apps' cross-checks.
 */
function parseParts(s: ServicesSettings, issues: ConfigIssue[], add: Add): void {
    const raw = s as unknown as { cluster?: unknown; loadBalancer?: unknown; apps: Record<string, unknown> };
    const part = <T>(schema: z.ZodType<T>, value: unknown, key: string): T | undefined => {
        const result = schema.safeParse(value ?? {}, { reportInput: true });
        if (result.success) return result.data;
        issues.push(...zodIssues(`${KEY}.${key}`, value ?? {}, result.error, schema));
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
}

/**
 * Service names whose children would share a name (and so a URN) with another child of the same type: the engine
 * refuses a duplicate URN, and the children's names cannot change without replacing them.
 */
function checkNames(names: string[], add: Add): void {
    for (const c of serviceNameCollisions(names)) {
        add(
            `apps.${c.service}`,
            c.service,
            c.otherService
                ? `collides with apps.${c.otherService}: ${c.what} would both be named ${c.name} (${c.type}); rename one of them`
                : `is a reserved service name: ${c.what} would both be named ${c.name} (${c.type}); choose another name`,
        );
    }
}

/** Image source: exactly one of a prebuilt, pinned reference or a local build inside the project. */
function checkImage(k: string, app: AppSettings, baseDir: string, add: Add): void {
    if ((app.image === undefined) === (app.build === undefined)) {
        add(k, undefined, 'needs exactly one of "image" (a prebuilt reference) or "build" (a local Docker context)');
    }
    if (app.image !== undefined) {
        const m = IMAGE_REF.exec(app.image);
        if (!m) add(`${k}.image`, app.image, "is not an image reference (registry/repository:tag or @sha256:digest)");
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
    if (!app.build && JSON.stringify(app.ecr) !== JSON.stringify(appSchema.shape.ecr.parse({}))) {
        add(`${k}.ecr`, app.ecr, "applies only to services with build: a prebuilt image has no repository here");
    }
}

/**
 * A size Fargate offers; a capacity strategy AWS accepts (a base on one provider only). Either architecture may run
 * on Fargate Spot (X86_64 on platform 1.3.0+, ARM64 on 1.4.0+: AWS ECS API 'CapacityProviderStrategyItem'); services
 * use LATEST.
 */
function checkSizeAndCapacity(k: string, app: AppSettings, add: Add): void {
    if (memoryOptions(app.cpu).length === 0) {
        // The CPU itself is not offered: name that key, not the memory that cannot be judged without it.
        add(`${k}.cpu`, app.cpu, `is not a Fargate CPU size; ${describeMemoryOptions(app.cpu)}`);
    } else if (!isFargateSize(app.cpu, app.memory)) {
        add(`${k}.memory`, app.memory, `is not a Fargate size with cpu ${app.cpu}; ${describeMemoryOptions(app.cpu)}`);
    }
    const { fargate, fargateSpot } = app.capacity;
    if (fargate.weight + fargateSpot.weight === 0) {
        add(`${k}.capacity`, app.capacity, "gives every provider weight 0; at least one weight must be > 0");
    }
    if (fargate.base > 0 && fargateSpot.base > 0) {
        add(`${k}.capacity`, app.capacity, "sets a base on both providers; AWS allows a base on only one");
    }
}

/** Autoscaling bounds around desiredCount, and deployment bounds that let a rollout progress. */
function checkScaling(k: string, app: AppSettings, add: Add): void {
    if (app.autoscaling) {
        const { minCount, maxCount, requestsPerTarget } = app.autoscaling;
        if (minCount > maxCount) add(`${k}.autoscaling.minCount`, minCount, `is greater than maxCount (${maxCount})`);
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
}

/** A web service: a listener rule AWS accepts (unique priority, at most 3 values per condition, 5 per rule). */
function checkWeb(k: string, name: string, app: AppSettings, priorities: Map<number, string>, add: Add): void {
    if (!app.routing) {
        add(
            `${k}.routing`,
            undefined,
            "is required for a service with a port (a listener rule with a priority and path or host patterns)",
        );
    } else {
        const r = app.routing;
        const other = priorities.get(r.priority);
        if (other) add(`${k}.routing.priority`, r.priority, `is also used by apps.${other}; priorities must be unique`);
        else priorities.set(r.priority, name);
        const values = r.pathPatterns.length + r.hostHeaders.length;
        if (values === 0) add(`${k}.routing`, r, "needs at least one pathPatterns or hostHeaders entry");
        // AWS: at most 3 values per condition and 5 per rule ("Listener rules for your ALB", quotas).
        for (const field of ["pathPatterns", "hostHeaders"] as const) {
            if (r[field].length > 3) {
                add(
                    `${k}.routing.${field}`,
                    r[field],
                    `has ${r[field].length} values; AWS allows at most 3 per condition`,
                );
            }
        }
        if (values > 5)
            add(`${k}.routing`, r, `has ${values} patterns; AWS allows at most 5 condition values per rule`);
        r.pathPatterns.forEach((p, i) => {
            if (!p.startsWith("/") || p.length > 128)
                add(`${k}.routing.pathPatterns[${i}]`, p, 'must start with "/" (at most 128 characters)');
            else if (r.pathPatterns.indexOf(p) < i) add(`${k}.routing.pathPatterns[${i}]`, p, "is listed twice");
        });
        // Host names are case-insensitive, so a repeat in other case is a repeat too.
        const hosts = r.hostHeaders.map((h) => h.toLowerCase());
        r.hostHeaders.forEach((h, i) => {
            if (!HOST.test(h) || h.length > 128) add(`${k}.routing.hostHeaders[${i}]`, h, "is not a host name pattern");
            else if (hosts.indexOf(hosts[i]) < i) add(`${k}.routing.hostHeaders[${i}]`, h, "is listed twice");
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
}

/** Workers have no target group: settings that only a load balancer uses are mistakes. */
function checkWorker(k: string, app: AppSettings, add: Add): void {
    for (const key of ["healthCheck", "routing", "deregistrationDelaySeconds"] as const) {
        if (app[key] !== undefined)
            add(`${k}.${key}`, app[key], "needs a port: a service without one is a worker with no load balancer");
    }
}

/** Environment: valid names, no credentials in plaintext, no clash with secrets or injected names. */
function checkEnvironment(k: string, app: AppSettings, add: Add): void {
    const injected = usesDatabase(app) ? new Set<string>(DATABASE_ENV) : new Set<string>();
    const fromCache = app.cacheAccess ? new Set<string>(CACHE_ENV) : new Set<string>();
    for (const envName of Object.keys(app.environment)) {
        const ek = `${k}.environment.${envName}`;
        if (!ENV_NAME.test(envName)) add(ek, undefined, ENV_NAME_MESSAGE);
        else if (SECRET_LIKE.test(envName)) {
            add(
                ek,
                undefined,
                "looks like a credential; plaintext environment is visible in the task definition, so move it to secrets (a Secrets Manager reference)",
            );
        } else if (credentialInValue(app.environment[envName])) {
            // The value is not echoed: it is the credential.
            add(
                ek,
                undefined,
                `holds ${credentialInValue(app.environment[envName])}; plaintext environment is visible in the task definition, so use the service's secrets: instead (an aws-platform:secrets.appSecrets name, generated and kept in Secrets Manager, or database:username / database:password)`,
            );
        } else if (envName in app.secrets) add(ek, undefined, "is also set in secrets; set it in one place");
        else if (injected.has(envName)) add(ek, undefined, "is set by the platform for services with database access");
        else if (fromCache.has(envName)) add(ek, undefined, "is set by the platform for services with cacheAccess");
    }
}

/** Secret references name an application secret or a key of the database master secret. */
function checkSecretRefs(k: string, app: AppSettings, knownSecrets: Set<string> | undefined, add: Add): void {
    const injected = usesDatabase(app) ? new Set<string>(DATABASE_ENV) : new Set<string>();
    const fromCache = app.cacheAccess ? new Set<string>(CACHE_ENV) : new Set<string>();
    for (const [envName, ref] of Object.entries(app.secrets)) {
        const sk = `${k}.secrets.${envName}`;
        if (!ENV_NAME.test(envName)) add(sk, undefined, ENV_NAME_MESSAGE);
        else if (injected.has(envName)) add(sk, undefined, "is set by the platform for services with database access");
        else if (fromCache.has(envName)) add(sk, undefined, "is set by the platform for services with cacheAccess");
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
}

/** Scratch paths, the container user (never root) and the task role's managed policies (never administrator). */
function checkRuntime(k: string, app: AppSettings, add: Add): void {
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
        else if (app.taskRole.managedPolicyArns.indexOf(arn) < i)
            add(pk, arn, "is listed twice; list each policy once (one attachment per role and policy)");
    });
}
