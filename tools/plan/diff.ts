/**
 * `--diff <earlier plan.json>`: what changed between an earlier JSON plan (for example the base branch's CI artifact)
 * and this one: resources added, removed and changed, with the input paths that changed. It gives reviewers of pull
 * requests that get no cloud preview (forks) a real diff, computed offline.
 *
 * Resources are matched by URN without its stack part, so a plan can be compared with another stack's too. A secret
 * shows only that it changed, told by the digests the documents keep (see secret-digests.ts); its value is in neither.
 */
import * as fs from "fs";
import { UsageError } from "./project";
import type { PlanDocument } from "./render";
import { joinPath } from "./secret-digests";

export interface Change {
    path: string;
    kind: "added" | "removed" | "changed";
    /** True for a secret: then neither value is given. */
    secret?: boolean;
    before?: unknown;
    after?: unknown;
}

export interface ResourceRef {
    urn: string;
    type: string;
    name: string;
}

export interface ResourceChange extends ResourceRef {
    changes: Change[];
}

export interface PlanDiff {
    /** The plan compared against. */
    earlier: { file?: string; stack: string; mode: string };
    added: ResourceRef[];
    removed: ResourceRef[];
    changed: ResourceChange[];
    /** Changes of the stack outputs. */
    outputs: Change[];
    /** What the reader should know about the comparison itself. */
    notes: string[];
}

type Resource = PlanDocument["resources"][number];

/** The URN without its stack: `urn:pulumi:<stack>::<project>::<type>::<name>` → `<project>::<type>::<name>`. */
export function stackless(urn: string): string {
    return urn.split("::").slice(1).join("::");
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
    if (isObject(a) && isObject(b)) {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        return [...keys].every((k) => equal(a[k], b[k]));
    }
    return false;
}

/**
 * The changed paths between two display-form values. A path that is secret on either side is compared by digest
 * and reported without values.
 */
export function diffValues(
    before: unknown,
    after: unknown,
    secrets: { before: Record<string, string>; after: Record<string, string> } = { before: {}, after: {} },
    path = "",
    out: Change[] = [],
): Change[] {
    if (path in secrets.before || path in secrets.after) {
        if (before === undefined) out.push({ path, kind: "added", secret: true });
        else if (after === undefined) out.push({ path, kind: "removed", secret: true });
        else if (secrets.before[path] !== secrets.after[path]) out.push({ path, kind: "changed", secret: true });
        return out;
    }
    if (before === undefined && after === undefined) return out;
    if (before === undefined) {
        out.push({ path, kind: "added", after });
    } else if (after === undefined) {
        out.push({ path, kind: "removed", before });
    } else if (Array.isArray(before) && Array.isArray(after)) {
        for (let i = 0; i < Math.max(before.length, after.length); i++)
            diffValues(before[i], after[i], secrets, joinPath(path, i), out);
    } else if (isObject(before) && isObject(after)) {
        for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort())
            diffValues(before[k], after[k], secrets, joinPath(path, k), out);
    } else if (!equal(before, after)) {
        out.push({ path, kind: "changed", before, after });
    }
    return out;
}

const ref = (r: Resource): ResourceRef => ({ urn: r.urn, type: r.type, name: r.name });

