import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAlarms } from "./monitoring/alarms";
import { type BudgetArgs, createBudget } from "./monitoring/budget";
import { instanceMemoryGiB } from "./monitoring/capacity";
import { createDashboard } from "./monitoring/dashboard";
import type { ThresholdOverrides } from "./monitoring/definitions";
import { createEventRules } from "./monitoring/events";
import { type Inventory, planAlarms } from "./monitoring/plan";
import type { MonitoringScope } from "./monitoring/scope";
import { type AlarmTopic, createTopic } from "./monitoring/topics";

export type { BudgetArgs } from "./monitoring/budget";

/** The Aurora cluster to watch. */
export interface WatchedDatabase {
    /** `DBClusterIdentifier` of the alarms. */
    clusterIdentifier: pulumi.Input<string>;
    /** For the failover rule's event pattern. */
    clusterArn: pulumi.Input<string>;
    /** The instance class; its memory sets the memory and connection thresholds. */
    instanceClass: string;
    /** Serverless v2 maximum ACUs (with `db.serverless`). */
    serverlessMaxCapacity?: number;
    /** True when the cluster has readers or can scale to some: READER alarms are created then. */
    hasReaders: boolean;
}

/** One ECS service to watch. */
export interface WatchedService {
    serviceName: pulumi.Input<string>;
    /** For the deployment-failure rule's event pattern. */
    serviceArn: pulumi.Input<string>;
    /** The fewest tasks it should run: the running-task alarm fires below it. */
    minimumTasks: number;
    /** ARN suffix of its target group, for web services. */
    targetGroupArnSuffix?: pulumi.Input<string>;
}

/** The ECS cluster, its services and their load balancer. */
export interface WatchedServices {
    clusterName: pulumi.Input<string>;
    /** Container Insights on: the running-task alarm needs its RunningTaskCount metric. */
    containerInsights: boolean;
    /** ARN suffix of the shared load balancer, when there are web services. */
    loadBalancerArnSuffix?: pulumi.Input<string>;
    /** Services by config name. */
    services: Record<string, WatchedService>;
}

export interface MonitoringArgs {
    /**
     * `<project>-<stack>`: prefix of every alarm, topic, dashboard and budget name. Required: names are unique per
     * account, and the caller knows the stack.
     */
    namePrefix: string;
    /**
     * The stack's key, in the stack's region: encrypts the regional alarm topic. Required: no AWS-managed key works.
     */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * A key in us-east-1 for the CloudFront alarm topic, and the us-east-1 provider (with the stack's default tags).
     * Required with `cloudFront`: CloudFront's metrics, and so its alarms and their topic, exist only there.
     */
    global?: { kmsKeyArn: pulumi.Input<string>; provider: pulumi.ProviderResource };
    /**
     * E-mail addresses subscribed to every alarm topic; each must confirm its subscription. Default none: alarms still
     * reach the topic, and nobody unnamed is subscribed.
     */
    emails?: string[];
    /**
     * HTTPS endpoints subscribed to every alarm topic (kept secret: URLs may carry a token). Default none: only named
     * endpoints are subscribed.
     */
    httpsEndpoints?: string[];
    /** Threshold overrides by alarm definition key, in each definition's unit. Default none: the table's defaults. */
    thresholds?: ThresholdOverrides;
    /** The Aurora cluster. Default none: no database alarms for a stack without one. */
    database?: WatchedDatabase;
    /** The ECS services and their load balancer. Default none: no service alarms for a stack without services. */
    services?: WatchedServices;
    /** NAT gateways, in AZ order (alarms are numbered from 1). Default none: no NAT alarms for a VPC without NAT. */
    natGatewayIds?: pulumi.Input<string>[];
    /**
     * The CloudFront distribution. `additionalMetrics` turns on CloudFront's additional metrics (a paid monitoring
     * subscription) and the origin-latency alarm on them. Default none: no CloudFront alarms without a distribution;
     * `additionalMetrics` defaults to false, because the subscription is paid per distribution.
     */
    cloudFront?: { distributionId: pulumi.Input<string>; additionalMetrics?: boolean };
    /** A monthly cost budget. Default none: only the owner knows the stack's limit. */
    budget?: BudgetArgs;
}

/** The resources alarms are derived from: what the args say exists. */
export function inventoryOf(args: MonitoringArgs): Inventory<pulumi.Input<string>> {
    const db = args.database;
    const svc = args.services;
    return {
        database: db && {
            clusterIdentifier: db.clusterIdentifier,
            roles: db.hasReaders ? ["WRITER", "READER"] : ["WRITER"],
            memoryGiB: instanceMemoryGiB(db.instanceClass, db.serverlessMaxCapacity),
            serverless: db.instanceClass === "db.serverless",
        },
        services: svc && {
            clusterName: svc.clusterName,
            containerInsights: svc.containerInsights,
            loadBalancer: svc.loadBalancerArnSuffix,
            apps: Object.entries(svc.services).map(([name, s]) => ({
                name,
                serviceName: s.serviceName,
                minimumTasks: s.minimumTasks,
                targetGroup: s.targetGroupArnSuffix,
            })),
        },
        natGateways: args.natGatewayIds,
        cloudFront: args.cloudFront && {
            distributionId: args.cloudFront.distributionId,
            additionalMetrics: args.cloudFront.additionalMetrics ?? false,
        },
    };
}

/**
 * Watches what the other components built: alarms derived from one table of definitions for every Aurora role, ECS
 * service, target group, load balancer, NAT gateway and CloudFront distribution the stack has; EventBridge rules for
 * rolled-back deployments and failovers; a dashboard; a monthly budget. Everything notifies encrypted SNS topics, one
 * in the stack's region and one in us-east-1 for CloudFront, each subscribed to by the configured people.
 *
 * The parts live in components/monitoring/: definitions.ts (the alarm table), capacity.ts (instance memory), plan.ts
 * (which alarms), topics.ts, alarms.ts, events.ts, dashboard.ts, budget.ts. Every resource is a direct child of this
 * component.
 */
export class Monitoring extends pulumi.ComponentResource {
    /** The alarm topic in the stack's region (alarms, deployment failures, failovers, the budget). */
    public readonly topicArn: pulumi.Output<string>;
    /** The alarm topic in us-east-1 (CloudFront alarms), when `global` is given. */
    public readonly globalTopicArn?: pulumi.Output<string>;
    /** Alarm names, in plan order. */
    public readonly alarmNames: string[];
    public readonly dashboardName: pulumi.Output<string>;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:Monitoring", name, {}, opts);
        if (args.cloudFront && !args.global) {
            throw new pulumi.RunError(`Monitoring ${name}: cloudFront needs global (a us-east-1 key and provider)`);
        }
        // Planned first: a threshold that cannot be derived fails before any resource exists.
        const plans = planAlarms(args.namePrefix, inventoryOf(args), args.thresholds);
        const scope: MonitoringScope = {
            parent: this,
            name,
            args,
            accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
            partition: aws.getPartitionOutput({}, { parent: this }).partition,
            region: aws.getRegionOutput({}, { parent: this }).region,
        };

