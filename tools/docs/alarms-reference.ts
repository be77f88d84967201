/**
 * `npm run docs` writes docs/alarms.md, the alarm reference, from the alarm definitions themselves
 * (components/monitoring/definitions.ts): what each alarm watches, its metric, threshold and why, how many datapoints
 * make it fire, what missing data means, what it tells the on-call engineer, and the config key that changes it. A
 * test fails when the file is stale.
 */
import { readFileSync, writeFileSync } from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { CLASS_TABLE_AS_OF } from "../../components/monitoring/capacity";
import {
    ALARM_DEFINITIONS,
    type AlarmDefinition,
    type AlarmScope,
    type MetricSpec,
    isMath,
} from "../../components/monitoring/definitions";
import { PROJECT } from "../../stacks/common";
import { replaceBlock } from "../cost/docs";
import { failedWith, noArguments, printUsage, runMain, write } from "../cli-common";

export const ALARMS_FILE = path.resolve(__dirname, "..", "..", "docs", "alarms.md");

const WIDTH = 120;

/** What each scope watches, in the order the sections appear. */
const SCOPES: { scope: AlarmScope; title: string; watches: string; dimensions: string; name: string }[] = [
    {
        scope: "aurora",
        name: "aurora-<role>",
        title: "Aurora",
        watches: "each instance role of the cluster: WRITER, and READER when the cluster has or can scale to readers",
        dimensions: "`DBClusterIdentifier` and `Role`, not instance ids: roles move between instances on failover",
    },
    {
        scope: "ecs",
        name: "ecs-<service>",
        title: "ECS services",
        watches: "each service",
        dimensions: "`ClusterName` and `ServiceName`",
    },
    {
        scope: "targetGroup",
        name: "alb-<service>",
        title: "Load balancer target groups",
        watches: "the target group of each web service",
        dimensions: "`TargetGroup` and `LoadBalancer` (ARN suffixes)",
    },
    {
        scope: "loadBalancer",
        name: "alb",
        title: "Load balancer",
        watches: "the shared load balancer, when the stack has web services",
        dimensions: "`LoadBalancer` (ARN suffix)",
    },
    {
        scope: "nat",
        name: "nat-<n>",
        title: "NAT gateways",
        watches: "each NAT gateway, numbered from 1 in AZ order",
        dimensions: "`NatGatewayId`",
    },
    {
        scope: "cloudfront",
        name: "cloudfront",
        title: "CloudFront (us-east-1)",
        watches: "the distribution; its alarms and their topic live in us-east-1, where CloudFront's metrics are",
        dimensions: "`DistributionId` and `Region: Global`",
    },
];

function statistic(m: MetricSpec): string {
    return m.extendedStatistic ?? m.statistic ?? "Average";
}

function metricText(d: AlarmDefinition): string {
    const m = d.metric;
    if (!isMath(m)) return `\`${m.namespace}\` \`${m.metricName}\`, ${statistic(m)}`;
    const parts = Object.entries(m.metrics).map(
        ([id, x]) => `\`${id}\` = \`${x.namespace}\` \`${x.metricName}\` (${statistic(x)})`,
    );
    return `metric math \`${m.expression}\`, where ${parts.join(", ")}`;
}

const COMPARISON: Record<string, string> = {
    GreaterThanThreshold: "above",
    GreaterThanOrEqualToThreshold: "at or above",
    LessThanThreshold: "below",
    LessThanOrEqualToThreshold: "at or below",
};

function configKey(d: AlarmDefinition): string {
    return d.threshold.configurable
        ? `\`${PROJECT}:monitoring.thresholds.${d.key}\` (${d.threshold.unit})`
        : "none: derived per resource";
}

function section(d: AlarmDefinition, namePart: string): string {
    const lines = [
        `### ${d.title}`,
        "",
        `- Name: \`<project>-<stack>-${namePart}-${d.suffix}\`${d.roles ? `; roles: ${d.roles.join(", ")}` : ""}` +
            (d.appliesWhen ? `; only with ${d.appliesWhen}` : "") +
            ".",
        `- Metric: ${metricText(d)}, every ${d.period} s.`,
        `- Fires: ${COMPARISON[d.comparison]} ${d.threshold.text} in ${d.datapointsToAlarm} of ${d.evaluationPeriods} datapoints.`,
        `- Why this threshold: ${d.threshold.why}`,
        `- Missing data: ${d.treatMissingData}. ${d.missingWhy}`,
        `- Config key: ${configKey(d)}.`,
        `- On call: ${d.meaning.replace("{threshold}", "the threshold")} Look at: ${d.look}`,
    ];
    return lines.join("\n");
}

