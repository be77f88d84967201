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

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const HHMM = "([01]\\d|2[0-3]):([0-5]\\d)";
const BACKUP_WINDOW = new RegExp(`^${HHMM}-${HHMM}$`);
const MAINTENANCE_WINDOW = new RegExp(`^(${DAYS.join("|")}):${HHMM}-(${DAYS.join("|")}):${HHMM}$`);

/** A window as [start, end) in minutes of the week; daily windows are repeated on every day. */
type Span = [number, number];

function minutes(h: string, m: string): number {
    return Number(h) * 60 + Number(m);
}

function backupSpan(w: string): { start: number; length: number } | undefined {
    const m = BACKUP_WINDOW.exec(w);
    if (!m) return undefined;
    const start = minutes(m[1], m[2]);
    return { start, length: (minutes(m[3], m[4]) - start + 1440) % 1440 };
}

function maintenanceSpan(w: string): { start: number; length: number } | undefined {
    const m = MAINTENANCE_WINDOW.exec(w);
    if (!m) return undefined;
    const start = DAYS.indexOf(m[1] as (typeof DAYS)[number]) * 1440 + minutes(m[2], m[3]);
    const end = DAYS.indexOf(m[4] as (typeof DAYS)[number]) * 1440 + minutes(m[5], m[6]);
    return { start, length: (end - start + 10080) % 10080 };
}

