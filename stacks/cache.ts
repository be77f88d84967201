/**
 * `aws-platform:cache`: an ElastiCache (Valkey or Redis OSS) replication group in the isolated tier. Optional: a
 * stack without the key (Pulumi.yaml's default is `{enabled: false}`) has no cache.
 */
import { z } from "zod";
import {
    DEFAULT_ENGINE_VERSION,
    MAX_NODES,
    accessStringProblem,
    parameterFamily,
    versionsOf,
} from "../components/cache/engine";
import { ConfigIssue, PROJECT, logRetentionDays } from "./common";
import { BACKUP_WINDOW, DAYS, MAINTENANCE_WINDOW, Span, backupSpan, maintenanceSpan, overlap } from "./database";

const KEY = `${PROJECT}:cache`;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

const CACHE_DESCRIPTION =
    "An ElastiCache replication group (Valkey, or Redis OSS) in the isolated tier: encrypted at rest with the " +
    "platform key and in transit (TLS required), RBAC users whose password is generated into Secrets Manager, " +
    "admitted only from the services that set cacheAccess. Absent (the default, {enabled: false}): no cache. " +
    "{} gives the defaults: Multi-AZ with automatic failover, two replicas, daily snapshots, protected.";

export const cacheSchema = z
    .strictObject({
        enabled: z
            .boolean()
            .default(true)
            .describe(
                "Whether the stack has a cache. Set the section ({} is enough) to get one; false, the project's " +
                    "default, means no cache and allows no other key.",
            ),
        engine: z
            .enum(["valkey", "redis"])
            .default("valkey")
            .describe("valkey (open source, cheaper per node) or redis (Redis OSS) for clients that need it."),
        engineVersion: z
            .string()
            .optional()
            .describe(
                `Engine version "<major>.<minor>"; quote it in YAML. Default ${DEFAULT_ENGINE_VERSION.valkey} for ` +
                    `valkey, ${DEFAULT_ENGINE_VERSION.redis} for redis. The parameter-group family follows it.`,
            )
            .meta({ allowed: `valkey ${versionsOf("valkey").join(", ")}; redis ${versionsOf("redis").join(", ")}` }),
        nodeType: z
            .string()
            .regex(/^cache\.[a-z][a-z0-9-]*\.[a-z0-9]+$/, {
                message: 'is not an ElastiCache node type; expected e.g. "cache.r7g.large" or "cache.t4g.micro"',
            })
            .default("cache.r7g.large")
            .describe("Node type of every node; the default is Graviton, memory-optimised."),
        shards: int(1, MAX_NODES)
            .default(1)
            .describe(
                "Node groups. 1 is cluster mode disabled (one primary, any client); more turns cluster mode on, " +
                    "which needs a cluster-aware client. Switching between 1 and more on a running cache is an AWS " +
                    "migration, not a config change.",
            ),
        replicas: int(0, 5)
            .default(2)
            .describe(
                "Replicas per shard, spread over the AZs; each is a failover target. 0 only without multiAz and " +
                    "with one shard.",
            ),
        multiAz: z
            .boolean()
            .default(true)
            .describe(
                "Multi-AZ with automatic failover: a replica in another AZ is promoted when the primary or its AZ " +
                    "fails. false only for disposable stacks.",
            ),
        snapshotRetentionDays: int(0, 35)
            .default(7)
            .describe("Days of daily snapshots kept; 0 takes none (disposable stacks only)."),
        snapshotWindow: z
            .string()
            .regex(BACKUP_WINDOW, {
                message: 'is not a snapshot window; expected UTC "hh24:mi-hh24:mi", e.g. "03:00-04:00"',
            })
            .default("03:00-04:00")
            .describe("Daily snapshot window, UTC hh24:mi-hh24:mi, at least 60 minutes, apart from maintenance."),
        maintenanceWindow: z
            .string()
            .regex(MAINTENANCE_WINDOW, {
                message:
                    'is not a maintenance window; expected lowercase UTC "ddd:hh24:mi-ddd:hh24:mi", e.g. "sun:05:00-sun:06:00"',
            })
            .default("sun:05:00-sun:06:00")
            .describe("Weekly maintenance window, UTC ddd:hh24:mi-ddd:hh24:mi, at least 60 minutes."),
        autoMinorVersionUpgrade: z
            .boolean()
            .default(true)
            .describe(
                "Let AWS apply minor and patch releases in the maintenance window: security fixes without a deploy.",
            ),
        applyImmediately: z
            .boolean()
            .default(false)
            .describe(
                "Apply changes (node type, version, parameters) at once instead of in the next maintenance window; " +
                    "at once can restart nodes during the day.",
            ),
        logRetentionDays: logRetentionDays
            .default(365)
            .describe("Days the slow log and the engine log, each in its own encrypted log group, are kept."),
        protect: z
            .boolean()
            .default(true)
            .describe(
                "Pulumi protect on the replication group: a destroy stops at it. false only for disposable stacks. " +
                    "The final snapshot does not follow it: it is taken when the group is deleted exactly when the " +
                    "stack keeps its key (database.protect), which the snapshot is encrypted with.",
            ),
        userName: z
            .string()
            .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,119}$/, {
                message: "is not a user name; expected 1-120 letters, digits, '_', '.' or '-', starting with a letter",
            })
            .refine((v) => v !== "default", {
                message: 'is reserved: "default" is the disabled user ElastiCache requires in every user group',
            })
            .default("app")
            .describe(
                "The application's cache user, in CACHE_USERNAME. Its password is generated into Secrets Manager " +
                    "and reaches services as CACHE_PASSWORD.",
            ),
        accessString: z
            .string()
            .min(1)
            .superRefine((v, ctx) => {
                const problem = accessStringProblem(v);
                if (problem) ctx.addIssue({ code: "custom", message: problem });
            })
            .default("on ~* &* +@all")
            .describe(
                "The application user's ACL: keys, channels and commands. Default: every key, channel and " +
                    'command ElastiCache allows. Narrow it (e.g. "on ~auction:* &* -@all +@read +@write") where the ' +
                    "clients allow; no passwords or reset.",
            ),
    })
    .prefault({ enabled: false })
    .describe(CACHE_DESCRIPTION)
    .meta({
        refusedKeys: {
            authToken:
                "the cache authenticates RBAC users whose password is generated into Secrets Manager; no token or password is configured",
            password: "the application user's password is generated into Secrets Manager, never configured; remove it",
        },
    });