/** Compares `current` with `earlier`: resources added, removed and changed, and the stack outputs. */
export function diffPlans(earlier: PlanDocument, current: PlanDocument, file?: string): PlanDiff {
    const before = new Map(earlier.resources.map((r) => [stackless(r.urn), r]));
    const after = new Map(current.resources.map((r) => [stackless(r.urn), r]));
    const secretsOf = (doc: PlanDocument, urn: string) => doc.secretDigests?.inputs[urn] ?? {};
    const changed: ResourceChange[] = [];
    for (const [key, now] of after) {
        const was = before.get(key);
        if (!was) continue;
        const secrets = { before: secretsOf(earlier, was.urn), after: secretsOf(current, now.urn) };
        const changes = diffValues(was.inputs, now.inputs, secrets);
        // Options that change what the engine does with the resource, shown beside its inputs.
        for (const option of ["protect", "provider"] as const) {
            const a = option === "provider" ? stacklessRef(was.provider) : was[option];
            const b = option === "provider" ? stacklessRef(now.provider) : now[option];
            if (!equal(a, b)) changes.push({ path: `(${option})`, kind: "changed", before: a, after: b });
        }
        if (changes.length > 0) changed.push({ ...ref(now), changes });
    }
    const notes: string[] = [];
    if (earlier.stack !== current.stack)
        notes.push(`The earlier plan is of stack ${earlier.stack}, this one of ${current.stack}.`);
    if (earlier.mode !== current.mode)
        notes.push(
            `The earlier plan was made in ${earlier.mode} mode, this one in ${current.mode}: values one mode leaves ` +
                "unknown the other resolves, and show as changes.",
        );
    if (!earlier.secretDigests)
        notes.push(
            "The earlier plan records no secret digests: a changed secret cannot be told from an unchanged one.",
        );
    return {
        earlier: { ...(file ? { file } : {}), stack: earlier.stack, mode: earlier.mode },
        added: [...after].filter(([k]) => !before.has(k)).map(([, r]) => ref(r)),
        removed: [...before].filter(([k]) => !after.has(k)).map(([, r]) => ref(r)),
        changed,
        outputs: diffValues(earlier.outputs, current.outputs, {
            before: earlier.secretDigests?.outputs ?? {},
            after: current.secretDigests?.outputs ?? {},
        }),
        notes,
    };
}

function stacklessRef(urn: string | null | undefined): string | null {
    return urn ? stackless(urn) : null;
}

/** Reads an earlier plan written by `--format json`; anything else is a usage error naming the file. */
export function readPlanFile(file: string): PlanDocument {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new UsageError(`--diff: cannot read ${file}: ${(e as Error).message}`);
    }
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        throw new UsageError(
            `--diff: ${file} is not JSON (${(e as Error).message}); expected a plan from --format json`,
        );
    }
    const problems: string[] = [];
    if (!isObject(doc)) {
        problems.push("it is not a JSON object");
    } else {
        if (typeof doc.stack !== "string") problems.push("it has no stack name");
        if (typeof doc.mode !== "string") problems.push("it has no mode");
        if (!Array.isArray(doc.resources)) problems.push("it has no resources list");
        else {
            const bad = doc.resources.findIndex(
                (r) => !isObject(r) || typeof r.urn !== "string" || typeof r.type !== "string" || !("inputs" in r),
            );
            if (bad >= 0) problems.push(`resources[${bad}] lacks a urn, type or inputs`);
        }
    }
    if (problems.length > 0)
        throw new UsageError(`--diff: ${file} is not a plan from --format json: ${problems.join("; ")}`);
    return doc as unknown as PlanDocument;
}

/** A value for one line: JSON, cut to `max` characters. */
export function shortValue(value: unknown, max = 60): string {
    const text = JSON.stringify(value) ?? "undefined";
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One change as a reader sees it; a secret says only that it changed. */
export function describeChange(c: Change): string {
    if (c.secret) return `${c.path}: [secret] ${c.kind}`;
    if (c.kind === "added") return `${c.path}: added ${shortValue(c.after)}`;
    if (c.kind === "removed") return `${c.path}: removed (was ${shortValue(c.before)})`;
    return `${c.path}: ${shortValue(c.before)} → ${shortValue(c.after)}`;
}

/** True when the two plans differ in no resource and no output. */
export function isEmptyDiff(diff: PlanDiff): boolean {
    return diff.added.length + diff.removed.length + diff.changed.length + diff.outputs.length === 0;
}

/** The diff as plain text, for the terminal. */
export function renderDiff(diff: PlanDiff): string {
    const source = diff.earlier.file ?? "the earlier plan";
    const head = `Changes since ${source} (stack ${diff.earlier.stack}, ${diff.earlier.mode}):`;
    const notes = diff.notes.map((n) => `  note: ${n}`);
    if (isEmptyDiff(diff)) return [head, ...notes, "  no resource or output changed."].join("\n");
    const lines = [
        head,
        ...notes,
        `  ${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed`,
        ...diff.added.map((r) => `  + ${r.type}  ${r.name}`),
        ...diff.removed.map((r) => `  - ${r.type}  ${r.name}`),
        ...diff.changed.flatMap((r) => [
            `  ~ ${r.type}  ${r.name}`,
            ...r.changes.map((c) => `      ${describeChange(c)}`),
        ]),
    ];
    if (diff.outputs.length > 0) {
        lines.push("  outputs:", ...diff.outputs.map((c) => `      ${describeChange(c)}`));
    }
    return lines.join("\n");
}
