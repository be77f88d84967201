/**
 * Application data buckets: the pure documents and names, the aws-platform:buckets settings and services' bucket
 * access, and the Buckets component through the whole program (index.ts under the offline runner) in preview and
 * update mode: what it registers, how it is wired to the key, the services and the distribution.
 */
import { strict as assert } from "assert";
import { Buckets } from "../components/buckets";
import { bucketPolicy, lifecycleRules } from "../components/buckets/documents";
import { bucketName, bucketNameProblem, servedPrefix } from "../components/buckets/naming";
import { BUCKET_OBJECT_ACTIONS, bucketAccessPolicy } from "../components/fargate/documents";
import { bucketEnvName } from "../components/fargate/naming";
import { parseSettings } from "../stacks/settings";
import type { RunResult } from "../tools/plan/runner";
import type { PlanMode, PlannedResource } from "../tools/plan/types";
import { UNKNOWN, dependsOn, depsOf, jsonInput, named, ofType, plain, runIsolated } from "./helpers/plan";
import { problems as settingsProblems } from "./helpers/settings";

const T = {
    component: "aws-platform:index:Buckets",
    bucket: "aws:s3/bucket:Bucket",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    cors: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    role: "aws:iam/role:Role",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    distribution: "aws:cloudfront/distribution:Distribution",
    oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
    key: "aws:kms/key:Key",
};
const MODES: PlanMode[] = ["preview", "update"];
const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111";

