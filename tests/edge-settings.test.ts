import { strict as assert } from "assert";
import { DEFAULT_CSP } from "../components/edge/documents";
import { certificateRegion, isInZone, matchesPathPattern } from "../stacks/edge";
import { parseSettings } from "../stacks/settings";
import { problems } from "./helpers/settings";

const KEY = "aws-platform:edge";
const region = { "aws:region": "eu-west-1" };
const VIEWER_CERT = "arn:aws:acm:us-east-1:210987654321:certificate/6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const ORIGIN_CERT = "arn:aws:acm:eu-west-1:210987654321:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const ZONE = { siteName: "www.shop.org", hostedZoneId: "Z1PA6795UKMFR9", zoneName: "shop.org" };
const web = {
    image: "public.ecr.aws/nginx/nginx:1.27",
    cpu: 256,
    memory: 512,
    port: 8080,
    routing: { priority: 10, pathPatterns: ["/*"] },
};
const withWeb = (loadBalancer: Record<string, unknown> = {}) => ({
    "aws-platform:services": { loadBalancer, apps: { web } },
});

/** Every issue of a config (with the region added), formatted as the settings report it ("key: value message"). */
const issuesOf = (raw: Record<string, unknown>) => problems({ ...region, ...raw });

describe("edge settings", () => {
    it("defaults to every edge location, HTTP/2 and 3, /static/* from the bucket, strict headers and a WAF", () => {
        const e = parseSettings(region, "t").edge;
        assert.deepEqual(
            [e.priceClass, e.httpVersion, e.staticPathPatterns, e.customErrorResponses, e.domain],
            ["PriceClass_All", "http2and3", ["/static/*"], [], undefined],
        );
        assert.deepEqual(e.securityHeaders, {
            hstsPreload: true,
            contentSecurityPolicy: DEFAULT_CSP,
            frameOptions: "DENY",
            referrerPolicy: "strict-origin-when-cross-origin",
        });
        assert.deepEqual(e.waf, {
            rateLimitPerIp: 2000,
            rateLimitWindowSeconds: 300,
            ruleOverrides: {},
            logRetentionDays: 365,
        });
        assert.deepEqual(
            [e.accessLogRetentionDays, e.originReadTimeoutSeconds, e.originKeepaliveTimeoutSeconds],
            [90, 30, 5],
        );
    });

    it("names the origin origin.<siteName> unless told otherwise", () => {
        const s = parseSettings({ ...region, [KEY]: { domain: ZONE } }, "t");
        assert.equal(s.edge.domain!.originHostName, "origin.www.shop.org");
        const own = parseSettings({ ...region, [KEY]: { domain: { ...ZONE, originHostName: "lb.shop.org" } } }, "t");
        assert.equal(own.edge.domain!.originHostName, "lb.shop.org");
    });

    it("refuses bad values field by field, all at once, naming key and value", () => {
        const issues = issuesOf({
            [KEY]: {
                priceClass: "PriceClass_Cheap",
                staticPathPatterns: [],
                waf: {
                    rateLimitPerIp: 5,
                    rateLimitWindowSeconds: 30,
                    ruleOverrides: { AWSManagedRulesCommonRuleSet: { SizeRestrictions_BODY: "allow" }, Mine: {} },
                },
                accessLogRetentionDays: 45,
                domain: { siteName: "WWW.Shop.org" },
            },
        });
        for (const expected of [
            /^aws-platform:edge\.priceClass: "PriceClass_Cheap" is not allowed; expected one of "PriceClass_All"/,
            /^aws-platform:edge\.staticPathPatterns: \[\] is too small; expected at least 1 items/,
            /^aws-platform:edge\.waf\.rateLimitPerIp: 5 is too small; expected >= 10/,
            /^aws-platform:edge\.waf\.rateLimitWindowSeconds: 30 is not an evaluation window WAF offers; expected one of 60, 120, 300, 600$/,
            /^aws-platform:edge\.waf\.ruleOverrides\.AWSManagedRulesCommonRuleSet\.SizeRestrictions_BODY: "allow" is not allowed; expected one of "count", "block"/,
            /^aws-platform:edge\.waf\.ruleOverrides\.Mine: is not a known setting; expected one of AWSManagedRulesAmazonIpReputationList, AWSManagedRulesCommonRuleSet/,
            /^aws-platform:edge\.accessLogRetentionDays: 45 is not a CloudWatch Logs retention/,
            /^aws-platform:edge\.domain\.siteName: "WWW\.Shop\.org" is not a lowercase DNS name/,
        ]) {
            assert.ok(
                issues.some((i) => expected.test(i)),
                `${expected} not in:\n${issues.join("\n")}`,
            );
        }
    });

    it("needs a hosted zone's id and name together, and both host names inside the zone", () => {
        assert.deepEqual(issuesOf({ [KEY]: { domain: { ...ZONE, zoneName: undefined } } }), [
            "aws-platform:edge.domain.zoneName: is required with hostedZoneId: the zone's id to write records in, its name to check the host names against",
        ]);
        assert.deepEqual(
            issuesOf({ [KEY]: { domain: { ...ZONE, siteName: "www.other.org", originHostName: "origin.shop.org" } } }),
            ['aws-platform:edge.domain.siteName: "www.other.org" is not inside the hosted zone shop.org'],
        );
        assert.deepEqual(issuesOf({ [KEY]: { domain: { ...ZONE, originHostName: "www.shop.org" } } }), [
            'aws-platform:edge.domain.originHostName: "www.shop.org" is siteName; use a name of its own (the default is origin.<siteName>)',
        ]);
    });

    it("takes a viewer certificate from us-east-1 only, and the load balancer's from the stack's region", () => {
        const euViewer = VIEWER_CERT.replace("us-east-1", "eu-west-1");
        const usOrigin = ORIGIN_CERT.replace("eu-west-1", "us-east-1");
        assert.deepEqual(issuesOf({ [KEY]: { domain: { ...ZONE, viewerCertificateArn: euViewer } }, ...withWeb() }), [
            `aws-platform:edge.domain.viewerCertificateArn: "${euViewer}" is in eu-west-1; CloudFront uses ACM certificates from us-east-1 only`,
        ]);
        assert.deepEqual(issuesOf({ [KEY]: { domain: ZONE }, ...withWeb({ certificateArn: usOrigin }) }), [
            `aws-platform:services.loadBalancer.certificateArn: "${usOrigin}" is in us-east-1; the load balancer's certificate must be in the stack's region (eu-west-1)`,
        ]);
    });

    it("refuses a load-balancer certificate without a domain: no certificate covers the load balancer's own name", () => {
        const issues = issuesOf(withWeb({ certificateArn: ORIGIN_CERT }));
        assert.equal(issues.length, 1);
        assert.match(
            issues[0],
            /^aws-platform:services\.loadBalancer\.certificateArn: ".+" needs aws-platform:edge\.domain: CloudFront checks/,
        );
    });

    it("without a hosted zone, needs both certificates: the stack can only issue what it can validate", () => {
        const domain = { siteName: "www.shop.org" };
        assert.deepEqual(issuesOf({ [KEY]: { domain }, ...withWeb() }), [
            "aws-platform:edge.domain.viewerCertificateArn: is required without hostedZoneId: the stack can only issue certificates it can validate in DNS",
            "aws-platform:services.loadBalancer.certificateArn: is required when edge.domain has no hostedZoneId: a certificate in eu-west-1 covering origin.www.shop.org",
        ]);
        const byo = { [KEY]: { domain: { ...domain, viewerCertificateArn: VIEWER_CERT } } };
        assert.deepEqual(issuesOf({ ...byo, ...withWeb({ certificateArn: ORIGIN_CERT }) }), []);
        // Without a web service there is no load balancer, so only the viewer certificate is needed.
        assert.deepEqual(issuesOf(byo), []);
    });

    it("needs an error page's path and code together, and the page served from the bucket", () => {
        const issues = issuesOf({
            [KEY]: {
                customErrorResponses: [
                    { errorCode: 503, responsePagePath: "/static/503.html" },
                    { errorCode: 502, responsePagePath: "/errors/502.html", responseCode: 502 },
                    { errorCode: 504, responseCode: 503 },
                    { errorCode: 404, responseCode: 200, responsePagePath: "/static/index.html" },
                ],
            },
        });
        assert.deepEqual(issues, [
            "aws-platform:edge.customErrorResponses[0].responseCode: is required with responsePagePath: CloudFront takes both or neither",
            'aws-platform:edge.customErrorResponses[1].responsePagePath: "/errors/502.html" matches no staticPathPatterns entry (/static/*); the page would come from the failing origin itself',
            "aws-platform:edge.customErrorResponses[2].responsePagePath: is required with responseCode: CloudFront takes both or neither",
        ]);
        assert.deepEqual(issuesOf({ [KEY]: { customErrorResponses: [{ errorCode: 504, responseCode: 302 }] } }), [
            "aws-platform:edge.customErrorResponses[0].responseCode: 302 is not a code CloudFront can return with an error page; expected one of 200, 400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504",
        ]);
    });

    it("matches CloudFront path patterns, names in zones and certificate regions (pure)", () => {
        assert.ok(matchesPathPattern("/static/errors/5.html", "/static/*"));
        assert.ok(matchesPathPattern("/static/a.css", "static/*.css"));
        assert.ok(matchesPathPattern("/img/a1.png", "/img/a?.png"));
        assert.ok(!matchesPathPattern("/img/a12.png", "/img/a?.png"));
        assert.ok(!matchesPathPattern("/staticx", "/static/*"));
        assert.ok(!matchesPathPattern("/a+b", "/a.b"), "regex characters are literal");
        assert.ok(isInZone("shop.org", "shop.org") && isInZone("a.b.shop.org", "shop.org"));
        assert.ok(!isInZone("myshop.org", "shop.org"));
        assert.equal(certificateRegion(VIEWER_CERT), "us-east-1");
    });
});
