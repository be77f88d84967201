import { ConfigError, ConfigIssue, formatIssue } from "../../stacks/common";
import { parseSettings } from "../../stacks/settings";

/** Every issue the settings report for a stack's raw config (and its secret keys), in order; none when it is valid. */
export function issuesOf(
    raw: Record<string, unknown>,
    stack = "test",
    secretKeys: readonly string[] = [],
): ConfigIssue[] {
    try {
        parseSettings(raw, stack, secretKeys);
    } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
    }
    return [];
}

/** Every problem the settings report, one line each as the CLIs print them ("key: value message"), in order. */
export function problems(raw: Record<string, unknown>, stack = "test", secretKeys: readonly string[] = []): string[] {
    return issuesOf(raw, stack, secretKeys).map(formatIssue);
}