describe("bucket names and documents", () => {
    it("names a bucket from the stack, the config name and the account, lowercase", () => {
        assert.equal(
            bucketName("aws-platform-Prod", "videos", "123456789012"),
            "aws-platform-prod-data-videos-123456789012",
        );
        assert.equal(bucketEnvName("raw-uploads"), "BUCKET_RAW_UPLOADS");
    });

    it("refuses physical names S3 would refuse, naming the length or the characters", () => {
        assert.equal(bucketNameProblem("aws-platform-prod", "videos"), undefined);
        assert.match(
            bucketNameProblem("aws-platform-a-rather-long-stack-name", "thumbnails")!,
            /66 characters long; S3 allows 63/,
        );
        assert.match(bucketNameProblem("aws-platform-my_stack", "videos")!, /which S3 refuses/);
    });

    it("serves /<prefix>/* only, and reads the prefix from it", () => {
        assert.equal(servedPrefix("/videos/*"), "videos/");
        assert.equal(servedPrefix("/media/thumbs/*"), "media/thumbs/");
        for (const bad of ["/*", "videos/*", "/videos/*.mp4", "/videos", "/vi deos/*"])
            assert.equal(servedPrefix(bad), undefined, bad);
    });

    it("refuses plain HTTP always and lets exactly one distribution read exactly the served prefix", () => {
        const arn = "arn:aws:s3:::b";
        assert.deepEqual(bucketPolicy({ bucketArn: arn }).Statement, [
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ]);
        const served = bucketPolicy({
            bucketArn: arn,
            cloudFront: { distributionArn: "arn:d", objectPrefix: "videos/" },
        });
        assert.deepEqual(served.Statement[0], {
            Sid: "CloudFrontReadsServedObjects",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: `${arn}/videos/*`,
            Condition: { StringEquals: { "AWS:SourceArn": "arn:d" } },
        });
        assert.equal(served.Statement[1].Sid, "DenyInsecureTransport");
    });

    it("expires old versions and unfinished uploads, and tiers only when asked", () => {
        const base = { noncurrentVersionExpirationDays: 30, abortIncompleteUploadsAfterDays: 7 };
        const [plainRule] = lifecycleRules(base);
        assert.equal("transitions" in plainRule, false);
        assert.deepEqual(plainRule.noncurrentVersionExpiration, { noncurrentDays: 30 });
        assert.deepEqual(plainRule.abortIncompleteMultipartUpload, { daysAfterInitiation: 7 });
        assert.deepEqual(plainRule.expiration, { expiredObjectDeleteMarker: true });
        const [tiered] = lifecycleRules({ ...base, intelligentTieringAfterDays: 0 });
        assert.deepEqual((tiered as { transitions?: unknown }).transitions, [
            { days: 0, storageClass: "INTELLIGENT_TIERING" },
        ]);
    });

    describe("a service's access", () => {
        const grant = (name: string, access: "read" | "read-write", kmsKeyArn = KEY) => ({
            name,
            arn: `arn:aws:s3:::${name}`,
            kmsKeyArn,
            access,
        });
        const sids = (doc: { Statement: Record<string, unknown>[] }) => doc.Statement.map((s) => s.Sid);

        it("reads: List on the bucket, GetObject on its objects, Decrypt through S3 for exactly it", () => {
            const doc = bucketAccessPolicy({
                buckets: [grant("thumbs", "read")],
                region: "eu-west-1",
                dnsSuffix: "amazonaws.com",
            });
            assert.deepEqual(doc.Statement, [
                { Sid: "ListThumbs", Effect: "Allow", Action: "s3:ListBucket", Resource: "arn:aws:s3:::thumbs" },
                {
                    Sid: "ReadThumbsObjects",
                    Effect: "Allow",
                    Action: ["s3:GetObject"],
                    Resource: "arn:aws:s3:::thumbs/*",
                },
                {
                    Sid: "DecryptBucketObjects",
                    Effect: "Allow",
                    Action: "kms:Decrypt",
                    Resource: KEY,
                    Condition: {
                        StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
                        StringLike: {
                            "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::thumbs", "arn:aws:s3:::thumbs/*"],
                        },
                    },
                },
            ]);
        });

        it("writes: the write actions on its objects and GenerateDataKey for the writable buckets only", () => {
            const doc = bucketAccessPolicy({
                buckets: [grant("videos", "read-write"), grant("thumbs", "read")],
                region: "us-east-1",
                dnsSuffix: "amazonaws.com",
            });
            assert.deepEqual(sids(doc), [
                "ListThumbs",
                "ReadThumbsObjects",
                "ListVideos",
                "ReadWriteVideosObjects",
                "DecryptBucketObjects",
                "EncryptBucketObjects",
            ]);
            assert.deepEqual(doc.Statement[3].Action, BUCKET_OBJECT_ACTIONS["read-write"]);
            assert.ok(!BUCKET_OBJECT_ACTIONS.read.some((a) => /Put|Delete/.test(a)));
            const encrypt = doc.Statement[5] as { Action: string; Condition: { StringLike: Record<string, string[]> } };
            assert.equal(encrypt.Action, "kms:GenerateDataKey");
            assert.deepEqual(encrypt.Condition.StringLike["kms:EncryptionContext:aws:s3:arn"], [
                "arn:aws:s3:::videos",
                "arn:aws:s3:::videos/*",
            ]);
        });

        it("keeps a statement pair per key when buckets use different keys", () => {
            const doc = bucketAccessPolicy({
                buckets: [grant("a", "read-write", "arn:k1"), grant("b", "read", "arn:k2")],
                region: "eu-west-1",
                dnsSuffix: "amazonaws.com",
            });
            const keyStatements = doc.Statement.filter((s) => String(s.Action).startsWith("kms:"));
            assert.deepEqual(
                keyStatements.map((s) => [s.Action, s.Resource]),
                [
                    ["kms:Decrypt", "arn:k1"],
                    ["kms:GenerateDataKey", "arn:k1"],
                    ["kms:Decrypt", "arn:k2"],
                ],
            );
            assert.equal(new Set(sids(doc)).size, doc.Statement.length, "statement ids are unique");
        });
    });
});

const REGION = { "aws:region": "eu-west-1" };
const web = (extra: Record<string, unknown> = {}) => ({
    image: "public.ecr.aws/nginx/nginx:1.27",
    cpu: 256,
    memory: 512,
    port: 8080,
    routing: { priority: 100, pathPatterns: ["/*"] },
    ...extra,
});
const worker = (extra: Record<string, unknown> = {}) => ({
    image: "public.ecr.aws/nginx/nginx:1.27",
    cpu: 256,
    memory: 512,
    ...extra,
});

