/** Aurora clusters and instances, ElastiCache, S3 buckets and Secrets Manager secrets. */
import { CostContext, PlanResource, input, num, str } from "../model";
import { Pricer } from "./network";

/** vCPUs of an instance class from its size (`db.r8g.large` → 2, `db.r8g.4xlarge` → 16). */
export function vcpusOf(instanceClass: string): number | undefined {
    const size = instanceClass.split(".").pop() ?? "";
    if (["micro", "small", "medium", "large"].includes(size)) return 2;
    if (size === "xlarge") return 4;
    const m = /^(\d+)xlarge$/.exec(size);
    return m ? 4 * Number(m[1]) : undefined;
}

const isIoOptimized = (cluster: PlanResource | undefined) =>
    cluster !== undefined && str(input(cluster, "storageType")) === "aurora-iopt1";

export const auroraCluster: Pricer = (r, ctx) => {
    const engine = str(input(r, "engine")) ?? "aurora-mysql";
    if (!engine.startsWith("aurora")) {
        ctx.skip(r, `engine ${engine}: only Aurora clusters are priced`);
        return;
    }
    const gb = ctx.a("auroraStorageGb");
    const ioOpt = isIoOptimized(r);
    ctx.charge(r, {
        item: `storage (${ioOpt ? "I/O-Optimized" : "Standard"})`,
        quantity: gb,
        unit: "GB-months",
        priceKey: ioOpt ? "aurora.storageGbMonthIoOptimized" : "aurora.storageGbMonth",
        assumptions: ["auroraStorageGb"],
    });
    if (!ioOpt) {
        ctx.charge(r, {
            item: "storage I/O requests",
            quantity: ctx.a("auroraIoMillionPerMonth"),
            unit: "million requests",
            priceKey: "aurora.ioMillion",
            assumptions: ["auroraIoMillionPerMonth"],
        });
    }
    // Backup storage up to one volume's size is free; the rest grows with the changes kept for the retention period.
    const retention = num(input(r, "backupRetentionPeriod")) ?? 1;
    ctx.charge(r, {
        item: `backups beyond the free allowance (${retention} days retained)`,
        quantity: gb * ctx.a("backupDailyChangeRate") * Math.max(0, retention - 1),
        unit: "GB-months",
        priceKey: "aurora.backupGbMonth",
        assumptions: ["auroraStorageGb", "backupDailyChangeRate"],
    });
    if (input(r, "manageMasterUserPassword") === true) {
        ctx.charge(r, {
            item: "RDS-managed master user secret",
            quantity: 1,
            unit: "secret-months",
            priceKey: "secretsManager.secretMonth",
            note: "RDS creates and rotates it in Secrets Manager",
        });
    }
};

function performanceInsights(r: PlanResource, ctx: CostContext, instanceClass: string): void {
    if (input(r, "performanceInsightsEnabled") !== true) return;
    const days = num(input(r, "performanceInsightsRetentionPeriod")) ?? 7;
    if (days <= 7) return;
    const vcpus = vcpusOf(instanceClass);
    if (instanceClass === "db.serverless" || vcpus === undefined) {
        ctx.skip(r, `Performance Insights retention of ${days} days on ${instanceClass}: not in the price files`);
        return;
    }
    const months = Math.max(1, Math.round(days / 31));
    ctx.charge(r, {
        item: `Performance Insights retention, first month (${vcpus} vCPU)`,
        quantity: vcpus,
        unit: "vCPU-months",
        priceKey: "rds.performanceInsightsFirstMonthVcpu",
        note: `${days} days retained; the first 7 are free`,
    });
    if (months > 1) {
        ctx.charge(r, {
            item: `Performance Insights retention, ${months - 1} further months`,
            quantity: vcpus * (months - 1),
            unit: "vCPU-months",
            priceKey: "rds.performanceInsightsExtraMonthVcpu",
        });
    }
}

function enhancedMonitoring(r: PlanResource, ctx: CostContext): void {
    const interval = num(input(r, "monitoringInterval")) ?? 0;
    if (interval <= 0) return;
    ctx.charge(r, {
        item: `Enhanced Monitoring every ${interval} s (RDSOSMetrics log data)`,
        quantity: ctx.a("enhancedMonitoringGbPerInstance") * (60 / interval),
        unit: "GB ingested",
        priceKey: "logs.ingestGb",
        assumptions: ["enhancedMonitoringGbPerInstance"],
    });
}

