import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SiteDomain, SiteDomainArgs } from "../components/domain";
import {
    MANAGED_RULE_GROUPS,
    assetsBucketPolicy,
    logDeliveryResourcePolicy,
    vpcOriginName,
    wafRules,
} from "../components/edge/documents";
import { EdgeCdn, EdgeCdnArgs } from "../components/edgeCdn";
import { RunResult } from "../tools/plan/runner";
import { depsOf, named, ofType, plain, runIsolated } from "./helpers/plan";

const T = {
    distribution: "aws:cloudfront/distribution:Distribution",
    vpcOrigin: "aws:cloudfront/vpcOrigin:VpcOrigin",
    cert: "aws:acm/certificate:Certificate",
    record: "aws:route53/record:Record",
} as const;

const LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:210987654321:loadbalancer/app/web/0123456789abcdef";
const VIEWER_CERT = "arn:aws:acm:us-east-1:210987654321:certificate/6b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const ORIGIN_CERT = "arn:aws:acm:eu-west-1:210987654321:certificate/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
const KEY = "arn:aws:kms:eu-west-1:210987654321:key/7d9f1b3c-5e7a-4c9e-8b1d-3f5a7c9e1b3d";
const GLOBAL_KEY = "arn:aws:kms:us-east-1:210987654321:key/2c4e6a8c-0e2a-4c6e-8a0c-2e4a6c8e0a2c";

describe("edge documents (pure)", () => {
    it("puts the rate limit first, then each managed group with its own actions and the configured overrides", () => {
        const rules = wafRules({
            metricPrefix: "p",
            rateLimitPerIp: 500,
            rateLimitWindowSeconds: 60,
            managedGroups: MANAGED_RULE_GROUPS,
            overrides: {
                AWSManagedRulesCommonRuleSet: { SizeRestrictions_BODY: "count", NoUserAgent_HEADER: "block" },
            },
        });
        assert.deepEqual(
            rules.map((r) => [r.name, r.priority]),
            [["RateLimitPerIp", 0], ...MANAGED_RULE_GROUPS.map((g, i) => [g, i + 1])],
        );
        assert.deepEqual(rules[0].action, { block: {} });
        assert.deepEqual(rules[0].statement, {
            rateBasedStatement: { limit: 500, aggregateKeyType: "IP", evaluationWindowSec: 60 },
        });
        const common = rules.find((r) => r.name === "AWSManagedRulesCommonRuleSet")!;
        assert.deepEqual(common.overrideAction, { none: {} });
        assert.deepEqual(common.statement, {
            managedRuleGroupStatement: {
                vendorName: "AWS",
                name: "AWSManagedRulesCommonRuleSet",
                ruleActionOverrides: [
                    { name: "NoUserAgent_HEADER", actionToUse: { block: {} } },
                    { name: "SizeRestrictions_BODY", actionToUse: { count: {} } },
                ],
            },
        });
        const other = rules.find((r) => r.name === "AWSManagedRulesSQLiRuleSet")!;
        assert.deepEqual(other.statement, {
            managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesSQLiRuleSet" },
        });
        assert.equal(new Set(rules.map((r) => (r.visibilityConfig as { metricName: string }).metricName)).size, 5);
    });

    it("names the VPC origin from everything CloudFront stores on it, tags included, in any key order", () => {
        const identity = {
            loadBalancerArn: LB_ARN,
            httpPort: 80,
            httpsPort: 443,
            originProtocolPolicy: "https-only",
            originSslProtocols: ["TLSv1.2"],
            tags: { stack: "prod", project: "p" },
        };
        const name = vpcOriginName("p-prod", identity);
        assert.match(name, /^p-prod-[0-9a-f]{8}$/);
        assert.equal(vpcOriginName("p-prod", { ...identity, tags: { project: "p", stack: "prod" } }), name);
        for (const changed of [
            { ...identity, tags: { ...identity.tags, team: "web" } },
            { ...identity, loadBalancerArn: `${LB_ARN}0` },
            { ...identity, originProtocolPolicy: "http-only" },
            { ...identity, httpsPort: 8443 },
        ]) {
            assert.notEqual(vpcOriginName("p-prod", changed), name);
        }
        const long = vpcOriginName("x".repeat(80), identity);
        assert.equal(long.length, 64);
        assert.equal(long.slice(-8), name.slice(-8), "the hash survives a long prefix");
    });

    it("lets only this distribution read objects and refuses plain HTTP", () => {
        const doc = assetsBucketPolicy({
            bucketArn: "arn:aws:s3:::b",
            distributionArn: "arn:aws:cloudfront::1:distribution/E1",
        });
        assert.deepEqual(doc.Statement[0].Condition, {
            StringEquals: { "AWS:SourceArn": "arn:aws:cloudfront::1:distribution/E1" },
        });
        assert.deepEqual([doc.Statement[0].Action, doc.Statement[0].Resource], ["s3:GetObject", "arn:aws:s3:::b/*"]);
        assert.deepEqual(doc.Statement[1].Condition, { Bool: { "aws:SecureTransport": "false" } });
    });

    it("lets log delivery write only into the given groups, for this account and region", () => {
        const doc = logDeliveryResourcePolicy({
            partition: "aws",
            region: "us-east-1",
            accountId: "210987654321",
            logGroupArns: [
                "arn:aws:logs:us-east-1:210987654321:log-group:a:*",
                "arn:aws:logs:us-east-1:210987654321:log-group:b",
            ],
        }) as { Statement: Record<string, unknown>[] };
        assert.deepEqual(doc.Statement[0].Resource, [
            "arn:aws:logs:us-east-1:210987654321:log-group:a:log-stream:*",
            "arn:aws:logs:us-east-1:210987654321:log-group:b:log-stream:*",
        ]);
        assert.deepEqual(doc.Statement[0].Condition, {
            StringEquals: { "aws:SourceAccount": "210987654321" },
            ArnLike: { "aws:SourceArn": "arn:aws:logs:us-east-1:210987654321:*" },
        });
    });
});

