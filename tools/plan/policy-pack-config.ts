/**
 * The policy pack's configuration as the CLI builds it from a `--policy-pack-config` file
 * (`pkg/resource/analyzer/config.go`): enforcement level resolution, settings merged over the schema defaults and
 * validated against each policy's `configSchema`.
 */
import { existsSync, readFileSync } from "fs";

import Ajv from "ajv";
import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

import { packEnforcementLevel, packName } from "../../policy/pack";
import { POLICY_CONFIG_DIR, policyProfileFile } from "../../stacks/policy-profiles";

export type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** One entry of a `--policy-pack-config` file: a level, or `{ enforcementLevel?, ...settings }`. */
export type PolicyConfigFileEntry =
    EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>);

/** The content of a `--policy-pack-config` file, keyed by policy name (or `"all"`). */
export type PolicyConfigFile = Record<string, PolicyConfigFileEntry>;

/** The merged configuration of one policy, as the CLI sends it to the pack. */
export interface ResolvedPolicyConfigEntry {
    enforcementLevel?: EnforcementLevel;
    properties: Record<string, unknown>;
}

/** Merged configuration of every policy of the pack, keyed by policy name. */
export type ResolvedPolicyConfig = Record<string, ResolvedPolicyConfigEntry>;

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Directory of the policy profiles (`<profile>.json`). */
export const defaultPolicyConfigDir = POLICY_CONFIG_DIR;

/**
 * Reads a `--policy-pack-config` file: the policy profile `<dir>/<profile>.json`.
 * @throws if the file does not exist or is not a JSON object.
 */
export function loadPolicyConfig(profile: string, dir: string = POLICY_CONFIG_DIR): PolicyConfigFile {
    return loadPolicyConfigFile(policyProfileFile(profile, dir));
}

/**
 * Reads a `--policy-pack-config` file by path.
 * @throws if the file does not exist or is not a JSON object.
 */
export function loadPolicyConfigFile(file: string): PolicyConfigFile {
    if (!existsSync(file)) {
        throw new Error(`Invalid policy pack config ${file}: no such file`);
    }
    const text = readFileSync(file, "utf8");
    if (text.trim() === "") {
        return {}; // The CLI accepts an empty file too.
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new Error(`Invalid policy pack config ${file}: ${(e as Error).message}`);
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new Error(`Invalid policy pack config ${file}: expected a JSON object keyed by policy name`);
    }
    return parsed as PolicyConfigFile;
}

interface ParsedEntry {
    enforcementLevel?: EnforcementLevel;
    properties?: Record<string, unknown>;
}

/** The CLI's parsePolicyPackConfig: string → level, object → level + settings; anything else is an error. */
function parseConfigFile(file: Record<string, unknown>, errors: string[]): Map<string, ParsedEntry> {
    const result = new Map<string, ParsedEntry>();
    for (const [name, value] of Object.entries(file)) {
        if (typeof value === "string") {
            if (!LEVELS.includes(value as EnforcementLevel)) {
                errors.push(`${name}: "${value}" is not a valid enforcement level (${LEVELS.join(", ")})`);
                continue;
            }
            result.set(name, { enforcementLevel: value as EnforcementLevel });
        } else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
            const { enforcementLevel, ...properties } = value as Record<string, unknown>;
            if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel as EnforcementLevel)) {
                errors.push(`${name}: ${JSON.stringify(enforcementLevel)} is not a valid enforcement level`);
                continue;
            }
            const entry: ParsedEntry = {};
            if (enforcementLevel !== undefined) {
                entry.enforcementLevel = enforcementLevel as EnforcementLevel;
            }
            if (Object.keys(properties).length > 0) {
                entry.properties = properties;
            }
            result.set(name, entry);
        } else {
            errors.push(`${name}: ${JSON.stringify(value)} is not a valid value; must be a string or object`);
        }
    }
    return result;
}

/** The CLI's applyConfig: "all" sets every level first, then each named entry overrides level and settings. */
function applyConfig(result: ResolvedPolicyConfig, toApply: Map<string, ParsedEntry>): void {
    const all = toApply.get("all");
    if (all?.enforcementLevel) {
        for (const entry of Object.values(result)) {
            entry.enforcementLevel = all.enforcementLevel;
        }
    }
    for (const [name, given] of toApply) {
        const entry = result[name];
        if (name === "all" || !entry) {
            continue;
        }
        if (given.enforcementLevel) {
            entry.enforcementLevel = given.enforcementLevel;
        }
        Object.assign(entry.properties, given.properties ?? {});
    }
}

/**
 * Merges a config file the way the CLI does — schema defaults → pack `initialConfig` → file, with `"all"`
 * applied before the named entries — and validates every policy's merged settings against its
 * `configSchema` with a JSON-schema validator, as the CLI does with gojsonschema.
 *
 * Stricter than the CLI on purpose: a policy name or setting the pack does not know is an error here
 * (the CLI silently ignores both, which turns a typo into a disabled control).
 *
 * @throws an Error listing every problem, one per line.
 */
export function resolvePolicyConfig(
    policies: readonly AnyPolicy[],
    fileConfig: PolicyConfigFile,
    initialConfig: PolicyConfigFile = {},
): ResolvedPolicyConfig {
    const errors: string[] = [];
    const result: ResolvedPolicyConfig = {};
    for (const p of policies) {
        const properties: Record<string, unknown> = {};
        for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
            if (schema.default !== undefined) {
                properties[key] = structuredClone(schema.default);
            }
        }
        // GetAnalyzerInfo reports `policy.enforcementLevel || pack level`, which is what the CLI starts from.
        result[p.name] = { enforcementLevel: p.enforcementLevel || packEnforcementLevel, properties };
    }
    const initial = parseConfigFile(initialConfig, errors);
    const file = parseConfigFile(fileConfig, errors);
    for (const name of file.keys()) {
        if (name !== "all" && !result[name]) {
            errors.push(`${name}: no such policy in pack '${packName}'`);
        }
    }
    applyConfig(result, initial);
    applyConfig(result, file);

    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const p of policies) {
        const props = result[p.name].properties;
        const known = Object.keys(p.configSchema?.properties ?? {});
        for (const key of Object.keys(props)) {
            if (!known.includes(key)) {
                errors.push(
                    `${p.name}: unknown setting '${key}'` +
                        (known.length > 0 ? ` (settings: ${known.join(", ")})` : " (the policy has no settings)"),
                );
            }
        }
        if (!p.configSchema) {
            continue;
        }
        // The CLI's convertSchema: an object with the policy's properties and required list, nothing else.
        const schema: Record<string, unknown> = { type: "object", properties: p.configSchema.properties };
        if (p.configSchema.required?.length) {
            schema.required = p.configSchema.required;
        }
        const validate = ajv.compile(schema);
        if (!validate(props)) {
            for (const err of validate.errors ?? []) {
                const where = err.instancePath ? err.instancePath.slice(1).replace(/\//g, ".") : "(root)";
                errors.push(`${p.name}: ${where} ${err.message ?? "is invalid"}`);
            }
        }
    }
    if (errors.length > 0) {
        throw new Error(`Invalid policy pack config for '${packName}':\n${errors.map((e) => `  - ${e}`).join("\n")}`);
    }
    return result;
}
