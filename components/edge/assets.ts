/**
 * The static-assets bucket, in the stack's region, that only this distribution can read, through origin access
 * control (AWS CloudFront 'Restrict access to an Amazon S3 origin'): no public access, no ACLs, versioned, SSE-KMS with
 * the stack's key (whose policy lets CloudFront distributions of this account decrypt), TLS only.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accountBucketName } from "../s3/bucket";
import { assetsBucketPolicy } from "./documents";
import type { EdgeScope } from "./scope";

export interface EdgeAssets {
    bucket: aws.s3.Bucket;
    /** The bucket's ARN, derived from its name: known before the bucket exists. */
    bucketArn: pulumi.Output<string>;
    originAccessControl: aws.cloudfront.OriginAccessControl;
    /** Settings the bucket needs before objects are served: encryption, public access block, ownership. */
    ready: pulumi.Resource[];
}

/** Days a replaced or deleted object version is kept: enough to roll a bad upload back. */
const NONCURRENT_VERSION_DAYS = 30;

export function createAssets(scope: EdgeScope): EdgeAssets {
    const { parent, name, prefix, args } = scope;
    // Named from the stack and the account, so it is unique, stable, and its ARN is known before it exists.
    const bucketName = accountBucketName(`EdgeCdn ${name}`, `${prefix}-${name}-assets`, scope.accountId);
    const bucketArn = pulumi.interpolate`arn:${scope.partition}:s3:::${bucketName}`;
    const bucket = new aws.s3.Bucket(
        `${name}-assets`,
        { bucket: bucketName, forceDestroy: args.forceDestroyAssets ?? false },
        { parent },
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-assets`,
        {
            bucket: bucket.id,
            rules: [
                {
                    applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                    // One data key per bucket instead of one KMS call per object read through CloudFront.
                    bucketKeyEnabled: true,
                },
            ],
        },
        { parent },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        `${name}-assets`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        { parent },
    );
    // Origin access control needs no ACLs: ownership is enforced, as for every bucket of the platform.
    const ownership = new aws.s3.BucketOwnershipControls(
        `${name}-assets`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        { parent },
    );
    const versioning = new aws.s3.BucketVersioning(
        `${name}-assets`,
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        { parent },
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-assets`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: "expire-old-versions",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                },
            ],
        },
        // Lifecycle rules on noncurrent versions need versioning first.
        { parent, dependsOn: [versioning] },
    );
    const originAccessControl = new aws.cloudfront.OriginAccessControl(
        `${name}-assets`,
        {
            name: `${prefix}-${name}-assets`,
            description: `Signs CloudFront's requests to the static-assets bucket of ${prefix}`,
            originAccessControlOriginType: "s3",
            // Every request is signed, whatever the viewer sent.
            signingBehavior: "always",
            signingProtocol: "sigv4",
        },
        { parent },
    );
    return { bucket, bucketArn, originAccessControl, ready: [encryption, publicAccess, ownership, versioning] };
}

/**
 * The bucket policy, which names the distribution and so comes after it. Passed as a document rather than a JSON
 * string (the provider serialises it): only the distribution's ARN is unknown at a first preview, so policies can
 * still see the TLS-only statement.
 */
export function createAssetsPolicy(
    scope: EdgeScope,
    assets: EdgeAssets,
    distribution: aws.cloudfront.Distribution,
): aws.s3.BucketPolicy {
    const { parent, name } = scope;
    const policy = assets.bucketArn.apply((bucketArn) =>
        assetsBucketPolicy({ bucketArn, distributionArn: distribution.arn }),
    );
    return new aws.s3.BucketPolicy(
        `${name}-assets`,
        {
            bucket: assets.bucket.id,
            policy: policy as unknown as pulumi.Input<aws.iam.PolicyDocument>,
        },
        // S3 rejects concurrent configuration changes on one bucket ("conflicting conditional operation").
        { parent, dependsOn: assets.ready },
    );
}

/**
 * The origin access control of the served application buckets, when there are any: the same signing as the assets
 * bucket's (every request, SigV4), under a name and description of its own.
 */
export function createBucketOriginAccess(scope: EdgeScope): aws.cloudfront.OriginAccessControl | undefined {
    const { parent, name, prefix, args } = scope;
    if ((args.bucketOrigins ?? []).length === 0) return undefined;
    return new aws.cloudfront.OriginAccessControl(
        `${name}-buckets`,
        {
            name: `${prefix}-${name}-buckets`,
            description: `Signs CloudFront's requests to the served application buckets of ${prefix}`,
            originAccessControlOriginType: "s3",
            signingBehavior: "always",
            signingProtocol: "sigv4",
        },
        { parent },
    );
}
