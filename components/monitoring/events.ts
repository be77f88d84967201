/**
 * Events no metric shows: a deployment the ECS circuit breaker rolled back, and an Aurora failover. EventBridge rules
 * in the stack's region match them for this stack's services and cluster only and publish a readable message to the
 * alarm topic.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { MonitoringScope } from "./scope";

/**
 * ECS sends `SERVICE_DEPLOYMENT_FAILED` for services with the deployment circuit breaker on, with the service's ARN in
 * `resources` (AWS ECS 'Amazon ECS service deployment state change events').
 */
export function deploymentFailurePattern(serviceArns: string[]): string {
    return JSON.stringify({
        source: ["aws.ecs"],
        "detail-type": ["ECS Deployment State Change"],
        resources: serviceArns,
        detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
    });
}

/**
 * RDS sends cluster events in the `failover` category (RDS-EVENT-0069 to 0073: started, completed, failed) with the
 * cluster's ARN as `SourceArn` (AWS EventBridge 'Amazon Relational Database Service events'; AWS Aurora 'Amazon RDS
 * event categories and event messages').
 */
export function failoverPattern(clusterArn: string): string {
    return JSON.stringify({
        source: ["aws.rds"],
        "detail-type": ["RDS DB Cluster Event"],
        detail: { EventCategories: ["failover"], SourceArn: [clusterArn] },
    });
}

/** An input transformer: values picked from the event and the JSON string they are placed in. */
export interface EventMessage {
    inputPaths: Record<string, string>;
    inputTemplate: string;
}

/** Input transformers: the message e-mail subscribers read, instead of raw event JSON. */
export const DEPLOYMENT_FAILURE_MESSAGE: EventMessage = {
    inputPaths: {
        time: "$.time",
        service: "$.resources[0]",
        deployment: "$.detail.deploymentId",
        reason: "$.detail.reason",
    },
    inputTemplate:
        '"<time>: ECS deployment <deployment> of <service> failed and the circuit breaker rolled it back. ' +
        "Reason: <reason>. Look at the service's Events tab, its stopped tasks' stoppedReason and its log group.\"",
};

export const FAILOVER_MESSAGE: EventMessage = {
    inputPaths: {
        time: "$.time",
        cluster: "$.detail.SourceIdentifier",
        event: "$.detail.EventID",
        message: "$.detail.Message",
    },
    inputTemplate:
        '"<time>: Aurora cluster <cluster>: <message> (<event>). A failover promotes a reader to writer: writes ' +
        "pause for up to a minute and connections to the old writer drop. Check the writer's alarms and that the " +
        'services reconnected."',
};

export interface EventSources {
    /** ARNs of the services whose failed deployments are reported. */
    serviceArns?: pulumi.Input<string>[];
    /** The Aurora cluster whose failovers are reported. */
    clusterArn?: pulumi.Input<string>;
}

/**
 * One rule per kind of event, with the topic as target. No target role: for SNS targets EventBridge uses the topic
 * policy, and a role can make deliveries to KMS-encrypted topics fail (AWS EventBridge 'Using resource-based policies
 * for Amazon EventBridge').
 */
export function createEventRules(
    scope: MonitoringScope,
    sources: EventSources,
    topicArn: pulumi.Input<string>,
    dependsOn: pulumi.Resource[],
): aws.cloudwatch.EventRule[] {
    const rules: aws.cloudwatch.EventRule[] = [];
    const rule = (id: string, description: string, pattern: pulumi.Input<string>, message: EventMessage) => {
        const r = new aws.cloudwatch.EventRule(
            `${scope.name}-${id}`,
            { description, eventPattern: pattern },
            { parent: scope.parent },
        );
        // The topic policy must admit EventBridge before the first event is delivered.
        new aws.cloudwatch.EventTarget(
            `${scope.name}-${id}`,
            { rule: r.name, arn: topicArn, inputTransformer: message },
            { parent: scope.parent, dependsOn },
        );
        rules.push(r);
    };
    if ((sources.serviceArns ?? []).length > 0) {
        rule(
            "deployment-failed",
            `${scope.args.namePrefix}: ECS deployments rolled back by the circuit breaker`,
            pulumi.all(sources.serviceArns!).apply(deploymentFailurePattern),
            DEPLOYMENT_FAILURE_MESSAGE,
        );
    }
    if (sources.clusterArn !== undefined) {
        rule(
            "aurora-failover",
            `${scope.args.namePrefix}: Aurora failovers`,
            pulumi.output(sources.clusterArn).apply(failoverPattern),
            FAILOVER_MESSAGE,
        );
    }
    return rules;
}
