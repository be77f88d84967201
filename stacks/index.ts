import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "./common";
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

/**
 * Reads the current stack's config and validates it. Invalid config stops the program before any
 * resource is registered, with every problem in one message and no stack trace.
 */
export function loadSettings(): Settings {
    const all = pulumi.runtime.allConfig();
    const raw = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, decodeConfigValue(v)]));
    try {
        return parseSettings(raw, pulumi.getStack());
    } catch (e) {
        if (e instanceof ConfigError) throw new pulumi.RunError(e.message);
        throw e;
    }
}
