/**
 * Wire-form properties as a policy sees them, as `@pulumi/policy`'s server deserialises them.
 */
import * as pulumi from "@pulumi/pulumi";

import { RESOURCE_REF_SIG, SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "./types";

const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
const ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7";

/**
 * Turns wire-form properties into what a policy sees: secrets unwrapped, unknown sentinels kept, resource
 * references replaced by their id (or URN when they have none) — the engine marshals them that way because
 * analyzers do not accept resource references — and undefined top-level values dropped.
 */
export function deserializeProperties(props: Record<string, unknown>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(props)) {
        if (v !== undefined) {
            out[k] = deserializeProperty(v);
        }
    }
    return out;
}

function deserializeProperty(v: unknown): unknown {
    if (v === undefined || v === null || typeof v !== "object") {
        return v === undefined ? null : v;
    }
    if (Array.isArray(v)) {
        return v.map(deserializeProperty);
    }
    const obj = v as Record<string, unknown>;
    switch (obj[SPECIAL_SIG_KEY]) {
        case undefined:
            return deserializeProperties(obj);
        case SECRET_SIG:
            return deserializeProperty(obj.value);
        case RESOURCE_REF_SIG: {
            const id = obj.id;
            return typeof id === "string" && id !== "" ? id : obj.urn;
        }
        case OUTPUT_VALUE_SIG:
            return "value" in obj ? deserializeProperty(obj.value) : UNKNOWN;
        case ASSET_SIG:
            return typeof obj.path === "string"
                ? new pulumi.asset.FileAsset(obj.path)
                : typeof obj.text === "string"
                  ? new pulumi.asset.StringAsset(obj.text)
                  : new pulumi.asset.RemoteAsset(String(obj.uri));
        case ARCHIVE_SIG:
            return typeof obj.path === "string"
                ? new pulumi.asset.FileArchive(obj.path)
                : new pulumi.asset.RemoteArchive(String(obj.uri));
        default:
            throw new Error(
                `Unrecognized signature '${String(obj[SPECIAL_SIG_KEY])}' when unmarshaling resource property`,
            );
    }
}
