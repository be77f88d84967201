/**
 * Small value helpers shared by policies of several areas.
 */
import type { ResourceDef, Settings } from "./builders";
import { isUnknown, peek } from "./values";

/** Reads a nested path through the proxy, so an unknown on the way throws the engine's UnknownValueError. */
export function readPath(props: Record<string, unknown>, path: (string | number)[]): unknown {
    let cur: unknown = props;
    for (const key of path) {
        cur = (cur as Record<string | number, unknown>)[key];
    }
    return cur;
}

/**
 * A check that reports a boolean at `path` set to true. An unknown value on the way is read through the proxy,
 * so the engine reports its "can't run during preview" advisory instead of the policy passing silently.
 */
export function mustNotBeTrue(path: string[]): ResourceDef["check"] {
    return (props, report) => {
        let value: unknown = props;
        for (const key of path) {
            value = peek(value, key);
            if (isUnknown(value)) {
                readPath(props, path);
            }
        }
        if (value === true) {
            report(`${path.join(".")} is true.`);
        }
    };
}

export function settingNumber(settings: Settings, key: string): number {
    return Number(settings[key]);
}

export function asList(v: unknown): unknown[] {
    return Array.isArray(v) ? v : v === undefined ? [] : [v];
}
