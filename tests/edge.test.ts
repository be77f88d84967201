/**
 * EdgeCdn and SiteDomain in every committed stack, under the offline runner. Expectations derive from each stack's
 * own config, so a new stack file is checked the same way.
 */
import { strict as assert } from "assert";
import {
    HSTS_MAX_AGE_SECONDS,
    MANAGED_POLICIES,
    MANAGED_RULE_GROUPS,
    vpcOriginName,
} from "../components/edge/documents";
import { commonTags } from "../platform";
import { EdgeSettings } from "../stacks/edge";
import { parseSettings } from "../stacks/settings";
import { regionOf } from "../tools/plan/render";
import { PROJECT_DIR, RunResult } from "../tools/plan/runner";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { PlanMode, PlannedResource } from "../tools/plan/types";
import { UNKNOWN, depsOf, jsonInput, named, ofType, plain, planOf } from "./helpers/plan";

const T = {
    distribution: "aws:cloudfront/distribution:Distribution",
    vpcOrigin: "aws:cloudfront/vpcOrigin:VpcOrigin",
    oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
    headers: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    wafLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    logPolicy: "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    source: "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    destination: "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    delivery: "aws:cloudwatch/logDelivery:LogDelivery",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    key: "aws:kms/key:Key",
    cert: "aws:acm/certificate:Certificate",
    validation: "aws:acm/certificateValidation:CertificateValidation",
    record: "aws:route53/record:Record",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    sg: "aws:ec2/securityGroup:SecurityGroup",
} as const;

const inputs = (r: PlannedResource) => plain(r.inputs) as Record<string, unknown>;
const out = (r: PlannedResource, k: string) => plain(r.outputs[k]) as string;
type Behaviour = Record<string, unknown> & { targetOriginId: string; pathPattern?: string };
type Origin = Record<string, unknown> & { originId: string };

function regionIn(r: RunResult, resource: PlannedResource): string | null {
    return regionOf(resource, new Map(r.resources.map((x) => [x.urn, x])));
}

