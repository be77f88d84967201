/**
 * Offline evaluation of the CrossGuard policy pack against a planned stack, with the engine's semantics.
 *
 * This mirrors `@pulumi/policy` 1.21 `server.js` (makeAnalyzeRpcFun / makeAnalyzeStackRpcFun) and the CLI's
 * config handling (`pkg/resource/analyzer/config.go`): enforcement level resolution, disabled policies
 * skipped, remediate reported as mandatory, wire-form deserialisation (secrets unwrapped, unknowns kept),
 * props wrapped in `unknownCheckingProxy`, and an `UnknownValueError` turned into the engine's advisory
 * "can't run policy ... during preview" — never dropped, because that downgrade is exactly what a mandatory
 * policy must not rely on.
 */
import { existsSync, readFileSync } from "fs";
import * as path from "path";

import Ajv from "ajv";
import * as pulumi from "@pulumi/pulumi";
import { unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";
import type {
    EnforcementLevel,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

import { packEnforcementLevel, packName, packVersion } from "../../policy/pack";
import { RESOURCE_REF_SIG, SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "./types";
import type { PlanMode, PlannedResource, Violation } from "./types";

/** A policy of the pack, resource or stack. */
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

/** A policy that declared itself not applicable, as the engine would record it. */
export interface NotApplicable {
    policy: string;
    urn?: string;
    reason?: string;
}

/** Options of {@link evaluatePolicies}. */
export interface EvaluateOptions {
    /**
     * The plan's mode. The engine analyses both modes the same way (an unknown left in an update plan still
     * yields the advisory), so this only documents the caller's intent.
     */
    mode?: PlanMode;
    /** Stack tags passed to policies as `stackTags`. */
    stackTags?: ReadonlyMap<string, string>;
}

/** Violations plus the not-applicable records, for callers that want both. */
export interface PolicyReport {
    violations: Violation[];
    notApplicable: NotApplicable[];
}

const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

/** Default directory of the per-stack config files. */
export const defaultPolicyConfigDir = path.resolve(__dirname, "../../policy/config");

// ------------------------------------------------------------------------------------------------
// Config
// ------------------------------------------------------------------------------------------------

/**
 * Reads `<dir>/<stack>.json`. A stack without a file gets `{}`, i.e. the pack's own (mandatory) defaults.
 * @throws if the file exists but is not a JSON object.
 */
export function loadPolicyConfig(stack: string, dir: string = defaultPolicyConfigDir): PolicyConfigFile {
    const file = path.join(dir, `${stack}.json`);
    if (!existsSync(file)) {
        return {};
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

// ------------------------------------------------------------------------------------------------
// Wire form
// ------------------------------------------------------------------------------------------------

const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";

/**
 * Turns wire-form properties into what a policy sees: secrets unwrapped, unknown sentinels kept, resource
 * references replaced by their id (or URN when they have none) — the engine marshals them that way because
 * analyzers do not accept resource references — and undefined top-level values dropped.
 */
export function deserializeProperties(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) {
        if (v !== undefined) {
            out[k] = deserializeProperty(v);
        }
    }
    return out;
}

function deserializeProperty(v: unknown): unknown {
    if (v === undefined || v === null || typeof v !== "object") {
        return v === undefined ? null : v;
    }
    if (Array.isArray(v)) {
        return v.map(deserializeProperty);
    }
    const obj = v as Record<string, unknown>;
    switch (obj[SPECIAL_SIG_KEY]) {
        case undefined:
            return deserializeProperties(obj);
        case SECRET_SIG:
            return deserializeProperty(obj.value);
        case RESOURCE_REF_SIG: {
            const id = obj.id;
            return typeof id === "string" && id !== "" ? id : obj.urn;
        }
        case OUTPUT_VALUE_SIG:
            return "value" in obj ? deserializeProperty(obj.value) : UNKNOWN;
        case ASSET_SIG:
            return typeof obj.path === "string"
                ? new pulumi.asset.FileAsset(obj.path)
                : typeof obj.text === "string"
                  ? new pulumi.asset.StringAsset(obj.text)
                  : new pulumi.asset.RemoteAsset(String(obj.uri));
        case ARCHIVE_SIG:
            return typeof obj.path === "string"
                ? new pulumi.asset.FileArchive(obj.path)
                : new pulumi.asset.RemoteArchive(String(obj.uri));
        default:
            throw new Error(
                `Unrecognized signature '${String(obj[SPECIAL_SIG_KEY])}' when unmarshaling resource property`,
            );
    }
}

// ------------------------------------------------------------------------------------------------
// Evaluation
// ------------------------------------------------------------------------------------------------

class NotApplicableError extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

function throwNotApplicable(reason?: string): never {
    throw new NotApplicableError(reason);
}

function isResourcePolicy(p: AnyPolicy): p is ResourceValidationPolicy {
    const r = p as ResourceValidationPolicy;
    return (
        typeof r.validateResource === "function" ||
        (Array.isArray(r.validateResource) && r.validateResource.every((v) => typeof v === "function")) ||
        typeof r.remediateResource === "function"
    );
}

function isStackPolicy(p: AnyPolicy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

function pulumiTypeOf(fn: unknown): string | undefined {
    const t = (fn as { __pulumiType?: unknown } | undefined)?.__pulumiType;
    return typeof t === "string" && t.length > 0 ? t : undefined;
}

function optionsOf(r: PlannedResource): PolicyResourceOptions {
    const opts: PolicyResourceOptions = {
        protect: r.protect,
        ignoreChanges: r.ignoreChanges ?? [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (r.parent) {
        opts.parent = r.parent;
    }
    return opts;
}

function providerOf(r: PlannedResource, byUrn: Map<string, PlannedResource>): PolicyProviderResource | undefined {
    if (!r.provider) {
        return undefined;
    }
    // A provider reference is "<urn>::<id>"; URNs contain "::" themselves, so split at the last one.
    const urn = r.provider.slice(0, r.provider.lastIndexOf("::"));
    const p = byUrn.get(urn);
    return p
        ? { type: p.type, urn: p.urn, name: p.name, props: unknownCheckingProxy(deserializeProperties(p.outputs)) }
        : undefined;
}

function isTypeOf(type: string, resourceClass: unknown): boolean {
    const t = pulumiTypeOf(resourceClass);
    if (t) {
        return t === type;
    }
    const isInstance = (resourceClass as { isInstance?: (o: unknown) => boolean }).isInstance;
    return typeof isInstance === "function" && isInstance({ __pulumiType: type }) === true;
}

/** The effective level the pack server uses: config → policy → pack, with remediate reported as mandatory. */
function effectiveLevel(p: AnyPolicy, config: ResolvedPolicyConfig): EnforcementLevel {
    return config[p.name]?.enforcementLevel || p.enforcementLevel || packEnforcementLevel;
}

function getConfigFun(p: AnyPolicy, config: ResolvedPolicyConfig): <T extends object>() => T {
    return <T extends object>() => ({ ...(config[p.name]?.properties ?? {}) }) as T;
}

interface Sink {
    violations: Violation[];
    notApplicable: NotApplicable[];
}

function reporter(
    p: AnyPolicy,
    level: "advisory" | "mandatory",
    sink: Sink,
    fixedUrn: string | undefined,
): (message: unknown, urn?: string) => void {
    return (message, urn) => {
        if (message !== null && typeof message === "object") {
            // The object form the server also accepts (policy info with its own fields).
            const info = message as {
                name?: string;
                message?: string;
                description?: string;
                urn?: string;
                enforcementLevel?: string;
            };
            sink.violations.push({
                policy: info.name || p.name,
                enforcementLevel: info.enforcementLevel === "advisory" ? "advisory" : level,
                urn: fixedUrn ?? info.urn,
                message: info.message || info.description || p.description,
            });
            return;
        }
        const text = typeof message === "string" && message !== "" ? `${p.description}\n${message}` : p.description;
        sink.violations.push({ policy: p.name, enforcementLevel: level, urn: fixedUrn ?? urn, message: text });
    };
}

function handleError(e: unknown, p: AnyPolicy, sink: Sink, urn: string | undefined, verb: string): void {
    const policyFrom = `policy '${p.name}' from policy pack '${packName}@v${packVersion}'`;
    if (e instanceof UnknownValueError) {
        sink.violations.push({
            policy: p.name,
            enforcementLevel: "advisory",
            urn,
            message: `can't run ${policyFrom} during preview: ${(e as Error).message}`,
        });
    } else if (e instanceof NotApplicableError) {
        sink.notApplicable.push({ policy: p.name, urn, reason: e.reason });
    } else {
        const err = new Error(`Error ${verb} with ${policyFrom}: ${e instanceof Error ? e.message : String(e)}`);
        (err as Error & { cause?: unknown }).cause = e;
        throw err;
    }
}

function ensureSync(result: unknown, p: AnyPolicy): void {
    if (result !== null && typeof result === "object" && typeof (result as { then?: unknown }).then === "function") {
        throw new Error(`policy '${p.name}' returned a promise; the offline evaluator runs policies synchronously`);
    }
}

function runResourcePolicies(
    policies: readonly AnyPolicy[],
    resources: readonly PlannedResource[],
    config: ResolvedPolicyConfig,
    stackTags: ReadonlyMap<string, string>,
    sink: Sink,
): void {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    for (const r of resources.filter((x) => x.custom)) {
        for (const p of policies) {
            let level = effectiveLevel(p, config);
            if (level === "disabled" || !isResourcePolicy(p)) {
                continue;
            }
            if (!p.validateResource) {
                sink.notApplicable.push({
                    policy: p.name,
                    urn: r.urn,
                    reason: "Policy does not implement validateResource",
                });
                continue;
            }
            if (level === "remediate") {
                level = "mandatory";
            }
            if (!Array.isArray(p.validateResource)) {
                const only = pulumiTypeOf(p.validateResource);
                if (only && only !== r.type) {
                    sink.notApplicable.push({
                        policy: p.name,
                        urn: r.urn,
                        reason: `Policy only applies to resources of type '${only}'`,
                    });
                    continue;
                }
            }
            const report = reporter(p, level, sink, r.urn);
            const validations = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
            for (const validation of validations) {
                try {
                    const props = unknownCheckingProxy(deserializeProperties(r.inputs));
                    const args: ResourceValidationArgs = {
                        type: r.type,
                        props,
                        urn: r.urn,
                        name: r.name,
                        opts: optionsOf(r),
                        stackTags,
                        isType: (cls) => isTypeOf(r.type, cls),
                        asType: ((cls: unknown) =>
                            isTypeOf(r.type, cls) ? props : undefined) as ResourceValidationArgs["asType"],
                        getConfig: getConfigFun(p, config),
                        notApplicable: throwNotApplicable,
                    };
                    const provider = providerOf(r, byUrn);
                    if (provider) {
                        args.provider = provider;
                    }
                    ensureSync(validation(args, report), p);
                } catch (e) {
                    handleError(e, p, sink, r.urn, "validating resource");
                }
            }
        }
    }
}

/** Builds the `PolicyResource` graph exactly as analyzeStack does: parent, dependencies and propertyDependencies as objects. */
function policyResources(resources: readonly PlannedResource[]): PolicyResource[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const built = resources.map((r) => {
        const props = unknownCheckingProxy(deserializeProperties(r.outputs));
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        const provider = providerOf(r, byUrn);
        if (provider) {
            resource.provider = provider;
        }
        return resource;
    });
    const objects = new Map(built.map((b) => [b.urn, b]));
    const resolve = (urns: readonly string[]): PolicyResource[] =>
        urns.map((u) => objects.get(u)).filter((x): x is PolicyResource => x !== undefined);
    resources.forEach((r, i) => {
        const res = built[i];
        const parent = r.parent ? objects.get(r.parent) : undefined;
        if (parent) {
            res.parent = parent;
        }
        res.dependencies = resolve(r.dependencies);
        for (const [k, urns] of Object.entries(r.propertyDependencies)) {
            res.propertyDependencies[k] = resolve(urns);
        }
    });
    return built;
}

function runStackPolicies(
    policies: readonly AnyPolicy[],
    resources: readonly PlannedResource[],
    config: ResolvedPolicyConfig,
    stackTags: ReadonlyMap<string, string>,
    sink: Sink,
): void {
    for (const p of policies) {
        let level = effectiveLevel(p, config);
        if (level === "disabled" || !isStackPolicy(p)) {
            continue;
        }
        if (level === "remediate") {
            level = "mandatory";
        }
        const only = pulumiTypeOf(p.validateStack);
        if (only && !resources.some((r) => r.type === only)) {
            sink.notApplicable.push({ policy: p.name, reason: `Policy only applies to resources of type '${only}'` });
            continue;
        }
        try {
            const args: StackValidationArgs = {
                resources: policyResources(resources),
                getConfig: getConfigFun(p, config),
                stackTags,
                notApplicable: throwNotApplicable,
            };
            ensureSync(p.validateStack(args, reporter(p, level, sink, undefined)), p);
        } catch (e) {
            handleError(e, p, sink, undefined, "validating stack");
        }
    }
}

/**
 * Runs every resource policy against each custom resource's inputs and every stack policy against the
 * whole stack (outputs), like the engine does, and also returns the not-applicable records.
 * @throws if a policy fails with anything other than an unknown value or "not applicable" (the engine
 * would fail the preview), or returns a promise.
 */
export function evaluatePolicyReport(
    policies: readonly AnyPolicy[],
    resources: readonly PlannedResource[],
    config: ResolvedPolicyConfig,
    options: EvaluateOptions = {},
): PolicyReport {
    const sink: Sink = { violations: [], notApplicable: [] };
    const stackTags = options.stackTags ?? new Map<string, string>();
    runResourcePolicies(policies, resources, config, stackTags, sink);
    runStackPolicies(policies, resources, config, stackTags, sink);
    // Mandatory first; otherwise keep the engine's order (resource policies, then stack policies).
    const violations = sink.violations
        .map((v, i) => ({ v, i }))
        .sort((a, b) => rank(a.v) - rank(b.v) || a.i - b.i)
        .map(({ v }) => v);
    return { violations, notApplicable: sink.notApplicable };
}

function rank(v: Violation): number {
    return v.enforcementLevel === "mandatory" ? 0 : 1;
}

/**
 * The violations {@link evaluatePolicyReport} finds, mandatory first.
 */
export function evaluatePolicies(
    policies: readonly AnyPolicy[],
    resources: readonly PlannedResource[],
    config: ResolvedPolicyConfig,
    options: EvaluateOptions = {},
): Violation[] {
    return evaluatePolicyReport(policies, resources, config, options).violations;
}

/**
 * Convenience for the plan runner: loads `policy/config/<stack>.json` (or the pack defaults), resolves it
 * and evaluates the pack's policies.
 */
export function evaluateStack(
    stack: string,
    resources: readonly PlannedResource[],
    options: EvaluateOptions & { policies?: readonly AnyPolicy[]; configDir?: string } = {},
): Violation[] {
    // Loaded lazily so that importing this module for config helpers does not pull the whole pack in.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pack = options.policies ?? (require("../../policy/policies") as { policies: AnyPolicy[] }).policies;
    const config = resolvePolicyConfig(pack, loadPolicyConfig(stack, options.configDir));
    return evaluatePolicies(pack, resources, config, options);
}
