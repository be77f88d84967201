/**
 * The pure parts of the application data buckets: the bucket policy, the lifecycle rules and the CORS rules. Small
 * functions on plain values, tested directly.
 */

/** CloudFront reads a served bucket's objects under one prefix, as one distribution through origin access control. */
export interface CloudFrontRead<V> {
    /** The distribution's ARN; an output of the program, so the document is generic in its type. */
    distributionArn: V;
    /** The key prefix the distribution serves (`videos/`); CloudFront may read nothing else. */
    objectPrefix: string;
}

/**
 * The bucket policy: nothing may use the bucket without TLS, and, for a served bucket, exactly one distribution may
 * read the objects under the prefix it serves (AWS CloudFront 'Restrict access to an Amazon S3 origin'). The services
 * need no statement here: their task roles' own policies grant them the bucket, in the same account. Generic in the
 * ARN's type, so that the program can pass the distribution's ARN as an output and the TLS statement stays known at
 * preview.
 */
export function bucketPolicy<V>(p: { bucketArn: string; cloudFront?: CloudFrontRead<V> }) {
    const statements: Record<string, unknown>[] = [];
    if (p.cloudFront) {
        statements.push({
            Sid: "CloudFrontReadsServedObjects",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "s3:GetObject",
            Resource: `${p.bucketArn}/${p.cloudFront.objectPrefix}*`,
            Condition: { StringEquals: { "AWS:SourceArn": p.cloudFront.distributionArn } },
        });
    }
    statements.push({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [p.bucketArn, `${p.bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    return { Version: "2012-10-17", Statement: statements };
}

export interface LifecycleInput {
    intelligentTieringAfterDays?: number;
    noncurrentVersionExpirationDays: number;
    abortIncompleteUploadsAfterDays: number;
}

/**
 * One rule over the whole bucket: old versions expire (a versioned bucket otherwise grows forever), delete markers
 * left without versions are removed, unfinished multipart uploads are cleaned up, and current objects move to
 * Intelligent-Tiering when asked (AWS S3 'Lifecycle configuration elements').
 */
export function lifecycleRules(p: LifecycleInput) {
    return [
        {
            id: "data-lifecycle",
            status: "Enabled",
            filter: {},
            ...(p.intelligentTieringAfterDays !== undefined
                ? { transitions: [{ days: p.intelligentTieringAfterDays, storageClass: "INTELLIGENT_TIERING" }] }
                : {}),
            expiration: { expiredObjectDeleteMarker: true },
            noncurrentVersionExpiration: { noncurrentDays: p.noncurrentVersionExpirationDays },
            abortIncompleteMultipartUpload: { daysAfterInitiation: p.abortIncompleteUploadsAfterDays },
        },
    ];
}

export interface CorsInput {
    allowedOrigins: string[];
    allowedMethods: string[];
    allowedHeaders: string[];
    exposeHeaders: string[];
    maxAgeSeconds: number;
}

/** The CORS rule that lets the listed sites' pages use presigned URLs from the browser. */
export function corsRules(c: CorsInput) {
    return [
        {
            id: "browser-access",
            allowedOrigins: c.allowedOrigins,
            allowedMethods: c.allowedMethods,
            allowedHeaders: c.allowedHeaders,
            exposeHeaders: c.exposeHeaders,
            maxAgeSeconds: c.maxAgeSeconds,
        },
    ];
}
