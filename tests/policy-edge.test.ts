/**
 * The edge policies against the compliant platform stack (tests/helpers/graph-fixtures.ts), at preview unless said
 * otherwise: each case changes one fact and asserts exactly what it causes, so a policy that needed an unknown value
 * to decide would show up as an advisory here.
 */
import { strict as assert } from "assert";

import { packEnforcementLevel } from "../policy/pack";
import { policies } from "../policy/policies";
import { loadPolicyConfig, resolvePolicyConfig } from "../tools/plan/policy-eval";
import { UNKNOWN, type PlanMode } from "../tools/plan/types";
import { platformStack, runPolicy, summary, type PlanBuilder } from "./helpers/graph-fixtures";

const EDGE_POLICIES = [
    "cloudfront-waf-attached",
    "cloudfront-access-logging",
    "cloudfront-s3-origin-access-control",
    "cloudfront-hsts-headers",
];
const CANT_RUN = /^can't run policy '[a-z0-9-]+' from policy pack 'aws-platform@v0\.1\.0' during preview: /;

/** Runs one policy over the platform stack after `change`. */
function run(name: string, change: (p: PlanBuilder) => void = () => undefined, mode: PlanMode = "preview") {
    const p = platformStack({ mode });
    change(p);
    return runPolicy(name, p);
}

/** The fixture distribution's inputs with some replaced (the rest kept, with their dependencies). */
function patchCdn(p: PlanBuilder, changes: Record<string, unknown>): void {
    p.patch("cdn", changes);
}

function expectOnly(violations: ReturnType<typeof run>, entry: string, message: RegExp): void {
    assert.deepStrictEqual(summary(violations), [entry]);
    assert.match(violations[0].message, message);
}

