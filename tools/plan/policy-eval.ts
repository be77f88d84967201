/**
 * Offline evaluation of the CrossGuard policy pack against a planned stack, with the engine's semantics.
 *
 * This mirrors `@pulumi/policy` 1.21 `server.js` (makeAnalyzeRpcFun / makeAnalyzeStackRpcFun): enforcement level
 * resolution, disabled policies skipped, remediate reported as mandatory, wire-form deserialisation (secrets
 * unwrapped, unknowns kept), props wrapped in `unknownCheckingProxy`, and an `UnknownValueError` turned into the
 * engine's advisory "can't run policy ... during preview" — never dropped, because that downgrade is exactly what a
 * mandatory policy must not rely on. The config file handling is in policy-pack-config.ts, the wire form in wire.ts.
 */
import type * as PolicySdk from "@pulumi/policy";
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
import { type AnyPolicy, type ResolvedPolicyConfig, loadPolicyConfig, resolvePolicyConfig } from "./policy-pack-config";
import type { PlanMode, PlannedResource, Violation } from "./types";
import { deserializeProperties } from "./wire";

// The SDK's proxy module alone, which is what its index re-exports these two from: the index also loads the analyzer
// server and gRPC (a tenth of the plan's time), which offline evaluation never uses. The module declares no types of
// its own, so they come from the index; the policy-eval tests fail if the module moves.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknownCheckingProxy, UnknownValueError } = require("@pulumi/policy/proxy") as Pick<
    typeof PolicySdk,
    "unknownCheckingProxy" | "UnknownValueError"
>;

export * from "./policy-pack-config";
export { deserializeProperties } from "./wire";

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
 * Convenience for the plan runner: loads a policy profile (`policy/config/<profile>.json`), resolves it and evaluates
 * the pack's policies.
 */
export function evaluateStack(
    profile: string,
    resources: readonly PlannedResource[],
    options: EvaluateOptions & { policies?: readonly AnyPolicy[]; configDir?: string } = {},
): Violation[] {
    // Loaded lazily so that importing this module for config helpers does not pull the whole pack in.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pack = options.policies ?? (require("../../policy/policies") as { policies: AnyPolicy[] }).policies;
    const config = resolvePolicyConfig(pack, loadPolicyConfig(profile, options.configDir));
    return evaluatePolicies(pack, resources, config, options);
}
