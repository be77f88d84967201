/**
 * The S3 policies on an application data bucket served through CloudFront, as the Buckets component and EdgeCdn build
 * it, added to the compliant platform stack: compliant in both modes, and each violating variant caught, mandatory,
 * at preview (where the bucket's id, the key's ARN and the distribution's ARN are all unknown). The whole pack runs,
 * so a change that broke a second policy would show up too. Also the two data-protection policies on their own.
 */
import { strict as assert } from "assert";

import { policies } from "../policy/policies";
import { T } from "../policy/tokens";
import { evaluatePolicies, loadPolicyConfig, resolvePolicyConfig } from "../tools/plan/policy-eval";
import { UNKNOWN, type PlanMode, type Violation } from "../tools/plan/types";
import { PlanBuilder, platformStack, runPolicy, single, summary } from "./helpers/graph-fixtures";

const PRODUCTION = resolvePolicyConfig(policies, loadPolicyConfig("production"));
const MODES: PlanMode[] = ["preview", "update"];
const BUCKET_ARN = "arn:aws:s3:::aws-platform-prod-data-videos-123456789012";

/** What a served bucket's parts look like; each test changes one. */
interface ServedBucket {
    sse?: Record<string, unknown>;
    publicAccessBlock?: boolean;
    ownership?: string;
    versioning?: string;
    /** The bucket policy's statements; undefined leaves the policy out. */
    statements?: (p: PlanBuilder) => Record<string, unknown>[] | undefined;
    /** The origin's origin access control (by default the buckets' own OAC). */
    oac?: boolean;
}