/** Every problem a config (with the region added) has, formatted as the CLI prints them. */
const problems = (raw: Record<string, unknown>, stack = "t") => settingsProblems({ ...REGION, ...raw }, stack);

describe("aws-platform:buckets settings", () => {
    it("has no bucket by default and fills each bucket's defaults", () => {
        assert.deepEqual(parseSettings(REGION, "t").buckets, {});
        const s = parseSettings(
            { ...REGION, "aws-platform:buckets": { videos: { cors: { allowedOrigins: ["https://a.example.org"] } } } },
            "t",
        );
        assert.deepEqual(s.buckets.videos, {
            noncurrentVersionExpirationDays: 30,
            abortIncompleteUploadsAfterDays: 7,
            cors: {
                allowedOrigins: ["https://a.example.org"],
                allowedMethods: ["PUT"],
                allowedHeaders: ["*"],
                exposeHeaders: ["ETag"],
                maxAgeSeconds: 3000,
            },
        });
    });

    it("reports every problem of the section at once, each naming its key", () => {
        const found = problems({
            "aws-platform:buckets": {
                Videos: {},
                thumbs: { serve: { pathPattern: "/thumbs" }, versioning: false },
                raw: { cors: { allowedOrigins: ["http://a.example.org", "*"] } },
            },
        });
        assert.deepEqual(found, [
            "aws-platform:buckets.Videos: \"Videos\" is not a valid key: is not a valid name; expected 1-20 characters of lowercase letters, digits and '-', starting with a letter",
            'aws-platform:buckets.thumbs.serve.pathPattern: "/thumbs" is not a served path; expected "/<prefix>/*", e.g. "/videos/*"',
            "aws-platform:buckets.thumbs.versioning: is not a known setting; expected one of serve, intelligentTieringAfterDays, noncurrentVersionExpirationDays, abortIncompleteUploadsAfterDays, cors",
            'aws-platform:buckets.raw.cors.allowedOrigins[0]: "http://a.example.org" is not an HTTPS origin; expected e.g. "https://www.example.com" (no path, no wildcard)',
            'aws-platform:buckets.raw.cors.allowedOrigins[1]: "*" is not an HTTPS origin; expected e.g. "https://www.example.com" (no path, no wildcard)',
        ]);
    });

    it("refuses a bucket whose physical name is too long for this stack, naming the stack", () => {
        const found = problems({ "aws-platform:buckets": { "thumbnail-originals": {} } }, "a-rather-long-stack-name");
        assert.equal(found.length, 1);
        assert.match(
            found[0],
            /^aws-platform:buckets\.thumbnail-originals: "thumbnail-originals" in stack a-rather-long-stack-name makes the bucket name aws-platform-a-rather-long-stack-name-data-thumbnail-originals-<account id> 75 characters long; S3 allows 63/,
        );
        assert.deepEqual(problems({ "aws-platform:buckets": { "thumbnail-originals": {} } }, "prod"), []);
    });

    it("refuses served paths that repeat, that a static path shadows, or that exceed CloudFront's behaviour quota", () => {
        assert.deepEqual(
            problems({
                "aws-platform:edge": { staticPathPatterns: ["/static/*", "/media/*"] },
                "aws-platform:buckets": {
                    a: { serve: { pathPattern: "/videos/*" } },
                    b: { serve: { pathPattern: "/videos/*" } },
                    c: { serve: { pathPattern: "/media/thumbs/*" } },
                },
            }),
            [
                'aws-platform:buckets.b.serve.pathPattern: "/videos/*" is also the path of bucket a',
                'aws-platform:buckets.c.serve.pathPattern: "/media/thumbs/*" is matched first by edge.staticPathPatterns entry /media/*, so its objects would be looked up in the static-assets bucket',
            ],
        );
        const statics = Array.from({ length: 20 }, (_, i) => `/s${i}/*`);
        const served = Object.fromEntries(
            Array.from({ length: 6 }, (_, i) => [`b${i}`, { serve: { pathPattern: `/b${i}/*` } }]),
        );
        assert.deepEqual(
            problems({ "aws-platform:edge": { staticPathPatterns: statics }, "aws-platform:buckets": served }),
            [
                "aws-platform:buckets: serves 6 bucket(s) beside 20 static path(s): 26 cache behaviours, above CloudFront's default quota of 25",
            ],
        );
    });

    it("refuses a service naming a bucket that does not exist, an access level that is not one, and the platform's variables", () => {
        const found = problems({
            "aws-platform:buckets": { videos: {} },
            "aws-platform:services": {
                apps: {
                    web: web({ buckets: { videoz: "read", videos: "write" } }),
                    job: worker({ buckets: { videos: "read" }, environment: { BUCKET_VIDEOS: "x" }, secrets: {} }),
                },
            },
        });
        assert.deepEqual(found, [
            'aws-platform:services.apps.web.buckets.videos: "write" is not allowed; expected one of "read", "read-write"',
            "aws-platform:services.apps.job.environment.BUCKET_VIDEOS: is set by the platform to the name of a bucket the service lists in buckets",
        ]);
        assert.deepEqual(
            problems({
                "aws-platform:buckets": { videos: {} },
                "aws-platform:services": { apps: { web: web({ buckets: { videoz: "read" } }) } },
            }),
            [
                "aws-platform:services.apps.web.buckets.videoz: names no bucket; expected one of aws-platform:buckets's names (videos)",
            ],
        );
        assert.deepEqual(
            problems({ "aws-platform:services": { apps: { web: web({ buckets: { videos: "read" } }) } } }),
            [
                "aws-platform:services.apps.web.buckets.videos: names no bucket; expected one of aws-platform:buckets's names (none defined)",
            ],
        );
    });
});

