/**
 * Placeholder values in a stack's config: documentation account ids, all-zero UUIDs and reserved example domains.
 * AWS would reject them (or, worse, accept a name nobody owns), so a real deployment refuses them before any resource
 * exists. The offline plan accepts them with a warning, so that sample stacks can be planned.
 */
import { ConfigIssue, keyPath } from "./common";

/**
 * Set on globalThis by the offline plan runner while it runs the program, and by nothing else: neither an environment
 * variable a real deployment could inherit nor the stack's name decides that placeholders are acceptable.
 */
export const OFFLINE_PLAN = Symbol.for("aws-platform.offline-plan");

/** True while the offline plan runner runs the program. */
export function isOfflinePlan(): boolean {
    return (globalThis as Record<symbol, unknown>)[OFFLINE_PLAN] === true;
}

/**
 * Account ids AWS's documentation uses in examples. Any id of twelve equal digits (000000000000, 555555555555 ...) is
 * a placeholder too.
 */
export const DOCUMENTATION_ACCOUNT_IDS = new Set([
    "123456789012",
    "012345678901",
    "111122223333",
    "444455556666",
    "777788889999",
    "123412341234",
]);

/** A UUID whose digits are all zero except, possibly, the version and variant digits. */
const ZERO_UUID = /(?<![0-9a-f])0{8}-0{4}-[0-9a-f]0{3}-[0-9a-f]0{3}-0{12}(?![0-9a-f])/i;
const TWELVE_DIGITS = /(?<!\d)\d{12}(?!\d)/g;
/** Any UUID: its last group can be twelve digits that are not an account id. */
const ANY_UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Dotted names inside any text (host names, e-mail domains, URLs). */
const DOTTED_NAME =
    /(?<![a-z0-9-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?![a-z0-9-])/gi;
/** Second-level names reserved for examples (RFC 2606 section 3). */
const EXAMPLE_DOMAINS = new Set(["example.com", "example.net", "example.org"]);
/** Top-level names reserved for examples, testing, invalid names and loopback (RFC 2606 section 2, RFC 6761). */
const RESERVED_TLDS = new Set(["example", "test", "invalid", "localhost"]);

/** One placeholder found in a stack's config. */
export interface Placeholder {
    /** Full config key, e.g. `aws-platform:services.loadBalancer.certificateArn`. */
    key: string;
    value: string;
    /** What makes it a placeholder. */
    reason: string;
}

/** Why a text is a placeholder (every reason, joined), or undefined when it is not one. */
export function placeholderReason(text: string): string | undefined {
    const reasons: string[] = [];
    for (const id of new Set(text.replace(ANY_UUID, "").match(TWELVE_DIGITS) ?? [])) {
        if (DOCUMENTATION_ACCOUNT_IDS.has(id) || /^(\d)\1{11}$/.test(id)) {
            reasons.push(`${id} is an example account id from AWS's documentation`);
        }
    }
    if (ZERO_UUID.test(text)) reasons.push("it holds an all-zero UUID");
    for (const name of new Set(text.match(DOTTED_NAME) ?? [])) {
        const labels = name.toLowerCase().split(".");
        const domain = labels.slice(-2).join(".");
        const tld = labels[labels.length - 1];
        if (EXAMPLE_DOMAINS.has(domain)) reasons.push(`${name} is under ${domain}, reserved for examples (RFC 2606)`);
        else if (RESERVED_TLDS.has(tld))
            reasons.push(`${name} is under .${tld}, a reserved top-level domain (RFC 2606, RFC 6761)`);
    }
    return reasons.length > 0 ? reasons.join("; ") : undefined;
}

function walk(key: string, value: unknown, found: Placeholder[]): void {
    if (typeof value === "string" || (typeof value === "number" && Number.isInteger(value))) {
        const text = String(value);
        const reason = placeholderReason(text);
        if (reason) found.push({ key, value: text, reason });
    } else if (Array.isArray(value)) {
        value.forEach((v, i) => walk(keyPath(key, [i]), v, found));
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) walk(keyPath(key, [k]), v, found);
    }
}

/** Every placeholder anywhere in a stack's raw config (keys as in the stack file). */
export function findPlaceholders(raw: Record<string, unknown>): Placeholder[] {
    const found: Placeholder[] = [];
    for (const [key, value] of Object.entries(raw)) walk(key, value, found);
    return found;
}

/** The issues a real deployment reports; values of secret keys are not shown. */
export function placeholderIssues(placeholders: Placeholder[], secretKeys: readonly string[] = []): ConfigIssue[] {
    return placeholders.map((p) => {
        const secret = secretKeys.some((k) => p.key === k || p.key.startsWith(`${k}.`) || p.key.startsWith(`${k}[`));
        return secret
            ? {
                  key: p.key,
                  message: "holds a placeholder (the value is secret and not shown); replace it before deploying",
              }
            : {
                  key: p.key,
                  value: p.value,
                  message: `is a placeholder (${p.reason}); replace it with the stack's real value before deploying`,
              };
    });
}
