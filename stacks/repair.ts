/**
 * A section that fails its schema has no typed value, so every check that needs one (cross-field rules, names,
 * limits between sections) would be skipped, and one bad key would hide the stack's other problems until the next
 * run. This removes each failing key from a copy of the section; when the rest then parses, with the removed keys at
 * their defaults, the other checks still run on it. Their findings about a removed key are dropped: the schema has
 * already said what is wrong there.
 */
import type { z } from "zod";

/** Rounds of removal before giving up: each can bring to light problems the one before hid. */
export const REPAIR_ROUNDS = 5;

/** The key to remove for one schema issue: the path up to its first list index (a bad entry drops its whole list). */
function keysToRemove(issue: z.core.$ZodIssue): PropertyKey[][] {
    const paths = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [[...issue.path]];
    return paths.map((p) => {
        const firstIndex = p.findIndex((s) => typeof s === "number");
        return firstIndex < 0 ? p : p.slice(0, firstIndex);
    });
}

/**
 * A copy of `value` without the keys the issues point at, and those keys' paths; undefined when an issue concerns
 * the whole section (nothing would be left to check).
 */
export function withoutFailingKeys(
    value: unknown,
    issues: readonly z.core.$ZodIssue[],
): { value: unknown; removed: PropertyKey[][] } | undefined {
    if (value === null || typeof value !== "object") return undefined;
    const copy = structuredClone(value) as Record<PropertyKey, unknown>;
    const removed: PropertyKey[][] = [];
    for (const path of issues.flatMap(keysToRemove)) {
        if (path.length === 0) return undefined;
        let parent: unknown = copy;
        for (const segment of path.slice(0, -1)) {
            parent =
                parent !== null && typeof parent === "object"
                    ? (parent as Record<PropertyKey, unknown>)[segment]
                    : undefined;
        }
        if (parent !== null && typeof parent === "object")
            delete (parent as Record<PropertyKey, unknown>)[path[path.length - 1]];
        removed.push(path);
    }
    return { value: copy, removed };
}

/** Whether an issue's key is one of the removed keys or lies inside one. */
export function isUnder(key: string, removedKeys: readonly string[]): boolean {
    return removedKeys.some((r) => key === r || key.startsWith(`${r}.`) || key.startsWith(`${r}[`));
}

/** Whether `path` is one of `removed` or lies inside one. */
function within(path: readonly PropertyKey[], removed: readonly PropertyKey[][]): boolean {
    return removed.some((r) => r.length <= path.length && r.every((s, i) => s === path[i]));
}

/**
 * Parses `value`; while it fails, records the issues (each against the value it was found in) and parses again
 * without the failing keys. A refinement runs only once the fields under it parse, so a later round can report what
 * an earlier one hid. A later round's issues about a removed key are the removal's doing, not the stack's: they are
 * not recorded, and when nothing else is left the parse stops. `ok` (with `data`) when some round parses.
 */
export function parseRepairing<T>(
    schema: z.ZodType<T>,
    value: unknown,
): { ok: boolean; data?: T; failures: { value: unknown; issues: z.core.$ZodIssue[] }[]; removed: PropertyKey[][] } {
    const failures: { value: unknown; issues: z.core.$ZodIssue[] }[] = [];
    const removed: PropertyKey[][] = [];
    let current = value;
    for (let round = 0; ; round++) {
        const result = schema.safeParse(current, { reportInput: true });
        if (result.success) return { ok: true, data: result.data, failures, removed };
        const fresh = result.error.issues.filter((i) => !keysToRemove(i).every((p) => within(p, removed)));
        if (fresh.length === 0) return { ok: false, failures, removed };
        failures.push({ value: current, issues: fresh });
        const repaired = round < REPAIR_ROUNDS ? withoutFailingKeys(current, fresh) : undefined;
        if (!repaired) return { ok: false, failures, removed };
        removed.push(...repaired.removed);
        current = repaired.value;
    }
}
