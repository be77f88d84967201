/** KMS keys, CloudWatch log groups, alarms and dashboards, and AWS Budgets. */
import { AssumptionName } from "../assumptions";
import { CostContext, PlanResource, input, list, num, str } from "../model";
import { baselineTasks } from "./compute";
import { cloudfrontLogGb, wafLogGb } from "./edge";
import { Pricer } from "./network";

export const kmsKey: Pricer = (r, ctx) => {
    ctx.charge(r, { item: "customer managed key", quantity: 1, unit: "key-months", priceKey: "kms.keyMonth" });
    if (input(r, "enableKeyRotation") === true) {
        const period = num(input(r, "rotationPeriodInDays")) ?? 365;
        // Each rotation keeps a billed key version, but only the first two rotations add to the price.
        const versions = Math.min(2, Math.floor((ctx.a("kmsKeyAgeYears") * 365) / period));
        ctx.charge(r, {
            item: `rotated key versions (every ${period} days)`,
            quantity: versions,
            unit: "key versions",
            priceKey: "kms.rotationMonth",
            assumptions: ["kmsKeyAgeYears"],
        });
    }
    ctx.charge(r, {
        item: "API requests",
        quantity: ctx.a("kmsRequestsPerKey") / 10000,
        unit: "10k requests",
        priceKey: "kms.requests10k",
        assumptions: ["kmsRequestsPerKey"],
        note: "the account's free 20,000 requests a month are not deducted",
    });
};

interface LogVolume {
    gb: number;
    /** Vended logs (flow logs, WAF) have their own ingestion price; null when ingestion is billed on a delivery. */
    ingestKey: string | null;
    why: string;
    assumptions: AssumptionName[];
}

function logVolume(r: PlanResource, ctx: CostContext): LogVolume {
    if (ctx.dependents(r, "aws:ec2/flowLog:FlowLog").length > 0) {
        return {
            gb: ctx.a("flowLogGbPerVpc"),
            ingestKey: "logs.vendedIngestGb",
            why: "VPC flow logs",
            assumptions: ["flowLogGbPerVpc"],
        };
    }
    const destinations = ctx.dependents(r, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination");
    if (destinations.length > 0) {
        return {
            gb: cloudfrontLogGb(ctx),
            ingestKey: null,
            why: "log delivery (ingestion priced on the delivery)",
            assumptions: ["cloudfrontRequests", "cloudfrontLogBytesPerRequest"],
        };
    }
    if (ctx.dependents(r, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration").length > 0) {
        return {
            gb: wafLogGb(ctx),
            ingestKey: "logs.vendedIngestGb",
            why: "WAF logs",
            assumptions: ["cloudfrontRequests", "wafLogBytesPerRequest"],
        };
    }
    const services = ctx
        .dependents(r, "aws:ecs/taskDefinition:TaskDefinition")
        .flatMap((td) => ctx.referencing(td, "aws:ecs/service:Service", "taskDefinition"));
    if (services.length > 0) {
        const tasks = services.reduce((sum, s) => sum + baselineTasks(s, ctx).tasks, 0);
        return {
            gb: tasks * ctx.a("serviceLogGbPerTask"),
            ingestKey: "logs.ingestGb",
            why: `${tasks} tasks of ${services.map((s) => s.name).join(", ")}`,
            assumptions: ["serviceLogGbPerTask"],
        };
    }
    return {
        gb: ctx.a("otherLogGbPerGroup"),
        ingestKey: "logs.ingestGb",
        why: "log group",
        assumptions: ["otherLogGbPerGroup"],
    };
}

export const logGroup: Pricer = (r, ctx) => {
    const v = logVolume(r, ctx);
    if (v.ingestKey) {
        ctx.charge(r, {
            item: `ingestion: ${v.why}`,
            quantity: v.gb,
            unit: "GB",
            priceKey: v.ingestKey,
            assumptions: v.assumptions,
        });
    }
    const retention = num(input(r, "retentionInDays")) ?? 0;
    const cap = ctx.a("logRetentionCapMonths");
    const months = retention > 0 ? Math.min(retention / 30.4, cap) : cap;
    ctx.charge(r, {
        item: `archive: ${Math.round(months * 10) / 10} months held (retention ${retention || "never expires"})`,
        quantity: v.gb * ctx.a("logCompressionRatio") * months,
        unit: "GB-months",
        priceKey: "logs.storageGbMonth",
        assumptions: [...v.assumptions, "logCompressionRatio", "logRetentionCapMonths"],
    });
};

/** Alarms bill per metric they watch: metric math counts each metric, anomaly detection three per band. */
export function alarmMetrics(r: PlanResource): { metrics: number; highResolution: boolean; kind: string } {
    const queries = list(input(r, "metricQueries")) as Record<string, unknown>[];
    const periods: number[] = [];
    let metrics = 0;
    let kind = "single metric";
    if (queries.length > 0) {
        kind = "metric math";
        for (const q of queries) {
            const stat = q.metric as Record<string, unknown> | undefined;
            if (stat) {
                metrics += 1;
                const p = num(stat.period);
                if (p !== undefined) periods.push(p);
            }
            const expression = str(q.expression) ?? "";
            const bands = (expression.match(/ANOMALY_DETECTION_BAND/g) ?? []).length;
            if (bands > 0) kind = "anomaly detection";
            metrics += 2 * bands;
        }
    } else {
        metrics = 1;
        const p = num(input(r, "period"));
        if (p !== undefined) periods.push(p);
    }
    return { metrics, highResolution: periods.some((p) => p < 60), kind };
}

export const metricAlarm: Pricer = (r, ctx) => {
    const { metrics, highResolution, kind } = alarmMetrics(r);
    ctx.charge(r, {
        item: `alarm (${kind}, ${metrics} metric${metrics === 1 ? "" : "s"}, ${highResolution ? "high" : "standard"} resolution)`,
        quantity: metrics,
        unit: "alarm metrics",
        priceKey: highResolution ? "cloudwatch.alarmMetricHighResolution" : "cloudwatch.alarmMetric",
    });
};

/** Target tracking creates two CloudWatch alarms (scale out, scale in) that are billed like any other alarm. */
export const scalingPolicy: Pricer = (r, ctx) => {
    if (str(input(r, "policyType")) !== "TargetTrackingScaling") return;
    ctx.charge(r, {
        item: "the 2 alarms target tracking creates (standard resolution)",
        quantity: 2,
        unit: "alarm metrics",
        priceKey: "cloudwatch.alarmMetric",
    });
};

export const compositeAlarm: Pricer = (r, ctx) => {
    ctx.charge(r, { item: "composite alarm", quantity: 1, unit: "alarms", priceKey: "cloudwatch.compositeAlarm" });
};

export const dashboard: Pricer = (r, ctx) => {
    ctx.charge(r, {
        item: "dashboard",
        quantity: 1,
        unit: "dashboards",
        priceKey: "cloudwatch.dashboardMonth",
        note: "the account's three free dashboards are not deducted",
    });
};

export const budget: Pricer = (r, ctx) => {
    const budgets = ctx.input.resources
        .filter((b) => b.type === r.type)
        .map((b) => b.urn)
        .sort();
    const free = Math.max(0, 2 - ctx.a("budgetsInAccount"));
    const billed = budgets.indexOf(r.urn) >= free;
    ctx.charge(r, {
        item: billed ? "budget beyond the account's first two" : "budget within the account's first two (free)",
        quantity: billed ? ctx.a("hoursPerMonth") / 24 : 0,
        unit: "budget-days",
        priceKey: "budgets.budgetDay",
        assumptions: ["budgetsInAccount", "hoursPerMonth"],
    });
};
