/**
 * Edge protection: the public entry point is filtered by a WAF web ACL and leaves an access log. Both are judged
 * from the distribution's relations (`propertyDependencies`), which are known at preview even when the ARNs are not.
 */
import type { PolicyResource } from "@pulumi/policy";

import { stackPolicy, type Built } from "./builders";
import { label, type ResourceGraph } from "./graph";
import { T } from "./tokens";
import { isSet, isUnknown, knownString, peek, readThrough } from "./values";

/** A WAFv2 web ACL with scope CLOUDFRONT: always in us-east-1, under `global/` (AWS WAF 'WebACL' ARN format). */
const CLOUDFRONT_WEB_ACL_ARN = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[^/]+\/[^/]+$/;

const cloudfrontWaf = stackPolicy({
    name: "cloudfront-waf-attached",
    category: "edge-protection",
    severity: "high",
    summary:
        "Every CloudFront distribution has a WAFv2 web ACL: webAclId is the ARN of a web ACL with scope CLOUDFRONT (a web ACL of this stack, or a literal us-east-1 global/webacl ARN).",
    remediation:
        'Create an aws.wafv2.WebAcl with scope "CLOUDFRONT" in us-east-1 (a us-east-1 provider) and pass its arn (not its id) to the distribution\'s webAclId.',
    types: [...T.distribution, ...T.webAcl],
    checkov: ["CKV_AWS_68"],
    trivy: ["AVD-AWS-0011"],
    awsConfig: ["CLOUDFRONT_ASSOCIATED_WITH_WAF"],
    check: (graph, report, _settings, later) => {
        for (const d of graph.ofType(T.distribution)) {
            const value = peek(d.props, "webAclId");
            if (value === undefined || value === null || value === "") {
                report(`${label(d)} has no WAF web ACL: webAclId is not set.`, d.urn);
                continue;
            }
            for (const acl of graph.via(d, "webAclId", T.webAcl)) {
                const scope = peek(acl.props, "scope");
                if (isUnknown(scope)) {
                    later(() => readThrough(acl.props, "scope"));
                } else if (scope !== "CLOUDFRONT") {
                    report(
                        `${label(d)} uses ${label(acl)}, whose scope is '${String(scope)}'; a distribution needs a web ACL with scope CLOUDFRONT, in us-east-1.`,
                        d.urn,
                    );
                }
            }
            // An unknown value comes from a resource of this stack; its scope was judged above.
            if (!isUnknown(value) && !(typeof value === "string" && CLOUDFRONT_WEB_ACL_ARN.test(value))) {
                report(
                    `webAclId '${String(value)}' of ${label(d)} is not the ARN of a WAFv2 web ACL with scope CLOUDFRONT; pass the web ACL's arn, not its id.`,
                    d.urn,
                );
            }
        }
    },
});

/**
 * The delivery sources of a distribution (linked through resourceArn, or naming its known ARN): those known to carry
 * ACCESS_LOGS, and those whose log type is unknown at preview.
 */
function accessLogSources(graph: ResourceGraph, d: PolicyResource) {
    const arn = knownString(d.props, "arn");
    const sources = graph
        .ofType(T.logDeliverySource)
        .filter(
            (s) =>
                (s.propertyDependencies.resourceArn ?? []).includes(d) ||
                (arn !== undefined && knownString(s.props, "resourceArn") === arn),
        );
    return {
        access: sources.filter((s) => peek(s.props, "logType") === "ACCESS_LOGS"),
        undecided: sources.filter((s) => isUnknown(peek(s.props, "logType"))),
    };
}

/** Whether an aws.cloudwatch.LogDelivery connects the source to a destination. */
function isDelivered(graph: ResourceGraph, source: PolicyResource): boolean {
    const name = knownString(source.props, "name");
    return graph
        .ofType(T.logDelivery)
        .some(
            (d) =>
                (d.propertyDependencies.deliverySourceName ?? []).includes(source) ||
                (name !== undefined && knownString(d.props, "deliverySourceName") === name),
        );
}

const cloudfrontAccessLogging = stackPolicy({
    name: "cloudfront-access-logging",
    category: "edge-protection",
    severity: "medium",
    summary:
        "Every CloudFront distribution writes access logs: an aws.cloudwatch.LogDeliverySource with logType ACCESS_LOGS for it (standard logging v2) that an aws.cloudwatch.LogDelivery connects to a destination, or legacy loggingConfig with a bucket.",
    remediation:
        'Create, with a us-east-1 provider, an aws.cloudwatch.LogDeliverySource { logType: "ACCESS_LOGS", resourceArn: distribution.arn }, an aws.cloudwatch.LogDeliveryDestination (an encrypted log group or bucket) and an aws.cloudwatch.LogDelivery joining them.',
    types: [...T.distribution, ...T.logDeliverySource, ...T.logDelivery],
    checkov: ["CKV_AWS_86"],
    trivy: ["AVD-AWS-0010"],
    awsConfig: ["CLOUDFRONT_ACCESSLOGS_ENABLED"],
    check: (graph, report, _settings, later) => {
        for (const d of graph.ofType(T.distribution)) {
            if (isSet(peek(d.props, "loggingConfig"), "bucket")) {
                continue;
            }
            const { access: sources, undecided } = accessLogSources(graph, d);
            if (sources.length === 0 && undecided.length > 0) {
                // Only a source whose log type nobody knows yet could log this distribution.
                later(() => readThrough(undecided[0].props, "logType"));
            } else if (sources.length === 0) {
                report(
                    `${label(d)} has no access logging: no aws.cloudwatch.LogDeliverySource with logType ACCESS_LOGS takes its arn, and it has no loggingConfig.`,
                    d.urn,
                );
            } else if (!sources.some((s) => isDelivered(graph, s))) {
                report(
                    `${sources.map(label).join(", ")} (access logs of ${label(d)}) is not joined to a destination by any aws.cloudwatch.LogDelivery, so no log is written.`,
                    d.urn,
                );
            }
        }
    },
});

/** The edge-protection policies, in catalog order. */
export const edgeProtection: Built[] = [cloudfrontWaf, cloudfrontAccessLogging];