for (const stack of listStacks(PROJECT_DIR)) {
    const raw = readStackConfig(PROJECT_DIR, stack).raw;
    const settings = parseSettings(raw, stack);
    const edge: EdgeSettings = settings.edge;
    const region = settings.region;
    const hasWeb = Object.values(settings.services.apps).some((a) => a.port !== undefined);
    const https = hasWeb && edge.domain !== undefined;
    const prefix = `aws-platform-${stack}`;

    for (const mode of ["preview", "update"] as PlanMode[]) {
        describe(`EdgeCdn in stack ${stack} (${mode})`, () => {
            let r: RunResult;
            let cdn: PlannedResource;
            before(async () => {
                r = await planOf(stack, mode);
                cdn = named(r, "edge-cdn", T.distribution);
            });

            it("serves the application through the VPC origin and static paths from the bucket, HTTPS only", () => {
                assert.equal(ofType(r, T.distribution).length, 1);
                const d = inputs(cdn);
                const origins = d.origins as Origin[];
                const bucket = named(r, "edge-assets", T.bucket);
                const assets = origins.find((o) => o.originId === "assets")!;
                if (mode === "update") assert.match(assets.originAccessControlId as string, /^E[A-Z0-9]{13}$/);
                else assert.equal(assets.originAccessControlId, UNKNOWN);
                assert.equal(assets.s3OriginConfig, undefined, "origin access control only: no s3OriginConfig");
                assert.deepEqual(
                    depsOf(r, cdn, "origins")
                        .map((x) => x.type)
                        .sort(),
                    [...(hasWeb ? [T.vpcOrigin] : []), ...(hasWeb && !https ? [T.lb] : []), T.oac, T.bucket].sort(),
                );
                // Without HTTPS the app origin's name is the load balancer's own, used as the Host header while the
                // VPC origin carries the traffic; with HTTPS it is the name the certificate covers.
                for (const o of origins) assert.equal(o.customOriginConfig, undefined, "no origin over the internet");
                if (mode === "update") assert.equal(assets.domainName, out(bucket, "bucketRegionalDomainName"));
                assert.deepEqual(
                    origins.map((o) => o.originId),
                    hasWeb ? ["app", "assets"] : ["assets"],
                );
                const def = d.defaultCacheBehavior as Behaviour;
                const ordered = d.orderedCacheBehaviors as Behaviour[];
                assert.equal(def.targetOriginId, hasWeb ? "app" : "assets");
                if (hasWeb) {
                    assert.equal(def.cachePolicyId, MANAGED_POLICIES.cachingDisabled);
                    assert.equal(def.originRequestPolicyId, MANAGED_POLICIES.allViewerExceptHostHeader);
                }
                assert.deepEqual(
                    ordered.map((b) => b.pathPattern),
                    edge.staticPathPatterns,
                );
                for (const b of ordered) {
                    assert.equal(b.targetOriginId, "assets");
                    assert.equal(b.cachePolicyId, MANAGED_POLICIES.cachingOptimized);
                    assert.equal(b.compress, true);
                }
                for (const b of [def, ...ordered]) assert.equal(b.viewerProtocolPolicy, "redirect-to-https");
                assert.equal(d.httpVersion, edge.httpVersion);
                assert.equal(d.priceClass, edge.priceClass);
                assert.equal(d.isIpv6Enabled, true);
                assert.deepEqual(
                    d.customErrorResponses,
                    edge.customErrorResponses.map((e) => ({
                        errorCode: e.errorCode,
                        responsePagePath: e.responsePagePath,
                        responseCode: e.responseCode,
                        errorCachingMinTtl: e.cachingMinTtlSeconds,
                    })),
                );
                assert.equal(d.loggingConfig, undefined, "legacy logging needs ACLs; standard logging v2 is used");
            });

            it("attaches the us-east-1 WAF web ACL by its ARN, with the configured rate limit and overrides", () => {
                const acl = named(r, "edge-waf", T.webAcl);
                assert.deepEqual(depsOf(r, cdn, "webAclId"), [acl]);
                if (mode === "update") {
                    assert.equal(inputs(cdn).webAclId, out(acl, "arn"));
                    assert.match(out(acl, "arn"), /^arn:aws:wafv2:us-east-1:\d{12}:global\/webacl\//);
                }
                assert.equal(regionIn(r, acl), "us-east-1");
                const a = inputs(acl);
                assert.equal(a.scope, "CLOUDFRONT");
                const rules = a.rules as {
                    name: string;
                    priority: number;
                    statement: {
                        rateBasedStatement?: { limit: number; evaluationWindowSec: number; aggregateKeyType: string };
                        managedRuleGroupStatement?: { name: string; ruleActionOverrides?: unknown[] };
                    };
                }[];
                assert.deepEqual(
                    rules.map((x) => x.name),
                    ["RateLimitPerIp", ...MANAGED_RULE_GROUPS],
                );
                assert.equal(new Set(rules.map((x) => x.priority)).size, rules.length);
                assert.deepEqual(rules[0].statement.rateBasedStatement, {
                    limit: edge.waf.rateLimitPerIp,
                    aggregateKeyType: "IP",
                    evaluationWindowSec: edge.waf.rateLimitWindowSeconds,
                });
                for (const rule of rules.slice(1)) {
                    const overrides = Object.entries(
                        edge.waf.ruleOverrides[rule.name as keyof typeof edge.waf.ruleOverrides] ?? {},
                    );
                    assert.deepEqual(
                        rule.statement.managedRuleGroupStatement!.ruleActionOverrides ?? [],
                        overrides.map(([name, action]) => ({ name, actionToUse: { [action]: {} } })),
                    );
                }
            });

            it("logs WAF and access logs to us-east-1 groups on the us-east-1 key, with the configured retention", () => {
                const globalKey = named(r, "global-key", T.key);
                const waf = named(r, "edge-waf", T.logGroup);
                const access = named(r, "edge-access", T.logGroup);
                assert.match(inputs(waf).name as string, /^aws-waf-logs-/);
                assert.equal(inputs(waf).retentionInDays, edge.waf.logRetentionDays);
                assert.equal(inputs(access).retentionInDays, edge.accessLogRetentionDays);
                for (const g of [waf, access]) {
                    assert.deepEqual(depsOf(r, g, "kmsKeyId"), [globalKey]);
                    assert.equal(regionIn(r, g), "us-east-1");
                }
                const logging = named(r, "edge-waf", T.wafLogging);
                assert.deepEqual(depsOf(r, logging, "resourceArn"), [named(r, "edge-waf", T.webAcl)]);
                assert.deepEqual(depsOf(r, logging, "logDestinationConfigs"), [waf]);
                const source = named(r, "edge-access", T.source);
                const destination = named(r, "edge-access", T.destination);
                const delivery = named(r, "edge-access", T.delivery);
                assert.equal(inputs(source).logType, "ACCESS_LOGS");
                assert.deepEqual(depsOf(r, source, "resourceArn"), [cdn]);
                assert.deepEqual(depsOf(r, destination, "deliveryDestinationConfiguration"), [access]);
                assert.deepEqual(depsOf(r, delivery, "deliverySourceName"), [source]);
                assert.deepEqual(depsOf(r, delivery, "deliveryDestinationArn"), [destination]);
                const policy = named(r, "edge-log-delivery", T.logPolicy);
                for (const x of [logging, source, destination, delivery, policy]) {
                    assert.equal(regionIn(r, x), "us-east-1", x.name);
                }
                assert.ok(delivery.dependencies.includes(policy.urn) && logging.dependencies.includes(policy.urn));
                if (mode === "update") {
                    const doc = jsonInput(policy, "policyDocument") as { Statement: { Resource: string[] }[] };
                    assert.deepEqual(doc.Statement[0].Resource, [
                        `${out(waf, "arn")}:log-stream:*`,
                        `${out(access, "arn")}:log-stream:*`,
                    ]);
                }
            });

            it("keeps the assets bucket private: OAC only, SSE-KMS with the stack key, TLS only, versioned", () => {
                const bucket = named(r, "edge-assets", T.bucket);
                const linked = (type: string) => {
                    const found = r.resources.filter((x) => x.type === type && depsOf(r, x, "bucket").includes(bucket));
                    assert.equal(found.length, 1, type);
                    return found[0];
                };
                const sse = inputs(
                    linked("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"),
                );
                const rule = (sse.rules as { applyServerSideEncryptionByDefault: Record<string, unknown> }[])[0];
                assert.equal(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
                const sseResource = linked(
                    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                );
                assert.deepEqual(depsOf(r, sseResource, "rules"), [named(r, "secrets-key", T.key)]);
                const pab = inputs(linked("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"));
                for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
                    assert.equal(pab[k], true, k);
                assert.deepEqual(inputs(linked("aws:s3/bucketOwnershipControls:BucketOwnershipControls")).rule, {
                    objectOwnership: "BucketOwnerEnforced",
                });
                assert.deepEqual(inputs(linked("aws:s3/bucketVersioning:BucketVersioning")).versioningConfiguration, {
                    status: "Enabled",
                });
                const oac = inputs(named(r, "edge-assets", T.oac));
                assert.deepEqual(
                    [oac.originAccessControlOriginType, oac.signingBehavior, oac.signingProtocol],
                    ["s3", "always", "sigv4"],
                );
                const policy = linked(T.bucketPolicy);
                assert.deepEqual(
                    depsOf(r, policy, "policy")
                        .map((x) => x.type)
                        .sort(),
                    [T.distribution],
                );
                if (mode === "update") {
                    // A document, not a JSON string: its TLS statement is known even at a first preview.
                    const doc = inputs(policy).policy as { Statement: Record<string, unknown>[] };
                    const bucketArn = out(bucket, "arn");
                    assert.deepEqual(doc.Statement, [
                        {
                            Sid: "CloudFrontReadsThroughOriginAccessControl",
                            Effect: "Allow",
                            Principal: { Service: "cloudfront.amazonaws.com" },
                            Action: "s3:GetObject",
                            Resource: `${bucketArn}/*`,
                            Condition: { StringEquals: { "AWS:SourceArn": out(cdn, "arn") } },
                        },
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: "*",
                            Action: "s3:*",
                            Resource: [bucketArn, `${bucketArn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ]);
                    const keyPolicy = jsonInput(named(r, "secrets-key", T.key), "policy") as {
                        Statement: { Sid: string; Action: string; Condition: unknown }[];
                    };
                    const cf = keyPolicy.Statement.find((s) => s.Sid === "CloudFrontReadsEncryptedObjects")!;
                    assert.deepEqual(
                        [cf.Action, cf.Condition],
                        [
                            "kms:Decrypt",
                            { ArnLike: { "AWS:SourceArn": "arn:aws:cloudfront::123456789012:distribution/*" } },
                        ],
                    );
                }
            });

            it("sends HSTS, nosniff, frame, referrer and CSP headers from config on every behaviour", () => {
                const headers = named(r, "edge-headers", T.headers);
                const h = inputs(headers).securityHeadersConfig as Record<string, Record<string, unknown>>;
                assert.deepEqual(h.strictTransportSecurity, {
                    accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
                    includeSubdomains: true,
                    preload: edge.securityHeaders.hstsPreload,
                    override: true,
                });
                assert.deepEqual(h.contentTypeOptions, { override: true });
                assert.equal(h.frameOptions.frameOption, edge.securityHeaders.frameOptions);
                assert.equal(h.referrerPolicy.referrerPolicy, edge.securityHeaders.referrerPolicy);
                assert.equal(h.contentSecurityPolicy.contentSecurityPolicy, edge.securityHeaders.contentSecurityPolicy);
                for (const key of ["defaultCacheBehavior", "orderedCacheBehaviors"]) {
                    assert.ok(depsOf(r, cdn, key).includes(headers), key);
                }
                const d = inputs(cdn);
                const all = [d.defaultCacheBehavior, ...(d.orderedCacheBehaviors as unknown[])] as Behaviour[];
                assert.equal(
                    new Set(all.map((b) => b.responseHeadersPolicyId)).size,
                    1,
                    "one policy on every behaviour",
                );
                assert.ok(all[0].responseHeadersPolicyId);
            });

            if (hasWeb) {
                it("reaches the internal load balancer only through the VPC origin, moved here from FargateService", () => {
                    const lb = named(r, "app-alb", T.lb);
                    assert.equal(inputs(lb).internal, true);
                    const origin = named(r, "edge-origin", T.vpcOrigin);
                    const cfg = inputs(origin).vpcOriginEndpointConfig as Record<string, unknown>;
                    assert.ok(depsOf(r, origin, "vpcOriginEndpointConfig").includes(lb));
                    assert.ok(depsOf(r, origin, "vpcOriginEndpointConfig").includes(ofType(r, T.listener)[0]));
                    assert.equal(cfg.originProtocolPolicy, https ? "https-only" : "http-only");
                    assert.deepEqual(cfg.originSslProtocols, { items: ["TLSv1.2"], quantity: 1 });
                    assert.deepEqual(origin.aliases, [
                        `urn:pulumi:${stack}::aws-platform::aws-platform:index:FargateService$${T.vpcOrigin}::app-origin`,
                    ]);
                    assert.deepEqual(origin.replaceOnChanges, ["*"]);
                    assert.equal(origin.deleteBeforeReplace, false);
                    assert.equal(origin.customTimeouts?.create, "30m");
                    const app = (inputs(cdn).origins as Origin[]).find((o) => o.originId === "app")!;
                    assert.ok(app.vpcOriginConfig, "the application's only origin is the VPC origin");
                    if (mode === "update") {
                        assert.equal(cfg.arn, out(lb, "arn"));
                        const tags = commonTags("aws-platform", stack, settings.tags);
                        assert.equal(
                            cfg.name,
                            vpcOriginName(prefix, {
                                loadBalancerArn: out(lb, "arn"),
                                httpPort: 80,
                                httpsPort: 443,
                                originProtocolPolicy: cfg.originProtocolPolicy as string,
                                originSslProtocols: ["TLSv1.2"],
                                tags,
                            }),
                        );
                        assert.equal(
                            (app.vpcOriginConfig as Record<string, unknown>).vpcOriginId,
                            plain(r.outputs.vpcOriginId),
                        );
                        assert.equal(plain(r.outputs.vpcOriginArn), out(origin, "arn"));
                        assert.equal(
                            app.domainName,
                            https ? edge.domain!.originHostName : out(lb, "dnsName"),
                            "with HTTPS the origin's name is one the certificate covers, never the ALB's own",
                        );
                    }
                    const vpcCfg = app.vpcOriginConfig as Record<string, unknown>;
                    assert.equal(vpcCfg.originReadTimeout, edge.originReadTimeoutSeconds);
                    assert.equal(vpcCfg.originKeepaliveTimeout, edge.originKeepaliveTimeoutSeconds);
                    // The load balancer admits CloudFront's origin-facing prefix list on the listener's port, nothing else.
                    const sg = named(r, "app-alb", T.sg);
                    const rules = ofType(r, T.ingress).filter((x) => depsOf(r, x, "securityGroupId").includes(sg));
                    assert.equal(rules.length, 1);
                    const rule = inputs(rules[0]);
                    assert.deepEqual(
                        [rule.fromPort, rule.cidrIpv4, rule.cidrIpv6],
                        [https ? 443 : 80, undefined, undefined],
                    );
                    assert.ok(rule.prefixListId);
                });
            }

            if (edge.domain) {
                const domain = edge.domain;
                it("issues the viewer certificate in us-east-1 and the load balancer's in the stack's region, DNS-validated", () => {
                    const viewer = named(r, "domain-viewer", T.cert);
                    assert.equal(regionIn(r, viewer), "us-east-1");
                    assert.equal(inputs(viewer).domainName, domain.siteName);
                    const viewerValidation = named(r, "domain-viewer", T.validation);
                    assert.equal(regionIn(r, viewerValidation), "us-east-1");
                    const records = [named(r, "domain-viewer-validation", T.record)];
                    if (hasWeb) {
                        const origin = named(r, "domain-origin", T.cert);
                        assert.equal(regionIn(r, origin), region);
                        assert.equal(inputs(origin).domainName, domain.originHostName);
                        records.push(named(r, "domain-origin-validation", T.record));
                        const listener = ofType(r, T.listener)[0];
                        assert.equal(inputs(listener).protocol, "HTTPS");
                        assert.deepEqual(depsOf(r, listener, "certificateArn"), [
                            named(r, "domain-origin", T.validation),
                        ]);
                        if (mode === "update")
                            assert.equal(inputs(listener).certificateArn, out(origin, "arn"), "issued by the stack");
                    }
                    for (const record of records) {
                        assert.equal(inputs(record).zoneId, domain.hostedZoneId);
                        const cert = depsOf(r, record, "name")[0];
                        assert.equal(cert.type, T.cert);
                        const validation = named(r, cert.name, T.validation);
                        assert.deepEqual(depsOf(r, validation, "validationRecordFqdns"), [record]);
                        if (mode === "update") {
                            const option = (
                                plain(cert.outputs.domainValidationOptions) as { resourceRecordName: string }[]
                            )[0];
                            assert.equal(inputs(record).name, option.resourceRecordName);
                        }
                    }
                    // No record publishes the origin name (it would point at the internal load balancer).
                    const names = ofType(r, T.record).map((x) => inputs(x).name);
                    assert.ok(!names.includes(domain.originHostName));
                });

                it("serves the site name with the viewer certificate, TLS 1.2+, and aliases it in the zone", () => {
                    const d = inputs(cdn);
                    assert.deepEqual(d.aliases, [domain.siteName]);
                    const vc = d.viewerCertificate as Record<string, unknown>;
                    assert.deepEqual([vc.sslSupportMethod, vc.minimumProtocolVersion], ["sni-only", "TLSv1.2_2021"]);
                    assert.deepEqual(depsOf(r, cdn, "viewerCertificate"), [named(r, "domain-viewer", T.validation)]);
                    for (const type of ["A", "AAAA"]) {
                        const record = named(r, `edge-${type.toLowerCase()}`, T.record);
                        const rec = inputs(record);
                        assert.deepEqual(
                            [rec.type, rec.name, rec.zoneId],
                            [type, domain.siteName, domain.hostedZoneId],
                        );
                        assert.deepEqual(depsOf(r, record, "aliases"), [cdn]);
                        if (mode === "update") {
                            assert.deepEqual(rec.aliases, [
                                {
                                    name: out(cdn, "domainName"),
                                    zoneId: out(cdn, "hostedZoneId"),
                                    evaluateTargetHealth: false,
                                },
                            ]);
                        }
                    }
                    assert.equal(plain(r.outputs.siteUrl), `https://${domain.siteName}`);
                });
            } else {
                it("uses CloudFront's default certificate and name, and touches no DNS", () => {
                    assert.deepEqual(inputs(cdn).viewerCertificate, { cloudfrontDefaultCertificate: true });
                    assert.deepEqual(inputs(cdn).aliases, []);
                    assert.deepEqual(ofType(r, T.record), []);
                    assert.deepEqual(ofType(r, T.cert), []);
                    if (mode === "update") assert.equal(plain(r.outputs.siteUrl), `https://${out(cdn, "domainName")}`);
                });
            }

            it("exports the distribution, bucket, web ACL and site URL", () => {
                for (const k of [
                    "distributionId",
                    "distributionDomainName",
                    "assetsBucketName",
                    "webAclArn",
                    "siteUrl",
                ])
                    assert.ok(k in r.outputs, k);
                if (mode === "update") {
                    assert.match(plain(r.outputs.distributionId) as string, /^E[A-Z0-9]{13}$/);
                    assert.equal(plain(r.outputs.distributionDomainName), out(cdn, "domainName"));
                    assert.equal(plain(r.outputs.webAclArn), out(named(r, "edge-waf", T.webAcl), "arn"));
                }
            });
        });
    }
}
