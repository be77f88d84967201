/**
 * Resource policies: one compliant and one violating case each, plus the preview cases where a value is
 * unknown. Every case goes through the offline evaluator, so props are wire-form inputs wrapped in
 * `unknownCheckingProxy` — an unknown read by mistake would show up as an advisory, and the exact
 * `policy:level` lists below would fail.
 */
import { strict as assert } from "assert";

import { T } from "../policy/tokens";
import { UNKNOWN } from "../tools/plan/types";
import { runPolicy, single, summary } from "./helpers/graph-fixtures";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111";
const CANT_RUN = /^can't run policy '[a-z0-9-]+' from policy pack 'aws-platform@v0\.1\.0' during preview: /;

function expectOne(violations: ReturnType<typeof runPolicy>, entry: string, messagePart: string | RegExp): void {
    assert.deepStrictEqual(summary(violations), [entry]);
    const message = violations[0].message;
    if (typeof messagePart === "string") {
        assert.ok(
            message.includes(messagePart),
            `message ${JSON.stringify(message)} lacks ${JSON.stringify(messagePart)}`,
        );
    } else {
        assert.match(message, messagePart);
    }
}

describe("resource policies", () => {
    describe("aurora-storage-encrypted-cmk", () => {
        const run = (inputs: Record<string, unknown>) =>
            runPolicy("aurora-storage-encrypted-cmk", single(T.rdsCluster[0], inputs));

        it("accepts storageEncrypted with a CMK", () => {
            assert.deepStrictEqual(run({ storageEncrypted: true, kmsKeyId: KEY }), []);
        });
        it("accepts an encrypted cluster whose kmsKeyId is unknown at preview (no advisory downgrade)", () => {
            assert.deepStrictEqual(run({ storageEncrypted: true, kmsKeyId: UNKNOWN }), []);
        });
        it("rejects an unencrypted cluster even when kmsKeyId is unknown", () => {
            expectOne(
                run({ storageEncrypted: false, kmsKeyId: UNKNOWN }),
                "aurora-storage-encrypted-cmk:mandatory",
                "storageEncrypted is false",
            );
        });
        it("rejects a cluster that leaves storageEncrypted unset", () => {
            expectOne(
                run({ engine: "aurora-postgresql" }),
                "aurora-storage-encrypted-cmk:mandatory",
                "not set (false)",
            );
        });
        it("rejects encryption with the AWS-managed key", () => {
            expectOne(run({ storageEncrypted: true }), "aurora-storage-encrypted-cmk:mandatory", "kmsKeyId is not set");
            expectOne(
                run({ storageEncrypted: true, kmsKeyId: "alias/aws/rds" }),
                "aurora-storage-encrypted-cmk:mandatory",
                "AWS-managed key",
            );
        });
        it("reports the engine's advisory when storageEncrypted itself is unknown", () => {
            expectOne(run({ storageEncrypted: UNKNOWN }), "aurora-storage-encrypted-cmk:advisory", CANT_RUN);
        });
        it("does not apply to other types", () => {
            assert.deepStrictEqual(runPolicy("aurora-storage-encrypted-cmk", single(T.rdsClusterInstance[0], {})), []);
        });
    });

    describe("rds-performance-insights-cmk", () => {
        const run = (type: string, inputs: Record<string, unknown>) =>
            runPolicy("rds-performance-insights-cmk", single(type, inputs));

        it("accepts Performance Insights with a CMK, known or unknown", () => {
            assert.deepStrictEqual(
                run(T.rdsCluster[0], { performanceInsightsEnabled: true, performanceInsightsKmsKeyId: KEY }),
                [],
            );
            assert.deepStrictEqual(
                run(T.rdsClusterInstance[0], {
                    performanceInsightsEnabled: true,
                    performanceInsightsKmsKeyId: UNKNOWN,
                }),
                [],
            );
        });
        it("accepts Performance Insights switched off", () => {
            assert.deepStrictEqual(run(T.rdsClusterInstance[0], { performanceInsightsEnabled: false }), []);
        });
        it("rejects Performance Insights without a key on clusters and instances", () => {
            expectOne(
                run(T.rdsCluster[0], { performanceInsightsEnabled: true }),
                "rds-performance-insights-cmk:mandatory",
                "aws/rds",
            );
            expectOne(
                run(T.rdsClusterInstance[0], { performanceInsightsEnabled: true }),
                "rds-performance-insights-cmk:mandatory",
                "aws/rds",
            );
        });
        it("rejects advanced Database Insights without a key", () => {
            expectOne(
                run(T.rdsCluster[0], { databaseInsightsMode: "advanced" }),
                "rds-performance-insights-cmk:mandatory",
                "aws/rds",
            );
        });
        it("is advisory only when the enabling flag itself is unknown and no key is set", () => {
            expectOne(
                run(T.rdsCluster[0], { performanceInsightsEnabled: UNKNOWN }),
                "rds-performance-insights-cmk:advisory",
                CANT_RUN,
            );
        });
    });

    describe("customer-managed key references", () => {
        const cases: { policy: string; type: string; key: string; managed: string }[] = [
            {
                policy: "secretsmanager-secret-cmk",
                type: T.secret[0],
                key: "kmsKeyId",
                managed: "alias/aws/secretsmanager",
            },
            { policy: "cloudwatch-log-group-cmk", type: T.logGroup[0], key: "kmsKeyId", managed: "alias/aws/logs" },
            { policy: "sns-topic-cmk", type: T.snsTopic[0], key: "kmsMasterKeyId", managed: "alias/aws/sns" },
        ];
        for (const c of cases) {
            describe(c.policy, () => {
                it("accepts a CMK, known or unknown at preview", () => {
                    assert.deepStrictEqual(runPolicy(c.policy, single(c.type, { [c.key]: KEY })), []);
                    assert.deepStrictEqual(runPolicy(c.policy, single(c.type, { [c.key]: UNKNOWN })), []);
                });
                it("rejects a missing key", () => {
                    expectOne(runPolicy(c.policy, single(c.type, {})), `${c.policy}:mandatory`, `${c.key} is not set`);
                });
                it(`rejects the AWS-managed ${c.managed}`, () => {
                    expectOne(
                        runPolicy(c.policy, single(c.type, { [c.key]: c.managed })),
                        `${c.policy}:mandatory`,
                        "AWS-managed",
                    );
                });
            });
        }
    });

    describe("ecr-repository-cmk", () => {
        const run = (inputs: Record<string, unknown>) =>
            runPolicy("ecr-repository-cmk", single(T.ecrRepository[0], inputs));

        it("accepts KMS with a CMK (unknown at preview)", () => {
            assert.deepStrictEqual(run({ encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: UNKNOWN }] }), []);
        });
        it("rejects the AES256 default", () => {
            expectOne(run({}), "ecr-repository-cmk:mandatory", "AES256");
            expectOne(
                run({ encryptionConfigurations: [{ encryptionType: "AES256" }] }),
                "ecr-repository-cmk:mandatory",
                "AES256",
            );
        });
        it("rejects KMS without kmsKey", () => {
            expectOne(
                run({ encryptionConfigurations: [{ encryptionType: "KMS" }] }),
                "ecr-repository-cmk:mandatory",
                "aws/ecr",
            );
        });
    });

    describe("kms-key-rotation", () => {
        const run = (inputs: Record<string, unknown>) => runPolicy("kms-key-rotation", single(T.kmsKey[0], inputs));

        it("accepts rotation on", () => {
            assert.deepStrictEqual(run({ enableKeyRotation: true }), []);
        });
        it("rejects rotation off or unset", () => {
            expectOne(run({ enableKeyRotation: false }), "kms-key-rotation:mandatory", "enableKeyRotation is false");
            expectOne(run({}), "kms-key-rotation:mandatory", "not set");
        });
        it("exempts asymmetric keys, which KMS cannot rotate", () => {
            assert.deepStrictEqual(run({ customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }), []);
        });
    });

    describe("alb-listener-tls-policy", () => {
        const run = (inputs: Record<string, unknown>, config = {}) =>
            runPolicy(
                "alb-listener-tls-policy",
                single(T.listener[0], { loadBalancerArn: UNKNOWN, ...inputs }),
                config,
            );

        it("accepts HTTPS with an allowed policy, on either token", () => {
            assert.deepStrictEqual(run({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }), []);
            const alb = single(T.listener[1], {
                protocol: "HTTPS",
                sslPolicy: "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            });
            assert.deepStrictEqual(runPolicy("alb-listener-tls-policy", alb), []);
        });
        it("rejects HTTPS without sslPolicy (AWS would apply ELBSecurityPolicy-2016-08)", () => {
            expectOne(run({ protocol: "HTTPS" }), "alb-listener-tls-policy:mandatory", "ELBSecurityPolicy-2016-08");
        });
        it("rejects a TLS 1.0 policy", () => {
            expectOne(
                run({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-2016-08" }),
                "alb-listener-tls-policy:mandatory",
                "allow-list",
            );
        });
        it("rejects plaintext TCP", () => {
            expectOne(run({ protocol: "TCP" }), "alb-listener-tls-policy:mandatory", "protocol TCP");
        });
        it("leaves HTTP listeners to the stack policy", () => {
            assert.deepStrictEqual(
                run({ protocol: "HTTP", defaultActions: [{ type: "forward", targetGroupArn: UNKNOWN }] }),
                [],
            );
        });
        it("honours the allowedSslPolicies setting", () => {
            const config = {
                "alb-listener-tls-policy": { allowedSslPolicies: ["ELBSecurityPolicy-TLS13-1-3-2021-06"] },
            };
            expectOne(
                run({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" }, config),
                "alb-listener-tls-policy:mandatory",
                "ELBSecurityPolicy-TLS13-1-3-2021-06",
            );
            assert.deepStrictEqual(
                run({ protocol: "HTTPS", sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" }, config),
                [],
            );
        });
    });

    describe("cloudfront-viewer-https", () => {
        const run = (ordered: unknown[]) =>
            runPolicy(
                "cloudfront-viewer-https",
                single(T.distribution[0], {
                    defaultCacheBehavior: { viewerProtocolPolicy: "redirect-to-https", targetOriginId: "app" },
                    orderedCacheBehaviors: ordered,
                }),
            );

        it("accepts redirect-to-https and https-only", () => {
            assert.deepStrictEqual(run([{ pathPattern: "/a/*", viewerProtocolPolicy: "https-only" }]), []);
        });
        it("rejects allow-all on any behavior", () => {
            expectOne(
                run([{ pathPattern: "/legacy/*", viewerProtocolPolicy: "allow-all" }]),
                "cloudfront-viewer-https:mandatory",
                "/legacy/*",
            );
        });
    });

    describe("cloudfront-minimum-tls", () => {
        const run = (viewerCertificate: Record<string, unknown>) =>
            runPolicy("cloudfront-minimum-tls", single(T.distribution[0], { viewerCertificate }));

        it("accepts TLSv1.2_2021 and newer with a custom certificate", () => {
            assert.deepStrictEqual(run({ acmCertificateArn: UNKNOWN, minimumProtocolVersion: "TLSv1.2_2021" }), []);
            assert.deepStrictEqual(run({ acmCertificateArn: UNKNOWN, minimumProtocolVersion: "TLSv1.3_2025" }), []);
        });
        it("does not apply to the default certificate, which cannot enforce a minimum", () => {
            assert.deepStrictEqual(run({ cloudfrontDefaultCertificate: true }), []);
        });
        it("rejects older or unset versions with a custom certificate", () => {
            expectOne(
                run({ acmCertificateArn: UNKNOWN, minimumProtocolVersion: "TLSv1.2_2019" }),
                "cloudfront-minimum-tls:mandatory",
                "TLSv1.2_2019",
            );
            expectOne(
                run({ acmCertificateArn: "arn:aws:acm:us-east-1:1:certificate/x" }),
                "cloudfront-minimum-tls:mandatory",
                "not set",
            );
        });
    });

    describe("cloudfront-origin-https", () => {
        const run = (origin: Record<string, unknown>) =>
            runPolicy(
                "cloudfront-origin-https",
                single(T.distribution[0], { origins: [{ originId: "o", domainName: UNKNOWN, ...origin }] }),
            );

        it("accepts https-only custom origins, VPC origins and S3 origins with OAC", () => {
            assert.deepStrictEqual(
                run({ customOriginConfig: { originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] } }),
                [],
            );
            assert.deepStrictEqual(run({ vpcOriginConfig: { vpcOriginId: UNKNOWN } }), []);
            assert.deepStrictEqual(run({ originAccessControlId: UNKNOWN }), []);
        });
        it("rejects http-only and match-viewer custom origins", () => {
            expectOne(
                run({ customOriginConfig: { originProtocolPolicy: "http-only" } }),
                "cloudfront-origin-https:mandatory",
                "http-only",
            );
            expectOne(
                run({ customOriginConfig: { originProtocolPolicy: "match-viewer" } }),
                "cloudfront-origin-https:mandatory",
                "match-viewer",
            );
        });
        it("rejects old TLS versions towards the origin", () => {
            expectOne(
                run({
                    customOriginConfig: {
                        originProtocolPolicy: "https-only",
                        originSslProtocols: ["TLSv1", "TLSv1.2"],
                    },
                }),
                "cloudfront-origin-https:mandatory",
                "TLSv1",
            );
        });
        it("still rejects a bad origin when another origin's protocol is unknown", () => {
            const v = runPolicy(
                "cloudfront-origin-https",
                single(T.distribution[0], {
                    origins: [
                        { originId: "a", domainName: UNKNOWN, customOriginConfig: { originProtocolPolicy: UNKNOWN } },
                        {
                            originId: "b",
                            domainName: UNKNOWN,
                            customOriginConfig: { originProtocolPolicy: "http-only" },
                        },
                    ],
                }),
            );
            assert.deepStrictEqual(summary(v), [
                "cloudfront-origin-https:mandatory",
                "cloudfront-origin-https:advisory",
            ]);
            assert.match(v[0].message, /origins\[1\] \(b\)/);
        });
        it("rejects S3 origins without origin access control", () => {
            expectOne(
                run({ s3OriginConfig: { originAccessIdentity: "oai" } }),
                "cloudfront-origin-https:mandatory",
                "originAccessControlId",
            );
        });
    });

    describe("s3-bucket-policy-deny-insecure-transport", () => {
        const deny = {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        };
        const run = (policy: unknown) =>
            runPolicy(
                "s3-bucket-policy-deny-insecure-transport",
                single(T.bucketPolicy[0], { bucket: UNKNOWN, policy }),
            );

        it("accepts a TLS-only statement, as JSON text or as an object", () => {
            assert.deepStrictEqual(run(JSON.stringify({ Version: "2012-10-17", Statement: [deny] })), []);
            assert.deepStrictEqual(
                run({ Version: "2012-10-17", Statement: [{ ...deny, Principal: { AWS: "*" } }] }),
                [],
            );
        });
        it("rejects a policy without the deny", () => {
            expectOne(
                run(JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject" }] })),
                "s3-bucket-policy-deny-insecure-transport:mandatory",
                "aws:SecureTransport",
            );
        });
        it("rejects a deny that only covers one principal", () => {
            expectOne(
                run(JSON.stringify({ Statement: [{ ...deny, Principal: { AWS: "arn:aws:iam::1:root" } }] })),
                "s3-bucket-policy-deny-insecure-transport:mandatory",
                "aws:SecureTransport",
            );
        });
        it("cannot judge a document that is unknown at preview: the engine's advisory, never a silent pass", () => {
            expectOne(run(UNKNOWN), "s3-bucket-policy-deny-insecure-transport:advisory", CANT_RUN);
        });
    });

    describe("subnet-no-public-ip-on-launch", () => {
        const run = (inputs: Record<string, unknown>) =>
            runPolicy("subnet-no-public-ip-on-launch", single(T.subnet[0], { vpcId: UNKNOWN, ...inputs }));

        it("accepts the default and false", () => {
            assert.deepStrictEqual(run({}), []);
            assert.deepStrictEqual(run({ mapPublicIpOnLaunch: false }), []);
        });
        it("rejects mapPublicIpOnLaunch", () => {
            expectOne(
                run({ mapPublicIpOnLaunch: true }),
                "subnet-no-public-ip-on-launch:mandatory",
                "mapPublicIpOnLaunch is true",
            );
        });
    });

    describe("rds-not-publicly-accessible", () => {
        it("accepts private instances", () => {
            assert.deepStrictEqual(
                runPolicy(
                    "rds-not-publicly-accessible",
                    single(T.rdsClusterInstance[0], { publiclyAccessible: false }),
                ),
                [],
            );
        });
        it("rejects public instances", () => {
            expectOne(
                runPolicy(
                    "rds-not-publicly-accessible",
                    single(T.rdsClusterInstance[0], { clusterIdentifier: UNKNOWN, publiclyAccessible: true }),
                ),
                "rds-not-publicly-accessible:mandatory",
                "publiclyAccessible is true",
            );
        });
    });

    describe("ecs-service-no-public-ip", () => {
        const run = (network: Record<string, unknown>) =>
            runPolicy(
                "ecs-service-no-public-ip",
                single(T.ecsService[0], { networkConfiguration: { subnets: [UNKNOWN], ...network } }),
            );

        it("accepts no public IP while the subnets are still unknown", () => {
            assert.deepStrictEqual(run({ assignPublicIp: false }), []);
            assert.deepStrictEqual(run({}), []);
        });
        it("rejects assignPublicIp", () => {
            expectOne(run({ assignPublicIp: true }), "ecs-service-no-public-ip:mandatory", "assignPublicIp is true");
        });
    });

    describe("load-balancer-not-internet-facing", () => {
        const forbid = { "load-balancer-not-internet-facing": { forbidInternetFacingLoadBalancers: true } };
        const run = (inputs: Record<string, unknown>, config = {}) =>
            runPolicy(
                "load-balancer-not-internet-facing",
                single(T.loadBalancer[0], { subnets: [UNKNOWN], ...inputs }),
                config,
            );

        it("allows internet-facing load balancers by default", () => {
            assert.deepStrictEqual(run({ internal: false }), []);
        });
        it("rejects them when forbidInternetFacingLoadBalancers is on", () => {
            expectOne(
                run({ internal: false }, forbid),
                "load-balancer-not-internet-facing:mandatory",
                "internet-facing",
            );
            expectOne(
                run({ loadBalancerType: "network" }, forbid),
                "load-balancer-not-internet-facing:mandatory",
                "network",
            );
        });
        it("accepts internal and gateway load balancers when forbidden", () => {
            assert.deepStrictEqual(run({ internal: true }, forbid), []);
            assert.deepStrictEqual(run({ loadBalancerType: "gateway" }, forbid), []);
        });
    });
});
