/**
 * The edge section: CloudFront in front of the internal load balancer and the static-assets bucket, its WAF, its
 * security headers, its logs and the optional custom domain.
 */
import { z } from "zod";
import { DEFAULT_CSP, MANAGED_RULE_GROUPS, type ManagedRuleGroup } from "../components/edge/documents";
import { ConfigIssue, logRetentionDays } from "./common";
import { CERT_ARN } from "./services-schema";

const KEY = "aws-platform:edge";

/** A lowercase DNS name of two labels or more (CloudFront refuses upper case in alternate domain names). */
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const hostName = z
    .string()
    .regex(HOST_NAME, { message: "is not a lowercase DNS name such as www.example.com" })
    .meta({ typeName: "lowercase DNS name" });

/** CloudFront path patterns: a leading slash is optional, `*` and `?` are wildcards (CloudFront API, PathPattern). */
const PATH_PATTERN = /^\/?[A-Za-z0-9_\-.*$/~"'@:+?&=!]{1,254}$/;

/** CloudFront's custom error responses can replace 4xx and 5xx codes only (CloudFront API, CustomErrorResponse). */
const ERROR_CODES = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504] as const;
/** What CloudFront may return with a custom error page (CloudFront API, CustomErrorResponse ResponseCode). */
const RESPONSE_CODES = [200, ...ERROR_CODES] as const;

const customErrorSchema = z.strictObject({
    errorCode: z
        .number()
        .int()
        .refine((c) => (ERROR_CODES as readonly number[]).includes(c), {
            message: `is not an error code CloudFront can replace; expected one of ${ERROR_CODES.join(", ")}`,
        })
        .describe("The HTTP status the origin returned.")
        .meta({ allowed: `one of ${ERROR_CODES.join(", ")}` }),
    responsePagePath: z
        .string()
        .regex(/^\/[^\s]*$/, { message: "is not a path; expected one starting with /" })
        .optional()
        .describe(
            "Page served instead; it must match a staticPathPatterns entry, so that it comes from the bucket and not " +
                "from the failing origin (e.g. /static/errors/503.html). Required with responseCode.",
        ),
    responseCode: z
        .number()
        .int()
        .refine((c) => (RESPONSE_CODES as readonly number[]).includes(c), {
            message: `is not a code CloudFront can return with an error page; expected one of ${RESPONSE_CODES.join(", ")}`,
        })
        .optional()
        .describe("Status returned to the viewer with that page; required with responsePagePath.")
        .meta({ allowed: `one of ${RESPONSE_CODES.join(", ")}` }),
    cachingMinTtlSeconds: z
        .number()
        .int()
        .min(0)
        .max(31536000)
        .default(10)
        .describe("Seconds CloudFront caches the error before asking the origin again."),
});

const securityHeadersSchema = z
    .strictObject({
        hstsPreload: z
            .boolean()
            .default(true)
            .describe(
                "Add `preload` to Strict-Transport-Security (two years, includeSubDomains, always sent). Submitting " +
                    "the registrable domain to hstspreload.org is then possible; every subdomain must serve HTTPS.",
            ),
        contentSecurityPolicy: z
            .string()
            .min(1)
            .max(1783)
            .default(DEFAULT_CSP)
            .describe(
                "Content-Security-Policy sent with every response. The default allows only the site's own origin; " +
                    "list any CDN, font or API host the application uses.",
            ),
        frameOptions: z
            .enum(["DENY", "SAMEORIGIN"])
            .default("DENY")
            .describe("X-Frame-Options: no page may be framed by another site."),
        referrerPolicy: z
            .enum([
                "no-referrer",
                "no-referrer-when-downgrade",
                "origin",
                "origin-when-cross-origin",
                "same-origin",
                "strict-origin",
                "strict-origin-when-cross-origin",
            ])
            .default("strict-origin-when-cross-origin")
            .describe("Referrer-Policy: full URLs stay on the site, other sites see only the origin."),
    })
    .prefault({})
    .describe("Response headers added to every response; X-Content-Type-Options: nosniff is always sent.");

