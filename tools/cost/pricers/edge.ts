/** CloudFront distributions and their log deliveries, WAF web ACLs, Route 53 hosted zones. */
import { CostContext, PlanResource, input, list, str } from "../model";
import { Pricer } from "./network";

const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";

/** Distributions in the plan (at least one is assumed to serve the traffic assumptions). */
const distributions = (ctx: CostContext) => ctx.input.resources.filter((r) => r.type === DISTRIBUTION).length;

/** CloudFront access log data a month, from the request assumption. */
export function cloudfrontLogGb(ctx: CostContext): number {
    return (ctx.a("cloudfrontRequests") * ctx.a("cloudfrontLogBytesPerRequest")) / 1e9;
}

export function wafLogGb(ctx: CostContext): number {
    return (ctx.a("cloudfrontRequests") * Math.max(1, distributions(ctx)) * ctx.a("wafLogBytesPerRequest")) / 1e9;
}

export const distribution: Pricer = (r, ctx) => {
    const requests = ctx.a("cloudfrontRequests");
    const gb = ctx.a("cloudfrontGbOut");
    const europe = Math.min(1, ctx.a("cloudfrontEuropeShare"));
    const note = "CloudFront's always-free 1 TB and 10 million requests a month are not deducted";
    for (const [geo, share] of [
        ["europe", europe],
        ["northAmerica", 1 - europe],
    ] as const) {
        if (share <= 0) continue;
        const where = geo === "europe" ? "Europe" : "North America";
        ctx.charge(r, {
            item: `HTTPS requests from ${where}`,
            quantity: (requests * share) / 10000,
            unit: "10k requests",
            priceKey: `cloudfront.httpsRequests10k:${geo}`,
            assumptions: ["cloudfrontRequests", "cloudfrontEuropeShare"],
            note,
        });
        ctx.charge(r, {
            item: `data out to viewers in ${where}`,
            quantity: gb * share,
            unit: "GB",
            priceKey: `cloudfront.dataOutGb:${geo}`,
            assumptions: ["cloudfrontGbOut", "cloudfrontEuropeShare"],
        });
    }
    const behaviors = [input(r, "defaultCacheBehavior"), ...list(input(r, "orderedCacheBehaviors"))];
    const functions = list((behaviors[0] as Record<string, unknown> | undefined)?.functionAssociations).length;
    if (functions > 0) {
        ctx.charge(r, {
            item: `CloudFront Functions: ${functions} on the default behaviour, run for every request`,
            quantity: (requests * functions) / 1e6,
            unit: "million invocations",
            priceKey: "cloudfront.functionInvocationsMillion",
            assumptions: ["cloudfrontRequests"],
        });
    }
    if (
        behaviors.some((b) => list((b as Record<string, unknown> | undefined)?.lambdaFunctionAssociations).length > 0)
    ) {
        ctx.skip(r, "Lambda@Edge associations: not in the price files");
    }
};

/** CloudFront standard logging (v2): the delivered volume is billed as vended logs at its destination's rate. */
export const logDelivery: Pricer = (r, ctx) => {
    const source = ctx.deps(r, "deliverySourceName", "aws:cloudwatch/logDeliverySource:LogDeliverySource")[0];
    const destination = ctx.deps(
        r,
        "deliveryDestinationArn",
        "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    )[0];
    const fromCloudFront = source !== undefined && ctx.deps(source, "resourceArn", DISTRIBUTION).length > 0;
    if (!fromCloudFront) {
        ctx.skip(r, "log delivery from a source other than a CloudFront distribution: volume not estimated");
        return;
    }
    const target = destination
        ? (str(input(destination, "deliveryDestinationConfiguration", "destinationResourceArn")) ?? "")
        : "";
    const key = target.includes(":logs:") ? "logs.vendedIngestGb" : target.includes(":s3:") ? "logs.vendedS3Gb" : "";
    if (!key) {
        ctx.skip(r, `delivery to ${target || "an unknown destination"}: not in the price files`);
        return;
    }
    ctx.charge(r, {
        item: `CloudFront access logs delivered to ${key === "logs.vendedS3Gb" ? "S3" : "CloudWatch Logs"}`,
        quantity: cloudfrontLogGb(ctx),
        unit: "GB",
        priceKey: key,
        assumptions: ["cloudfrontRequests", "cloudfrontLogBytesPerRequest"],
    });
};

/** Managed rule groups that carry a subscription and per-request fee on top of the rule price. */
const PAID_RULE_GROUPS = [
    "AWSManagedRulesBotControlRuleSet",
    "AWSManagedRulesATPRuleSet",
    "AWSManagedRulesACFPRuleSet",
    "AWSManagedRulesAntiDDoSRuleSet",
];

function wafRules(r: PlanResource): unknown[] {
    const json = str(input(r, "ruleJson"));
    if (json) {
        try {
            return list(JSON.parse(json));
        } catch {
            return [];
        }
    }
    return list(input(r, "rules"));
}

export const webAcl: Pricer = (r, ctx) => {
    const rules = wafRules(r);
    ctx.charge(r, { item: "web ACL", quantity: 1, unit: "web ACL-months", priceKey: "waf.webAclMonth" });
    ctx.charge(r, {
        item: `${rules.length} rules (each managed rule group counts as one)`,
        quantity: rules.length,
        unit: "rule-months",
        priceKey: "waf.ruleMonth",
    });
    const served = ctx.referencing(r, DISTRIBUTION, "webAclId").length;
    ctx.charge(r, {
        item: `requests inspected (${Math.max(1, served)} distribution${served > 1 ? "s" : ""})`,
        quantity: (Math.max(1, served) * ctx.a("cloudfrontRequests")) / 1e6,
        unit: "million requests",
        priceKey: "waf.requestsMillion",
        assumptions: ["cloudfrontRequests"],
    });
    const text = JSON.stringify(rules);
    for (const group of PAID_RULE_GROUPS.filter((g) => text.includes(g))) {
        ctx.skip(r, `managed rule group ${group}: its subscription and request fees are not in the price files`);
    }
};

export const hostedZone: Pricer = (r, ctx) => {
    ctx.charge(r, { item: "hosted zone", quantity: 1, unit: "zone-months", priceKey: "route53.hostedZoneMonth" });
    ctx.charge(r, {
        item: "standard DNS queries",
        quantity: ctx.a("route53QueriesMillion"),
        unit: "million queries",
        priceKey: "route53.queriesMillion",
        assumptions: ["route53QueriesMillion"],
        note: "alias queries to CloudFront and other AWS resources are free",
    });
};