export const auroraInstance: Pricer = (r, ctx) => {
    const cluster = ctx.deps(r, "clusterIdentifier", "aws:rds/cluster:Cluster")[0];
    const instanceClass = str(input(r, "instanceClass")) ?? "";
    const ioOpt = isIoOptimized(cluster);
    const hours = ctx.a("hoursPerMonth");
    if (instanceClass === "db.serverless") {
        const scaling = cluster ? input(cluster, "serverlessv2ScalingConfiguration") : undefined;
        const min = num((scaling as Record<string, unknown> | undefined)?.minCapacity) ?? 0.5;
        const max = num((scaling as Record<string, unknown> | undefined)?.maxCapacity) ?? 1;
        const acu = Math.min(Math.max(ctx.a("serverlessAverageAcu"), min), max);
        const pauses = min === 0;
        const active = pauses ? Math.min(ctx.a("serverlessActiveHours"), hours) : hours;
        ctx.charge(r, {
            item: `Serverless v2: ${acu} ACU average × ${active} h${pauses ? " awake (pauses at 0 ACU)" : ""}`,
            quantity: acu * active,
            unit: "ACU-hours",
            priceKey: ioOpt ? "aurora.acuHourIoOptimized" : "aurora.acuHour",
            assumptions: ["serverlessAverageAcu", pauses ? "serverlessActiveHours" : "hoursPerMonth"],
            note: `configured ${min}–${max} ACU; the floor alone is ${min * hours} ACU-hours a month`,
        });
    } else {
        const factor = ioOpt ? ctx.price(ctx.regionOf(r), "aurora.ioOptimizedInstanceFactor")?.usd : 1;
        if (factor === undefined) {
            ctx.skip(r, 'I/O-Optimized instance: no price "aurora.ioOptimizedInstanceFactor"');
        } else {
            ctx.charge(r, {
                item: `${instanceClass} instance hours${ioOpt ? " (I/O-Optimized)" : ""}`,
                quantity: hours,
                unit: "hours",
                priceKey: `aurora.instanceHour:${instanceClass}`,
                factor,
                assumptions: ["hoursPerMonth"],
            });
        }
    }
    performanceInsights(r, ctx, instanceClass);
    enhancedMonitoring(r, ctx);
};

function cacheNodes(r: PlanResource, nodes: number): (ctx: CostContext) => void {
    return (ctx) => {
        const nodeType = str(input(r, "nodeType")) ?? "";
        const engine = str(input(r, "engine")) ?? "redis";
        const valkey = engine === "valkey" ? ctx.price(ctx.regionOf(r), "elasticache.valkeyFactor")?.usd : 1;
        if (valkey === undefined) {
            ctx.skip(r, 'Valkey nodes: no price "elasticache.valkeyFactor"');
            return;
        }
        ctx.charge(r, {
            item: `${nodes} × ${nodeType} ${engine} node hours`,
            quantity: nodes * ctx.a("hoursPerMonth"),
            unit: "node-hours",
            priceKey: `elasticache.nodeHour:${nodeType}`,
            factor: valkey,
            assumptions: ["hoursPerMonth"],
        });
    };
}

export const elasticacheReplicationGroup: Pricer = (r, ctx) => {
    const clusters = num(input(r, "numCacheClusters"));
    const groups = num(input(r, "numNodeGroups")) ?? 1;
    const replicas = num(input(r, "replicasPerNodeGroup")) ?? 0;
    cacheNodes(r, clusters ?? groups * (replicas + 1))(ctx);
};

export const elasticacheCluster: Pricer = (r, ctx) => {
    // A member of a replication group is billed through the group.
    if (str(input(r, "replicationGroupId"))) return;
    cacheNodes(r, num(input(r, "numCacheNodes")) ?? 1)(ctx);
};

export const s3Bucket: Pricer = (r, ctx) => {
    ctx.charge(r, {
        item: "S3 Standard storage",
        quantity: ctx.a("s3GbPerBucket"),
        unit: "GB-months",
        priceKey: "s3.standardGbMonth",
        assumptions: ["s3GbPerBucket"],
    });
};

export const secret: Pricer = (r, ctx) => {
    ctx.charge(r, { item: "secret", quantity: 1, unit: "secret-months", priceKey: "secretsManager.secretMonth" });
    ctx.charge(r, {
        item: "API calls",
        quantity: ctx.a("secretsApiCallsPerSecret") / 10000,
        unit: "10k calls",
        priceKey: "secretsManager.requests10k",
        assumptions: ["secretsApiCallsPerSecret"],
    });
};
