import { z } from "zod";
import { ConfigIssue, logRetentionDays } from "./common";

const KEY = "aws-platform:database";

/** Aurora PostgreSQL majors this platform accepts: 13 is the oldest still in standard support, 17 the newest on Aurora. */
export const SUPPORTED_MAJORS = [13, 14, 15, 16, 17] as const;

/**
 * First minor of each major whose Serverless v2 capacity range reaches down to 0 ACUs (auto-pause), per AWS
 * "How Aurora Serverless v2 works › Capacity" (0–256 ACUs: 13.15+, 14.12+, 15.7+, 16.3+; every 17.x release).
 */
export const AUTO_PAUSE_FROM: Record<number, number> = { 13: 15, 14: 12, 15: 7, 16: 3, 17: 0 };

/** First minor of each major whose Serverless v2 range goes above 128 ACUs (0.5–256: 13.13+, 14.10+, 15.5+, 16.1+). */
export const MAX_256_FROM: Record<number, number> = { 13: 13, 14: 10, 15: 5, 16: 1, 17: 0 };

/** `16.3+, 15.7+ ...`: the versions that work, for error messages. */
function versionsFrom(table: Record<number, number>): string {
    return Object.entries(table)
        .sort(([a], [b]) => Number(b) - Number(a))
        .map(([major, minor]) => (minor === 0 ? `${major}.x` : `${major}.${minor}+`))
        .join(", ");
}