const ruleName = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { message: "is not a WAF rule name" });
const ruleActions = z
    .record(ruleName, z.enum(["count", "block"]))
    .describe("Rule name to its replacement action.")
    .meta({ typeName: "map of rule name to count | block" });

/** The windows a rate-based rule can count over (AWS WAF 'Rate-based rule high-level settings'). */
const RATE_WINDOWS = [60, 120, 300, 600] as const;

const wafSchema = z
    .strictObject({
        rateLimitPerIp: z
            .number()
            .int()
            .min(10)
            .max(2000000000)
            .default(2000)
            .describe("Requests one IP address may make per rateLimitWindowSeconds before it is blocked."),
        rateLimitWindowSeconds: z
            .number()
            .int()
            .refine((v) => (RATE_WINDOWS as readonly number[]).includes(v), {
                message: `is not an evaluation window WAF offers; expected one of ${RATE_WINDOWS.join(", ")}`,
            })
            .default(300)
            .describe("Seconds the rate limit counts over.")
            .meta({ allowed: `one of ${RATE_WINDOWS.join(", ")}` }),
        ruleOverrides: z
            .strictObject(
                Object.fromEntries(MANAGED_RULE_GROUPS.map((g) => [g, ruleActions.optional()])) as Record<
                    ManagedRuleGroup,
                    z.ZodOptional<typeof ruleActions>
                >,
            )
            .default({})
            .describe(
                "Per managed rule group, rules whose action is replaced: count (log only) or block. For example " +
                    "{AWSManagedRulesCommonRuleSet: {SizeRestrictions_BODY: count}} lets an upload route send bodies " +
                    "over 8 KB.",
            ),
        logRetentionDays: logRetentionDays
            .default(365)
            .describe("Days the WAF log group (aws-waf-logs-…, us-east-1, encrypted) keeps its logs."),
    })
    .prefault({})
    .describe(
        "The WAF web ACL (us-east-1, scope CLOUDFRONT): Amazon IP reputation, the common, known-bad-inputs and SQL " +
            "database rule groups, and a rate limit per IP.",
    );

const domainSchema = z
    .strictObject({
        siteName: hostName.describe("The site's public host name, e.g. www.example.com."),
        originHostName: hostName
            .optional()
            .describe(
                "The name CloudFront uses towards the load balancer (TLS server name and Host header); the load " +
                    "balancer's certificate covers it. No DNS record is created for it. Default: origin.<siteName>.",
            ),
        hostedZoneId: z
            .string()
            .regex(/^Z[A-Z0-9]{1,31}$/, {
                message: "is not a Route 53 hosted zone id (Z followed by letters and digits)",
            })
            .optional()
            .describe(
                "A public Route 53 hosted zone the stack's account owns. The stack adds the certificates' validation " +
                    "records and the site's A and AAAA alias records to it. Without it, bring both certificates.",
            ),
        zoneName: hostName
            .optional()
            .describe("The hosted zone's name, e.g. example.com; siteName and originHostName must lie inside it."),
        viewerCertificateArn: z
            .string()
            .regex(CERT_ARN, { message: "is not an ACM certificate ARN" })
            .optional()
            .describe(
                "An ACM certificate in us-east-1 covering siteName, for viewers. Default: one the stack issues and " +
                    "validates in hostedZoneId.",
            ),
    })
    .describe(
        "A custom domain for the distribution. The load balancer's certificate is services.loadBalancer.certificateArn " +
            "(in the stack's region, covering originHostName) or, by default, one the stack issues in hostedZoneId.",
    );

