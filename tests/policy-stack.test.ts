/**
 * Stack policies against a complete platform stack (tests/helpers/graph-fixtures.ts), which is compliant as
 * built. Each case changes one fact and asserts the exact violations that fact causes. The whole pack runs,
 * so a change that broke a second policy would show up too.
 */
import { strict as assert } from "assert";

import { policies } from "../policy/policies";
import { T } from "../policy/tokens";
import { evaluatePolicies, loadPolicyConfig, resolvePolicyConfig } from "../tools/plan/policy-eval";
import { UNKNOWN, type PlanMode, type Violation } from "../tools/plan/types";
import {
    platformStack,
    PlanBuilder,
    runPolicy,
    summary,
    tlsOnlyPolicy,
    type PlatformOptions,
} from "./helpers/graph-fixtures";

const prodConfig = resolvePolicyConfig(policies, loadPolicyConfig("production"));
const devConfig = resolvePolicyConfig(policies, loadPolicyConfig("development"));

/** prod-shaped stack (internal ALB behind a VPC origin) under the prod config. */
function prod(change: (p: PlanBuilder) => void = () => undefined, options: PlatformOptions = {}): Violation[] {
    const p = platformStack(options);
    change(p);
    return evaluatePolicies(policies, p.resources, prodConfig);
}

/** dev-shaped stack (public ALB with HTTPS, HTTP redirect) under the dev config. */
function dev(change: (p: PlanBuilder) => void = () => undefined, options: PlatformOptions = {}): Violation[] {
    const p = platformStack({ stack: "dev", internalAlbBehindVpcOrigin: false, ...options });
    change(p);
    return evaluatePolicies(policies, p.resources, devConfig);
}

/** The VPC origin's endpoint config without its arn, as the fixture builds it (https-only, TLSv1.2). */
const HTTPS_ORIGIN = {
    name: "alb",
    httpPort: 80,
    httpsPort: 443,
    originProtocolPolicy: "https-only",
    originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
};

function urnsOf(violations: Violation[]): string[] {
    return violations.map((v) => (v.urn ?? "").split("::").pop() ?? "");
}

const CANT_RUN = "can't run policy 'subnet-tiers-span-azs' from policy pack 'aws-platform@v0.1.0' during preview: ";

