import * as pulumi from "@pulumi/pulumi";
import { ConfigError, ConfigIssue } from "./common";
import { findPlaceholders, isOfflinePlan, placeholderIssues } from "./placeholders";
import { Settings, parseSettings } from "./settings";

export { ConfigError, formatIssue } from "./common";
export type { Settings } from "./settings";

/** Config values arrive as strings; structured values are JSON. */
export function decodeConfigValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Config keys whose values are secret, as the runtime knows them. */
function secretKeys(keys: string[]): string[] {
    const runtime = pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean };
    return keys.filter((k) => runtime.isConfigSecret?.(k) === true);
}

/**
 * Reads the current stack's config and validates it. Invalid config stops the program before any resource is
 * registered, with every problem in one message and no stack trace. Placeholder values (documentation account ids,
 * all-zero UUIDs, example domains) are refused too, except under the offline plan, which reports them as warnings.
 */
export function loadSettings(): Settings {
    const all = pulumi.runtime.allConfig();
    const raw = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, decodeConfigValue(v)]));
    const secret = secretKeys(Object.keys(all));
    const placeholders = isOfflinePlan() ? [] : placeholderIssues(findPlaceholders(raw), secret);
    let settings: Settings | undefined;
    let issues: ConfigIssue[] = [];
    try {
        settings = parseSettings(raw, pulumi.getStack(), secret);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        issues = e.issues;
    }
    issues = [...issues, ...placeholders];
    if (issues.length > 0 || !settings) throw new pulumi.RunError(new ConfigError(issues).message);
    return settings;
}