export const edgeSchema = z
    .strictObject({
        priceClass: z
            .enum(["PriceClass_All", "PriceClass_200", "PriceClass_100"])
            .default("PriceClass_All")
            .describe("Edge locations that serve the site: all of them, or the cheaper subsets."),
        httpVersion: z
            .enum(["http2and3", "http2", "http3", "http1.1"])
            .default("http2and3")
            .describe("HTTP versions offered to viewers; HTTP/1.1 is always accepted."),
        staticPathPatterns: z
            .array(
                z.string().regex(PATH_PATTERN, {
                    message: "is not a CloudFront path pattern (e.g. /static/*)",
                }),
            )
            .min(1)
            .max(20)
            .default(["/static/*"])
            .refine((list) => new Set(list).size === list.length, { message: "lists a path pattern twice" })
            .describe(
                "Paths served from the static-assets bucket (cached, compressed); everything else goes to the load " +
                    "balancer uncached.",
            ),
        customErrorResponses: z
            .array(customErrorSchema)
            .max(11)
            .default([])
            .refine((list) => new Set(list.map((e) => e.errorCode)).size === list.length, {
                message: "lists an errorCode twice",
            })
            .describe("Pages served instead of origin errors. Default: none, the origin's own error pages."),
        securityHeaders: securityHeadersSchema,
        waf: wafSchema,
        accessLogRetentionDays: logRetentionDays
            .default(90)
            .describe("Days CloudFront's access logs (standard logging v2 to CloudWatch Logs in us-east-1) are kept."),
        originReadTimeoutSeconds: z
            .number()
            .int()
            .min(1)
            .max(60)
            .default(30)
            .describe("Seconds CloudFront waits for the load balancer's response (60 is AWS's default quota)."),
        originKeepaliveTimeoutSeconds: z
            .number()
            .int()
            .min(1)
            .max(60)
            .default(5)
            .describe("Seconds CloudFront keeps an idle connection to the load balancer open."),
        domain: domainSchema.optional(),
    })
    .describe(
        "CloudFront in front of everything: the internal load balancer through its VPC origin, a static-assets " +
            "bucket, a WAF web ACL, security headers, access logs and an optional custom domain. Without a domain, " +
            "viewers use the *.cloudfront.net name.",
    );

export type EdgeSettings = Omit<z.output<typeof edgeSchema>, "domain"> & {
    domain?: z.output<typeof domainSchema> & { originHostName: string };
};

/** The region of an ACM certificate ARN (`arn:<partition>:acm:<region>:...`). */
export function certificateRegion(arn: string): string {
    return arn.split(":")[3] ?? "";
}

/** True when `name` is `zone` or a name inside it. */
export function isInZone(name: string, zone: string): boolean {
    return name === zone || name.endsWith(`.${zone}`);
}

/** What the edge checks need from the other sections. */
export interface EdgeContext {
    region?: string;
    /** services.loadBalancer.certificateArn, when set. */
    loadBalancerCertificateArn?: string;
    /** Whether any service has a port, i.e. whether there is a load balancer (and an origin certificate) at all. */
    hasLoadBalancer: boolean;
}

/**
 * Cross-field rules of the edge section and the load balancer's certificate, which only a domain can make usable:
 * CloudFront checks the load balancer's certificate against the origin's host name, and only edge.domain gives the
 * origin a name a certificate can cover. Fills in originHostName. Every problem is returned, none thrown.
 */