describe("stack policies", () => {
    for (const mode of ["preview", "update"] as PlanMode[]) {
        it(`finds nothing in the compliant platform stack (${mode}, prod and dev)`, () => {
            assert.deepStrictEqual(prod(undefined, { mode }), []);
            assert.deepStrictEqual(dev(undefined, { mode }), []);
        });
    }

    describe("s3-bucket-kms-encryption", () => {
        it("rejects a bucket without an encryption configuration", () => {
            const v = prod((p) => p.remove("assets-sse"));
            assert.deepStrictEqual(summary(v), ["s3-bucket-kms-encryption:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["assets"]);
        });
        it("rejects SSE-S3 on an ordinary bucket", () => {
            const v = prod((p) =>
                p.patch("assets-sse", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }),
            );
            assert.deepStrictEqual(summary(v), ["s3-bucket-kms-encryption:mandatory"]);
            assert.match(v[0].message, /Bucket 'assets' is not encrypted with a customer-managed KMS key/);
        });
        it("accepts SSE-S3 on the bucket the load balancer's accessLogs names (the compliant stack)", () => {
            assert.deepStrictEqual(prod(), []);
            const bucketDeps = platformStack().get("alb").propertyDependencies.accessLogs;
            assert.deepStrictEqual(bucketDeps, ["urn:pulumi:prod::aws-platform::aws:s3/bucket:Bucket::alb-logs"]);
        });
        it("accepts SSE-S3 when accessLogs.bucket is a literal equal to the bucket's known name", () => {
            assert.deepStrictEqual(
                prod((p) => p.patch("alb", { accessLogs: { bucket: "alb-logs-bucket", enabled: true } })),
                [],
            );
        });
        it("rejects SSE-S3 on a bucket whose policy admits ELB log delivery when no load balancer logs to it", () => {
            const v = prod((p) => p.patch("alb", { accessLogs: undefined }));
            // Versioning's exemption follows the same verdict: an unversioned bucket nobody logs to is ordinary data.
            assert.deepStrictEqual(summary(v), [
                "s3-bucket-kms-encryption:mandatory",
                "s3-bucket-versioning:mandatory",
            ]);
            assert.deepStrictEqual(urnsOf(v), ["alb-logs", "alb-logs"]);
            assert.match(v[0].message, /SSE-S3 is allowed only on a bucket that an enabled accessLogs/);
        });
        it("rejects SSE-S3 on a second bucket with an ELB-delivery statement while the load balancer logs elsewhere", () => {
            const v = prod((p) => {
                const decoy = p.add(T.bucket[0], "decoy", { bucket: "decoy-bucket" });
                p.add(T.bucketOwnershipControls[0], "decoy-ownership", {
                    bucket: p.out(decoy),
                    rule: { objectOwnership: "BucketOwnerEnforced" },
                });
                p.add(T.bucketVersioning[0], "decoy-versioning", {
                    bucket: p.out(decoy),
                    versioningConfiguration: { status: "Enabled" },
                });
                p.add(T.bucketEncryption[0], "decoy-sse", {
                    bucket: p.out(decoy),
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                });
                p.add(T.bucketPublicAccessBlock[0], "decoy-pab", {
                    bucket: p.out(decoy),
                    blockPublicAcls: true,
                    blockPublicPolicy: true,
                    ignorePublicAcls: true,
                    restrictPublicBuckets: true,
                });
                p.add(T.bucketPolicy[0], "decoy-policy", {
                    bucket: p.out(decoy),
                    policy: tlsOnlyPolicy(
                        "arn:aws:s3:::decoy-bucket",
                        "logdelivery.elasticloadbalancing.amazonaws.com",
                    ),
                });
            });
            assert.deepStrictEqual(summary(v), ["s3-bucket-kms-encryption:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["decoy"]);
        });
        it("rejects SSE-S3 when accessLogs names another bucket by literal", () => {
            const v = prod((p) => p.patch("alb", { accessLogs: { bucket: "other-bucket", enabled: true } }));
            assert.deepStrictEqual(summary(v), [
                "s3-bucket-kms-encryption:mandatory",
                "s3-bucket-versioning:mandatory",
            ]);
            assert.deepStrictEqual(urnsOf(v), ["alb-logs", "alb-logs"]);
        });
        it("rejects SSE-S3 when the load balancer's access logging is off or left at its default (off)", () => {
            for (const accessLogs of [{ enabled: false }, {}]) {
                const v = prod((p) =>
                    p.patch("alb", { accessLogs: { bucket: p.out(p.get("alb-logs")), ...accessLogs } }),
                );
                assert.deepStrictEqual(
                    summary(v),
                    ["s3-bucket-kms-encryption:mandatory", "s3-bucket-versioning:mandatory"],
                    JSON.stringify(accessLogs),
                );
                assert.deepStrictEqual(urnsOf(v), ["alb-logs", "alb-logs"]);
            }
        });
        it("reports the engine's advisory, not a pass, when only an unknown accessLogs.enabled could allow SSE-S3", () => {
            const v = prod((p) =>
                p.patch("alb", { accessLogs: { bucket: p.out(p.get("alb-logs")), enabled: UNKNOWN } }),
            );
            assert.deepStrictEqual(summary(v), ["s3-bucket-kms-encryption:advisory", "s3-bucket-versioning:advisory"]);
            assert.match(
                v[0].message,
                /^can't run policy 's3-bucket-kms-encryption' .* at \.accessLogs\.enabled can't be known/,
            );
            assert.match(
                v[1].message,
                /^can't run policy 's3-bucket-versioning' .* at \.accessLogs\.enabled can't be known/,
            );
        });
        it("rejects SSE-S3 on the former log bucket once nothing identifies it as one", () => {
            const v = prod((p) => {
                p.patch("alb", { accessLogs: undefined });
                p.patch("alb-logs-policy", { policy: tlsOnlyPolicy("arn:aws:s3:::alb-logs-bucket") });
            });
            assert.deepStrictEqual(summary(v), [
                "s3-bucket-kms-encryption:mandatory",
                "s3-bucket-versioning:mandatory",
            ]);
            assert.deepStrictEqual(urnsOf(v), ["alb-logs", "alb-logs"]);
        });
    });

    describe("alb-http-listener-redirects-to-https", () => {
        it("rejects a plain-HTTP forward when the VPC-origin exception is off (the pack's defaults)", () => {
            const p = platformStack({ stack: "dev" });
            const v = evaluatePolicies(policies, p.resources, resolvePolicyConfig(policies, {}));
            assert.deepStrictEqual(summary(v), ["alb-http-listener-redirects-to-https:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["http"]);
        });
        it("rejects the exception on an internet-facing load balancer", () => {
            const v = prod((p) => p.patch("alb", { internal: false }));
            assert.deepStrictEqual(summary(v), [
                "load-balancer-not-internet-facing:mandatory",
                "alb-http-listener-redirects-to-https:mandatory",
            ]);
            assert.match(v[1].message, /internet-facing LoadBalancer 'alb'/);
        });
        it("rejects the exception when no CloudFront VPC origin targets the load balancer", () => {
            const v = prod((p) =>
                p.patch("alb-origin", { vpcOriginEndpointConfig: { ...HTTPS_ORIGIN, arn: "arn:elsewhere" } }),
            );
            assert.deepStrictEqual(summary(v), ["alb-http-listener-redirects-to-https:mandatory"]);
            assert.match(v[0].message, /no aws\.cloudfront\.VpcOrigin/);
        });
        it("rejects an HTTP redirect that stays on HTTP", () => {
            const v = dev((p) =>
                p.patch("http", {
                    defaultActions: [
                        { type: "redirect", redirect: { protocol: "HTTP", port: "8080", statusCode: "HTTP_301" } },
                    ],
                }),
            );
            assert.deepStrictEqual(summary(v), ["alb-http-listener-redirects-to-https:mandatory"]);
        });
        it("rejects a listener rule that forwards plain HTTP behind a fixed-response default action", () => {
            const v = dev((p) => {
                p.patch("http", {
                    defaultActions: [
                        { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } },
                    ],
                });
                p.add(T.listenerRule[0], "http-app", {
                    listenerArn: p.out(p.get("http"), "arn"),
                    priority: 100,
                    actions: [{ type: "forward", targetGroupArn: p.out(p.get("tg"), "arn") }],
                    conditions: [{ pathPattern: { values: ["/*"] } }],
                });
            });
            assert.deepStrictEqual(summary(v), ["alb-http-listener-redirects-to-https:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["http"]);
        });
        it("accepts a listener rule forwarding HTTP on an internal load balancer behind a VPC origin when allowed", () => {
            const v = prod((p) => {
                p.patch("http", {
                    defaultActions: [
                        { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } },
                    ],
                });
                p.add(T.listenerRule[0], "http-app", {
                    listenerArn: p.out(p.get("http"), "arn"),
                    priority: 100,
                    actions: [{ type: "forward", targetGroupArn: p.out(p.get("tg"), "arn") }],
                    conditions: [{ pathPattern: { values: ["/*"] } }],
                });
            });
            assert.deepStrictEqual(v, []);
        });
        it("accepts a fixed response on HTTP", () => {
            assert.deepStrictEqual(
                dev((p) =>
                    p.patch("http", {
                        defaultActions: [
                            { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } },
                        ],
                    }),
                ),
                [],
            );
        });
    });

    describe("cloudfront-vpc-origin-https", () => {
        const NAME = "cloudfront-vpc-origin-https";
        /** The setting the development profile needs for its certificate-less internal ALB, and nothing else. */
        const HTTP_TO_INTERNAL_LB = {
            "alb-http-listener-redirects-to-https": { allowHttpToInternalVpcOrigin: true },
            [NAME]: { allowHttpToInternalLoadBalancer: true },
        };
        /** dev's shape: internal ALB, plain HTTP from the VPC origin. */
        const httpOrigin = (change: (p: PlanBuilder) => void = () => undefined) => {
            const p = platformStack({ stack: "dev", vpcOriginProtocolPolicy: "http-only" });
            change(p);
            return p;
        };
        const origin = (p: PlanBuilder, config: Record<string, unknown>) =>
            p.patch("alb-origin", {
                vpcOriginEndpointConfig: { ...HTTPS_ORIGIN, arn: p.out(p.get("alb"), "arn"), ...config },
            });
        const withException = (p: PlanBuilder) => runPolicy(NAME, p, HTTP_TO_INTERNAL_LB);

        it("accepts an https-only origin with TLSv1.2 under the pack's defaults", () => {
            assert.deepStrictEqual(runPolicy(NAME, platformStack()), []);
        });
        it("accepts dev's HTTP origin to an internal ALB only CloudFront reaches, with allowHttpToInternalLoadBalancer", () => {
            const config = resolvePolicyConfig(policies, HTTP_TO_INTERNAL_LB);
            assert.deepStrictEqual(evaluatePolicies(policies, httpOrigin().resources, config), []);
        });
        it("rejects http-only and match-viewer while the exception is off (the pack's default)", () => {
            for (const policy of ["http-only", "match-viewer"]) {
                const v = runPolicy(NAME, platformStack({ vpcOriginProtocolPolicy: policy }));
                assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`]);
                assert.deepStrictEqual(urnsOf(v), ["alb-origin"]);
                assert.match(v[0].message, new RegExp(`originProtocolPolicy '${policy}'; use https-only\\.$`));
            }
        });
        it("rejects SSLv3, TLSv1 or TLSv1.1 among the origin protocols, even on https-only", () => {
            const weak = { originSslProtocols: { items: ["TLSv1", "TLSv1.1", "TLSv1.2"], quantity: 3 } };
            const v = runPolicy(NAME, origin(platformStack(), weak));
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`]);
            assert.match(v[0].message, /allows TLSv1, TLSv1\.1 to the origin/);
        });
        it("rejects an empty protocol list", () => {
            const v = runPolicy(NAME, origin(platformStack(), { originSslProtocols: { items: [], quantity: 0 } }));
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`]);
            assert.match(v[0].message, /lists no originSslProtocols/);
        });
        it("refuses the exception for an internet-facing load balancer", () => {
            const v = withException(httpOrigin((p) => p.patch("alb", { internal: false })));
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`]);
            assert.match(v[0].message, /exception does not apply: LoadBalancer 'alb' is internet-facing/);
        });
        it("refuses it when the origin's arn does not come from a load balancer of this stack", () => {
            const v = withException(
                httpOrigin((p) =>
                    origin(p, {
                        arn: "arn:aws:elasticloadbalancing:eu-west-1:1:loadbalancer/app/x/1",
                        originProtocolPolicy: "http-only",
                    }),
                ),
            );
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`]);
            assert.match(v[0].message, /cannot be verified/);
        });
        it("refuses it when the load balancer's group admits an address range or another group", () => {
            const sources = [{ cidrIpv4: "10.0.0.0/16" }, { referencedSecurityGroupId: "sg-0123456789abcdef0" }];
            for (const source of sources) {
                const v = withException(
                    httpOrigin((p) =>
                        p.add(T.securityGroupIngressRule[0], "alb-from-vpc", {
                            securityGroupId: p.out(p.get("alb-sg")),
                            ipProtocol: "tcp",
                            fromPort: 80,
                            toPort: 80,
                            ...source,
                        }),
                    ),
                );
                assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`], JSON.stringify(source));
                assert.match(
                    v[0].message,
                    /SecurityGroupIngressRule 'alb-from-vpc' admits a source other than a managed prefix list/,
                );
            }
        });
        it("refuses it when the prefix list is one this stack creates (not CloudFront's managed list)", () => {
            const v = withException(
                httpOrigin((p) => {
                    const list = p.add(T.managedPrefixList[0], "anything", {
                        addressFamily: "IPv4",
                        maxEntries: 1,
                        entries: [{ cidr: "0.0.0.0/0" }],
                    });
                    p.patch("alb-from-cloudfront", { prefixListId: p.out(list) });
                }),
            );
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`]);
            assert.match(v[0].message, /admits ManagedPrefixList 'anything', a prefix list of this stack/);
        });
        it("refuses it when the load balancer has no security group of this stack", () => {
            const v = withException(httpOrigin((p) => p.patch("alb", { securityGroups: undefined })));
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`]);
            assert.match(v[0].message, /has no security group of this stack/);
        });
        it("reports the engine's advisory, not a pass, when only an unknown internal flag could grant it", () => {
            const v = withException(httpOrigin((p) => p.patch("alb", { internal: UNKNOWN })));
            assert.deepStrictEqual(summary(v), [`${NAME}:advisory`]);
            assert.match(v[0].message, new RegExp(`^can't run policy '${NAME}' .* at \\.internal can't be known`));
        });
        it("decides on a known refusal before the unknown internal flag", () => {
            const v = withException(
                httpOrigin((p) => {
                    p.patch("alb", { internal: UNKNOWN });
                    p.add(T.securityGroupIngressRule[0], "alb-from-anywhere", {
                        securityGroupId: p.out(p.get("alb-sg")),
                        cidrIpv4: "10.0.0.0/8",
                        ipProtocol: "tcp",
                        fromPort: 80,
                        toPort: 80,
                    });
                }),
            );
            assert.deepStrictEqual(summary(v), [`${NAME}:mandatory`]);
        });
        it("reports the engine's advisory for an originProtocolPolicy unknown at preview", () => {
            const v = runPolicy(NAME, origin(platformStack(), { originProtocolPolicy: UNKNOWN }));
            assert.deepStrictEqual(summary(v), [`${NAME}:advisory`]);
            assert.match(v[0].message, /at \.vpcOriginEndpointConfig\.originProtocolPolicy can't be known/);
        });
    });

    describe("aurora-force-ssl", () => {
        it("rejects a parameter group with rds.force_ssl = 0", () => {
            const v = prod((p) => p.patch("db-params", { parameters: [{ name: "rds.force_ssl", value: "0" }] }));
            assert.deepStrictEqual(summary(v), ["aurora-force-ssl:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["db-params"]);
        });
        it("rejects a cluster on the default parameter group", () => {
            const v = prod((p) => p.patch("db", { dbClusterParameterGroupName: undefined }));
            assert.deepStrictEqual(summary(v), ["aurora-force-ssl:mandatory"]);
            assert.match(v[0].message, /default cluster parameter group/);
        });
        it("fails closed when the parameter group is not a resource of this stack", () => {
            const v = prod((p) => p.patch("db", { dbClusterParameterGroupName: "shared-params" }));
            assert.deepStrictEqual(summary(v), ["aurora-force-ssl:mandatory"]);
            assert.match(v[0].message, /cannot be verified/);
        });
    });

    describe("s3-bucket-tls-only-policy", () => {
        it("rejects a bucket without a bucket policy", () => {
            const v = prod((p) => p.remove("assets-policy"));
            assert.deepStrictEqual(summary(v), ["s3-bucket-tls-only-policy:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["assets"]);
        });
    });

    describe("rds-subnet-group-non-public", () => {
        it("rejects a DB subnet group built from public subnets", () => {
            const v = prod((p) =>
                p.patch("db-subnets", { subnetIds: ["a", "b", "c"].map((s) => p.out(p.get(`public-${s}`))) }),
            );
            assert.deepStrictEqual(summary(v), ["rds-subnet-group-non-public:mandatory"]);
            assert.match(v[0].message, /public subnet\(s\) 'public-a', 'public-b', 'public-c'/);
        });
        it("treats a subnet with mapPublicIpOnLaunch as public even without an IGW route", () => {
            const v = prod((p) => p.patch("isolated-a", { mapPublicIpOnLaunch: true }));
            assert.deepStrictEqual(summary(v), [
                "subnet-no-public-ip-on-launch:mandatory",
                "rds-subnet-group-non-public:mandatory",
                // The isolated tier is left with two AZs.
                "subnet-tiers-span-azs:mandatory",
            ]);
        });
        it("fails closed when the subnet ids are literals from outside the stack", () => {
            const v = prod((p) => p.patch("db-subnets", { subnetIds: ["subnet-1", "subnet-2"] }));
            assert.deepStrictEqual(summary(v), ["rds-subnet-group-non-public:mandatory", "aurora-multi-az:mandatory"]);
        });
    });

    describe("ecs-service-private-subnets", () => {
        it("rejects a service in public subnets", () => {
            const v = prod((p) =>
                p.patch("web", {
                    networkConfiguration: {
                        subnets: ["a", "b", "c"].map((s) => p.out(p.get(`public-${s}`))),
                        assignPublicIp: false,
                    },
                }),
            );
            assert.deepStrictEqual(summary(v), ["ecs-service-private-subnets:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["web"]);
        });
        it("accepts isolated subnets (non-public)", () => {
            assert.deepStrictEqual(
                prod((p) =>
                    p.patch("web", {
                        networkConfiguration: { subnets: ["a", "b", "c"].map((s) => p.out(p.get(`isolated-${s}`))) },
                    }),
                ),
                [],
            );
        });
    });

    describe("security-group-no-public-ingress", () => {
        it("rejects SSH from the internet", () => {
            const v = prod((p) =>
                p.add(T.securityGroupIngressRule[0], "ssh", {
                    securityGroupId: p.out(p.get("app-sg")),
                    cidrIpv4: "0.0.0.0/0",
                    ipProtocol: "tcp",
                    fromPort: 22,
                    toPort: 22,
                }),
            );
            assert.deepStrictEqual(summary(v), ["security-group-no-public-ingress:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["ssh"]);
        });
        it("rejects 443 from the internet on an internal load balancer's group", () => {
            const v = prod((p) =>
                p.add(T.securityGroupRule[0], "https-world", {
                    type: "ingress",
                    securityGroupId: p.out(p.get("alb-sg")),
                    cidrBlocks: ["0.0.0.0/0"],
                    protocol: "tcp",
                    fromPort: 443,
                    toPort: 443,
                }),
            );
            assert.deepStrictEqual(summary(v), ["security-group-no-public-ingress:mandatory"]);
            assert.match(v[0].message, /not used by an internet-facing load balancer/);
        });
        it("accepts 80/443 from the internet on an internet-facing load balancer's group", () => {
            const v = dev((p) =>
                p.patch("alb-sg", {
                    ingress: [
                        {
                            protocol: "tcp",
                            fromPort: 443,
                            toPort: 443,
                            cidrBlocks: ["0.0.0.0/0"],
                            ipv6CidrBlocks: ["::/0"],
                        },
                        { protocol: "tcp", fromPort: 80, toPort: 80, cidrBlocks: ["0.0.0.0/0"] },
                    ],
                }),
            );
            assert.deepStrictEqual(v, []);
        });
        const worldWeb = (p: PlanBuilder) =>
            p.patch("alb-sg", {
                ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
            });
        it("rejects 80/443 from the internet when the load balancer's group is also on the ECS tasks", () => {
            const v = dev((p) => {
                worldWeb(p);
                p.patch("web", {
                    networkConfiguration: {
                        subnets: ["a", "b", "c"].map((s) => p.out(p.get(`private-${s}`))),
                        securityGroups: [p.out(p.get("app-sg")), p.out(p.get("alb-sg"))],
                        assignPublicIp: false,
                    },
                });
            });
            assert.deepStrictEqual(summary(v), ["security-group-no-public-ingress:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["alb-sg"]);
            assert.match(
                v[0].message,
                /attached to Service 'web'; the exception covers groups used by load balancers only/,
            );
        });
        it("rejects 80/443 from the internet when anything else besides load balancers uses the group", () => {
            const v = dev((p) => {
                worldWeb(p);
                p.add("aws:ec2/instance:Instance", "bastion", {
                    ami: "ami-0123456789abcdef0",
                    instanceType: "t3.micro",
                    subnetId: p.out(p.get("private-a")),
                    vpcSecurityGroupIds: [p.out(p.get("alb-sg"))],
                });
            });
            assert.deepStrictEqual(summary(v), ["security-group-no-public-ingress:mandatory"]);
            assert.match(v[0].message, /attached to Instance 'bastion';/);
        });
        it("does not grant the exception on an internal flag unknown at preview: the engine's advisory instead", () => {
            const v = dev((p) => {
                worldWeb(p);
                p.patch("alb", { internal: UNKNOWN });
            });
            assert.deepStrictEqual(summary(v), ["security-group-no-public-ingress:advisory"]);
            assert.match(
                v[0].message,
                /^can't run policy 'security-group-no-public-ingress' .* during preview: .* at \.internal can't be known/,
            );
        });
        it("decides on the known attachment first, even when the internal flag is unknown", () => {
            const v = dev((p) => {
                worldWeb(p);
                p.patch("alb", { internal: UNKNOWN });
                p.add("aws:ec2/instance:Instance", "bastion", {
                    subnetId: p.out(p.get("private-a")),
                    vpcSecurityGroupIds: [p.out(p.get("alb-sg"))],
                });
            });
            assert.deepStrictEqual(summary(v), ["security-group-no-public-ingress:mandatory"]);
        });
        it("rejects other ports or all traffic even on that group", () => {
            const v = dev((p) =>
                p.patch("alb-sg", { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] }),
            );
            assert.deepStrictEqual(summary(v), ["security-group-no-public-ingress:mandatory"]);
            assert.match(v[0].message, /inline ingress\[0\]/);
        });
        it("ignores egress rules", () => {
            assert.deepStrictEqual(
                prod((p) =>
                    p.add(T.securityGroupRule[0], "egress-all", {
                        type: "egress",
                        securityGroupId: p.out(p.get("app-sg")),
                        cidrBlocks: ["0.0.0.0/0"],
                        protocol: "-1",
                        fromPort: 0,
                        toPort: 0,
                    }),
                ),
                [],
            );
        });
    });

    describe("database-sg-only-sg-ingress", () => {
        it("rejects a CIDR rule on the database security group", () => {
            const v = prod((p) =>
                p.add(T.securityGroupIngressRule[0], "db-from-vpc", {
                    securityGroupId: p.out(p.get("db-sg")),
                    cidrIpv4: "10.0.0.0/16",
                    ipProtocol: "tcp",
                    fromPort: 5432,
                    toPort: 5432,
                }),
            );
            assert.deepStrictEqual(summary(v), ["database-sg-only-sg-ingress:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["db-from-vpc"]);
        });
        it("rejects inline CIDRs, even ones unknown at preview", () => {
            const v = prod((p) =>
                p.patch("db-sg", {
                    ingress: [
                        {
                            protocol: "tcp",
                            fromPort: 5432,
                            toPort: 5432,
                            cidrBlocks: [p.out(p.get("vpc"), "cidrBlock")],
                        },
                    ],
                }),
            );
            assert.deepStrictEqual(summary(v), ["database-sg-only-sg-ingress:mandatory"]);
        });
        it("rejects a cluster that falls back to the default security group", () => {
            const v = prod((p) => p.patch("db", { vpcSecurityGroupIds: undefined }));
            assert.deepStrictEqual(summary(v), ["database-sg-only-sg-ingress:mandatory"]);
            assert.match(v[0].message, /default security group/);
        });
    });

    describe("s3-bucket-public-access-block", () => {
        it("rejects a missing public access block", () => {
            const v = prod((p) => p.remove("assets-pab"));
            assert.deepStrictEqual(summary(v), ["s3-bucket-public-access-block:mandatory"]);
        });
        it("rejects a partial one", () => {
            const v = prod((p) => p.patch("assets-pab", { restrictPublicBuckets: false }));
            assert.deepStrictEqual(summary(v), ["s3-bucket-public-access-block:mandatory"]);
            assert.match(v[0].message, /leaves restrictPublicBuckets off/);
        });
    });

    describe("subnet-tiers-span-azs", () => {
        it("rejects two AZs under prod's minAzCount 3, per tier", () => {
            const v = prod(undefined, { azs: ["eu-west-1a", "eu-west-1b"] });
            assert.deepStrictEqual(summary(v), [
                "subnet-tiers-span-azs:mandatory",
                "subnet-tiers-span-azs:mandatory",
                "subnet-tiers-span-azs:mandatory",
                "aurora-multi-az:mandatory",
                "ecs-service-multi-az:mandatory",
                "load-balancer-multi-az:mandatory",
            ]);
            assert.match(
                v[0].message,
                /The public subnets of Vpc 'vpc' span fewer than 3 AZs \(AZs eu-west-1a, eu-west-1b\)/,
            );
        });
        it("accepts two AZs under dev's default minAzCount 2", () => {
            assert.deepStrictEqual(dev(undefined, { azs: ["eu-west-1a", "eu-west-1b"] }), []);
        });
        it("rejects a single AZ, advisory in dev", () => {
            const v = dev(undefined, { azs: ["eu-west-1a"] });
            assert.deepStrictEqual(summary(v), [
                "subnet-tiers-span-azs:advisory",
                "subnet-tiers-span-azs:advisory",
                "subnet-tiers-span-azs:advisory",
                "aurora-multi-az:advisory",
                "ecs-service-multi-az:advisory",
                "load-balancer-multi-az:advisory",
            ]);
        });
        it("decides on the known AZs when they already suffice, despite an unknown one", () => {
            const v = dev((p) => p.patch("private-a", { availabilityZone: UNKNOWN }));
            // Only the NAT placement of that one subnet genuinely depends on its AZ.
            assert.deepStrictEqual(summary(v), ["nat-gateway-per-az:advisory"]);
            assert.match(v[0].message, /^can't run policy 'nat-gateway-per-az'/);
        });
        it("reports the engine's advisory when only an unknown AZ could meet the minimum", () => {
            const v = dev((p) => p.patch("private-a", { availabilityZone: UNKNOWN }), {
                azs: ["eu-west-1a", "eu-west-1b"],
            });
            const tiers = v.filter((x) => x.policy === "subnet-tiers-span-azs");
            assert.deepStrictEqual(summary(tiers), ["subnet-tiers-span-azs:advisory"]);
            assert.strictEqual(
                tiers[0].message,
                `${CANT_RUN}string value at .availabilityZone can't be known during preview`,
            );
        });
    });

    describe("nat-gateway-per-az", () => {
        it("rejects one NAT for three AZs (per AZ without a NAT)", () => {
            const v = prod(undefined, { natPerAz: false });
            assert.deepStrictEqual(summary(v), ["nat-gateway-per-az:mandatory", "nat-gateway-per-az:mandatory"]);
            assert.match(v[0].message, /AZ eu-west-1b hosts private subnet\(s\) private-b but no NAT gateway/);
        });
        it("is advisory in dev, which runs a single NAT on purpose", () => {
            const v = dev(undefined, { natPerAz: false, azs: ["eu-west-1a", "eu-west-1b"] });
            assert.deepStrictEqual(summary(v), ["nat-gateway-per-az:advisory"]);
        });
        it("rejects a private subnet routed through another AZ's NAT", () => {
            const v = prod((p) =>
                p.patch("private-b-rt", { routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: p.out(p.get("nat-a")) }] }),
            );
            assert.deepStrictEqual(summary(v), ["nat-gateway-per-az:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["private-b"]);
        });
        it("recognises NAT routes given as separate aws:ec2/route resources", () => {
            const v = prod((p) => {
                p.patch("private-c-rt", { routes: undefined });
                p.add(T.route[0], "private-c-default", {
                    routeTableId: p.out(p.get("private-c-rt")),
                    destinationCidrBlock: "0.0.0.0/0",
                    natGatewayId: p.out(p.get("nat-c")),
                });
            });
            assert.deepStrictEqual(v, []);
        });
    });

    describe("aurora-multi-az", () => {
        it("rejects a writer without readers", () => {
            const v = prod(undefined, { readers: 0 });
            assert.deepStrictEqual(summary(v), ["aurora-multi-az:mandatory"]);
            assert.match(v[0].message, /has 1 instance\(s\); at least 2/);
        });
        it("rejects instances pinned to one AZ", () => {
            const v = prod((p) => {
                p.patch("db-0", { availabilityZone: "eu-west-1a" });
                p.patch("db-1", { availabilityZone: "eu-west-1a" });
            });
            assert.deepStrictEqual(summary(v), ["aurora-multi-az:mandatory"]);
            assert.match(v[0].message, /placed in eu-west-1a/);
        });
        it("rejects a cluster pinned to one AZ", () => {
            const v = prod((p) => p.patch("db", { availabilityZones: ["eu-west-1a"] }));
            assert.deepStrictEqual(summary(v), ["aurora-multi-az:mandatory"]);
        });
        it("cannot tell at preview whether computed instance AZs differ: advisory, not a pass", () => {
            const v = prod((p) => {
                p.patch("db-0", { availabilityZone: UNKNOWN });
                p.patch("db-1", { availabilityZone: "eu-west-1a" });
            });
            assert.deepStrictEqual(summary(v), ["aurora-multi-az:advisory"]);
            assert.deepStrictEqual(
                prod((p) => {
                    p.patch("db-0", { availabilityZone: "eu-west-1a" });
                    p.patch("db-1", { availabilityZone: "eu-west-1b" });
                }),
                [],
            );
        });
        it("honours minInstances", () => {
            const config = resolvePolicyConfig(policies, { "aurora-multi-az": { minInstances: 3 } });
            const v = evaluatePolicies(policies, platformStack().resources, config);
            // Without prod's file the VPC-origin exception is off again; order is the pack's.
            assert.deepStrictEqual(summary(v), [
                "alb-http-listener-redirects-to-https:mandatory",
                "aurora-multi-az:mandatory",
            ]);
        });
    });

    describe("ecs-service-multi-az", () => {
        it("rejects a single task", () => {
            const v = prod((p) => p.patch("web", { desiredCount: 1 }));
            assert.deepStrictEqual(summary(v), ["ecs-service-multi-az:mandatory"]);
        });
        it("rejects an autoscaling minimum below minTasks, linked by dependency", () => {
            const v = prod((p) => p.patch("web-scaling", { minCapacity: 1 }));
            assert.deepStrictEqual(summary(v), ["ecs-service-multi-az:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["web-scaling"]);
        });
        it("finds the autoscaling target by its service/<cluster>/<name> id too", () => {
            const v = prod((p) => p.patch("web-scaling", { resourceId: "service/ecs/web", minCapacity: 1 }));
            assert.deepStrictEqual(summary(v), ["ecs-service-multi-az:mandatory"]);
        });
        it("keeps the decidable findings when another value of the same policy is unknown", () => {
            const v = prod((p) => {
                p.patch("web", { desiredCount: UNKNOWN });
                p.patch("web-scaling", { minCapacity: 1 });
            });
            assert.deepStrictEqual(summary(v), ["ecs-service-multi-az:mandatory", "ecs-service-multi-az:advisory"]);
            assert.deepStrictEqual(urnsOf(v), ["web-scaling", ""]);
            assert.match(v[1].message, /during preview: string value at \.desiredCount can't be known during preview$/);
        });
        it("rejects a service in one AZ", () => {
            const v = prod((p) => p.patch("web", { networkConfiguration: { subnets: [p.out(p.get("private-a"))] } }));
            assert.deepStrictEqual(summary(v), ["ecs-service-multi-az:mandatory"]);
            assert.match(v[0].message, /span fewer than 3 AZs \(AZs eu-west-1a\)/);
        });
    });

    describe("load-balancer-multi-az", () => {
        it("rejects a load balancer in two AZs under prod's minimum of three", () => {
            const v = prod((p) => p.patch("alb", { subnets: [p.out(p.get("private-a")), p.out(p.get("private-b"))] }));
            assert.deepStrictEqual(summary(v), ["load-balancer-multi-az:mandatory"]);
            assert.deepStrictEqual(urnsOf(v), ["alb"]);
        });
        it("follows subnetMappings as well", () => {
            assert.deepStrictEqual(
                prod((p) =>
                    p.patch("alb", {
                        subnets: undefined,
                        subnetMappings: ["a", "b", "c"].map((s) => ({ subnetId: p.out(p.get(`private-${s}`)) })),
                    }),
                ),
                [],
            );
        });
    });
});