describe("EdgeCdn and SiteDomain variants (isolated, under mocks)", () => {
    const config = { "aws:region": "eu-west-1" };
    const edge = (args: Partial<EdgeCdnArgs>, domain?: Partial<SiteDomainArgs>) =>
        runIsolated({
            stack: "t",
            mode: "update",
            config,
            program: () => {
                const global = new aws.Provider("use1", { region: "us-east-1" });
                const site = domain
                    ? new SiteDomain("domain", {
                          siteName: "www.shop.org",
                          originHostName: "origin.www.shop.org",
                          globalProvider: global,
                          ...domain,
                      })
                    : undefined;
                new EdgeCdn("edge", {
                    globalProvider: global,
                    kmsKeyArn: KEY,
                    globalKmsKeyArn: GLOBAL_KEY,
                    namePrefix: "shop-t",
                    domain: site && {
                        siteName: site.siteName,
                        viewerCertificateArn: site.viewerCertificateArn,
                        hostedZoneId: site.hostedZoneId,
                    },
                    ...args,
                });
            },
        });

    it("serves everything from the bucket when there is no load balancer: no VPC origin", async () => {
        const r = await edge({});
        assert.equal(ofType(r, T.vpcOrigin).length, 0);
        const d = plain(named(r, "edge-cdn", T.distribution).inputs) as Record<string, { targetOriginId: string }>;
        assert.equal(d.defaultCacheBehavior.targetOriginId, "assets");
    });

    it("uses brought certificates as they are: none issued, no record written without a zone", async () => {
        const r = await edge(
            {},
            { viewerCertificateArn: VIEWER_CERT, originCertificate: true, originCertificateArn: ORIGIN_CERT },
        );
        assert.deepEqual(ofType(r, T.cert), []);
        assert.deepEqual(ofType(r, T.record), []);
        const vc = (plain(named(r, "edge-cdn", T.distribution).inputs) as Record<string, Record<string, unknown>>)
            .viewerCertificate;
        assert.equal(vc.acmCertificateArn, VIEWER_CERT);
    });

    it("issues and validates the viewer certificate in us-east-1 when given a zone", async () => {
        const r = await edge({}, { hostedZoneId: "Z1PA6795UKMFR9" });
        const certs = ofType(r, T.cert);
        assert.deepEqual(
            certs.map((c) => c.name),
            ["domain-viewer"],
            "no origin certificate without a load balancer",
        );
        const record = named(r, "domain-viewer-validation", T.record);
        assert.deepEqual(depsOf(r, record, "name"), [certs[0]]);
        assert.deepEqual(
            ofType(r, T.record)
                .map((x) => x.name)
                .sort(),
            ["domain-viewer-validation", "edge-a", "edge-aaaa"],
        );
    });

    it("refuses an HTTPS origin without the name its certificate covers", async () => {
        const origin = {
            loadBalancerArn: LB_ARN,
            loadBalancerDnsName: "internal-web.elb.amazonaws.com",
            port: 443,
            protocol: "HTTPS" as const,
        };
        await assert.rejects(edge({ origin }), (e: unknown) => {
            assert.ok(e instanceof pulumi.RunError, String(e));
            assert.match(e.message, /EdgeCdn edge: an HTTPS origin needs hostName, the name its certificate covers/);
            return true;
        });
    });

    it("refuses a name prefix that would make the assets bucket's name too long for S3, as a message", async () => {
        // 40 + "-edge-assets" (12) + "-" + the 12-digit account = 65 characters.
        await assert.rejects(edge({ namePrefix: "p".repeat(40) }), (e: unknown) => {
            assert.ok(e instanceof pulumi.RunError, String(e));
            assert.match(
                e.message,
                /^EdgeCdn edge: the bucket name p{40}-edge-assets-<account id> would be 65 characters; S3 allows 63/,
            );
            return true;
        });
    });

    it("renames (and so replaces) the VPC origin when the provider's default tags change", async () => {
        const origin = {
            loadBalancerArn: LB_ARN,
            loadBalancerDnsName: "internal-web.elb.amazonaws.com",
            port: 80,
            protocol: "HTTP" as const,
        };
        const nameOf = (r: RunResult) =>
            (plain(named(r, "edge-origin", T.vpcOrigin).inputs.vpcOriginEndpointConfig) as { name: string }).name;
        const a = await edge({ origin, providerDefaultTags: { team: "web" } });
        const b = await edge({ origin, providerDefaultTags: { team: "shop" } });
        assert.notEqual(nameOf(a), nameOf(b));
        assert.deepEqual(named(a, "edge-origin", T.vpcOrigin).replaceOnChanges, ["*"]);
    });
});