/** The section as parsed, `enabled` included. */
export type CacheSection = z.output<typeof cacheSchema>;
/** A stack's cache, when it has one. */
export type CacheSettings = Omit<CacheSection, "enabled">;

/** Minutes AWS requires of the snapshot and maintenance windows (CreateReplicationGroup). */
const MIN_WINDOW_MINUTES = 60;

/** Snapshot and maintenance windows: at least an hour each, and never at the same time. */
function windowIssues(c: CacheSection): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const snapshot = backupSpan(c.snapshotWindow);
    const maintenance = maintenanceSpan(c.maintenanceWindow);
    if (snapshot && snapshot.length < MIN_WINDOW_MINUTES) {
        issues.push({
            key: `${KEY}.snapshotWindow`,
            value: c.snapshotWindow,
            message: "is shorter than 60 minutes, the minimum ElastiCache allows",
        });
    }
    if (maintenance && maintenance.length < MIN_WINDOW_MINUTES) {
        issues.push({
            key: `${KEY}.maintenanceWindow`,
            value: c.maintenanceWindow,
            message: "is shorter than 60 minutes, the minimum ElastiCache allows",
        });
    }
    if (snapshot && maintenance && snapshot.length >= 60 && maintenance.length >= 60) {
        const daily: Span[] = DAYS.map((_, day) => [
            day * 1440 + snapshot.start,
            day * 1440 + snapshot.start + snapshot.length,
        ]);
        if (overlap(daily, [[maintenance.start, maintenance.start + maintenance.length]])) {
            issues.push({
                key: `${KEY}.maintenanceWindow`,
                value: c.maintenanceWindow,
                message: `overlaps the daily snapshotWindow ${c.snapshotWindow}; a snapshot and maintenance must not run together`,
            });
        }
    }
    return issues;
}

/** Replicas, shards and Multi-AZ: what ElastiCache accepts and what failover needs. */
function topologyIssues(c: CacheSection): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    if (c.multiAz && c.replicas < 1) {
        issues.push({
            key: `${KEY}.replicas`,
            value: c.replicas,
            message:
                "is 0 while multiAz is true; automatic failover needs a replica in another AZ, so expected >= 1 (or multiAz: false in a disposable stack)",
        });
    }
    if (c.shards > 1 && c.replicas < 1) {
        issues.push({
            key: `${KEY}.replicas`,
            value: c.replicas,
            message: `is 0 with ${c.shards} shards; cluster mode runs with automatic failover, which needs a replica in each shard, so expected >= 1`,
        });
    }
    const nodes = c.shards * (c.replicas + 1);
    if (nodes > MAX_NODES) {
        issues.push({
            key: `${KEY}.shards`,
            value: c.shards,
            message: `gives ${nodes} nodes with ${c.replicas} replicas each; ElastiCache allows at most ${MAX_NODES} per cluster`,
        });
    }
    return issues;
}

/**
 * Cross-field checks of the parsed section. `raw` is the section as the stack file wrote it: with `enabled: false`
 * any other key is a mistake (it would configure a cache that does not exist).
 */
export function checkCache(c: CacheSection, raw: unknown): ConfigIssue[] {
    if (!c.enabled) {
        const extra =
            raw !== null && typeof raw === "object"
                ? Object.keys(raw)
                      .filter((k) => k !== "enabled")
                      .sort()
                : [];
        return extra.map((k) => ({
            key: `${KEY}.${k}`,
            message:
                "is set while enabled is false; remove it, or set enabled: true (or remove enabled) to have a cache",
        }));
    }
    const issues: ConfigIssue[] = [];
    if (c.engineVersion !== undefined && !parameterFamily(c.engine, c.engineVersion)) {
        issues.push({
            key: `${KEY}.engineVersion`,
            value: c.engineVersion,
            message: `is not a ${c.engine} version this platform runs; expected one of ${versionsOf(c.engine).join(", ")}`,
        });
    }
    issues.push(...topologyIssues(c), ...windowIssues(c));
    return issues;
}

/** The stack's cache settings, or undefined when it has none. */
export function cacheOf(c: CacheSection): CacheSettings | undefined {
    if (!c.enabled) return undefined;
    const { enabled: _enabled, ...settings } = c;
    return settings;
}
