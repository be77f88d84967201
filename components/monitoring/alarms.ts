/**
 * The planned alarms (plan.ts) as CloudWatch metric alarms, each notifying its region's topic on ALARM and on OK.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type MathSpec, type MetricSpec, isMath } from "./definitions";
import type { PlannedAlarm } from "./plan";
import type { MonitoringScope } from "./scope";

type Dimensions = Record<string, pulumi.Input<string>>;

/** The id of the metric-math expression whose value the alarm compares with its threshold. */
export const EXPRESSION_ID = "value";

function stat(m: MetricSpec): string {
    return m.extendedStatistic ?? m.statistic ?? "Average";
}

/** The inputs that say what an alarm measures: one metric, or metric math over several. */
export function metricInputs(
    metric: MetricSpec | MathSpec,
    period: number,
    dimensions: Dimensions,
): Partial<aws.cloudwatch.MetricAlarmArgs> {
    if (!isMath(metric)) {
        return {
            namespace: metric.namespace,
            metricName: metric.metricName,
            period,
            dimensions,
            ...(metric.extendedStatistic
                ? { extendedStatistic: metric.extendedStatistic }
                : { statistic: metric.statistic ?? "Average" }),
        };
    }
    return {
        metricQueries: [
            { id: EXPRESSION_ID, expression: metric.expression, label: metric.label, returnData: true },
            ...Object.entries(metric.metrics).map(([id, m]) => ({
                id,
                returnData: false,
                metric: { namespace: m.namespace, metricName: m.metricName, period, stat: stat(m), dimensions },
            })),
        ],
    };
}

/** One alarm per plan; CloudFront's live in us-east-1 with their topic there. */
export function createAlarms(
    scope: MonitoringScope,
    plans: PlannedAlarm<pulumi.Input<string>>[],
    topicArns: { regional: pulumi.Input<string>; global?: pulumi.Input<string> },
    globalProvider?: pulumi.ProviderResource,
): aws.cloudwatch.MetricAlarm[] {
    return plans.map((p) => {
        const d = p.definition;
        const topic = p.global ? topicArns.global : topicArns.regional;
        if (!topic) throw new pulumi.RunError(`Monitoring ${scope.name}: alarm ${p.name} has no topic in its region`);
        return new aws.cloudwatch.MetricAlarm(
            `${scope.name}-${p.shortName}`,
            {
                name: p.name,
                alarmDescription: p.description,
                comparisonOperator: d.comparison,
                threshold: p.threshold,
                evaluationPeriods: d.evaluationPeriods,
                datapointsToAlarm: d.datapointsToAlarm,
                treatMissingData: d.treatMissingData,
                // OK too: the on-call engineer learns that it recovered without opening the console.
                alarmActions: [topic],
                okActions: [topic],
                ...metricInputs(d.metric, d.period, p.dimensions as Dimensions),
            },
            { parent: scope.parent, ...(p.global && globalProvider ? { provider: globalProvider } : {}) },
        );
    });
}
