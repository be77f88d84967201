/**
 * How a JSON plan tells that a secret changed without holding it: every secret value (an input of a resource, or a
 * stack output) is printed as `"[secret]"`, and the document keeps beside it a digest per secret path:
 * `sha256:` + the first 16 hex digits of SHA-256 over (resource URN, path, the value's canonical JSON).
 *
 * Why a digest is safe here: the offline plan never holds a real secret. `secure:` config is never decrypted (the
 * program gets a constant placeholder), values AWS generates (RDS-managed passwords) live in AWS, and generated
 * secrets (random passwords) are unknown at preview and a value derived from the resource's URN and inputs at update.
 * So a digest changes exactly when what produced the secret changed (a longer password, another generator, a
 * different placeholder) and reveals nothing that is not already in the repository. The URN and path are mixed in so
 * that equal values in two places get different digests: the document does not even tell that two secrets are equal.
 * Should a secret ever reach a plan in clear, 64 bits of a salted hash still give no value back, though a guess at a
 * weak secret could be confirmed, which is why nothing real ever goes in.
 */
import { createHash } from "crypto";
import { PlannedResource, SECRET_SIG, SPECIAL_SIG_KEY } from "./types";

/** Digests of secret values: per resource URN, per input path; and per stack output path. */
export interface SecretDigests {
    inputs: Record<string, Record<string, string>>;
    outputs: Record<string, string>;
}

/** A property path as a reader writes it: `a.b[0]["odd.key"]`. */
export function joinPath(parent: string, key: string | number): string {
    if (typeof key === "number") return `${parent}[${key}]`;
    if (/^[A-Za-z_$][\w$-]*$/.test(key)) return parent ? `${parent}.${key}` : key;
    return `${parent}[${JSON.stringify(key)}]`;
}

function isSecret(value: unknown): value is { value?: unknown } {
    return (
        value !== null &&
        typeof value === "object" &&
        (value as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG
    );
}

/** JSON with object keys sorted and secret wrappers removed, so equal values always serialise alike. */
function canonical(value: unknown): string {
    if (isSecret(value)) return canonical(value.value);
    if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    }
    return JSON.stringify(value ?? null);
}

export function digest(owner: string, path: string, value: unknown): string {
    const h = createHash("sha256")
        .update(`${owner}\0${path}\0${canonical(value)}`)
        .digest("hex");
    return `sha256:${h.slice(0, 16)}`;
}

/** Every secret within a wire value, by path; a secret inside a secret is covered by the outer one. */
function collect(owner: string, value: unknown, path: string, into: Record<string, string>): void {
    if (isSecret(value)) {
        into[path] = digest(owner, path, value.value);
    } else if (Array.isArray(value)) {
        value.forEach((v, i) => collect(owner, v, joinPath(path, i), into));
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value as Record<string, unknown>))
            collect(owner, v, joinPath(path, k), into);
    }
}

/** The digests of a plan's secrets; resources without secrets are left out. */
export function secretDigests(resources: readonly PlannedResource[], outputs: Record<string, unknown>): SecretDigests {
    const inputs: Record<string, Record<string, string>> = {};
    for (const r of resources) {
        const found: Record<string, string> = {};
        collect(r.urn, r.inputs, "", found);
        if (Object.keys(found).length > 0) inputs[r.urn] = found;
    }
    const out: Record<string, string> = {};
    collect("outputs", outputs, "", out);
    return { inputs, outputs: out };
}