/** True when two windows share at least one minute of the week (both wrap around the week's end). */
function overlap(a: Span[], b: Span[]): boolean {
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
    .refine((v) => Number.isInteger(v * 2), { message: "is not a multiple of 0.5; ACU values move in half steps" });

const serverlessSchema = z.strictObject({
    /**
     * Lowest capacity in ACUs. Default 0.5. 0 lets idle instances pause (no compute charge) and needs an engine
     * version that supports auto-pause.
     */
    minCapacity: acu.default(0.5),
    /** Highest capacity in ACUs, 1-256. Default 16 (~32 GiB of memory). */
    maxCapacity: acu.default(16),
    /** Idle seconds before a 0-ACU cluster pauses, 300-86400. Only with `minCapacity: 0`; AWS defaults to 300. */
    secondsUntilAutoPause: z.number().int().min(300).max(86400).optional(),
});

const readerAutoscalingSchema = z.strictObject({
    /** Fewest readers auto scaling keeps. Must be at least `readers`: AWS counts every replica. */
    minReaders: z.number().int().min(0).max(15),
    /** Most readers auto scaling may run, up to 15 (Aurora's replica limit). Must exceed `readers`. */
    maxReaders: z.number().int().min(1).max(15),
    /** Average reader CPU (%) that target tracking holds. Default 70: headroom for a reader to fail. */
    targetCpuPercent: z.number().min(10).max(90).default(70),
    /** Seconds between scale-ins. Default 300: a new reader needs minutes to warm its buffer cache. */
    scaleInCooldownSeconds: z.number().int().min(0).max(3600).default(300),
    /** Seconds between scale-outs. Default 300: a new reader takes several minutes to become available. */
    scaleOutCooldownSeconds: z.number().int().min(0).max(3600).default(300),
});

export const databaseSchema = z.strictObject({
    /** Aurora PostgreSQL `<major>.<minor>` (quote it in YAML: 16.10 is not 16.1). Default 16.6. */
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
        .default("16.6"),
    /**
     * `db.serverless` for Serverless v2 (then `serverless` is required), or a provisioned class. Default
     * db.r8g.large: Graviton4, the best price/performance for Aurora PostgreSQL.
     */
    instanceClass: z
        .string()
        .regex(/^db\.(serverless|[a-z][a-z0-9-]*\.[a-z0-9]+)$/, {
            message: 'is not a DB instance class; expected "db.serverless" or e.g. "db.r8g.large"',
        })
        .default("db.r8g.large"),
    /** Serverless v2 capacity range; required with `instanceClass: db.serverless`, not allowed otherwise. */
    serverless: serverlessSchema.optional(),
    /** Readers besides the writer, spread over the AZs; all are failover targets. Default 2 (seed: primary + 2 replicas). */
    readers: z.number().int().min(0).max(15).default(2),
    /** Reader auto scaling on average reader CPU. Default off. */
    readerAutoscaling: readerAutoscalingSchema.optional(),
    /** Days of point-in-time recovery, 1-35. Default 7. */
    backupRetentionDays: z.number().int().min(1).max(35).default(7),
    /** Daily backup window, UTC `hh24:mi-hh24:mi`, at least 30 minutes. Default 02:00-03:00. */
    backupWindow: z
        .string()
        .regex(BACKUP_WINDOW, { message: 'is not a backup window; expected UTC "hh24:mi-hh24:mi", e.g. "02:00-03:00"' })
        .default("02:00-03:00"),
    /** Weekly maintenance window, UTC `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes. Default sun:04:00-sun:05:00. */
    maintenanceWindow: z
        .string()
        .regex(MAINTENANCE_WINDOW, {
            message:
                'is not a maintenance window; expected lowercase UTC "ddd:hh24:mi-ddd:hh24:mi", e.g. "sun:04:00-sun:05:00"',
        })
        .default("sun:04:00-sun:05:00"),
    /** AWS-side deletion protection. Default true. */
    deletionProtection: z.boolean().default(true),
    /** Pulumi `protect` on the cluster, so `pulumi destroy` cannot delete it. Default true. */
    protect: z.boolean().default(true),
    /**
     * Let AWS apply minor versions in the maintenance window. Default true: security patches without a deploy.
     * While on, `engineVersion` is the version the cluster was created with and AWS's upgrades are never rolled back;
     * a version ahead of the running one is refused at preview. To change it deliberately (a major upgrade), turn
     * this off in the same update.
     */
    autoMinorVersionUpgrade: z.boolean().default(true),
    /** `aurora` (standard, pay per I/O) or `aurora-iopt1` (I/O-Optimized). Default aurora. */
    storageType: z.enum(["aurora", "aurora-iopt1"]).default("aurora"),
    /** Performance Insights retention: 7, a multiple of 31 up to 713, or 731. Default 7 (free tier). */
    performanceInsightsRetentionDays: z
        .number()
        .int()
        .refine((v) => (PI_RETENTION_DAYS as readonly number[]).includes(v), {
            message: "is not a Performance Insights retention; expected 7, a multiple of 31 (31-713) or 731",
        })
        .default(7),
    /** CloudWatch Database Insights mode. Default standard; advanced needs 465+ days of PI retention. */
    databaseInsightsMode: z.enum(["standard", "advanced"]).default("standard"),
    /** Enhanced Monitoring interval in seconds: 0 (off), 1, 5, 10, 15, 30, 60. Default 60. */
    monitoringIntervalSeconds: z
        .number()
        .int()
        .refine((v) => (MONITORING_INTERVALS as readonly number[]).includes(v), {
            message: `is not an Enhanced Monitoring interval; expected one of ${MONITORING_INTERVALS.join(", ")}`,
        })
        .default(60),
    /** Retention of the exported PostgreSQL log. Default 365 days. */
    logRetentionDays: logRetentionDays.default(365),
    /** `log_min_duration_statement` in ms. Default 1000; -1 turns slow-query logging off; 0 is refused. */
    slowQueryThresholdMs: z
        .number()
        .int()
        .min(-1)
        .max(2147483647)
        .refine((v) => v !== 0, {
            message:
                "is not allowed: 0 logs every statement with its literal values; use -1 (off) or a threshold in ms",
        })
        .default(1000),
    /** `log_connections` and `log_disconnections`. Default true: who connected, from where, for how long. */
    logConnections: z.boolean().default(true),
    /** Database created with the cluster. Default app. */
    databaseName: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/, {
            message: "is not a database name; expected 1-63 lowercase letters, digits or '_', starting with a letter",
        })
        .refine((v) => !["postgres", "template0", "template1", "rdsadmin"].includes(v), {
            message: "is reserved by PostgreSQL or RDS",
        })
        .default("app"),
    /** Master user name (its password is generated and kept by RDS in Secrets Manager). Default dbadmin. */
    masterUsername: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,15}$/, {
            message:
                "is not a master user name; expected 1-16 lowercase letters, digits or '_', starting with a letter",
        })
        .refine((v) => !v.startsWith("rds") && !v.startsWith("pg_") && v !== "public", {
            message: "is reserved; names starting with rds or pg_, and public, are not allowed",
        })
        .default("dbadmin"),
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