describe("edge policies", () => {
    for (const mode of ["preview", "update"] as PlanMode[]) {
        it(`find nothing in the compliant stack (${mode})`, () => {
            for (const name of EDGE_POLICIES) {
                assert.deepStrictEqual(run(name, undefined, mode), [], name);
            }
        });
    }

    describe("cloudfront-waf-attached", () => {
        const NAME = "cloudfront-waf-attached";
        it("rejects a distribution without a web ACL", () => {
            expectOnly(
                run(NAME, (p) => patchCdn(p, { webAclId: undefined })),
                `${NAME}:mandatory`,
                /Distribution 'cdn' has no WAF web ACL: webAclId is not set/,
            );
        });
        it("rejects the web ACL's id instead of its ARN, once known", () => {
            expectOnly(
                run(NAME, (p) =>
                    patchCdn(p, { webAclId: p.known(p.get("waf"), "0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d") }),
                ),
                `${NAME}:mandatory`,
                /webAclId '0b1c2d3e-.*' of Distribution 'cdn' is not the ARN of a WAFv2 web ACL with scope CLOUDFRONT/,
            );
        });
        it("rejects a regional web ACL even while its ARN is unknown", () => {
            expectOnly(
                run(NAME, (p) => p.patch("waf", { scope: "REGIONAL" })),
                `${NAME}:mandatory`,
                /uses WebAcl 'waf', whose scope is 'REGIONAL'; a distribution needs a web ACL with scope CLOUDFRONT/,
            );
        });
        it("accepts a literal us-east-1 global web ACL ARN from outside the stack", () => {
            const arn = "arn:aws:wafv2:us-east-1:210987654321:global/webacl/shared/0b1c2d3e";
            assert.deepStrictEqual(
                run(NAME, (p) => patchCdn(p, { webAclId: arn })),
                [],
            );
            expectOnly(
                run(NAME, (p) => patchCdn(p, { webAclId: arn.replace("us-east-1:", "eu-west-1:") })),
                `${NAME}:mandatory`,
                /is not the ARN of a WAFv2 web ACL with scope CLOUDFRONT/,
            );
        });
        it("reports the engine's advisory only when the web ACL's own scope is unknown", () => {
            expectOnly(
                run(NAME, (p) => p.patch("waf", { scope: UNKNOWN })),
                `${NAME}:advisory`,
                CANT_RUN,
            );
        });
    });

    describe("cloudfront-access-logging", () => {
        const NAME = "cloudfront-access-logging";
        it("rejects a distribution no delivery source logs", () => {
            expectOnly(
                run(NAME, (p) => p.remove("cdn-access-delivery").remove("cdn-access")),
                `${NAME}:mandatory`,
                /Distribution 'cdn' has no access logging: no aws\.cloudwatch\.LogDeliverySource with logType ACCESS_LOGS/,
            );
        });
        it("rejects a delivery source no delivery connects to a destination", () => {
            expectOnly(
                run(NAME, (p) => p.remove("cdn-access-delivery")),
                `${NAME}:mandatory`,
                /LogDeliverySource 'cdn-access' \(access logs of Distribution 'cdn'\) is not joined to a destination/,
            );
        });
        it("rejects a source of another log type", () => {
            expectOnly(
                run(NAME, (p) => p.patch("cdn-access", { logType: "CONNECTION_LOGS" })),
                `${NAME}:mandatory`,
                /has no access logging/,
            );
        });
        it("accepts legacy logging to a bucket, and a source that names the distribution's known ARN", () => {
            assert.deepStrictEqual(
                run(NAME, (p) => {
                    p.remove("cdn-access-delivery").remove("cdn-access");
                    patchCdn(p, { loggingConfig: { bucket: "logs.s3.amazonaws.com", includeCookies: false } });
                }),
                [],
            );
            const arn = "arn:aws:cloudfront::123456789012:distribution/E2EXAMPLE";
            assert.deepStrictEqual(
                run(NAME, (p) => {
                    p.get("cdn").outputs.arn = arn;
                    p.patch("cdn-access", { resourceArn: arn });
                }),
                [],
            );
        });
        it("reports the engine's advisory when only the source's log type is unknown", () => {
            expectOnly(
                run(NAME, (p) => p.patch("cdn-access", { logType: UNKNOWN })),
                `${NAME}:advisory`,
                CANT_RUN,
            );
        });
    });

    describe("cloudfront-s3-origin-access-control", () => {
        const NAME = "cloudfront-s3-origin-access-control";
        /** The fixture's origins with the assets origin replaced. */
        const withAssetsOrigin = (p: PlanBuilder, assets: Record<string, unknown>) => {
            const [app] = p.get("cdn").inputs.origins as unknown[];
            patchCdn(p, {
                origins: [
                    app,
                    { originId: "assets", domainName: p.out(p.get("assets"), "bucketRegionalDomainName"), ...assets },
                ],
            });
        };
        it("rejects a bucket origin without origin access control, recognised by its bucket dependency", () => {
            expectOnly(
                run(NAME, (p) => withAssetsOrigin(p, {})),
                `${NAME}:mandatory`,
                /origins\[1\] \(assets\) reads an S3 bucket without origin access control/,
            );
        });
        it("rejects a legacy origin access identity", () => {
            const v = run(NAME, (p) =>
                withAssetsOrigin(p, {
                    s3OriginConfig: { originAccessIdentity: "origin-access-identity/cloudfront/E1" },
                }),
            );
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`, `${NAME}:mandatory`]);
            assert.match(v[0].message, /uses a legacy origin access identity/);
            assert.match(v[1].message, /without origin access control/);
        });
        it("rejects an origin access control that does not sign every request", () => {
            expectOnly(
                run(NAME, (p) => p.patch("oac", { signingBehavior: "never" })),
                `${NAME}:mandatory`,
                /OriginAccessControl 'oac' \(used by Distribution 'cdn'\) has signingBehavior 'never'; expected 'always'/,
            );
        });
        it("recognises an S3 origin by its known domain name, and leaves VPC and custom origins alone", () => {
            expectOnly(
                run(NAME, (p) => {
                    const [app] = p.get("cdn").inputs.origins as unknown[];
                    patchCdn(p, {
                        origins: [app, { originId: "s3", domainName: "media.s3.eu-west-1.amazonaws.com" }],
                    });
                }),
                `${NAME}:mandatory`,
                /origins\[1\] \(s3\) reads an S3 bucket without origin access control/,
            );
        });
        it("reports the engine's advisory when only the control's signing behaviour is unknown", () => {
            expectOnly(
                run(NAME, (p) => p.patch("oac", { signingBehavior: UNKNOWN })),
                `${NAME}:advisory`,
                CANT_RUN,
            );
        });
    });

    describe("cloudfront-hsts-headers", () => {
        const NAME = "cloudfront-hsts-headers";
        const behaviours = (p: PlanBuilder) => {
            const d = p.get("cdn").inputs as { defaultCacheBehavior: object; orderedCacheBehaviors: object[] };
            return { def: d.defaultCacheBehavior, ordered: d.orderedCacheBehaviors };
        };
        it("rejects a behaviour without a response headers policy", () => {
            expectOnly(
                run(NAME, (p) => {
                    const { ordered } = behaviours(p);
                    patchCdn(p, {
                        orderedCacheBehaviors: [{ ...ordered[0], responseHeadersPolicyId: undefined }],
                    });
                }),
                `${NAME}:mandatory`,
                /orderedCacheBehaviors\[0\] \(\/static\/\*\) has no response headers policy/,
            );
        });
        it("rejects a policy without Strict-Transport-Security, or with a short max-age", () => {
            const v = run(NAME, (p) =>
                p.patch("headers", { securityHeadersConfig: { contentTypeOptions: { override: true } } }),
            );
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`, `${NAME}:mandatory`], "both behaviours use it");
            assert.match(
                v[0].message,
                /defaultCacheBehavior: ResponseHeadersPolicy 'headers' sends no Strict-Transport-Security/,
            );
            expectOnly(
                run(NAME, (p) => {
                    p.patch("headers", {
                        securityHeadersConfig: {
                            strictTransportSecurity: { accessControlMaxAgeSec: 300, override: true },
                        },
                    });
                    const { def } = behaviours(p);
                    patchCdn(p, {
                        orderedCacheBehaviors: [
                            {
                                ...def,
                                pathPattern: "/static/*",
                                responseHeadersPolicyId: "67f7725c-6f97-4210-82d7-5512b31e9d03",
                            },
                        ],
                    });
                }),
                `${NAME}:mandatory`,
                /max-age 300; at least 31536000 is required/,
            );
        });
        it("accepts AWS's managed SecurityHeadersPolicy, and refuses an unverifiable policy id", () => {
            const managed = "67f7725c-6f97-4210-82d7-5512b31e9d03";
            const all = (id: string) => (p: PlanBuilder) => {
                const { def, ordered } = behaviours(p);
                patchCdn(p, {
                    defaultCacheBehavior: { ...def, responseHeadersPolicyId: id },
                    orderedCacheBehaviors: ordered.map((b) => ({ ...b, responseHeadersPolicyId: id })),
                });
            };
            assert.deepStrictEqual(run(NAME, all(managed)), []);
            const v = run(NAME, all("5cc3b908-e619-4b99-88e5-2cf7f45965bd"));
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`, `${NAME}:mandatory`]);
            assert.match(v[0].message, /does not come from an aws\.cloudfront\.ResponseHeadersPolicy in this stack/);
        });
        it("honours minimumHstsMaxAgeSeconds", () => {
            const p = platformStack();
            const v = runPolicy(NAME, p, { [NAME]: { minimumHstsMaxAgeSeconds: 94608000 } });
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`, `${NAME}:mandatory`]);
            assert.match(v[0].message, /max-age 63072000; at least 94608000 is required/);
        });
        it("reports the engine's advisory when only the policy's HSTS settings are unknown", () => {
            const v = run(NAME, (p) => p.patch("headers", { securityHeadersConfig: UNKNOWN }));
            assert.deepStrictEqual(summary(v), [`${NAME}:advisory`]);
            assert.match(v[0].message, CANT_RUN);
        });
    });

    it("are mandatory in the production profile and under the pack's defaults", () => {
        for (const name of EDGE_POLICIES) {
            for (const config of [loadPolicyConfig("production"), {}]) {
                const level = resolvePolicyConfig(policies, config)[name].enforcementLevel ?? packEnforcementLevel;
                assert.equal(level, "mandatory", name);
            }
        }
    });
});
