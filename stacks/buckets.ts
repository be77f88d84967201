/**
 * `aws-platform:buckets`: application data buckets (seed 003 keeps its videos and thumbnails in S3). Optional: the
 * project's default is `{}`, no bucket. Services name the buckets they use in `services.apps.<name>.buckets`.
 */
import { z } from "zod";
import { bucketNameProblem, servedPrefix } from "../components/buckets/naming";
import { bucketEnvName } from "../components/fargate/naming";
import { ConfigIssue, PROJECT, shortName } from "./common";
import { matchesPathPattern } from "./edge";

const KEY = `${PROJECT}:buckets`;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** CloudFront's default quota of cache behaviours per distribution (AWS CloudFront 'Quotas', distributions). */
export const MAX_CACHE_BEHAVIOURS = 25;

const corsSchema = z
    .strictObject({
        allowedOrigins: z
            .array(
                z.string().regex(/^https:\/\/[a-z0-9.-]+(:\d{1,5})?$/, {
                    message: 'is not an HTTPS origin; expected e.g. "https://www.example.com" (no path, no wildcard)',
                }),
            )
            .min(1)
            .max(10)
            .refine((list) => new Set(list).size === list.length, { message: "lists an origin twice" })
            .describe(
                "Web origins whose pages may upload or read directly, e.g. https://www.example.com; HTTPS only, " +
                    "no wildcard.",
            ),
        allowedMethods: z
            .array(z.enum(["GET", "HEAD", "PUT", "POST", "DELETE"]))
            .min(1)
            .default(["PUT"])
            .refine((list) => new Set(list).size === list.length, { message: "lists a method twice" })
            .describe("Methods browsers may use; PUT for uploads through presigned URLs."),
        allowedHeaders: z
            .array(z.string().regex(/^[A-Za-z0-9*-]{1,64}$/, { message: "is not a header name (one * allowed)" }))
            .default(["*"])
            .refine((list) => new Set(list.map((h) => h.toLowerCase())).size === list.length, {
                message: "lists a header twice (header names ignore case)",
            })
            .describe(
                "Request headers a browser may send (Content-Type, x-amz-*...). A presigned URL is the permission; " +
                    "the headers only need to pass the browser's preflight.",
            ),
        exposeHeaders: z
            .array(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, { message: "is not a header name" }))
            .default(["ETag"])
            .refine((list) => new Set(list.map((h) => h.toLowerCase())).size === list.length, {
                message: "lists a header twice (header names ignore case)",
            })
            .describe("Response headers scripts may read; ETag is what multipart uploads from a browser need."),
        maxAgeSeconds: int(0, 86400).default(3000).describe("Seconds a browser caches the preflight answer."),
    })
    .describe(
        "CORS for direct browser uploads or reads with presigned URLs. Default: none, so only the services and " +
            "CloudFront reach the bucket.",
    );

const bucketSchema = z.strictObject({
    serve: z
        .strictObject({
            pathPattern: z
                .string()
                .refine((p) => servedPrefix(p) !== undefined, {
                    message: 'is not a served path; expected "/<prefix>/*", e.g. "/videos/*"',
                })
                .describe(
                    'CloudFront path pattern "/<prefix>/*"; CloudFront passes the path to S3 unchanged, so it serves ' +
                        "the objects under <prefix>/ and the bucket policy lets it read only those.",
                ),
        })
        .optional()
        .describe(
            "Serve the bucket through the stack's CloudFront distribution, read through origin access control, " +
                "cached. Default: not served; only the services that list it reach it.",
        ),
    intelligentTieringAfterDays: int(0, 3650)
        .optional()
        .describe(
            "Move objects to S3 Intelligent-Tiering this many days after upload (large, rarely read media). " +
                "Default: never; they stay in S3 Standard.",
        ),
    noncurrentVersionExpirationDays: int(1, 3650)
        .default(30)
        .describe("Days an overwritten or deleted object version is kept, so a bad write can be rolled back."),
    abortIncompleteUploadsAfterDays: int(1, 365)
        .default(7)
        .describe("Days after which the parts of an unfinished multipart upload are deleted (they are billed)."),
    cors: corsSchema.optional(),
});
export type BucketSettings = z.output<typeof bucketSchema>;

