/**
 * One CloudWatch dashboard per stack, generated from the same plan as the alarms: a row per component, each row a
 * header and one alarm graph per alarm (the metric with its threshold and state), CloudFront's pointed at us-east-1.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmScope } from "./definitions";
import type { PlannedAlarm } from "./plan";
import type { MonitoringScope } from "./scope";

/** CloudFront metrics, and so its alarms, exist only in us-east-1. */
export const GLOBAL_REGION = "us-east-1";

/** Rows in the order an engineer reads them, from the viewer inwards. */
const ROWS: { scopes: AlarmScope[]; title: string }[] = [
    { scopes: ["cloudfront"], title: "CloudFront (us-east-1)" },
    { scopes: ["loadBalancer", "targetGroup"], title: "Load balancer" },
    { scopes: ["ecs"], title: "ECS services" },
    { scopes: ["aurora"], title: "Aurora" },
    { scopes: ["nat"], title: "NAT gateways" },
];

const GRID = 24;
const WIDGET = { width: 6, height: 6 };

export interface DashboardFacts {
    partition: string;
    accountId: string;
    /** The stack's region. */
    region: string;
}

/** An alarm's ARN, from its name: known before the alarm exists. */
export function alarmArn(p: PlannedAlarm<unknown>, f: DashboardFacts): string {
    const region = p.global ? GLOBAL_REGION : f.region;
    return `arn:${f.partition}:cloudwatch:${region}:${f.accountId}:alarm:${p.name}`;
}

/** The dashboard body: widgets laid out row by row on CloudWatch's 24-column grid. */
export function dashboardBody(plans: PlannedAlarm<unknown>[], f: DashboardFacts): string {
    const widgets: Record<string, unknown>[] = [];
    let y = 0;
    for (const row of ROWS) {
        const alarms = plans.filter((p) => row.scopes.includes(p.definition.scope));
        if (alarms.length === 0) continue;
        widgets.push({
            type: "text",
            x: 0,
            y,
            width: GRID,
            height: 1,
            properties: { markdown: `## ${row.title}` },
        });
        y += 1;
        alarms.forEach((p, i) => {
            const perLine = GRID / WIDGET.width;
            widgets.push({
                type: "metric",
                x: (i % perLine) * WIDGET.width,
                y: y + Math.floor(i / perLine) * WIDGET.height,
                ...WIDGET,
                properties: {
                    title: `${p.definition.title}${p.target ? ` (${p.target})` : ""}`,
                    region: p.global ? GLOBAL_REGION : f.region,
                    // An alarm graph: the alarm's own metric, threshold and state (no `metrics` with an alarm).
                    annotations: { alarms: [alarmArn(p, f)] },
                    view: "timeSeries",
                    stacked: false,
                },
            });
        });
        y += Math.ceil(alarms.length / (GRID / WIDGET.width)) * WIDGET.height;
    }
    return JSON.stringify({ widgets });
}

/** The stack's dashboard, in the stack's region, created after the alarms it shows. */
export function createDashboard(
    scope: MonitoringScope,
    plans: PlannedAlarm<unknown>[],
    alarms: pulumi.Resource[],
): aws.cloudwatch.Dashboard {
    return new aws.cloudwatch.Dashboard(
        `${scope.name}-dashboard`,
        {
            dashboardName: scope.args.namePrefix,
            dashboardBody: pulumi
                .all([scope.partition, scope.accountId, scope.region])
                .apply(([partition, accountId, region]) => dashboardBody(plans, { partition, accountId, region })),
        },
        { parent: scope.parent, dependsOn: alarms },
    );
}
