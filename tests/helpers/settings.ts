import { ConfigError, ConfigIssue, formatIssue } from "../../stacks/common";
import { parseSettings } from "../../stacks/settings";

/** Every issue the settings report for a stack's raw config, in order; none when it is valid. */
export function issuesOf(raw: Record<string, unknown>, stack = "test"): ConfigIssue[] {
    try {
        parseSettings(raw, stack);
    } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
    }
    return [];
}

/** Every problem the settings report, one line each as the CLIs print them ("key: value message"), in order. */
export function problems(raw: Record<string, unknown>, stack = "test"): string[] {
    return issuesOf(raw, stack).map(formatIssue);
}