export const bucketsSchema = z
    .record(
        shortName.describe("The bucket's name in config, in the physical name and in its BUCKET_<NAME> variable."),
        bucketSchema,
    )
    .default({})
    .describe(
        "Application data buckets by name. Each is encrypted with the platform key (S3 Bucket Key on), versioned, " +
            "TLS-only, with all public access blocked and ACLs disabled, and named <project>-<stack>-data-<name>-" +
            "<account>. A service reaches one only by listing it in services.apps.<name>.buckets. Default: none.",
    )
    .meta({ typeName: "map of bucket name to bucket" });

export type BucketsSettings = z.output<typeof bucketsSchema>;

/** What the cross-section checks need of the other sections. */
export interface BucketUse {
    stack: string;
    /** Each app's bucket access (`services.apps.<name>.buckets`) and the variables it sets itself. */
    apps: Record<
        string,
        { buckets: Record<string, string>; environment: Record<string, string>; secrets: Record<string, string> }
    >;
    /** edge.staticPathPatterns, which come before the buckets' behaviours on the distribution. */
    staticPathPatterns?: string[];
}

/**
 * Problems no single field shows: physical names S3 refuses for this stack, served paths that collide or exceed
 * CloudFront's quota, services naming buckets that do not exist, and variables the platform sets.
 */
export function checkBuckets(buckets: BucketsSettings, use: BucketUse): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const prefix = `${PROJECT}-${use.stack}`;
    for (const name of Object.keys(buckets)) {
        const problem = bucketNameProblem(prefix, name);
        if (problem) issues.push({ key: `${KEY}.${name}`, value: name, message: `in stack ${use.stack} ${problem}` });
    }
    issues.push(...servedPathIssues(buckets, use.staticPathPatterns ?? []));
    const known = Object.keys(buckets);
    for (const [svc, app] of Object.entries(use.apps)) {
        for (const bucket of Object.keys(app.buckets)) {
            if (!(bucket in buckets)) {
                issues.push({
                    key: `${PROJECT}:services.apps.${svc}.buckets.${bucket}`,
                    message: `names no bucket; expected one of ${KEY}'s names (${known.length ? known.join(", ") : "none defined"})`,
                });
            }
        }
        const injected = new Set(Object.keys(app.buckets).map(bucketEnvName));
        for (const part of ["environment", "secrets"] as const) {
            for (const envName of Object.keys(app[part]).filter((e) => injected.has(e))) {
                issues.push({
                    key: `${PROJECT}:services.apps.${svc}.${part}.${envName}`,
                    message: "is set by the platform to the name of a bucket the service lists in buckets",
                });
            }
        }
    }
    return issues;
}

/** Served paths: each once, none shadowed by an earlier static path, all within CloudFront's behaviour quota. */
function servedPathIssues(buckets: BucketsSettings, staticPatterns: string[]): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const seen = new Map<string, string>();
    const served = Object.entries(buckets).filter(([, b]) => b.serve !== undefined);
    for (const [name, b] of served) {
        const pattern = b.serve!.pathPattern;
        const key = `${KEY}.${name}.serve.pathPattern`;
        const prefix = servedPrefix(pattern);
        const other = seen.get(pattern);
        if (other) issues.push({ key, value: pattern, message: `is also the path of bucket ${other}` });
        seen.set(pattern, name);
        // The static paths' behaviours come first, and CloudFront uses the first behaviour whose pattern matches.
        const shadow = prefix && staticPatterns.find((s) => matchesPathPattern(`/${prefix}object`, s));
        if (shadow) {
            issues.push({
                key,
                value: pattern,
                message: `is matched first by edge.staticPathPatterns entry ${shadow}, so its objects would be looked up in the static-assets bucket`,
            });
        }
    }
    const behaviours = staticPatterns.length + served.length;
    if (behaviours > MAX_CACHE_BEHAVIOURS) {
        issues.push({
            key: KEY,
            message: `serves ${served.length} bucket(s) beside ${staticPatterns.length} static path(s): ${behaviours} cache behaviours, above CloudFront's default quota of ${MAX_CACHE_BEHAVIOURS}`,
        });
    }
    return issues;
}
