/**
 * The edge's logs, all in us-east-1 on the us-east-1 key: the WAF log group, and CloudFront's access logs through
 * standard logging v2 into a log group of their own.
 *
 * Standard logging v2 rather than legacy logging: legacy logging writes to an S3 bucket with ACLs enabled, which the
 * platform's buckets never have (ownership is enforced). The delivery source, destination and delivery are created in
 * us-east-1: CloudFront's v2 logging is configured through the CloudWatch Logs API there, even for a destination in
 * another region (AWS CloudFront 'Configure standard logging (v2)'). A CloudWatch Logs destination keeps the logs
 * encrypted with a customer-managed key and expires them by retention, with no bucket to secure.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logDeliveryResourcePolicy } from "./documents";
import type { EdgeScope } from "./scope";

export interface EdgeLogGroups {
    wafLogGroup: aws.cloudwatch.LogGroup;
    accessLogGroup: aws.cloudwatch.LogGroup;
    /** Lets log delivery write into both groups; what writes there waits for it. */
    deliveryPolicy: aws.cloudwatch.LogResourcePolicy;
}

export function createLogGroups(scope: EdgeScope): EdgeLogGroups {
    const { parent, name, prefix, args, global } = scope;
    const opts = { parent, provider: global };
    const region = aws.getRegionOutput({}, opts).region;

    // WAF delivers only to log groups whose name starts with aws-waf-logs- (AWS WAF 'Sending web ACL traffic logs to
    // an Amazon CloudWatch Logs log group').
    const wafLogGroup = new aws.cloudwatch.LogGroup(
        `${name}-waf`,
        {
            name: `aws-waf-logs-${prefix}`,
            retentionInDays: args.waf?.logRetentionDays ?? 365,
            kmsKeyId: args.globalKmsKeyArn,
        },
        opts,
    );
    // The /aws/vendedlogs/ prefix is what AWS recommends for groups that receive logs from AWS services.
    const accessLogGroup = new aws.cloudwatch.LogGroup(
        `${name}-access`,
        {
            name: `/aws/vendedlogs/cloudfront/${prefix}`,
            retentionInDays: args.accessLogRetentionDays ?? 90,
            kmsKeyId: args.globalKmsKeyArn,
        },
        opts,
    );
    const deliveryPolicy = new aws.cloudwatch.LogResourcePolicy(
        `${name}-log-delivery`,
        {
            policyName: `${prefix}-edge-log-delivery`,
            policyDocument: pulumi
                .all([scope.partition, region, scope.accountId, wafLogGroup.arn, accessLogGroup.arn])
                .apply(([partition, reg, accountId, waf, access]) =>
                    JSON.stringify(
                        logDeliveryResourcePolicy({ partition, region: reg, accountId, logGroupArns: [waf, access] }),
                    ),
                ),
        },
        opts,
    );
    return { wafLogGroup, accessLogGroup, deliveryPolicy };
}

/** CloudFront standard logging v2: the distribution's access logs into the access-log group. */
export function createAccessLogDelivery(
    scope: EdgeScope,
    distribution: aws.cloudfront.Distribution,
    logs: EdgeLogGroups,
): aws.cloudwatch.LogDelivery {
    const { parent, name, prefix, global } = scope;
    const opts = { parent, provider: global };
    const source = new aws.cloudwatch.LogDeliverySource(
        `${name}-access`,
        { name: `${prefix}-cloudfront-access`, logType: "ACCESS_LOGS", resourceArn: distribution.arn },
        opts,
    );
    const destination = new aws.cloudwatch.LogDeliveryDestination(
        `${name}-access`,
        {
            name: `${prefix}-cloudfront-access`,
            outputFormat: "json",
            deliveryDestinationConfiguration: { destinationResourceArn: logs.accessLogGroup.arn },
        },
        opts,
    );
    return new aws.cloudwatch.LogDelivery(
        `${name}-access`,
        { deliverySourceName: source.name, deliveryDestinationArn: destination.arn },
        { ...opts, dependsOn: [logs.deliveryPolicy] },
    );
}
