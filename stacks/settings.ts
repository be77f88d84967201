import { z } from "zod";
import { ConfigError, ConfigIssue, PROJECT, keyPath, zodIssues } from "./common";
import { isUnder, parseRepairing } from "./repair";
import { NetworkSettings, checkNetwork, networkSchema } from "./network";
import { DatabaseSettings, checkDatabase, databaseSchema } from "./database";
import { EdgeSettings, checkEdge, completeEdge, edgeSchema } from "./edge";
import { checkPolicyProfile, policyProfileSchema } from "./policy-profiles";
import { checkAzCount, checkRegion } from "./aws-regions";
import { unwrap } from "./schema";
import { BucketsSettings, bucketsSchema, checkBuckets } from "./buckets";
import { CacheSection, CacheSettings, cacheOf, cacheSchema, checkCache } from "./cache";
import { checkInternetEgress } from "./egress";
import { MonitoringSettings, checkMonitoring, monitoringSchema } from "./monitoring";
import { SecretsSettings, secretsSchema } from "./secrets";
import { ServicesSettings, checkServices, servicesReferenceSchema, servicesSchema } from "./services";
import { dataApiProblems } from "../components/aurora/dataApi";
import { stackNameIssues } from "./stack-name";
import { commonTags } from "../platform";

/** Everything a stack's config decides, validated and typed. Built before any resource exists. */
export interface Settings {
    project: string;
    stack: string;
    region: string;
    /** The policy profile (policy/config/<profile>.json) the policy pack applies to this stack. */
    policyProfile: string;
    /** Tags applied to every resource through the provider's default tags. */
    tags: Record<string, string>;
    network: NetworkSettings;
    secrets: SecretsSettings;
    database: DatabaseSettings;
    services: ServicesSettings;
    /** The stack's cache; undefined when `aws-platform:cache` is absent or `enabled: false`. */
    cache?: CacheSettings;
    /** Application data buckets by name; empty when the stack has none. */
    buckets: BucketsSettings;
    monitoring: MonitoringSettings;
    edge: EdgeSettings;
}

/** The tags the platform puts on every resource through the providers' default tags (platform.ts). */
export const PLATFORM_TAGS = Object.keys(commonTags("project", "stack", {}));

const tagsSchema = z
    .record(
        z
            .string()
            .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, { message: "is not a valid tag key (1-128 characters)" })
            .refine((k) => !k.toLowerCase().startsWith("aws:"), { message: "uses the reserved aws: prefix" })
            // The platform's own value wins (platform.ts), so the stack's would be silently ignored: refuse it.
            .refine((k) => !PLATFORM_TAGS.includes(k), {
                message: `is set by the platform on every resource (${PLATFORM_TAGS.join(", ")}), so a value here would be ignored; choose another key`,
            }),
        z
            .string()
            .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u, { message: "is not a valid tag value (0-256 characters)" }),
    )
    .default({})
    .describe(
        "Extra tags for every resource, applied once through the provider's default tags. project, stack, " +
            "managed-by and cost-scope are always set by the platform and may not be given here; keys may not use " +
            "the reserved aws: prefix.",
    )
    .meta({ typeName: "map of tag key to tag value" });

/**
 * The project's top-level config keys (`aws-platform:<key>`) with the schemas that document them; any other key is an
 * error. A new section is one more entry here (and its declaration in Pulumi.yaml); the config reference in
 * docs/configuration.md is generated from this list.
 */
export const SECTIONS = {
    policyProfile: policyProfileSchema,
    network: networkSchema,
    secrets: secretsSchema,
    database: databaseSchema,
    services: servicesReferenceSchema,
    cache: cacheSchema,
    buckets: bucketsSchema,
    monitoring: monitoringSchema,
    edge: edgeSchema,
    tags: tagsSchema,
} as const satisfies Record<string, z.ZodType>;

/**
 * Services that log in with `databaseIamUser` need their users created through the RDS Data API, which the
 * database's engine version and class must offer, and none of them may be the master user.
 */
