/**
 * The shape of an alarm definition (definitions.ts holds the table) and the pure functions that read one.
 */

/** What kind of resource a definition watches; each kind has its own dimensions (plan.ts). */
export type AlarmScope = "aurora" | "ecs" | "targetGroup" | "loadBalancer" | "nat" | "cloudfront";

/** Aurora instance roles: alarms aggregate by role, not by instance, because roles move on failover. */
export type AuroraRole = "WRITER" | "READER";

export type Statistic = "Average" | "Maximum" | "Minimum" | "Sum" | "SampleCount";
export type Comparison =
    "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";
export type MissingData = "breaching" | "notBreaching" | "ignore" | "missing";

/** One CloudWatch metric, aggregated by `statistic` or by a percentile (`extendedStatistic`, e.g. p99). */
export interface MetricSpec {
    namespace: string;
    metricName: string;
    statistic?: Statistic;
    extendedStatistic?: string;
}

/** A rate or ratio computed with metric math from metrics that share the scope's dimensions. */
export interface MathSpec {
    /** Metric math over the ids of `metrics` (ids start with a lowercase letter). */
    expression: string;
    label: string;
    metrics: Record<string, MetricSpec>;
}

/** The facts about one watched resource that thresholds and applicability depend on. */
export interface TargetFacts {
    /** Aurora: memory of the instance class (Serverless v2: of the maximum capacity), if the class is known. */
    memoryGiB?: number;
    /** Aurora: Serverless v2. */
    serverless?: boolean;
    role?: AuroraRole;
    /** ECS: the fewest tasks the service should run (auto scaling minimum, else desired count). */
    minimumTasks?: number;
    /** ECS: Container Insights is on, so ECS/ContainerInsights metrics exist. */
    containerInsights?: boolean;
    /** CloudFront: additional metrics (OriginLatency among them) are enabled. */
    additionalMetrics?: boolean;
}

export interface ThresholdSpec {
    /** Unit of the configured value (and of `default`), e.g. "%", "MiB", "seconds". */
    unit: string;
    /** Multiplier from the configured unit to the metric's unit (MiB → bytes). Default 1. */
    scale?: number;
    /** The default in `unit`, fixed or derived from the watched resource; undefined when it cannot be derived. */
    value: number | ((facts: TargetFacts) => number | undefined);
    /** The default in words, for the alarm reference. */
    text: string;
    /** Why this default: what it protects and what it tolerates. */
    why: string;
    /** False when the threshold is derived per resource and a single stack-wide value would be wrong. */
    configurable: boolean;
}

export interface AlarmDefinition {
    /** Config key under `aws-platform:monitoring.thresholds`, and the definition's id. */
    key: string;
    scope: AlarmScope;
    /** Alarm name suffix, after `<prefix>-<scope>-<target>-`. */
    suffix: string;
    title: string;
    metric: MetricSpec | MathSpec;
    comparison: Comparison;
    threshold: ThresholdSpec;
    /** Seconds per datapoint. */
    period: number;
    /** M of N: datapoints that must breach within `evaluationPeriods`. */
    datapointsToAlarm: number;
    evaluationPeriods: number;
    treatMissingData: MissingData;
    /** Why missing data is treated that way. */
    missingWhy: string;
    /** Aurora: the roles that get the alarm. Default both (READER only when readers exist). */
    roles?: readonly AuroraRole[];
    /** Only resources for which this holds get the alarm. Default all. */
    appliesTo?: (facts: TargetFacts) => boolean;
    /** When it does not apply to everything: in words, for the reference. */
    appliesWhen?: string;
    /** What the alarm means, for the on-call engineer. `{threshold}` is replaced by the threshold in words. */
    meaning: string;
    /** Where to look first. */
    look: string;
}

export function isMath(metric: MetricSpec | MathSpec): metric is MathSpec {
    return "expression" in metric;
}

/** Threshold overrides by definition key, in each definition's configured unit. */
export type ThresholdOverrides = Partial<Record<string, number>>;

/** The threshold of `definition` for a resource, in the configured unit: the override, else the default. */
export function thresholdFor(
    definition: AlarmDefinition,
    facts: TargetFacts,
    overrides: ThresholdOverrides = {},
): number | undefined {
    const override = definition.threshold.configurable ? overrides[definition.key] : undefined;
    if (override !== undefined) return override;
    const v = definition.threshold.value;
    return typeof v === "function" ? v(facts) : v;
}

/** A threshold in words, with its unit ("90 %", "819 MiB", "3 tasks"). */
export function thresholdWords(definition: AlarmDefinition, value: number): string {
    const unit = definition.threshold.unit;
    return `${value.toLocaleString("en-US")}${unit === "%" ? " %" : ` ${unit}`}`;
}
