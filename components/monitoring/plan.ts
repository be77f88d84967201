/**
 * Which alarms a stack gets: every definition (definitions.ts) applied to every resource of its scope that the stack
 * actually has. Pure and generic in the identifier type, so tests plan with strings and the component with Outputs.
 */
import { RunError } from "@pulumi/pulumi";
import {
    ALARM_DEFINITIONS,
    type AlarmDefinition,
    type AlarmScope,
    type AuroraRole,
    type TargetFacts,
    type ThresholdOverrides,
    thresholdFor,
    thresholdWords,
} from "./definitions";

/** The resources a stack has, as far as alarms are concerned. `T` is an identifier (a string or an Output). */
export interface Inventory<T> {
    database?: {
        clusterIdentifier: T;
        /** WRITER always; READER when the cluster has or can scale to readers. */
        roles: AuroraRole[];
        /** Memory of the class (Serverless v2: of the maximum capacity); undefined when not known. */
        memoryGiB?: number;
        serverless: boolean;
    };
    services?: {
        clusterName: T;
        containerInsights: boolean;
        /** The load balancer's ARN suffix, when the stack has web services. */
        loadBalancer?: T;
        apps: { name: string; serviceName: T; minimumTasks: number; targetGroup?: T }[];
    };
    natGateways?: T[];
    cloudFront?: { distributionId: T; additionalMetrics: boolean };
}

/** One alarm to create. */
export interface PlannedAlarm<T> {
    definition: AlarmDefinition;
    /** The watched resource in words, e.g. "WRITER", "web", "nat-2". */
    target: string;
    /** The alarm's name: `<prefix>-<scope label>-<target>-<suffix>`, unique in the account and region. */
    name: string;
    /** The name without the prefix, for logical resource names. */
    shortName: string;
    /** Threshold in the metric's unit. */
    threshold: number;
    /** Threshold in the configured unit, in words. */
    thresholdText: string;
    dimensions: Record<string, T | string>;
    /** True for CloudFront alarms, which live in us-east-1 with CloudFront's metrics. */
    global: boolean;
    description: string;
}

/** A watched resource of one scope: its label, dimensions and facts. */
export interface Target<T> {
    scope: AlarmScope;
    label: string;
    dimensions: Record<string, T | string>;
    facts: TargetFacts;
}

const SCOPE_LABEL: Record<AlarmScope, string> = {
    aurora: "aurora",
    ecs: "ecs",
    targetGroup: "alb",
    loadBalancer: "alb",
    nat: "nat",
    cloudfront: "cloudfront",
};

function targets<T>(inv: Inventory<T>): Target<T>[] {
    const out: Target<T>[] = [];
    const db = inv.database;
    for (const role of db?.roles ?? []) {
        out.push({
            scope: "aurora",
            label: role.toLowerCase(),
            dimensions: { DBClusterIdentifier: db!.clusterIdentifier, Role: role },
            facts: { role, memoryGiB: db!.memoryGiB, serverless: db!.serverless },
        });
    }
    const svc = inv.services;
    for (const app of svc?.apps ?? []) {
        out.push({
            scope: "ecs",
            label: app.name,
            dimensions: { ClusterName: svc!.clusterName, ServiceName: app.serviceName },
            facts: { minimumTasks: app.minimumTasks, containerInsights: svc!.containerInsights },
        });
        if (app.targetGroup !== undefined && svc!.loadBalancer !== undefined) {
            out.push({
                scope: "targetGroup",
                label: app.name,
                dimensions: { TargetGroup: app.targetGroup, LoadBalancer: svc!.loadBalancer },
                facts: {},
            });
        }
    }
    if (svc?.loadBalancer !== undefined) {
        out.push({ scope: "loadBalancer", label: "", dimensions: { LoadBalancer: svc.loadBalancer }, facts: {} });
    }
    (inv.natGateways ?? []).forEach((id, i) =>
        out.push({ scope: "nat", label: `${i + 1}`, dimensions: { NatGatewayId: id }, facts: {} }),
    );
    if (inv.cloudFront) {
        out.push({
            scope: "cloudfront",
            label: "",
            // CloudFront publishes its metrics with Region "Global" (AWS CloudFront 'Viewing CloudFront metrics').
            dimensions: { DistributionId: inv.cloudFront.distributionId, Region: "Global" },
            facts: { additionalMetrics: inv.cloudFront.additionalMetrics },
        });
    }
    return out;
}

function applies(d: AlarmDefinition, t: Target<unknown>): boolean {
    if (d.scope !== t.scope) return false;
    if (d.roles && t.facts.role && !d.roles.includes(t.facts.role)) return false;
    return d.appliesTo ? d.appliesTo(t.facts) : true;
}

/** The resource in words for the description, e.g. "Aurora WRITER instances of cluster aws-platform-prod". */
function subject(t: Target<unknown>, prefix: string): string {
    switch (t.scope) {
        case "aurora":
            return `Aurora ${t.facts.role} instances of ${prefix}`;
        case "ecs":
            return `ECS service ${t.label} of ${prefix}`;
        case "targetGroup":
            return `load balancer target group of service ${t.label} (${prefix})`;
        case "loadBalancer":
            return `load balancer of ${prefix}`;
        case "nat":
            return `NAT gateway ${t.label} of ${prefix}`;
        case "cloudfront":
            return `CloudFront distribution of ${prefix}`;
    }
}

/** The on-call text: what fired, what it means, where to look; CloudWatch caps descriptions at 1024 characters. */
export function alarmDescription(d: AlarmDefinition, t: Target<unknown>, prefix: string, words: string): string {
    const text = `${d.title} on the ${subject(t, prefix)}. ${d.meaning.replace("{threshold}", words)} Look at: ${d.look}`;
    return text.length <= 1024 ? text : `${text.slice(0, 1021)}...`;
}

/**
 * The alarms of a stack: one per definition and matching resource. Throws when a derived threshold cannot be
 * derived and has no override (the settings check reports that case first, naming the key to set).
 */
export function planAlarms<T>(
    prefix: string,
    inventory: Inventory<T>,
    overrides: ThresholdOverrides = {},
): PlannedAlarm<T>[] {
    const planned: PlannedAlarm<T>[] = [];
    for (const t of targets(inventory)) {
        for (const d of ALARM_DEFINITIONS.filter((x) => applies(x, t))) {
            const value = thresholdFor(d, t.facts, overrides);
            if (value === undefined) {
                throw new RunError(
                    `Monitoring: the ${d.title} threshold of the ${subject(t, prefix)} cannot be derived; set monitoring.thresholds.${d.key}`,
                );
            }
            const shortName = [SCOPE_LABEL[t.scope], t.label, d.suffix].filter((p) => p !== "").join("-");
            const words = thresholdWords(d, value);
            planned.push({
                definition: d,
                target: t.label,
                name: `${prefix}-${shortName}`,
                shortName,
                threshold: value * (d.threshold.scale ?? 1),
                thresholdText: words,
                dimensions: t.dimensions,
                global: t.scope === "cloudfront",
                description: alarmDescription(d, t, prefix, words),
            });
        }
    }
    return planned;
}