function checkIamDatabaseUsers(database: DatabaseSettings, services: ServicesSettings): ConfigIssue[] {
    const users = Object.entries(services.apps).filter(([, app]) => app.databaseIamUser !== undefined);
    if (users.length === 0) return [];
    const who = `needed because ${users.map(([svc]) => `services.apps.${svc}`).join(", ")} set databaseIamUser`;
    const issues: ConfigIssue[] = dataApiProblems(database.engineVersion, database.instanceClass).map((p) => ({
        key: `${PROJECT}:database.${p.startsWith("engineVersion") ? "engineVersion" : "instanceClass"}`,
        message: `${p} (${who})`,
    }));
    for (const [svc, app] of users) {
        if (app.databaseIamUser === database.masterUsername) {
            issues.push({
                key: `${PROJECT}:services.apps.${svc}.databaseIamUser`,
                value: app.databaseIamUser,
                message:
                    "is database.masterUsername; GRANT rds_iam would make the master user IAM-only and lock out its password, so give the service a user of its own",
            });
        }
    }
    return issues;
}

/**
 * A service can use the cache only when the stack has one. (The cache's final snapshot needs no check: index.ts takes
 * it exactly when the stack keeps the key it is encrypted with.)
 */
function checkCacheUse(cache: CacheSection, services?: ServicesSettings): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const [svc, app] of Object.entries(services?.apps ?? {})) {
        if (app.cacheAccess && !cache.enabled) {
            issues.push({
                key: `${PROJECT}:services.apps.${svc}.cacheAccess`,
                value: true,
                message: `needs a cache, and ${PROJECT}:cache is absent or enabled: false; add the cache section or remove cacheAccess`,
            });
        }
    }
    return issues;
}

/**
 * Sections parsed with a different schema than the one that documents them. services is parsed part by part in
 * checkServices, so that one app's errors do not hide the other apps' cross-checks.
 */
const PARSED_WITH: Partial<Record<SectionName, z.ZodType>> = { services: servicesSchema };

export type SectionName = keyof typeof SECTIONS;
export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];

/** Parsed sections, before the cross-section checks. */
type Parsed = Partial<Record<SectionName, unknown>>;

/**
 * The only keys outside the project's namespace a stack file may set. The program's AWS providers are explicit
 * (index.ts): an explicit provider reads none of the `aws:*` stack config, so `aws:region` is read by the settings and
 * handed to them, and any other `aws:*` key would be silently ignored. `pulumi:disable-default-providers` is read by
 * the engine itself, not the program, and only makes the explicit providers mandatory, so it is allowed.
 */
export const OTHER_KEYS = ["aws:region", "pulumi:disable-default-providers"] as const;

/** The AWS provider's credential keys: their values must never be in a stack file, or echoed in an error. */
const CREDENTIAL_KEYS = new Set(["aws:accessKey", "aws:secretKey", "aws:token"]);

const CREDENTIALS_FROM = "use AWS_PROFILE (or the AWS_* variables) locally and OIDC credentials in CI";

function otherKeyIssue(key: string, ns: string, value: unknown): ConfigIssue | undefined {
    if ((OTHER_KEYS as readonly string[]).includes(key)) return undefined;
    if (CREDENTIAL_KEYS.has(key)) {
        return {
            key,
            message:
                "is a credential: never put credentials in a stack file (its history keeps them), and the program's " +
                `explicit AWS providers would ignore it anyway; remove it and ${CREDENTIALS_FROM}`,
        };
    }
    if (ns === "aws") {
        return {
            key,
            value,
            message:
                "would be ignored: the program's AWS providers are explicit (index.ts) and read only aws:region from " +
                `the stack's config; remove it and choose the account and credentials in the environment: ${CREDENTIALS_FROM}`,
        };
    }
    return {
        key,
        value,
        message: `is not a known setting; expected ${OTHER_KEYS.join(", ")} or ${PROJECT}:<key> (${SECTION_NAMES.join(", ")})`,
    };
}

