/**
 * The pure parts of the edge: the WAF rules, the static-assets bucket policy, the CloudWatch Logs resource policy for
 * log delivery, the response headers and the VPC origin's name. Small functions on plain values, tested directly.
 */
import type * as aws from "@pulumi/aws";
import { createHash } from "crypto";

/** Managed policy ids are global constants (AWS CloudFront 'Use managed cache policies' and 'origin request'). */
export const MANAGED_POLICIES = {
    /** Nothing is cached: the application's responses are per user. */
    cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    /** Long TTLs, gzip and brotli: static assets. */
    cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    /**
     * Every viewer header, cookie and query string, but not Host: CloudFront then sends the origin's own domain name
     * as Host and as the TLS server name, which is the name the load balancer's certificate covers.
     */
    allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
} as const;

/** AWS managed rule groups of the web ACL, in evaluation order; config may override their rules' actions. */
export const MANAGED_RULE_GROUPS = [
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
] as const;
export type ManagedRuleGroup = (typeof MANAGED_RULE_GROUPS)[number];

/**
 * The default Content-Security-Policy: everything from the site's own origin only, no plugins, no framing, no
 * foreign form targets. An application that loads scripts, fonts or APIs from elsewhere lists them in config.
 */
export const DEFAULT_CSP =
    "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'";

/** Two years, the value hstspreload.org requires at least one year of, and what browsers cap at. */
export const HSTS_MAX_AGE_SECONDS = 63072000;

export type RuleAction = "count" | "block";

export interface WafRuleInput {
    /** Rule names and metric names start with it. */
    metricPrefix: string;
    rateLimitPerIp: number;
    rateLimitWindowSeconds: number;
    /** Managed rule groups, in evaluation order. */
    managedGroups: readonly string[];
    /** Per group, rules whose action is replaced. */
    overrides: Partial<Record<string, Record<string, RuleAction>>>;
}

const visibility = (metricName: string) => ({
    cloudwatchMetricsEnabled: true,
    metricName,
    sampledRequestsEnabled: true,
});

/**
 * The web ACL's rules: the rate limit first (a flood is cheapest to stop before the rule groups inspect it), then
 * the managed groups, each keeping its own actions (`overrideAction: none`) except the rules config overrides
 * (`ruleActionOverrides`). Capacity: 2 (rate) + 25 + 700 + 200 + 200 WCUs, under the 1,500 of the base price.
 */
export function wafRules(p: WafRuleInput): aws.types.input.wafv2.WebAclRule[] {
    const rate = {
        name: "RateLimitPerIp",
        priority: 0,
        action: { block: {} },
        statement: {
            rateBasedStatement: {
                limit: p.rateLimitPerIp,
                aggregateKeyType: "IP",
                evaluationWindowSec: p.rateLimitWindowSeconds,
            },
        },
        visibilityConfig: visibility(`${p.metricPrefix}-rate-limit`),
    };
    const groups = p.managedGroups.map((group, i) => {
        const overrides = Object.entries(p.overrides[group] ?? {}).sort(([a], [b]) => a.localeCompare(b));
        return {
            name: group,
            priority: i + 1,
            overrideAction: { none: {} },
            statement: {
                managedRuleGroupStatement: {
                    vendorName: "AWS",
                    name: group,
                    ...(overrides.length > 0
                        ? {
                              ruleActionOverrides: overrides.map(([name, action]) => ({
                                  name,
                                  actionToUse: { [action]: {} },
                              })),
                          }
                        : {}),
                },
            },
            visibilityConfig: visibility(`${p.metricPrefix}-${group}`),
        };
    });
    return [rate, ...groups];
}

/**
 * The static-assets bucket policy (AWS CloudFront 'Restrict access to an Amazon S3 origin'): only this distribution,
 * through origin access control, may read objects; nothing may use the bucket without TLS. Generic in the value type,
 * so the program can pass the distribution's ARN as an output: the document stays an object whose TLS statement is
 * known at preview even though the distribution does not exist yet.
 */
export function assetsBucketPolicy<V>(p: { bucketArn: string; distributionArn: V }) {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "CloudFrontReadsThroughOriginAccessControl",
                Effect: "Allow",
                Principal: { Service: "cloudfront.amazonaws.com" },
                Action: "s3:GetObject",
                Resource: `${p.bucketArn}/*`,
                Condition: { StringEquals: { "AWS:SourceArn": p.distributionArn } },
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [p.bucketArn, `${p.bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

/**
 * The CloudWatch Logs resource policy that lets log delivery write into the edge's log groups: WAF logs and
 * CloudFront access logs both arrive through `delivery.logs.amazonaws.com` (AWS CloudWatch Logs 'Enable logging from
 * AWS services', logs sent to CloudWatch Logs). Declared here so that neither service edits the account's policies
 * on its own; limited to the given groups and to deliveries of this account in this region.
 */
export function logDeliveryResourcePolicy(p: {
    partition: string;
    region: string;
    accountId: string;
    logGroupArns: string[];
}): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "LogDeliveryWritesEdgeLogs",
                Effect: "Allow",
                Principal: { Service: "delivery.logs.amazonaws.com" },
                Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                Resource: p.logGroupArns.map((arn) => `${arn.replace(/:\*$/, "")}:log-stream:*`),
                Condition: {
                    StringEquals: { "aws:SourceAccount": p.accountId },
                    ArnLike: { "aws:SourceArn": `arn:${p.partition}:logs:${p.region}:${p.accountId}:*` },
                },
            },
        ],
    };
}

/** What identifies a VPC origin: every setting CloudFront stores on it, and the tags it carries. */
export interface VpcOriginIdentity {
    loadBalancerArn: string;
    httpPort: number;
    httpsPort: number;
    originProtocolPolicy: string;
    originSslProtocols: string[];
    tags: Record<string, string>;
}

/**
 * The VPC origin's name: the prefix and a hash of everything CloudFront stores on the origin. A VPC origin cannot be
 * updated while a distribution uses it (CloudFront answers 409 "associated with one or more distributions"), not even
 * its tags, so every change replaces it; a new name lets the new origin exist next to the old one until the
 * distribution has moved to it. Keys are sorted, so the hash does not depend on the order settings were written in.
 */
export function vpcOriginName(prefix: string, identity: VpcOriginIdentity): string {
    const canonical = JSON.stringify(identity, (_k, v: unknown) =>
        v !== null && typeof v === "object" && !Array.isArray(v)
            ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
            : v,
    );
    const hash = createHash("sha256").update(canonical).digest("hex").slice(0, 8);
    // CloudFront allows 64 characters; the prefix is cut so that the hash always survives.
    return `${prefix.slice(0, 64 - 8 - 1)}-${hash}`;
}
