/** What every fake shares: deterministic ids, the fake account, and the shape of a fake. */
import { createHash } from "crypto";
import { SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "./types";

/** The fake account every plan runs in (the documentation account id AWS uses in its examples). */
export const ACCOUNT_ID = "123456789012";

/** Deterministic hex derived from a seed, so two runs of the same stack print the same plan. */
export function hex(seed: string, length: number): string {
    let out = "";
    for (let i = 0; out.length < length; i++) out += createHash("sha256").update(`${seed}#${i}`).digest("hex");
    return out.slice(0, length);
}

export function uuid(seed: string): string {
    const h = hex(seed, 32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function upperId(seed: string, length: number): string {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const h = createHash("sha256").update(seed).digest();
    return Array.from({ length }, (_, i) => alphabet[h[i % h.length] % alphabet.length]).join("");
}

export interface Ctx {
    type: string;
    name: string;
    urn: string;
    inputs: Record<string, unknown>;
    region: string;
    partition: string;
    /** A fresh id for this resource. */
    id: string;
}

export const str = (v: unknown, fallback: string) => (typeof v === "string" && v !== UNKNOWN ? v : fallback);
export const plain = (v: unknown): unknown =>
    v !== null && typeof v === "object" && (v as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG
        ? (v as { value: unknown }).value
        : v;

export type Fake = (c: Ctx) => { id: string; outputs?: Record<string, unknown> };

export const arnFor = (c: Ctx, service: string, resource: string, region = c.region) =>
    `arn:${c.partition}:${service}:${region}:${region === "" && service === "s3" ? "" : ACCOUNT_ID}:${resource}`;
