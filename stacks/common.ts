import { z } from "zod";

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
    });

/** A short lowercase name usable inside AWS resource names (ALB and target group names cap at 32 chars). */
export const shortName = z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, {
        message:
            "is not a valid name; expected 1-20 characters of lowercase letters, digits and '-', starting with a letter",
    })
    .refine((v) => !v.endsWith("-") && !v.includes("--"), {
        message: "is not a valid name; it must not end with '-' or contain '--'",
    });

/** One problem found in a stack's config, before any resource exists. */
export interface ConfigIssue {
    /** The full config key, e.g. `aws-platform:network.cidr`. */
    key: string;
    /** The offending value, if there was one. */
    value?: unknown;
    /** What was expected, phrased to follow the value. */
    message: string;
}

export function formatIssue(issue: ConfigIssue): string {
    const shown = issue.value === undefined ? "" : `${JSON.stringify(issue.value)} `;
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

/** Turns zod's issues into messages that name the key, the value and what was expected. */
export function zodIssues(topKey: string, raw: unknown, error: z.ZodError): ConfigIssue[] {
    const out: ConfigIssue[] = [];
    for (const issue of error.issues) {
        if (issue.code === "unrecognized_keys") {
            for (const k of issue.keys) {
                out.push({
                    key: keyPath(topKey, [...issue.path, k]),
                    message: "is not a known setting; check its spelling against the config reference in README.md",
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
        let message = issue.message;
        if (issue.code === "invalid_type") {
            message =
                value === undefined
                    ? `is required (expected ${issue.expected})`
                    : `has the wrong type: expected ${issue.expected}`;
        } else if (issue.code === "invalid_value") {
            message = `is not allowed; expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
        } else if (issue.code === "too_small") {
            message = `is too small; expected ${bound(issue.origin, "at least", ">=", issue.minimum)}`;
        } else if (issue.code === "too_big") {
            message = `is too big; expected ${bound(issue.origin, "at most", "<=", issue.maximum)}`;
        }
        out.push({ key: keyPath(topKey, issue.path), value, message });
    }
    return out;
}
