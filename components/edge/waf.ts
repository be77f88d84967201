/**
 * The WAF web ACL in front of the distribution and its logs. Scope CLOUDFRONT, so everything here lives in us-east-1
 * whatever the stack's region (AWS WAF 'Resources that you can protect').
 */
import * as aws from "@pulumi/aws";
import { MANAGED_RULE_GROUPS, wafRules } from "./documents";
import type { EdgeLogGroups } from "./logging";
import type { EdgeScope } from "./scope";

/** The web ACL, logging to the edge's WAF log group. */
export function createWaf(scope: EdgeScope, logs: EdgeLogGroups): aws.wafv2.WebAcl {
    const { parent, name, prefix, args, global } = scope;
    const waf = args.waf ?? {};
    const opts = { parent, provider: global };

    const webAcl = new aws.wafv2.WebAcl(
        `${name}-waf`,
        {
            scope: "CLOUDFRONT",
            description: `${prefix}: rate limit per IP and AWS managed rules in front of CloudFront`,
            defaultAction: { allow: {} },
            rules: wafRules({
                metricPrefix: prefix,
                rateLimitPerIp: waf.rateLimitPerIp ?? 2000,
                rateLimitWindowSeconds: waf.rateLimitWindowSeconds ?? 300,
                managedGroups: MANAGED_RULE_GROUPS,
                overrides: waf.ruleOverrides ?? {},
            }),
            visibilityConfig: { cloudwatchMetricsEnabled: true, metricName: prefix, sampledRequestsEnabled: true },
        },
        opts,
    );

    new aws.wafv2.WebAclLoggingConfiguration(
        `${name}-waf`,
        {
            resourceArn: webAcl.arn,
            logDestinationConfigs: [logs.wafLogGroup.arn],
            // Credentials never reach the logs.
            redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
        },
        // Log delivery must be allowed to write before WAF checks its destination.
        { ...opts, dependsOn: [logs.deliveryPolicy] },
    );
    return webAcl;
}