/** One row per alarm definition: what it watches, its metric, its default threshold and the key that changes it. */
export function alarmSummaryTable(): string[] {
    return [
        "| Alarm | Metric | Default threshold | Config key |",
        "| --- | --- | --- | --- |",
        ...ALARM_DEFINITIONS.map(
            (d) =>
                `| ${d.title} | ${isMath(d.metric) ? d.metric.label : `\`${d.metric.metricName}\``} | ${d.threshold.text} | ${d.threshold.configurable ? `\`${d.key}\`` : "derived"} |`,
        ),
    ];
}

export const README = path.resolve(__dirname, "..", "..", "README.md");
export const README_START = "<!-- alarms:start (generated by tools/docs/alarms-reference.ts: npm run docs) -->";
export const README_END = "<!-- alarms:end -->";

/**
 * The README's alarm list: per alarm its metric, default threshold and config key (the rows of docs/alarms.md's
 * summary), with a pointer to the reason behind each threshold there; a list, because the table is wider than the
 * README's 120 columns.
 */
/**
 * The first clause of a threshold's reason, for the README, which must stay short enough to read in one sitting;
 * docs/alarms.md gives the whole reason.
 */
export function briefWhy(why: string): string {
    return why.split(/(?<=[.;])\s/)[0].replace(/[.;]$/, "");
}

export async function renderReadmeBlock(): Promise<string> {
    const text = [
        ...ALARM_DEFINITIONS.map(
            (d) =>
                `- **${d.title}** (${isMath(d.metric) ? d.metric.label : `\`${d.metric.metricName}\``}): ` +
                `${d.threshold.text}; ${d.threshold.configurable ? `\`${d.key}\`` : "derived, not configurable"}. ` +
                `Why: ${briefWhy(d.threshold.why)}.`,
        ),
        "",
        "Thresholds are set under `aws-platform:monitoring.thresholds.<key>`. The whole reason for each default, what " +
            "missing data means and what the on-call engineer should look at: [docs/alarms.md](docs/alarms.md).",
    ].join("\n");
    const options = (await prettier.resolveConfig(README)) ?? {};
    return (
        await prettier.format(text, { ...options, parser: "markdown", printWidth: WIDTH, proseWrap: "always" })
    ).trimEnd();
}

export function alarmsMarkdown(): string {
    const summary = alarmSummaryTable();
    const parts = [
        "# Alarm reference",
        "",
        "<!-- Generated by `npm run docs` from components/monitoring/definitions.ts; edit the definitions, not this file. -->",
        "",
        "Every stack gets these alarms for every resource of the kind each one watches, with no config: a new " +
            "service, reader or NAT gateway gets its alarms on the next `pulumi up`. Each alarm notifies its region's " +
            "encrypted SNS topic on ALARM and on OK, carries a description that says what it means and where to look, " +
            "and is named after the stack, the resource and the alarm. The stack's dashboard (named `<project>-<stack>`) " +
            "shows one graph per alarm, a row per component. Thresholds are overridden per alarm under " +
            `\`${PROJECT}:monitoring.thresholds\`; the override applies to every resource that alarm watches.`,
        "",
        `Memory-based thresholds use the instance class's memory (class table of ${CLASS_TABLE_AS_OF}); a class the ` +
            "table does not know needs `auroraFreeableMemory` and `auroraConnections` set explicitly.",
        "",
        ...summary,
        "",
        "Besides the alarms, EventBridge rules send to the same topic: ECS deployments the circuit breaker rolled back " +
            "(`ECS Deployment State Change`, `SERVICE_DEPLOYMENT_FAILED`, this stack's services only) and Aurora " +
            "failovers (`RDS DB Cluster Event`, category `failover`, this stack's cluster only).",
    ];
    for (const s of SCOPES) {
        const defs = ALARM_DEFINITIONS.filter((d) => d.scope === s.scope);
        parts.push("", `## ${s.title}`, "", `Watches ${s.watches}. Dimensions: ${s.dimensions}.`);
        for (const d of defs) parts.push("", section(d, s.name));
    }
    return parts.join("\n") + "\n";
}

export async function renderAlarms(): Promise<string> {
    const options = (await prettier.resolveConfig(ALARMS_FILE)) ?? {};
    return prettier.format(alarmsMarkdown(), {
        ...options,
        parser: "markdown",
        printWidth: WIDTH,
        proseWrap: "always",
    });
}

const USAGE =
    "usage: npm run docs (writes the alarm reference and the alarm table in README.md)\n  -h, --help print this help";

if (require.main === module) {
    runMain(async () => {
        if (noArguments(process.argv.slice(2), USAGE)) {
            return printUsage(USAGE);
        }
        const [text, block] = await Promise.all([renderAlarms(), renderReadmeBlock()]);
        writeFileSync(ALARMS_FILE, text);
        await write(process.stdout, `wrote ${path.relative(process.cwd(), ALARMS_FILE)}\n`);
        writeFileSync(README, replaceBlock(readFileSync(README, "utf8"), block, README_START, README_END));
        await write(process.stdout, "updated the alarm table in README.md\n");
        return 0;
    }, failedWith(1));
}