/** Three buckets: two served (one with CORS and tiering), one private; two services with different access. */
const WITH_BUCKETS: Record<string, unknown> = {
    ...REGION,
    "aws-platform:policyProfile": "development",
    "aws-platform:network": { azCount: 2, natGateways: "single" },
    "aws-platform:database": { readers: 0 },
    "aws-platform:buckets": {
        videos: {
            serve: { pathPattern: "/videos/*" },
            intelligentTieringAfterDays: 30,
            cors: { allowedOrigins: ["https://auctions.example.org"] },
        },
        thumbs: { serve: { pathPattern: "/thumbs/*" } },
        exports: { noncurrentVersionExpirationDays: 90 },
    },
    "aws-platform:services": {
        apps: {
            web: web({ buckets: { videos: "read-write", exports: "read" } }),
            job: worker({ buckets: { thumbs: "read" } }),
            plain: worker(),
        },
    },
};

const runs = new Map<string, Promise<RunResult>>();
function plan(stack: string, config: Record<string, unknown>, mode: PlanMode): Promise<RunResult> {
    const key = `${stack}:${mode}`;
    if (!runs.has(key)) runs.set(key, runIsolated({ stack, config, mode }));
    return runs.get(key)!;
}

/** The component's data buckets: exactly one per configured bucket, so loops over them are never vacuous. */
function dataBuckets(p: RunResult, component: PlannedResource, config: Record<string, unknown>): PlannedResource[] {
    const buckets = ofType(p, T.bucket).filter((x) => x.parent === component.urn);
    assert.deepEqual(
        buckets.map((b) => b.name).sort(),
        Object.keys(config)
            .map((n) => `buckets-${n}`)
            .sort(),
    );
    assert.ok(buckets.length > 0);
    return buckets;
}

/** The one resource of `type` whose `bucket` input comes from bucket `b`. */
function partOf(p: RunResult, b: PlannedResource, type: string): PlannedResource[] {
    return ofType(p, type).filter((r) => (r.propertyDependencies.bucket ?? []).includes(b.urn));
}

