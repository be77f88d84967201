/**
 * VPC flow logs: every accepted and rejected connection, to a CMK-encrypted log group with a retention, delivered
 * by a role that may write to that group only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkScope } from "./scope";

export function createFlowLogs(
    scope: NetworkScope,
    vpc: aws.ec2.Vpc,
    region: pulumi.Output<string>,
): aws.cloudwatch.LogGroup {
    const { parent, name, args } = scope;
    const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    const flowLogGroup = new aws.cloudwatch.LogGroup(
        `${name}-flow-logs`,
        {
            namePrefix: `/aws/vpc/${name}-flow-logs-`,
            retentionInDays: args.flowLogRetentionDays ?? 365,
            kmsKeyId: args.kmsKeyArn,
        },
        { parent },
    );
    const flowLogRole = new aws.iam.Role(
        `${name}-flow-logs`,
        {
            description: "VPC flow logs delivery to CloudWatch Logs",
            assumeRolePolicy: pulumi.all([accountId, region, partition]).apply(([account, reg, part]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            // Confused-deputy guard: only flow logs of this account may assume the role.
                            Condition: {
                                StringEquals: { "aws:SourceAccount": account },
                                ArnLike: { "aws:SourceArn": `arn:${part}:ec2:${reg}:${account}:vpc-flow-log/*` },
                            },
                        },
                    ],
                }),
            ),
        },
        { parent },
    );
    new aws.iam.RolePolicy(
        `${name}-flow-logs`,
        {
            role: flowLogRole.id,
            policy: pulumi.all([flowLogGroup.arn, accountId, region, partition]).apply(([arn, account, reg, part]) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "WriteFlowLogGroup",
                            Effect: "Allow",
                            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            Resource: [arn, `${arn}:*`],
                        },
                        {
                            // In AWS's documented flow-log role; a list action, so scoped to the account's groups.
                            Sid: "FindFlowLogGroup",
                            Effect: "Allow",
                            Action: "logs:DescribeLogGroups",
                            Resource: `arn:${part}:logs:${reg}:${account}:log-group:*`,
                        },
                    ],
                }),
            ),
        },
        { parent },
    );
    new aws.ec2.FlowLog(
        `${name}-flow-log`,
        {
            vpcId: vpc.id,
            trafficType: "ALL",
            logDestinationType: "cloud-watch-logs",
            logDestination: flowLogGroup.arn,
            iamRoleArn: flowLogRole.arn,
            maxAggregationInterval: 60,
            tags: { Name: `${name}-flow-log` },
        },
        { parent },
    );
    return flowLogGroup;
}
