import { z } from "zod";
import { objectKeys, refusedKeys, schemaAt } from "./schema";

/** The Pulumi project name; every project config key is namespaced with it. */
export const PROJECT = "aws-platform";

/** The only values CloudWatch Logs accepts for `retentionInDays` (PutRetentionPolicy API). */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const logRetentionDays = z
    .number()
    .int()
    .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), {
        message: `is not a CloudWatch Logs retention; expected one of ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .meta({ allowed: `one of ${LOG_RETENTION_DAYS.join(", ")}` });

/** A short lowercase name usable inside AWS resource names (ALB and target group names cap at 32 chars). */
export const shortName = z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, {
        message:
            "is not a valid name; expected 1-20 characters of lowercase letters, digits and '-', starting with a letter",
    })
    .refine((v) => !v.endsWith("-") && !v.includes("--"), {
        message: "is not a valid name; it must not end with '-' or contain '--'",
    })
    .meta({ allowed: "1-20 lowercase letters, digits and '-', starting with a letter, not ending with '-'" });

/** One problem found in a stack's config, before any resource exists. */
export interface ConfigIssue {
    /** The full config key, e.g. `aws-platform:network.cidr`. */
    key: string;
    /** The offending value, if there was one. */
    value?: unknown;
    /** What was expected, phrased to follow the value. */
    message: string;
}

/** JSON, except for the numbers JSON has no spelling for, shown as YAML writes them (`.inf`, `-.inf`, `.nan`). */
export function showValue(value: unknown): string {
    const text = JSON.stringify(value, (_k, v: unknown) =>
        typeof v === "number" && !Number.isFinite(v)
            ? `\u0000${Number.isNaN(v) ? ".nan" : v > 0 ? ".inf" : "-.inf"}`
            : v,
    );
    return text.replace(/"\\u0000([^"]*)"/g, "$1");
}

export function formatIssue(issue: ConfigIssue): string {
    const shown = issue.value === undefined ? "" : `${showValue(issue.value)} `;
    return `${issue.key}: ${shown}${issue.message}`;
}

/** Thrown when a stack's config is invalid; carries every problem, not just the first. */
export class ConfigError extends Error {
    constructor(public readonly issues: ConfigIssue[]) {
        super(
            `invalid stack configuration (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
                issues.map((i) => `  ${formatIssue(i)}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Joins a config key and a path inside its value the way `pulumi config set --path` spells it. */
export function keyPath(topKey: string, path: readonly PropertyKey[]): string {
    let key = topKey;
    for (const p of path) {
        key += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
    }
    return key;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
    let cur: unknown = root;
    for (const p of path) {
        if (cur === null || typeof cur !== "object") return undefined;
        cur = (cur as Record<PropertyKey, unknown>)[p as string];
    }
    return cur;
}

function bound(origin: string, words: string, op: string, limit: number | bigint): string {
    if (origin === "array") return `${words} ${limit} items`;
    if (origin === "string") return `${words} ${limit} characters`;
    return `${op} ${limit}`;
}

/** zod's bound for `.int()`: numbers beyond it are not integers JSON or YAML can carry exactly. */
const SAFE_INTEGER_BOUNDS = new Set<number | bigint>([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]);

function isSafeIntegerBound(issue: z.core.$ZodIssue): boolean {
    return (
        (issue.code === "too_big" && SAFE_INTEGER_BOUNDS.has(issue.maximum)) ||
        (issue.code === "too_small" && SAFE_INTEGER_BOUNDS.has(issue.minimum))
    );
}

/**
 * One issue per key: a value that breaks several checks (an over-large number fails `.int()`'s safe range, the
 * field's own maximum and a refinement) is reported once, by the most specific check.
 */
function onePerKey(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
    const byPath = new Map<string, z.core.$ZodIssue[]>();
    const out: z.core.$ZodIssue[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys") {
            out.push(issue);
            continue;
        }
        const key = JSON.stringify(issue.path);
        if (!byPath.has(key)) {
            byPath.set(key, []);
            out.push(issue);
        }
        byPath.get(key)!.push(issue);
    }
    return out.map((issue) => {
        if (issue.code === "unrecognized_keys") return issue;
        const all = byPath.get(JSON.stringify(issue.path))!;
        return all.find((i) => !isSafeIntegerBound(i)) ?? all[0];
    });
}

function unknownKeyMessage(schema: z.ZodType | undefined, objectPath: readonly PropertyKey[], key: string): string {
    const at = schemaAt(schema, objectPath);
    const refused = refusedKeys(at)[key];
    if (refused) return `is not allowed: ${refused}`;
    const keys = objectKeys(at);
    return keys
        ? `is not a known setting; expected one of ${keys.join(", ")}`
        : "is not a known setting; see docs/configuration.md";
}

/**
 * Turns zod's issues into messages that name the key, the value and what was expected. `schema` is the schema
 * that produced `error`; it lets an unknown key be answered with the keys that are allowed at its place.
 */
export function zodIssues(
    topKey: string,
    raw: unknown,
    error: Pick<z.ZodError, "issues">,
    schema?: z.ZodType,
): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    for (const issue of onePerKey(error.issues)) {
        if (issue.code === "unrecognized_keys") {
            for (const k of issue.keys) {
                out.push({
                    key: keyPath(topKey, [...issue.path, k]),
                    message: unknownKeyMessage(schema, issue.path, k),
                });
            }
            continue;
        }
        if (issue.code === "invalid_key") {
            const badKey = issue.path[issue.path.length - 1];
            out.push({
                key: keyPath(topKey, issue.path),
                value: badKey,
                message: `is not a valid key: ${issue.issues.map((i) => i.message).join("; ")}`,
            });
            continue;
        }
        const value = valueAt(raw, issue.path);
        out.push({ key: keyPath(topKey, issue.path), value, message: issueMessage(issue, value) });
    }
    return out;
}

function issueMessage(issue: z.core.$ZodIssue, value: unknown): string {
    if (isSafeIntegerBound(issue)) return "is too large to be an exact integer";
    switch (issue.code) {
        case "invalid_type":
            if (typeof value === "number" && !Number.isFinite(value))
                return `is not a finite number; expected ${issue.expected}`;
            return value === undefined
                ? `is required (expected ${issue.expected})`
                : `has the wrong type: expected ${issue.expected}`;
        case "invalid_union": {
            // A value none of the allowed types takes, e.g. a map where a string, number or boolean belongs.
            const expected = issue.errors.flatMap((branch) =>
                branch.flatMap((i) => (i.code === "invalid_type" && i.path.length === 0 ? [i.expected] : [])),
            );
            if (expected.length > 0 && expected.length === issue.errors.length) {
                const types = [...new Set(expected)];
                const last = types.pop()!;
                return `has the wrong type: expected ${types.length > 0 ? `${types.join(", ")} or ${last}` : last}`;
            }
            return `matches none of the allowed forms: ${issue.errors.map((b) => b.map((i) => i.message).join("; ")).join(" | ")}`;
        }
        case "invalid_value":
            return `is not allowed; expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        case "too_small":
            return `is too small; expected ${bound(issue.origin, "at least", ">=", issue.minimum)}`;
        case "too_big":
            return `is too big; expected ${bound(issue.origin, "at most", "<=", issue.maximum)}`;
        default:
            return issue.message;
    }
}