for (const mode of MODES) {
    describe(`Buckets through the whole program (${mode})`, () => {
        let p: RunResult;
        let component: PlannedResource;
        const config = WITH_BUCKETS["aws-platform:buckets"] as Record<string, Record<string, unknown>>;
        before(async () => {
            p = await plan("withbuckets", WITH_BUCKETS, mode);
            [component] = ofType(p, T.component);
        });

        it("is one Buckets component owning one bucket per config entry and every part of each", () => {
            assert.equal(ofType(p, T.component).length, 1);
            const buckets = ofType(p, T.bucket).filter((b) => b.parent === component.urn);
            assert.deepEqual(
                buckets.map((b) => b.name).sort(),
                Object.keys(config)
                    .map((b) => `buckets-${b}`)
                    .sort(),
            );
            for (const b of buckets) {
                for (const type of [T.encryption, T.publicAccess, T.ownership, T.versioning, T.lifecycle, T.policy]) {
                    const parts = partOf(p, b, type);
                    assert.equal(parts.length, 1, `${b.name}: ${type}`);
                    assert.equal(parts[0].parent, component.urn);
                }
                const cors = partOf(p, b, T.cors);
                assert.equal(cors.length, config[b.name.slice("buckets-".length)].cors ? 1 : 0, b.name);
            }
        });

        it("encrypts with the stack's key and a Bucket Key, versions, blocks public access and disables ACLs", () => {
            const key = named(p, "secrets-key", T.key);
            for (const b of dataBuckets(p, component, config)) {
                const [sse] = partOf(p, b, T.encryption);
                const [rule] = plain(sse.inputs.rules) as {
                    applyServerSideEncryptionByDefault: Record<string, unknown>;
                    bucketKeyEnabled: boolean;
                }[];
                assert.equal(rule.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
                assert.equal(rule.bucketKeyEnabled, true);
                assert.deepEqual(sse.propertyDependencies.rules, [key.urn]);
                assert.deepEqual(plain(partOf(p, b, T.versioning)[0].inputs.versioningConfiguration), {
                    status: "Enabled",
                });
                assert.deepEqual(plain(partOf(p, b, T.ownership)[0].inputs.rule), {
                    objectOwnership: "BucketOwnerEnforced",
                });
                const pab = partOf(p, b, T.publicAccess)[0].inputs;
                for (const flag of [
                    "blockPublicAcls",
                    "blockPublicPolicy",
                    "ignorePublicAcls",
                    "restrictPublicBuckets",
                ]) {
                    assert.equal(pab[flag], true, flag);
                }
                // The policy waits for the other settings: S3 refuses concurrent configuration changes on a bucket.
                const policy = partOf(p, b, T.policy)[0];
                for (const type of [T.encryption, T.publicAccess, T.ownership, T.versioning]) {
                    assert.ok(dependsOn(policy, partOf(p, b, type)[0]), `${b.name} policy waits for ${type}`);
                }
                assert.ok(dependsOn(partOf(p, b, T.lifecycle)[0], partOf(p, b, T.versioning)[0]));
            }
        });

        it("keeps the data of a protected stack: protect on, forceDestroy off", () => {
            for (const b of dataBuckets(p, component, config)) {
                assert.equal(b.protect, true);
                assert.equal(b.inputs.forceDestroy, false);
            }
        });

        it("applies each bucket's lifecycle and CORS from config", () => {
            const videos = named(p, "buckets-videos", T.bucket);
            const [rule] = plain(partOf(p, videos, T.lifecycle)[0].inputs.rules) as Record<string, unknown>[];
            assert.deepEqual(rule.transitions, [{ days: 30, storageClass: "INTELLIGENT_TIERING" }]);
            const [cors] = plain(partOf(p, videos, T.cors)[0].inputs.corsRules) as Record<string, unknown>[];
            assert.deepEqual(cors.allowedOrigins, ["https://auctions.example.org"]);
            assert.deepEqual(cors.allowedMethods, ["PUT"]);
            const [exportsRule] = plain(
                partOf(p, named(p, "buckets-exports", T.bucket), T.lifecycle)[0].inputs.rules,
            ) as Record<string, unknown>[];
            assert.deepEqual(exportsRule.noncurrentVersionExpiration, { noncurrentDays: 90 });
            assert.equal("transitions" in exportsRule, false);
        });

        it("serves exactly the served buckets, after the static paths, through an origin access control of their own", () => {
            const distribution = ofType(p, T.distribution)[0];
            const oac = named(p, "edge-buckets", T.oac);
            assert.deepEqual(
                [oac.inputs.originAccessControlOriginType, oac.inputs.signingBehavior, oac.inputs.signingProtocol],
                ["s3", "always", "sigv4"],
            );
            const behaviours = plain(distribution.inputs.orderedCacheBehaviors) as Record<string, unknown>[];
            assert.deepEqual(
                behaviours.map((b) => [b.pathPattern, b.targetOriginId]),
                [
                    ["/static/*", "assets"],
                    ["/videos/*", "bucket-videos"],
                    ["/thumbs/*", "bucket-thumbs"],
                ],
            );
            const origins = plain(distribution.inputs.origins) as Record<string, unknown>[];
            assert.deepEqual(
                origins.map((o) => o.originId),
                ["app", "assets", "bucket-videos", "bucket-thumbs"],
            );
            const fromBuckets = depsOf(p, distribution, "origins")
                .filter((r) => r.type === T.bucket)
                .map((r) => r.name);
            assert.deepEqual(fromBuckets.sort(), ["buckets-thumbs", "buckets-videos", "edge-assets"]);
            assert.ok(depsOf(p, distribution, "origins").some((r) => r.urn === oac.urn));
        });

        it("lets the distribution read only the served prefix, and keeps every bucket TLS-only", () => {
            const distribution = ofType(p, T.distribution)[0];
            for (const [name, b] of Object.entries(config)) {
                const policy = partOf(p, named(p, `buckets-${name}`, T.bucket), T.policy)[0];
                const doc = plain(policy.inputs.policy) as { Statement: Record<string, unknown>[] };
                assert.deepEqual(
                    doc.Statement.map((s) => s.Sid),
                    b.serve ? ["CloudFrontReadsServedObjects", "DenyInsecureTransport"] : ["DenyInsecureTransport"],
                );
                if (b.serve) {
                    assert.match(
                        String(doc.Statement[0].Resource),
                        new RegExp(`-data-${name}-123456789012/${name}/\\*$`),
                    );
                    const source = (doc.Statement[0].Condition as { StringEquals: Record<string, unknown> })
                        .StringEquals["AWS:SourceArn"];
                    assert.equal(source, mode === "preview" ? UNKNOWN : distribution.outputs.arn);
                    assert.ok(dependsOn(policy, distribution));
                } else {
                    assert.ok(
                        !dependsOn(policy, distribution),
                        "an unserved bucket's policy does not wait for CloudFront",
                    );
                }
            }
        });

        it("grants each service exactly its buckets at its access level, on its own task role", () => {
            const web = named(p, "app-web-buckets", T.rolePolicy);
            assert.deepEqual(
                depsOf(p, web, "role").map((r) => r.name),
                ["app-web-task"],
            );
            assert.deepEqual(
                depsOf(p, named(p, "app-job-buckets", T.rolePolicy), "role").map((r) => r.name),
                ["app-job-task"],
            );
            assert.equal(ofType(p, T.rolePolicy).filter((r) => r.name === "app-plain-buckets").length, 0);
            if (mode === "preview") return;
            const webDoc = jsonInput(web, "policy") as {
                Statement: { Sid: string; Action: unknown; Resource: unknown }[];
            };
            const names = (b: string) => String(named(p, `buckets-${b}`, T.bucket).outputs.bucket);
            assert.deepEqual(
                webDoc.Statement.map((s) => [s.Sid, s.Action, s.Resource]),
                [
                    ["ListExports", "s3:ListBucket", `arn:aws:s3:::${names("exports")}`],
                    ["ReadExportsObjects", ["s3:GetObject"], `arn:aws:s3:::${names("exports")}/*`],
                    ["ListVideos", "s3:ListBucket", `arn:aws:s3:::${names("videos")}`],
                    [
                        "ReadWriteVideosObjects",
                        BUCKET_OBJECT_ACTIONS["read-write"],
                        `arn:aws:s3:::${names("videos")}/*`,
                    ],
                    ["DecryptBucketObjects", "kms:Decrypt", named(p, "secrets-key", T.key).outputs.arn],
                    ["EncryptBucketObjects", "kms:GenerateDataKey", named(p, "secrets-key", T.key).outputs.arn],
                ],
            );
            const jobDoc = jsonInput(named(p, "app-job-buckets", T.rolePolicy), "policy") as {
                Statement: { Sid: string }[];
            };
            assert.deepEqual(
                jobDoc.Statement.map((s) => s.Sid),
                ["ListThumbs", "ReadThumbsObjects", "DecryptBucketObjects"],
            );
        });

        it("passes each listed bucket's name as BUCKET_<NAME>, and nothing to a service that lists none", () => {
            if (mode === "preview") return;
            const envOf = (svc: string) => {
                const [c] = jsonInput(named(p, `app-${svc}`, T.taskDefinition), "containerDefinitions") as {
                    environment: { name: string; value: string }[];
                }[];
                return Object.fromEntries(
                    c.environment.filter((e) => e.name.startsWith("BUCKET_")).map((e) => [e.name, e.value]),
                );
            };
            const names = (b: string) => String(named(p, `buckets-${b}`, T.bucket).outputs.bucket);
            assert.deepEqual(envOf("web"), { BUCKET_EXPORTS: names("exports"), BUCKET_VIDEOS: names("videos") });
            assert.deepEqual(envOf("job"), { BUCKET_THUMBS: names("thumbs") });
            assert.deepEqual(envOf("plain"), {});
            assert.deepEqual(plain(p.outputs.bucketNames), {
                videos: names("videos"),
                thumbs: names("thumbs"),
                exports: names("exports"),
            });
        });
    });
}

describe("Buckets in other stacks", () => {
    it("deletes a disposable stack's buckets with their objects and does not protect them", async () => {
        const p = await plan(
            "disposable",
            { ...WITH_BUCKETS, "aws-platform:database": { readers: 0, protect: false, deletionProtection: false } },
            "preview",
        );
        const buckets = ofType(p, T.bucket).filter((b) => b.name.startsWith("buckets-"));
        assert.equal(buckets.length, 3);
        for (const b of buckets) {
            assert.equal(b.protect, false);
            assert.equal(b.inputs.forceDestroy, true);
        }
    });

    it("registers nothing for a stack without buckets: no component, no second origin access control", async () => {
        const p = await plan(
            "nobuckets",
            { ...WITH_BUCKETS, "aws-platform:buckets": {}, "aws-platform:services": { apps: { web: web() } } },
            "preview",
        );
        assert.equal(ofType(p, T.component).length, 0);
        assert.deepEqual(
            ofType(p, T.oac).map((o) => o.name),
            ["edge-assets"],
        );
        assert.equal(ofType(p, T.rolePolicy).filter((r) => r.name.endsWith("-buckets")).length, 0);
        assert.equal("bucketNames" in p.outputs, false);
    });

    it("refuses a second serveThrough and a served path that is not /<prefix>/*", async () => {
        const program = (pattern: string, twice: boolean) => () => {
            const b = new Buckets("b", {
                buckets: { v: { serve: { pathPattern: pattern } } },
                kmsKeyArn: KEY,
                namePrefix: "p",
            });
            b.serveThrough("arn:aws:cloudfront::123456789012:distribution/E1");
            if (twice) b.serveThrough("arn:aws:cloudfront::123456789012:distribution/E2");
            return {};
        };
        await assert.rejects(
            runIsolated({ stack: "t", config: REGION, program: program("/v/*", true) }),
            /Buckets b: serveThrough may be called once/,
        );
        await assert.rejects(
            runIsolated({ stack: "t", config: REGION, program: program("/v", false) }),
            /Buckets b: bucket v: serve\.pathPattern \/v is not "\/<prefix>\/\*"/,
        );
        const ok = await runIsolated({ stack: "t", config: REGION, program: program("/v/*", false) });
        assert.equal(ofType(ok, T.policy).length, 1);
    });
});