/** The Buckets component's statements: exactly the distribution reads the served prefix; no plain HTTP. */
const servedStatements = (p: PlanBuilder) => [
    {
        Sid: "CloudFrontReadsServedObjects",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `${BUCKET_ARN}/videos/*`,
        Condition: { StringEquals: { "AWS:SourceArn": p.out(p.get("cdn"), "arn") } },
    },
    {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
];

/** The platform stack with one served application bucket, as index.ts wires Buckets into EdgeCdn. */
function withServedBucket(mode: PlanMode, b: ServedBucket = {}): PlanBuilder {
    const p = platformStack({ mode });
    const key = p.get("cmk");
    const bucket = p.add(T.bucket[0], "buckets-videos", {
        bucket: "aws-platform-prod-data-videos-123456789012",
        forceDestroy: false,
    });
    p.add(T.bucketEncryption[0], "buckets-videos-sse", {
        bucket: p.out(bucket),
        rules: [
            {
                applyServerSideEncryptionByDefault: b.sse ?? {
                    sseAlgorithm: "aws:kms",
                    kmsMasterKeyId: p.out(key, "arn"),
                },
                bucketKeyEnabled: true,
            },
        ],
    });
    if (b.publicAccessBlock ?? true) {
        p.add(T.bucketPublicAccessBlock[0], "buckets-videos-pab", {
            bucket: p.out(bucket),
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
    }
    p.add(T.bucketOwnershipControls[0], "buckets-videos-ownership", {
        bucket: p.out(bucket),
        rule: { objectOwnership: b.ownership ?? "BucketOwnerEnforced" },
    });
    p.add(T.bucketVersioning[0], "buckets-videos-versioning", {
        bucket: p.out(bucket),
        versioningConfiguration: { status: b.versioning ?? "Enabled" },
    });
    const statements = (b.statements ?? servedStatements)(p);
    if (statements) {
        // A document object, as the component passes it: only the distribution's ARN is unknown at preview.
        p.add(T.bucketPolicy[0], "buckets-videos-policy", {
            bucket: p.out(bucket),
            policy: { Version: "2012-10-17", Statement: statements },
        });
    }
    const oac = p.add(T.originAccessControl[0], "edge-buckets", {
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
    });
    // The distribution gains the bucket's origin and behaviour; its other origins keep their relations.
    const cdn = p.get("cdn");
    const before = { ...cdn.propertyDependencies };
    p.patch("cdn", {
        origins: [
            ...(cdn.inputs.origins as unknown[]),
            {
                originId: "bucket-videos",
                // Unknown at preview; once created, the regional S3 name the provider returns.
                domainName:
                    mode === "preview"
                        ? p.out(bucket, "bucketRegionalDomainName")
                        : p.known(bucket, "aws-platform-prod-data-videos-123456789012.s3.eu-west-1.amazonaws.com"),
                ...(b.oac === false ? {} : { originAccessControlId: p.out(oac) }),
            },
        ],
        orderedCacheBehaviors: [
            ...(cdn.inputs.orderedCacheBehaviors as unknown[]),
            {
                pathPattern: "/videos/*",
                targetOriginId: "bucket-videos",
                viewerProtocolPolicy: "redirect-to-https",
                responseHeadersPolicyId: p.out(p.get("headers")),
            },
        ],
    });
    for (const [prop, urns] of Object.entries(before)) {
        cdn.propertyDependencies[prop] = [...new Set([...urns, ...(cdn.propertyDependencies[prop] ?? [])])];
    }
    cdn.dependencies = [...new Set(Object.values(cdn.propertyDependencies).flat())];
    return p;
}

function violations(p: PlanBuilder): Violation[] {
    return evaluatePolicies(policies, p.resources, PRODUCTION);
}

describe("S3 policies on a served application bucket", () => {
    for (const mode of MODES) {
        it(`pass the bucket as Buckets and EdgeCdn build it, under the whole pack (${mode})`, () => {
            assert.deepStrictEqual(violations(withServedBucket(mode)), []);
        });
    }

    const cases: [string, ServedBucket, string[], RegExp][] = [
        [
            "its CloudFront origin has no origin access control",
            { oac: false },
            ["cloudfront-origin-https:mandatory", "cloudfront-s3-origin-access-control:mandatory"],
            /origins\[2\] \(bucket-videos\) reads an S3 bucket without origin access control/,
        ],
        [
            "it has no bucket policy, so plain HTTP is accepted",
            { statements: () => undefined },
            ["s3-bucket-tls-only-policy:mandatory"],
            /Bucket 'buckets-videos' has no BucketPolicy/,
        ],
        [
            "its policy lets CloudFront read but does not refuse plain HTTP",
            { statements: (p) => servedStatements(p).slice(0, 1) },
            ["s3-bucket-policy-deny-insecure-transport:mandatory"],
            /No statement denies s3:\* to Principal "\*" when aws:SecureTransport is false/,
        ],
        [
            "it is encrypted with SSE-S3 instead of the stack's key",
            { sse: { sseAlgorithm: "AES256" } },
            ["s3-bucket-kms-encryption:mandatory"],
            /Bucket 'buckets-videos' is not encrypted with a customer-managed KMS key/,
        ],
        [
            "it has no public access block",
            { publicAccessBlock: false },
            ["s3-bucket-public-access-block:mandatory"],
            /Bucket 'buckets-videos' has no BucketPublicAccessBlock/,
        ],
        [
            "its versioning is suspended",
            { versioning: "Suspended" },
            ["s3-bucket-versioning:mandatory"],
            /Bucket 'buckets-videos''s versioning is Suspended; expected Enabled/,
        ],
        [
            "its ACLs are enabled",
            { ownership: "BucketOwnerPreferred" },
            ["s3-bucket-acls-disabled:mandatory"],
            /object ownership is BucketOwnerPreferred; expected BucketOwnerEnforced/,
        ],
    ];
    for (const [what, change, expected, message] of cases) {
        for (const mode of MODES) {
            it(`catch it when ${what}, mandatory (${mode})`, () => {
                const v = violations(withServedBucket(mode, change));
                assert.deepStrictEqual(summary(v), expected);
                assert.ok(
                    v.some((x) => message.test(x.message)),
                    v.map((x) => x.message).join("\n"),
                );
            });
        }
    }
});

describe("s3-bucket-versioning", () => {
    const run = (versioning: Record<string, unknown> | undefined, bucketInputs: Record<string, unknown> = {}) => {
        const p = new PlanBuilder("preview");
        const b = p.add(T.bucket[0], "b", { bucket: "b", ...bucketInputs });
        if (versioning) p.add(T.bucketVersioning[0], "b-versioning", { bucket: p.out(b), ...versioning });
        return runPolicy("s3-bucket-versioning", p);
    };

    it("accepts versioning enabled by a BucketVersioning or the deprecated inline block", () => {
        assert.deepStrictEqual(run({ versioningConfiguration: { status: "Enabled" } }), []);
        assert.deepStrictEqual(run(undefined, { versioning: { enabled: true } }), []);
    });
    it("rejects a bucket without versioning, or with versioning suspended or disabled", () => {
        assert.match(run(undefined)[0].message, /has no BucketVersioning whose bucket input comes from it/);
        for (const status of ["Suspended", "Disabled"]) {
            assert.deepStrictEqual(summary(run({ versioningConfiguration: { status } })), [
                "s3-bucket-versioning:mandatory",
            ]);
        }
    });
    it("defers to the engine when only an unknown status could decide", () => {
        const v = run({ versioningConfiguration: { status: UNKNOWN } });
        assert.deepStrictEqual(summary(v), ["s3-bucket-versioning:advisory"]);
        assert.match(v[0].message, /^can't run policy 's3-bucket-versioning' .* during preview/);
    });
    it("exempts exactly the bucket an enabled accessLogs of a load balancer names (the platform stack)", () => {
        const p = platformStack();
        assert.deepStrictEqual(runPolicy("s3-bucket-versioning", p), []);
        p.patch("alb", { accessLogs: { bucket: p.out(p.get("alb-logs")), enabled: false } });
        assert.deepStrictEqual(
            runPolicy("s3-bucket-versioning", p).map((v) => v.urn?.split("::").pop()),
            ["alb-logs"],
        );
    });
});

describe("s3-bucket-acls-disabled", () => {
    const run = (ownership?: unknown) => {
        const p = new PlanBuilder("preview");
        const b = p.add(T.bucket[0], "b", { bucket: "b" });
        if (ownership !== undefined) {
            p.add(T.bucketOwnershipControls[0], "b-ownership", {
                bucket: p.out(b),
                rule: { objectOwnership: ownership },
            });
        }
        return runPolicy("s3-bucket-acls-disabled", p);
    };

    it("accepts BucketOwnerEnforced only", () => {
        assert.deepStrictEqual(run("BucketOwnerEnforced"), []);
        for (const ownership of ["BucketOwnerPreferred", "ObjectWriter"]) {
            assert.deepStrictEqual(summary(run(ownership)), ["s3-bucket-acls-disabled:mandatory"]);
        }
    });
    it("rejects a bucket that leaves its ownership to S3's default", () => {
        assert.match(run()[0].message, /has no BucketOwnershipControls/);
    });
    it("defers to the engine when the setting is unknown", () => {
        assert.deepStrictEqual(summary(run(UNKNOWN)), ["s3-bucket-acls-disabled:advisory"]);
    });
    it("is not applicable to other resources", () => {
        assert.deepStrictEqual(runPolicy("s3-bucket-acls-disabled", single(T.bucketPolicy[0], { policy: "{}" })), []);
    });
});
