/**
 * The engines and versions a Cache may run, what each version needs (its parameter-group family), and the names
 * ElastiCache accepts for users and user groups. Pure: the settings validate config with the same tables the
 * component builds from.
 */
import { createHash } from "crypto";

export type CacheEngine = "valkey" | "redis";

/**
 * Engine versions ElastiCache offers for node-based replication groups, each with its parameter-group family
 * (AWS ElastiCache 'Supported engines and versions' and 'Engine specific parameters'). Valkey 7.2 has the valkey7
 * family, every 8.x valkey8, 9.0 valkey9; Redis OSS 7.0 and 7.1 share redis7. Redis OSS 6.x and older are left out:
 * transit encryption and its mode can be changed in place only from Redis OSS 7.0.5 (below that a change replaces
 * the group: aws.elasticache.ReplicationGroup, transitEncryptionEnabled), and 4.x and 5.x are in paid Extended
 * Support since February 2026.
 */
export const ENGINE_VERSIONS: Record<CacheEngine, Record<string, string>> = {
    valkey: {
        "7.2": "valkey7",
        "8.0": "valkey8",
        "8.1": "valkey8",
        "8.2": "valkey8",
        "9.0": "valkey9",
    },
    redis: {
        "7.0": "redis7",
        "7.1": "redis7",
    },
};

/** The version a cache runs when config names none: a current release with a long support runway. */
export const DEFAULT_ENGINE_VERSION: Record<CacheEngine, string> = { valkey: "8.2", redis: "7.1" };

/** The port both engines listen on. Fixed: security-group rules and clients assume it. */
export const CACHE_PORT = 6379;

/** ElastiCache's ceiling on nodes (primaries and replicas) in one replication group with cluster mode. */
export const MAX_NODES = 500;

/** The parameter-group family of an engine version, or undefined when ElastiCache does not offer the version. */
export function parameterFamily(engine: CacheEngine, version: string): string | undefined {
    return ENGINE_VERSIONS[engine][version];
}

/** The versions of an engine, for error messages. */
export function versionsOf(engine: CacheEngine): string[] {
    return Object.keys(ENGINE_VERSIONS[engine]);
}

/**
 * ElastiCache user and user-group ids: 1-40 letters, digits and hyphens, starting with a letter, no two hyphens in
 * a row and none at the end (CreateUser, CreateUserGroup; AWS stores them lowercase). Ids are unique per account
 * and region, so they are built from the stack's `<project>-<stack>` prefix; a prefix too long for the suffix is
 * cut and given a hash of the whole prefix, so two long stack names never share an id.
 */
export function elasticacheId(prefix: string, suffix: string, maxLength = 40): string {
    const clean = (s: string) =>
        s
            .toLowerCase()
            .replace(/[^a-z0-9-]+/g, "-")
            .replace(/-{2,}/g, "-")
            .replace(/^-+|-+$/g, "");
    let stem = clean(prefix);
    if (!/^[a-z]/.test(stem)) stem = `c-${stem}`.replace(/-+$/, "");
    const tail = `-${clean(suffix)}`;
    if (stem.length + tail.length <= maxLength) return `${stem}${tail}`;
    const hash = createHash("sha256").update(prefix).digest("hex").slice(0, 6);
    const room = maxLength - tail.length - hash.length - 1;
    return `${stem.slice(0, room).replace(/-+$/, "")}-${hash}${tail}`;
}

/**
 * Why an access string cannot be given to an ElastiCache user, or undefined when it can. ElastiCache refuses
 * passwords and `reset` inside an access string (passwords are set through the API) and a user that is not `on`
 * cannot log in (AWS ElastiCache 'Role-Based Access Control', access strings).
 */
export function accessStringProblem(accessString: string): string | undefined {
    const tokens = accessString.trim().split(/\s+/);
    const passwordLike = tokens.filter((t) => /^[<>#!]/.test(t) || ["nopass", "resetpass", "reset"].includes(t));
    if (passwordLike.length > 0) {
        return `sets passwords or resets the user (${passwordLike.join(" ")}); ElastiCache sets the generated password itself, so remove them`;
    }
    if (!tokens.includes("on") || tokens.includes("off")) {
        return 'does not switch the user "on"; the application user must be able to log in';
    }
    return undefined;
}