        const regional = createTopic(scope, {
            id: "alarms",
            topicName: `${args.namePrefix}-alarms`,
            kmsKeyArn: args.kmsKeyArn,
            region: scope.region,
            eventBridge: args.database !== undefined || args.services !== undefined,
            budgets: args.budget !== undefined,
        });
        // Created even before a distribution exists, so its subscriptions are confirmed by the time one does.
        const global = args.global ? this.createGlobal(scope, args) : undefined;

        const alarms = createAlarms(
            scope,
            plans,
            { regional: regional.topic.arn, global: global?.topic.arn },
            args.global?.provider,
        );
        createEventRules(
            scope,
            {
                serviceArns: Object.values(args.services?.services ?? {}).map((s) => s.serviceArn),
                clusterArn: args.database?.clusterArn,
            },
            regional.topic.arn,
            [regional.policy],
        );
        const dashboard = createDashboard(scope, plans, alarms);
        if (args.budget) createBudget(scope, args.budget, regional.topic.arn, [regional.policy]);

        this.topicArn = regional.topic.arn;
        this.globalTopicArn = global?.topic.arn;
        this.alarmNames = plans.map((p) => p.name);
        this.dashboardName = dashboard.dashboardName;
        this.registerOutputs({
            topicArn: this.topicArn,
            globalTopicArn: this.globalTopicArn,
            alarmNames: this.alarmNames,
            dashboardName: this.dashboardName,
        });
    }

    /**
     * The us-east-1 side: the CloudFront alarm topic on the us-east-1 key and, for a distribution that asks for them,
     * CloudFront's additional metrics, which the origin-latency alarm reads.
     */
    private createGlobal(scope: MonitoringScope, args: MonitoringArgs): AlarmTopic {
        const global = args.global!;
        const topic = createTopic(scope, {
            id: "alarms-global",
            // Its own name: in a stack whose region is us-east-1 both topics share the region, and SNS would hand the
            // second CreateTopic the first topic.
            topicName: `${args.namePrefix}-alarms-us-east-1`,
            kmsKeyArn: global.kmsKeyArn,
            region: "us-east-1",
            provider: global.provider,
            eventBridge: false,
            budgets: false,
        });
        if (args.cloudFront?.additionalMetrics) {
            new aws.cloudfront.MonitoringSubscription(
                `${scope.name}-cloudfront-metrics`,
                {
                    distributionId: args.cloudFront.distributionId,
                    monitoringSubscription: {
                        realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" },
                    },
                },
                { parent: this, provider: global.provider },
            );
        }
        return topic;
    }
}
