import { z } from "zod";
import { ConfigError, ConfigIssue, PROJECT, zodIssues } from "./common";
import { NetworkSettings, checkNetwork, networkSchema } from "./network";
import { DatabaseSettings, checkDatabase, databaseSchema } from "./database";
import { SecretsSettings, secretsSchema } from "./secrets";
import { ServicesSettings, checkServices, servicesSchema } from "./services";
import { dataApiProblems } from "../components/aurora/iamUsers";

/** Everything a stack's config decides, validated and typed. Built before any resource exists. */
export interface Settings {
    project: string;
    stack: string;
    region: string;
    /** Tags applied to every resource through the provider's default tags. */
    tags: Record<string, string>;
    network: NetworkSettings;
    secrets: SecretsSettings;
    database: DatabaseSettings;
    services: ServicesSettings;
}

const tagsSchema = z
    .record(
        z
            .string()
            .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, { message: "is not a valid tag key (1-128 characters)" })
            .refine((k) => !k.toLowerCase().startsWith("aws:"), { message: "uses the reserved aws: prefix" }),
        z
            .string()
            .regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u, { message: "is not a valid tag value (0-256 characters)" }),
    )
    .default({});

/** The project's top-level config keys (`aws-platform:<key>`); any other key is an error. */
const sections = {
    network: networkSchema,
    secrets: secretsSchema,
    database: databaseSchema,
    services: servicesSchema,
    tags: tagsSchema,
} as const;

export type SectionName = keyof typeof sections;
export const SECTION_NAMES = Object.keys(sections) as SectionName[];

const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

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
 * Validates a stack's raw config (keys as in the stack file, values already parsed from YAML/JSON)
 * and returns typed settings. Every problem is collected before anything is reported.
 *
 * @throws ConfigError listing every problem.
 */
export function parseSettings(raw: Record<string, unknown>, stack: string): Settings {
    const issues: ConfigIssue[] = [];
    const parsed: Partial<Record<SectionName, unknown>> = {};

    for (const key of Object.keys(raw)) {
        if (!key.includes(":")) {
            issues.push({
                key,
                message: `is not namespaced; expected "${PROJECT}:<key>" or a provider key such as "aws:region"`,
            });
            continue;
        }
        const [ns, name] = key.split(":", 2);
        if (ns === PROJECT && !(name in sections)) {
            issues.push({
                key,
                message: `is not a known setting; expected one of ${SECTION_NAMES.map((s) => `${PROJECT}:${s}`).join(", ")}`,
            });
        }
    }

    const region = raw["aws:region"];
    if (region === undefined) {
        issues.push({
            key: "aws:region",
            message: 'is required; set it with `pulumi config set aws:region <region>`, e.g. "eu-west-1"',
        });
    } else if (typeof region !== "string" || !REGION.test(region)) {
        issues.push({ key: "aws:region", value: region, message: 'is not an AWS region name (e.g. "eu-west-1")' });
    }

    for (const name of SECTION_NAMES) {
        const key = `${PROJECT}:${name}`;
        const value = raw[key] ?? {};
        const result = sections[name].safeParse(value, { reportInput: true });
        if (result.success) parsed[name] = result.data;
        else issues.push(...zodIssues(key, value, result.error));
    }

    let network: NetworkSettings | undefined;
    if (parsed.network) {
        const n = parsed.network as z.output<typeof networkSchema>;
        const checked = checkNetwork(n);
        issues.push(...checked.issues);
        if (checked.subnets) network = { ...n, subnets: checked.subnets };
    }

    if (parsed.database) issues.push(...checkDatabase(parsed.database as DatabaseSettings));
    if (parsed.database && parsed.services) {
        issues.push(...checkIamDatabaseUsers(parsed.database as DatabaseSettings, parsed.services as ServicesSettings));
    }
    if (parsed.services) {
        issues.push(
            ...checkServices(parsed.services as ServicesSettings, parsed.secrets as SecretsSettings | undefined),
        );
    }

    if (issues.length > 0 || !network) throw new ConfigError(issues);
    return {
        project: PROJECT,
        stack,
        region: region as string,
        tags: parsed.tags as Record<string, string>,
        network,
        secrets: parsed.secrets as SecretsSettings,
        database: parsed.database as DatabaseSettings,
        services: parsed.services as ServicesSettings,
    };
}
