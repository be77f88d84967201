/**
 * The alarm topics: encrypted with a customer-managed key, published to only by the AWS services that need to, and
 * subscribed to by the people (and endpoints) the stack's config names.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";
import type { MonitoringScope } from "./scope";

export interface TopicPolicyInput {
    topicArn: string;
    accountId: string;
    partition: string;
    /** The topic's region: CloudWatch only publishes to a topic in its alarm's region. */
    region: string;
    /** Alarm names start with this; only those alarms may publish. */
    alarmNamePrefix: string;
    /** EventBridge rules publish deployment failures and failovers here. */
    eventBridge: boolean;
    /** The stack's budget notifies here. */
    budgets: boolean;
}

/**
 * The topic policy: exactly the publishers this platform uses, each with the conditions its documentation gives.
 * No statement for the account itself: same-account principals are governed by their IAM policies.
 */
export function topicPolicy(p: TopicPolicyInput): string {
    const { topicArn, accountId, partition } = p;
    const statements: Record<string, unknown>[] = [
        {
            // Only this stack's alarms, in the topic's region and account: aws:SourceArn is the alarm's ARN (AWS
            // Knowledge Center 'Why didn't I receive an SNS notification for my CloudWatch alarm trigger?').
            Sid: "CloudWatchAlarmsPublish",
            Effect: "Allow",
            Principal: { Service: "cloudwatch.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: {
                ArnLike: {
                    "aws:SourceArn": `arn:${partition}:cloudwatch:${p.region}:${accountId}:alarm:${p.alarmNamePrefix}-*`,
                },
            },
        },
    ];
    if (p.eventBridge) {
        statements.push({
            // No condition: AWS EventBridge 'Amazon SNS permissions' states that Condition blocks cannot be used in
            // SNS topic policies for EventBridge, so a source condition would drop every event.
            Sid: "EventBridgeRulesPublish",
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
        });
    }
    if (p.budgets) {
        statements.push({
            // AWS Cost Management 'Creating an Amazon SNS topic for budget notifications': same account only.
            Sid: "BudgetsPublish",
            Effect: "Allow",
            Principal: { Service: "budgets.amazonaws.com" },
            Action: "sns:Publish",
            Resource: topicArn,
            Condition: {
                StringEquals: { "aws:SourceAccount": accountId },
                ArnLike: { "aws:SourceArn": `arn:${partition}:budgets::${accountId}:*` },
            },
        });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** A short, stable name part for a subscription endpoint that must not appear in clear (it may carry a token). */
export function endpointId(endpoint: string): string {
    return createHash("sha256").update(endpoint).digest("hex").slice(0, 10);
}

export interface TopicOptions {
    /** Logical name part: `alarms` (stack region) or `alarms-global` (us-east-1). */
    id: string;
    /** The topic's name, unique per account and region. */
    topicName: string;
    kmsKeyArn: pulumi.Input<string>;
    /** The topic's region, for its policy. */
    region: pulumi.Input<string>;
    /** The provider of another region (us-east-1); default the component's. */
    provider?: pulumi.ProviderResource;
    eventBridge: boolean;
    budgets: boolean;
}

export interface AlarmTopic {
    topic: aws.sns.Topic;
    policy: aws.sns.TopicPolicy;
    subscriptions: aws.sns.TopicSubscription[];
}

/** One encrypted alarm topic with its policy and its subscriptions. */
export function createTopic(scope: MonitoringScope, o: TopicOptions): AlarmTopic {
    const opts = { parent: scope.parent, ...(o.provider ? { provider: o.provider } : {}) };
    const prefix = scope.args.namePrefix;
    const topic = new aws.sns.Topic(
        `${scope.name}-${o.id}`,
        {
            name: o.topicName,
            // The sender name of notification e-mails.
            displayName: `${prefix} alarms`,
            // Customer-managed: an alarm cannot publish to a topic under alias/aws/sns, whose policy cannot name
            // CloudWatch; the key's policy lets cloudwatch.amazonaws.com (and the other publishers) use it.
            kmsMasterKeyId: o.kmsKeyArn,
        },
        opts,
    );
    const policy = new aws.sns.TopicPolicy(
        `${scope.name}-${o.id}`,
        {
            arn: topic.arn,
            policy: pulumi
                .all([topic.arn, scope.accountId, scope.partition, o.region])
                .apply(([topicArn, accountId, partition, region]) =>
                    topicPolicy({
                        topicArn,
                        accountId,
                        partition,
                        region,
                        alarmNamePrefix: prefix,
                        eventBridge: o.eventBridge,
                        budgets: o.budgets,
                    }),
                ),
        },
        opts,
    );
    const subscriptions = [
        // Named after the address, so adding or removing one leaves the others (and their confirmations) alone.
        ...(scope.args.emails ?? []).map(
            (email) =>
                new aws.sns.TopicSubscription(
                    `${scope.name}-${o.id}-${email}`,
                    { topic: topic.arn, protocol: "email", endpoint: email },
                    opts,
                ),
        ),
        // HTTPS endpoints may carry a token in the URL: the URL stays secret, and the name carries a hash of it.
        ...(scope.args.httpsEndpoints ?? []).map(
            (url) =>
                new aws.sns.TopicSubscription(
                    `${scope.name}-${o.id}-https-${endpointId(url)}`,
                    { topic: topic.arn, protocol: "https", endpoint: pulumi.secret(url), endpointAutoConfirms: false },
                    opts,
                ),
        ),
    ];
    return { topic, policy, subscriptions };
}
