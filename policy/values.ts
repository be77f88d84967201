/**
 * Safe access to resource properties that may hold preview-time unknowns.
 *
 * Policies receive props wrapped in `@pulumi/policy`'s `unknownCheckingProxy`, whose `get` trap throws
 * `UnknownValueError` on an unknown value; the engine then downgrades the whole policy to an advisory
 * "can't run during preview". The proxy has no `has` or `getOwnPropertyDescriptor` trap, so `in` and the
 * descriptor pass straight through to the raw target: that is how these helpers look at a value without
 * reading it through the trap, and why the values they return are raw (never proxied) data.
 */

/**
 * The sentinels `@pulumi/policy` treats as unknown (copied from `@pulumi/policy/proxy`, which does not export
 * them in its typings). The engine itself only ever sends the string one; the others come from old SDKs.
 */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** True if `v` is a preview-time unknown. */
export function isUnknown(v: unknown): boolean {
    return typeof v === "string" && UNKNOWN_SENTINELS.has(v);
}

/** True if `obj` is a non-null object that has own or inherited key `key` (works through the proxy). */
export function has(obj: unknown, key: string): boolean {
    return obj !== null && typeof obj === "object" && key in obj;
}

/**
 * The raw value of `obj[key]`, unknown sentinels included, without going through the proxy's `get` trap.
 * Absent keys and non-objects give `undefined`.
 */
export function peek(obj: unknown, key: string): unknown {
    if (obj === null || typeof obj !== "object") {
        return undefined;
    }
    const desc = Object.getOwnPropertyDescriptor(obj, key);
    return desc && "value" in desc ? desc.value : undefined;
}

/**
 * True if `obj[key]` is set: present and not null. An unknown counts as set, because at preview an unknown
 * value is always the output of another resource, i.e. something was assigned.
 */
export function isSet(obj: unknown, key: string): boolean {
    const v = peek(obj, key);
    return v !== undefined && v !== null;
}

/** `obj[key]` as a known string, or undefined when absent, unknown or not a string. */
export function knownString(obj: unknown, key: string): string | undefined {
    const v = peek(obj, key);
    return typeof v === "string" && !isUnknown(v) ? v : undefined;
}

/** `obj[key]` as a known number (numeric strings accepted), or undefined. */
export function knownNumber(obj: unknown, key: string): number | undefined {
    const v = peek(obj, key);
    if (typeof v === "number") {
        return v;
    }
    if (typeof v === "string" && !isUnknown(v) && v.trim() !== "" && Number.isFinite(Number(v))) {
        return Number(v);
    }
    return undefined;
}

/** `obj[key]` as a known array (elements raw, possibly unknown), or undefined when absent or unknown. */
export function knownArray(obj: unknown, key: string): unknown[] | undefined {
    const v = peek(obj, key);
    return Array.isArray(v) ? v : undefined;
}

/** `obj[key]` as a known plain object, or undefined. */
export function knownObject(obj: unknown, key: string): Record<string, unknown> | undefined {
    const v = peek(obj, key);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/**
 * Reads `props[key]` through the unknown-checking proxy on purpose: when a decision really needs a value
 * that is unknown, throwing `UnknownValueError` makes the engine report an advisory "can't run during
 * preview" instead of the policy guessing.
 */
export function readThrough(props: Record<string, unknown>, key: string): unknown {
    return props[key];
}