function checkKeys(raw: Record<string, unknown>): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    for (const key of Object.keys(raw)) {
        if (!key.includes(":")) {
            issues.push({
                key,
                message: `is not namespaced; expected "${PROJECT}:<key>" or "aws:region"`,
            });
            continue;
        }
        const [ns, name] = key.split(":", 2);
        if (ns !== PROJECT) {
            const issue = otherKeyIssue(key, ns, raw[key]);
            if (issue) issues.push(issue);
        } else if (!Object.hasOwn(SECTIONS, name)) {
            issues.push({
                key,
                message: `is not a known setting; expected one of ${SECTION_NAMES.map((s) => `${PROJECT}:${s}`).join(", ")}`,
            });
        }
    }
    return issues;
}

/**
 * The keys whose secrecy the program keeps: monitoring.httpsEndpoints may embed an incident tool's token, and the
 * program wraps each endpoint in pulumi.secret. Any other value reaches resource inputs, outputs and state in plain
 * text, whatever the stack file says.
 */
export const SECRET_KEYS_ALLOWED = [`${PROJECT}:monitoring`] as const;

/**
 * Secret config (`pulumi config set --secret`, `secure:` in the stack file) outside SECRET_KEYS_ALLOWED: the
 * program would read it in plain text. Keys already refused by checkKeys are not reported twice.
 */
function checkSecretKeys(
    raw: Record<string, unknown>,
    secretKeys: readonly string[],
    refused: ReadonlySet<string>,
): ConfigIssue[] {
    return [...new Set(secretKeys)]
        .filter((key) => key in raw && !refused.has(key) && !(SECRET_KEYS_ALLOWED as readonly string[]).includes(key))
        .map((key) => ({
            key,
            message:
                "is secret (pulumi config set --secret, or secure: in the stack file), but the program would read it " +
                "into resources and state in plain text; secret values are generated, never configured: declare " +
                `one in ${PROJECT}:secrets.appSecrets and reference it from a service's secrets: (only ` +
                `${PROJECT}:monitoring may be secret, for its httpsEndpoints)`,
        }));
}

/**
 * Error messages print the offending value; under a secret key (an HTTPS endpoint may embed a token) they name the
 * key and what was expected, never the value, which `pulumi up` would otherwise print in the clear.
 */
export function hideSecretValues(issues: ConfigIssue[], secretKeys: readonly string[]): ConfigIssue[] {
    const secret = (key: string) =>
        secretKeys.some((k) => key === k || key.startsWith(`${k}.`) || key.startsWith(`${k}[`));
    return issues.map((issue) =>
        issue.value !== undefined && secret(issue.key)
            ? { key: issue.key, message: `(the value is secret, so not shown) ${issue.message}` }
            : issue,
    );
}

/**
 * Parses every section. A section that fails keeps going without its failing keys (repair.ts), so the checks after
 * the schemas still run on the rest; `removed` lists those keys, whose later findings are not reported twice.
 */
function parseSections(raw: Record<string, unknown>, issues: ConfigIssue[], removed: string[]): Parsed {
    const parsed: Parsed = {};
    for (const name of SECTION_NAMES) {
        const key = `${PROJECT}:${name}`;
        const schema = PARSED_WITH[name] ?? SECTIONS[name];
        // A section the stack does not set gets its defaults: its own default, or those of an empty object's keys.
        const value = raw[key] ?? (unwrap(schema).hasDefault ? undefined : {});
        const { ok, data, failures, removed: keys } = parseRepairing(schema, value);
        for (const f of failures) issues.push(...zodIssues(key, f.value, f, SECTIONS[name]));
        removed.push(...keys.map((p) => keyPath(key, p)));
        if (ok) parsed[name] = data;
    }
    return parsed;
}

/**
 * Validates a stack's raw config (keys as in the stack file, values already parsed from YAML/JSON)
 * and returns typed settings. Every problem is collected before anything is reported. `secretKeys` are the keys
 * whose values are secret in the stack file.
 *
 * @throws ConfigError listing every problem.
 */
