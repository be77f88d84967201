import { RunOptions, RunResult, runProgram } from "../../tools/plan/runner";
import { PlanMode, PlannedResource, SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "../../tools/plan/types";

const cache = new Map<string, Promise<RunResult>>();

/** The whole program for one stack file, run once per (stack, mode) and shared by every test file. */
export function planOf(stack: string, mode: PlanMode = "preview"): Promise<RunResult> {
    const key = `${stack}:${mode}`;
    if (!cache.has(key)) {
        // Runs are serialised: the Pulumi runtime is process-global.
        const previous = Promise.all([queue, ...cache.values()].map((p) => Promise.resolve(p).catch(() => undefined)));
        cache.set(
            key,
            previous.then(() => runProgram({ stack, mode })),
        );
    }
    return cache.get(key)!;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs a task that uses the Pulumi runtime (or anything else process-global) after every run already in flight, and
 * before any run asked for later.
 */
export function serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = Promise.all([queue, ...cache.values()].map((p) => Promise.resolve(p).catch(() => undefined))).then(
        task,
    );
    queue = run.catch(() => undefined);
    return run;
}

/** Runs a custom program or config (not cached), after any run already in flight. */
export function runIsolated(opts: RunOptions): Promise<RunResult> {
    return serialised(() => runProgram(opts));
}

/** Resources of one type. */
export function ofType(result: RunResult, type: string): PlannedResource[] {
    return result.resources.filter((r) => r.type === type);
}

/** The one resource with this logical name (and type, if given); throws if there is not exactly one. */
export function named(result: RunResult, name: string, type?: string): PlannedResource {
    const found = result.resources.filter((r) => r.name === name && (!type || r.type === type));
    if (found.length !== 1)
        throw new Error(`expected one resource named ${name}${type ? ` of ${type}` : ""}, found ${found.length}`);
    return found[0];
}

export function byUrn(result: RunResult, urn: string): PlannedResource {
    const r = result.resources.find((x) => x.urn === urn);
    if (!r) throw new Error(`no resource ${urn}`);
    return r;
}

/** Wire value with secrets unwrapped (unknowns stay as the UNKNOWN sentinel). */
export function plain(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SPECIAL_SIG_KEY] === SECRET_SIG) return plain(obj.value);
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

export function isSecretValue(value: unknown): boolean {
    return (
        value !== null &&
        typeof value === "object" &&
        (value as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG
    );
}

/** The resources a property of `r` was computed from. */
export function depsOf(result: RunResult, r: PlannedResource, property: string): PlannedResource[] {
    return (r.propertyDependencies[property] ?? []).map((u) => byUrn(result, u));
}

/** True when `r` waits for `other` (explicit dependsOn or an input dependency). */
export function dependsOn(r: PlannedResource, other: PlannedResource): boolean {
    return r.dependencies.includes(other.urn);
}

/** Parses an IAM/JSON document input, whichever form it has in the wire. */
export function jsonInput(r: PlannedResource, property: string): unknown {
    const v = plain(r.inputs[property]);
    if (typeof v !== "string" || v === UNKNOWN) throw new Error(`${r.name}.${property} is not a known JSON string`);
    return JSON.parse(v);
}

export { UNKNOWN };