export function checkEdge(edge: z.output<typeof edgeSchema>, ctx: EdgeContext): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const lbCert = ctx.loadBalancerCertificateArn;
    const lbCertKey = "aws-platform:services.loadBalancer.certificateArn";
    if (lbCert !== undefined && ctx.region !== undefined && certificateRegion(lbCert) !== ctx.region) {
        issues.push({
            key: lbCertKey,
            value: lbCert,
            message: `is in ${certificateRegion(lbCert)}; the load balancer's certificate must be in the stack's region (${ctx.region})`,
        });
    }
    issues.push(...checkErrorPages(edge));
    const d = edge.domain;
    if (!d) {
        if (lbCert !== undefined) {
            issues.push({
                key: lbCertKey,
                value: lbCert,
                message:
                    "needs aws-platform:edge.domain: CloudFront checks the load balancer's certificate against the origin's host name (edge.domain.originHostName), and without a domain the origin has only the load balancer's own DNS name, which no certificate can cover",
            });
        }
        return issues;
    }
    const originHostName = d.originHostName ?? `origin.${d.siteName}`;
    const at = (k: string) => `${KEY}.domain.${k}`;
    if (originHostName === d.siteName) {
        issues.push({
            key: at("originHostName"),
            value: originHostName,
            message: "is siteName; use a name of its own (the default is origin.<siteName>)",
        });
    }
    if (d.viewerCertificateArn !== undefined && certificateRegion(d.viewerCertificateArn) !== "us-east-1") {
        issues.push({
            key: at("viewerCertificateArn"),
            value: d.viewerCertificateArn,
            message: `is in ${certificateRegion(d.viewerCertificateArn)}; CloudFront uses ACM certificates from us-east-1 only`,
        });
    }
    if ((d.hostedZoneId === undefined) !== (d.zoneName === undefined)) {
        const missing = d.hostedZoneId === undefined ? "hostedZoneId" : "zoneName";
        issues.push({
            key: at(missing),
            message: `is required with ${missing === "hostedZoneId" ? "zoneName" : "hostedZoneId"}: the zone's id to write records in, its name to check the host names against`,
        });
    }
    if (d.zoneName !== undefined) {
        for (const [k, name] of [
            ["siteName", d.siteName],
            ["originHostName", originHostName],
        ] as const) {
            if (!isInZone(name, d.zoneName)) {
                issues.push({ key: at(k), value: name, message: `is not inside the hosted zone ${d.zoneName}` });
            }
        }
    } else if (d.hostedZoneId === undefined) {
        if (d.viewerCertificateArn === undefined) {
            issues.push({
                key: at("viewerCertificateArn"),
                message:
                    "is required without hostedZoneId: the stack can only issue certificates it can validate in DNS",
            });
        }
        if (ctx.hasLoadBalancer && lbCert === undefined) {
            issues.push({
                key: lbCertKey,
                message: `is required when edge.domain has no hostedZoneId: a certificate in ${ctx.region ?? "the stack's region"} covering ${originHostName}`,
            });
        }
    }
    return issues;
}

/** True when CloudFront would route `path` to a behaviour with `pattern` (`*`: any characters, `?`: one). */
export function matchesPathPattern(path: string, pattern: string): boolean {
    const p = pattern.startsWith("/") ? pattern : `/${pattern}`;
    const regex = p
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${regex}$`).test(path);
}

/**
 * A custom error page needs both its path and the status to return with it (CloudFront refuses one without the
 * other), and must be served from the bucket: a page behind the failing origin would fail with it.
 */
function checkErrorPages(edge: z.output<typeof edgeSchema>): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    edge.customErrorResponses.forEach((e, i) => {
        const at = `${KEY}.customErrorResponses[${i}]`;
        if ((e.responsePagePath === undefined) !== (e.responseCode === undefined)) {
            const missing = e.responsePagePath === undefined ? "responsePagePath" : "responseCode";
            issues.push({
                key: `${at}.${missing}`,
                message: `is required with ${missing === "responseCode" ? "responsePagePath" : "responseCode"}: CloudFront takes both or neither`,
            });
        }
        const page = e.responsePagePath;
        if (page !== undefined && !edge.staticPathPatterns.some((p) => matchesPathPattern(page, p))) {
            issues.push({
                key: `${at}.responsePagePath`,
                value: page,
                message: `matches no staticPathPatterns entry (${edge.staticPathPatterns.join(", ")}); the page would come from the failing origin itself`,
            });
        }
    });
    return issues;
}

/** The edge settings with the defaults that depend on other fields filled in. */
export function completeEdge(edge: z.output<typeof edgeSchema>): EdgeSettings {
    const { domain, ...rest } = edge;
    return domain
        ? { ...rest, domain: { ...domain, originHostName: domain.originHostName ?? `origin.${domain.siteName}` } }
        : rest;
}