/** Parses `<major>.<minor>`; undefined when the string is not an Aurora PostgreSQL version. */
export function parseEngineVersion(v: string): { major: number; minor: number } | undefined {
    const m = /^(\d{2})\.(\d{1,2})$/.exec(v);
    return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

function supports(table: Record<number, number>, version: string): boolean {
    const v = parseEngineVersion(version);
    return v !== undefined && table[v.major] !== undefined && v.minor >= table[v.major];
}

/** Whether Serverless v2 may scale this engine version to 0 ACUs. */
export const supportsAutoPause = (version: string) => supports(AUTO_PAUSE_FROM, version);

/** The only retentions Performance Insights accepts: 7 (free tier), a whole number of 31-day months, or 731. */
export const PI_RETENTION_DAYS = [7, ...Array.from({ length: 23 }, (_, i) => 31 * (i + 1)), 731] as const;

/** The only Enhanced Monitoring intervals RDS accepts (0 turns it off). */
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;

export const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const HHMM = "([01]\\d|2[0-3]):([0-5]\\d)";
export const BACKUP_WINDOW = new RegExp(`^${HHMM}-${HHMM}$`);
export const MAINTENANCE_WINDOW = new RegExp(`^(${DAYS.join("|")}):${HHMM}-(${DAYS.join("|")}):${HHMM}$`);

/** A window as [start, end) in minutes of the week; daily windows are repeated on every day. */
export type Span = [number, number];

function minutes(h: string, m: string): number {
    return Number(h) * 60 + Number(m);
}

export function backupSpan(w: string): { start: number; length: number } | undefined {
    const m = BACKUP_WINDOW.exec(w);
    if (!m) return undefined;
    const start = minutes(m[1], m[2]);
    return { start, length: (minutes(m[3], m[4]) - start + 1440) % 1440 };
}

export function maintenanceSpan(w: string): { start: number; length: number } | undefined {
    const m = MAINTENANCE_WINDOW.exec(w);
    if (!m) return undefined;
    const start = DAYS.indexOf(m[1] as (typeof DAYS)[number]) * 1440 + minutes(m[2], m[3]);
    const end = DAYS.indexOf(m[4] as (typeof DAYS)[number]) * 1440 + minutes(m[5], m[6]);
    return { start, length: (end - start + 10080) % 10080 };
}

/** True when two windows share at least one minute of the week (both wrap around the week's end). */
export function overlap(a: Span[], b: Span[]): boolean {
    const week = new Uint8Array(10080);
    for (const [s, e] of a) for (let t = s; t < e; t++) week[t % 10080] = 1;
    return b.some(([s, e]) => {
        for (let t = s; t < e; t++) if (week[t % 10080]) return true;
        return false;
    });
}

/** An ACU value: Aurora accepts half-ACU steps only. */
const acu = z
    .number()
    .min(0)
    .max(256)
    .refine((v) => Number.isInteger(v * 2), { message: "is not a multiple of 0.5; ACU values move in half steps" })
    .meta({ allowed: "0 to 256 in steps of 0.5" });

const serverlessSchema = z
    .strictObject({
        minCapacity: acu
            .default(0.5)
            .describe(
                "Lowest capacity in ACUs. 0 lets idle instances pause (no compute charge) and needs an engine " +
                    "version that supports auto-pause.",
            ),
        maxCapacity: acu.default(16).describe("Highest capacity in ACUs, 1-256; 16 ACUs are about 32 GiB of memory."),
        secondsUntilAutoPause: z
            .number()
            .int()
            .min(300)
            .max(86400)
            .optional()
            .describe("Idle seconds before a 0-ACU cluster pauses; only with minCapacity 0. AWS's default is 300."),
    })
    .describe("Serverless v2 capacity range; required with instanceClass db.serverless, not allowed otherwise.");

const readerAutoscalingSchema = z
    .strictObject({
        minReaders: z
            .number()
            .int()
            .min(0)
            .max(15)
            .describe("Fewest readers auto scaling keeps; at least readers, because AWS counts every replica."),
        maxReaders: z
            .number()
            .int()
            .min(1)
            .max(15)
            .describe("Most readers auto scaling may run, up to Aurora's 15 replicas; more than readers."),
        targetCpuPercent: z
            .number()
            .min(10)
            .max(90)
            .default(70)
            .describe("Average reader CPU (%) that target tracking holds; 70 leaves headroom for a reader to fail."),
        scaleInCooldownSeconds: z
            .number()
            .int()
            .min(0)
            .max(3600)
            .default(300)
            .describe("Seconds between scale-ins: a new reader needs minutes to warm its buffer cache."),
        scaleOutCooldownSeconds: z
            .number()
            .int()
            .min(0)
            .max(3600)
            .default(300)
            .describe("Seconds between scale-outs: a new reader takes several minutes to become available."),
    })
    .describe("Reader auto scaling on average reader CPU. Default off.");

export const databaseSchema = z
    .strictObject({
        engineVersion: z
            .string()
            .superRefine((v, ctx) => {
                const parsed = parseEngineVersion(v);
                if (!parsed) {
                    ctx.addIssue({
                        code: "custom",
                        message: 'is not an Aurora PostgreSQL version; expected "<major>.<minor>" such as "16.6"',
                    });
                } else if (!(SUPPORTED_MAJORS as readonly number[]).includes(parsed.major)) {
                    ctx.addIssue({
                        code: "custom",
                        message: `is not a supported major version; expected ${SUPPORTED_MAJORS.join(", ")}`,
                    });
                }
            })
            .default("16.6")
            .describe('Aurora PostgreSQL "<major>.<minor>"; quote it in YAML, since 16.10 is not 16.1.')
            .meta({ allowed: `"<major>.<minor>" with major ${SUPPORTED_MAJORS.join(", ")}` }),
        instanceClass: z
            .string()
            .regex(/^db\.(serverless|[a-z][a-z0-9-]*\.[a-z0-9]+)$/, {
                message: 'is not a DB instance class; expected "db.serverless" or e.g. "db.r8g.large"',
            })
            .default("db.r8g.large")
            .describe(
                "db.serverless for Serverless v2 (then serverless is required), or a provisioned class. The default " +
                    "is Graviton4, the best price/performance for Aurora PostgreSQL.",
            ),
        serverless: serverlessSchema.optional(),
        readers: z
            .number()
            .int()
            .min(0)
            .max(15)
            .default(2)
            .describe("Readers besides the writer, spread over the AZs; every one is a failover target."),
        readerAutoscaling: readerAutoscalingSchema.optional(),
        backupRetentionDays: z.number().int().min(1).max(35).default(7).describe("Days of point-in-time recovery."),
        backupWindow: z
            .string()
            .regex(BACKUP_WINDOW, {
                message: 'is not a backup window; expected UTC "hh24:mi-hh24:mi", e.g. "02:00-03:00"',
            })
            .default("02:00-03:00")
            .describe("Daily backup window, UTC hh24:mi-hh24:mi, at least 30 minutes."),
        maintenanceWindow: z
            .string()
            .regex(MAINTENANCE_WINDOW, {
                message:
                    'is not a maintenance window; expected lowercase UTC "ddd:hh24:mi-ddd:hh24:mi", e.g. "sun:04:00-sun:05:00"',
            })
            .default("sun:04:00-sun:05:00")
            .describe(
                "Weekly maintenance window, UTC ddd:hh24:mi-ddd:hh24:mi, at least 30 minutes, apart from backups.",
            ),
        deletionProtection: z.boolean().default(true).describe("AWS-side deletion protection of the cluster."),
        protect: z
            .boolean()
            .default(true)
            .describe("Pulumi protect on the cluster, so pulumi destroy cannot delete it."),
        autoMinorVersionUpgrade: z
            .boolean()
            .default(true)
            .describe(
                "Let AWS apply minor versions in the maintenance window: security patches without a deploy. While " +
                    "on, engineVersion is the version the cluster was created with and AWS's upgrades are never " +
                    "rolled back; a version ahead of the running one is refused at preview. To change it " +
                    "deliberately (a major upgrade), turn this off in the same update.",
            ),
        storageType: z
            .enum(["aurora", "aurora-iopt1"])
            .default("aurora")
            .describe("aurora (standard, pay per I/O) or aurora-iopt1 (I/O-Optimized)."),
        performanceInsightsRetentionDays: z
            .number()
            .int()
            .refine((v) => (PI_RETENTION_DAYS as readonly number[]).includes(v), {
                message: "is not a Performance Insights retention; expected 7, a multiple of 31 (31-713) or 731",
            })
            .default(7)
            .describe("Days Performance Insights keeps; 7 is the free tier.")
            .meta({ allowed: "7, a multiple of 31 from 31 to 713, or 731" }),
        databaseInsightsMode: z
            .enum(["standard", "advanced"])
            .default("standard")
            .describe("CloudWatch Database Insights mode; advanced needs 465 or more days of Performance Insights."),
        monitoringIntervalSeconds: z
            .number()
            .int()
            .refine((v) => (MONITORING_INTERVALS as readonly number[]).includes(v), {
                message: `is not an Enhanced Monitoring interval; expected one of ${MONITORING_INTERVALS.join(", ")}`,
            })
            .default(60)
            .describe("Enhanced Monitoring interval in seconds; 0 turns it off.")
            .meta({ allowed: `one of ${MONITORING_INTERVALS.join(", ")}` }),
        logRetentionDays: logRetentionDays.default(365).describe("Days the exported PostgreSQL log is kept."),
        slowQueryThresholdMs: z
            .number()
            .int()
            .min(-1)
            .max(2147483647)
            .refine((v) => v !== 0, {
                message:
                    "is not allowed: 0 logs every statement with its literal values; use -1 (off) or a threshold in ms",
            })
            .default(1000)
            .describe(
                "log_min_duration_statement in ms; -1 turns slow-query logging off. 0 is refused: it would log every " +
                    "statement with its literal values.",
            ),
        logConnections: z
            .boolean()
            .default(true)
            .describe("log_connections and log_disconnections: who connected, from where, for how long."),
        databaseName: z
            .string()
            .regex(/^[a-z][a-z0-9_]{0,62}$/, {
                message:
                    "is not a database name; expected 1-63 lowercase letters, digits or '_', starting with a letter",
            })
            .refine((v) => !["postgres", "template0", "template1", "rdsadmin"].includes(v), {
                message: "is reserved by PostgreSQL or RDS",
            })
            .default("app")
            .describe("Database created with the cluster; postgres, template0, template1 and rdsadmin are reserved."),
        masterUsername: z
            .string()
            .regex(/^[a-z][a-z0-9_]{0,15}$/, {
                message:
                    "is not a master user name; expected 1-16 lowercase letters, digits or '_', starting with a letter",
            })
            .refine((v) => !v.startsWith("rds") && !v.startsWith("pg_") && v !== "public", {
                message: "is reserved; names starting with rds or pg_, and public, are not allowed",
            })
            .default("dbadmin")
            .describe("Master user name. Its password is generated and kept by RDS in Secrets Manager."),
    })
    .describe(
        "Aurora PostgreSQL in the isolated tier: a writer and readers across AZs, encrypted with the platform key, " +
            "private, with RDS-managed credentials.",
    )
    .meta({
        refusedKeys: {
            masterPassword:
                "the master password is generated and kept by RDS in Secrets Manager, never configured; remove it",
        },
    });

export type DatabaseSettings = z.output<typeof databaseSchema>;

/** Cross-field checks on the parsed section; keys are full config keys (`aws-platform:database.<path>`). */
export function checkDatabase(d: DatabaseSettings): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const serverless = d.instanceClass === "db.serverless";

    if (serverless && !d.serverless) {
        issues.push({
            key: `${KEY}.serverless`,
            message: "is required when instanceClass is db.serverless; e.g. { minCapacity: 0.5, maxCapacity: 16 }",
        });
    }
    if (!serverless && d.serverless) {
        issues.push({
            key: `${KEY}.serverless`,
            value: d.serverless,
            message: `applies only to instanceClass db.serverless, not ${d.instanceClass}; remove it or switch the class`,
        });
    }
    if (serverless && d.serverless) {
        const { minCapacity, maxCapacity, secondsUntilAutoPause } = d.serverless;
        if (maxCapacity < 1) {
            issues.push({
                key: `${KEY}.serverless.maxCapacity`,
                value: maxCapacity,
                message: "is too small; Serverless v2 needs a maximum of at least 1 ACU",
            });
        }
        if (minCapacity > maxCapacity) {
            issues.push({
                key: `${KEY}.serverless.minCapacity`,
                value: minCapacity,
                message: `is above maxCapacity (${maxCapacity}); expected minCapacity <= maxCapacity`,
            });
        }
        if (minCapacity === 0 && !supportsAutoPause(d.engineVersion)) {
            issues.push({
                key: `${KEY}.serverless.minCapacity`,
                value: 0,
                message:
                    `needs an engine version that can scale to 0 ACUs (auto-pause), and engineVersion is ${d.engineVersion}; ` +
                    `use Aurora PostgreSQL ${versionsFrom(AUTO_PAUSE_FROM)}, or set minCapacity to 0.5 or more`,
            });
        }
        if (maxCapacity > 128 && !supports(MAX_256_FROM, d.engineVersion)) {
            issues.push({
                key: `${KEY}.serverless.maxCapacity`,
                value: maxCapacity,
                message: `is above 128 ACUs, which engineVersion ${d.engineVersion} cannot reach; use ${versionsFrom(MAX_256_FROM)}`,
            });
        }
        if (secondsUntilAutoPause !== undefined && minCapacity !== 0) {
            issues.push({
                key: `${KEY}.serverless.secondsUntilAutoPause`,
                value: secondsUntilAutoPause,
                message: "applies only when minCapacity is 0 (auto-pause); remove it or set minCapacity to 0",
            });
        }
    }

    const scaling = d.readerAutoscaling;
    if (scaling) {
        // Application Auto Scaling counts every replica, including the ones Pulumi manages, and never removes those.
        if (scaling.minReaders < d.readers) {
            issues.push({
                key: `${KEY}.readerAutoscaling.minReaders`,
                value: scaling.minReaders,
                message: `is below readers (${d.readers}); auto scaling cannot remove the readers Pulumi manages, so expected >= ${d.readers}`,
            });
        }
        if (scaling.maxReaders < scaling.minReaders) {
            issues.push({
                key: `${KEY}.readerAutoscaling.maxReaders`,
                value: scaling.maxReaders,
                message: `is below minReaders (${scaling.minReaders}); expected maxReaders >= minReaders`,
            });
        }
        if (scaling.maxReaders <= d.readers) {
            issues.push({
                key: `${KEY}.readerAutoscaling.maxReaders`,
                value: scaling.maxReaders,
                message: `leaves no room above readers (${d.readers}), so auto scaling could never add one; expected > ${d.readers}`,
            });
        }
    }

    const backup = backupSpan(d.backupWindow);
    if (backup && backup.length < 30) {
        issues.push({
            key: `${KEY}.backupWindow`,
            value: d.backupWindow,
            message: "is shorter than 30 minutes, the minimum AWS allows",
        });
    }
    const maintenance = maintenanceSpan(d.maintenanceWindow);
    if (maintenance && maintenance.length < 30) {
        issues.push({
            key: `${KEY}.maintenanceWindow`,
            value: d.maintenanceWindow,
            message: "is shorter than 30 minutes, the minimum AWS allows",
        });
    }
    if (backup && maintenance && backup.length >= 30 && maintenance.length >= 30) {
        const daily: Span[] = DAYS.map((_, day) => [
            day * 1440 + backup.start,
            day * 1440 + backup.start + backup.length,
        ]);
        if (overlap(daily, [[maintenance.start, maintenance.start + maintenance.length]])) {
            issues.push({
                key: `${KEY}.maintenanceWindow`,
                value: d.maintenanceWindow,
                message: `overlaps the daily backupWindow ${d.backupWindow}; AWS rejects overlapping windows`,
            });
        }
    }

    if (d.databaseInsightsMode === "advanced" && d.performanceInsightsRetentionDays < 465) {
        issues.push({
            key: `${KEY}.performanceInsightsRetentionDays`,
            value: d.performanceInsightsRetentionDays,
            message: "is too short for databaseInsightsMode advanced, which keeps 15 months; expected 465 or more",
        });
    }
    return issues;
}
