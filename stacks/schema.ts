/**
 * Reading the settings schemas themselves: the keys an object allows (for "expected one of ..." messages) and what
 * each key is, for the generated config reference. zod 4 exposes a schema's definition as `_zod.def`.
 */
import { z } from "zod";

/** What a settings schema may carry besides its description (`.meta({...})`). */
export interface SettingMeta {
    description?: string;
    /** Allowed values when a refinement (not the type) decides them, e.g. "1, 3, 5, 7, ... 3653". */
    allowed?: string;
    /** A type name more useful than the structural one, e.g. "IPv4 CIDR". */
    typeName?: string;
    /** Keys that are refused on purpose, with the reason given instead of "is not a known setting". */
    refusedKeys?: Record<string, string>;
}

type Def = {
    type: string;
    innerType?: z.ZodType;
    in?: z.ZodType;
    out?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    keyType?: z.ZodType;
    valueType?: z.ZodType;
    options?: z.ZodType[];
    entries?: Record<string, string | number>;
    values?: unknown[];
    defaultValue?: unknown;
    checks?: { _zod: { def: Record<string, unknown> } }[];
    format?: string;
    pattern?: RegExp;
};

/** The definition zod keeps on every schema. */
export function defOf(schema: z.ZodType): Def {
    return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

/** A schema with its wrappers (optional, default, pipe ...) peeled off, and what those wrappers said. */
export interface Unwrapped {
    schema: z.ZodType;
    meta: SettingMeta;
    optional: boolean;
    /** The default value, if a `.default()` gives one (a `.prefault()` default is the input, not shown). */
    defaultValue?: unknown;
    hasDefault: boolean;
}

function metaOf(schema: z.ZodType): SettingMeta {
    return (schema.meta() ?? {}) as SettingMeta;
}

export function unwrap(schema: z.ZodType): Unwrapped {
    let current = schema;
    let meta: SettingMeta = metaOf(schema);
    let optional = false;
    let hasDefault = false;
    let defaultValue: unknown;
    for (;;) {
        const def = defOf(current);
        if (WRAPPERS.has(def.type) && def.innerType) {
            if (def.type === "optional") optional = true;
            if ((def.type === "default" || def.type === "prefault") && !hasDefault) {
                hasDefault = true;
                defaultValue = def.type === "default" ? def.defaultValue : undefined;
            }
            current = def.innerType;
        } else if (def.type === "pipe" && def.in) {
            // A transform: the config holds what the input side accepts.
            current = def.in;
        } else {
            break;
        }
        meta = { ...metaOf(current), ...meta };
    }
    return { schema: current, meta, optional, hasDefault, defaultValue };
}

/** The schema of one key (object field, record value or array element) inside `schema`. */
export function childSchema(schema: z.ZodType, key: PropertyKey): z.ZodType | undefined {
    const inner = unwrap(schema).schema;
    const def = defOf(inner);
    if (def.type === "object") return def.shape?.[String(key)];
    if (def.type === "record") return def.valueType;
    if (def.type === "array") return typeof key === "number" ? def.element : undefined;
    return undefined;
}

/** The schema found by following `path` from `schema`, or undefined when the path leaves it. */
export function schemaAt(schema: z.ZodType | undefined, path: readonly PropertyKey[]): z.ZodType | undefined {
    let current = schema;
    for (const key of path) {
        if (!current) return undefined;
        current = childSchema(current, key);
    }
    return current;
}

/** The keys an object schema allows, in declaration order; undefined when the schema is not an object. */
export function objectKeys(schema: z.ZodType | undefined): string[] | undefined {
    if (!schema) return undefined;
    const def = defOf(unwrap(schema).schema);
    return def.type === "object" && def.shape ? Object.keys(def.shape) : undefined;
}

/** Keys an object schema refuses on purpose, with the reason (`.meta({ refusedKeys })`). */
export function refusedKeys(schema: z.ZodType | undefined): Record<string, string> {
    return schema ? (unwrap(schema).meta.refusedKeys ?? {}) : {};
}