export function parseSettings(
    raw: Record<string, unknown>,
    stack: string,
    secretKeys: readonly string[] = [],
): Settings {
    const issues: ConfigIssue[] = [...stackNameIssues(stack), ...checkKeys(raw)];
    issues.push(...checkSecretKeys(raw, secretKeys, new Set(issues.map((i) => i.key))));
    const region = raw["aws:region"];
    issues.push(...checkRegion(region));
    const removed: string[] = [];
    const parsed = parseSections(raw, issues, removed);
    const checkedFrom = issues.length;
    // A section that lost keys to its schema still gets its own checks; as another section's context it is left out,
    // as if it were absent, so that no check judges a key by a default that stands in for the stack's real value.
    const intact = (name: SectionName) => !removed.some((r) => isUnder(r, [`${PROJECT}:${name}`]));
    const context = <T>(name: SectionName): T | undefined => (intact(name) ? (parsed[name] as T) : undefined);

    let network: NetworkSettings | undefined;
    if (parsed.network) {
        const n = parsed.network as z.output<typeof networkSchema>;
        const checked = checkNetwork(n);
        issues.push(...checked.issues);
        if (checked.subnets) network = { ...n, subnets: checked.subnets };
        if (typeof region === "string") {
            const rawNetwork = raw[`${PROJECT}:network`] as Record<string, unknown> | undefined;
            issues.push(...checkAzCount(region, n.azCount, rawNetwork?.azCount !== undefined));
        }
    }
    if (parsed.policyProfile !== undefined) issues.push(...checkPolicyProfile(parsed.policyProfile as string));
    if (parsed.database) issues.push(...checkDatabase(parsed.database as DatabaseSettings));
    if (parsed.services) {
        issues.push(...checkServices(parsed.services as ServicesSettings, context<SecretsSettings>("secrets")));
    }
    if (context("network") && parsed.services) {
        issues.push(
            ...checkInternetEgress(
                parsed.services as ServicesSettings,
                (parsed.network as z.output<typeof networkSchema>).interfaceEndpoints,
                typeof region === "string" ? region : undefined,
            ),
        );
    }
    if (parsed.database && context("services")) {
        issues.push(...checkIamDatabaseUsers(parsed.database as DatabaseSettings, parsed.services as ServicesSettings));
    }
    const edge = parsed.edge as z.output<typeof edgeSchema> | undefined;
    const services = parsed.services as ServicesSettings | undefined;
    const servicesContext = context<ServicesSettings>("services");
    if (edge) {
        issues.push(
            ...checkEdge(edge, {
                region: typeof region === "string" ? region : undefined,
                loadBalancerCertificateArn: servicesContext?.loadBalancer?.certificateArn,
                hasLoadBalancer: Object.values(servicesContext?.apps ?? {}).some((app) => app.port !== undefined),
            }),
        );
    }

    if (parsed.cache) {
        const cache = parsed.cache as CacheSection;
        issues.push(...checkCache(cache, raw[`${PROJECT}:cache`]));
        if (intact("cache")) issues.push(...checkCacheUse(cache, servicesContext));
    }
    if (parsed.buckets) {
        issues.push(
            ...checkBuckets(parsed.buckets as BucketsSettings, {
                stack,
                apps: services?.apps ?? {},
                staticPathPatterns: edge?.staticPathPatterns,
            }),
        );
    }
    if (parsed.monitoring) {
        issues.push(...checkMonitoring(parsed.monitoring as MonitoringSettings, context<DatabaseSettings>("database")));
    }

    // Findings of the later checks about a key the schema refused (and the checks saw at its default) are dropped.
    const reported = issues.filter((issue, i) => i < checkedFrom || !isUnder(issue.key, removed));
    if (issues.length > 0 || !network) throw new ConfigError(hideSecretValues(reported, secretKeys));
    return {
        project: PROJECT,
        stack,
        region: region as string,
        policyProfile: parsed.policyProfile as string,
        tags: parsed.tags as Record<string, string>,
        network,
        secrets: parsed.secrets as SecretsSettings,
        database: parsed.database as DatabaseSettings,
        services: parsed.services as ServicesSettings,
        cache: cacheOf(parsed.cache as CacheSection),
        buckets: parsed.buckets as BucketsSettings,
        monitoring: parsed.monitoring as MonitoringSettings,
        edge: completeEdge(edge!),
    };
}
