import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketPolicy, corsRules, lifecycleRules } from "./buckets/documents";
import { bucketName, servedPrefix } from "./buckets/naming";

/** One application data bucket. */
export interface DataBucketArgs {
    /**
     * Serve the bucket through CloudFront under `pathPattern`, which must be `/<prefix>/*`: CloudFront passes the path
     * to S3 unchanged, so it serves the objects under `<prefix>/`, and the bucket policy lets it read only those.
     * Default none: only the services that are granted the bucket reach it.
     */
    serve?: { pathPattern: string };
    /** Days after upload when objects move to S3 Intelligent-Tiering. Default never: most data is small or hot. */
    intelligentTieringAfterDays?: number;
    /** Days an overwritten or deleted version is kept. Default 30: time to notice and roll back a bad write. */
    noncurrentVersionExpirationDays?: number;
    /** Days before the parts of an unfinished multipart upload are deleted. Default 7: they are billed meanwhile. */
    abortIncompleteUploadsAfterDays?: number;
    /**
     * CORS for pages of these HTTPS origins that upload or read with presigned URLs. Defaults: PUT, any request
     * header, ETag exposed, 3000 s preflight cache. Default none: no browser reaches the bucket directly.
     */
    cors?: {
        allowedOrigins: string[];
        allowedMethods?: string[];
        allowedHeaders?: string[];
        exposeHeaders?: string[];
        maxAgeSeconds?: number;
    };
}

export interface BucketsArgs {
    /** The buckets by name (lowercase letters, digits and '-'). Required, so the caller states them; may be empty. */
    buckets: Record<string, DataBucketArgs>;
    /** The stack's customer-managed key: every object is encrypted with it (SSE-KMS, S3 Bucket Key on). Required. */
    kmsKeyArn: pulumi.Input<string>;
    /** `<project>-<stack>`: the stem of the physical names, which S3 requires to be globally unique. Required. */
    namePrefix: string;
    /**
     * Keep the data: Pulumi `protect` on every bucket and no `forceDestroy`, so a destroy stops at a bucket that still
     * holds objects. Default true; only a disposable stack turns it off, and its buckets are then deleted with their
     * objects.
     */
    protect?: boolean;
}

/** What a service needs to be granted a bucket (FargateService's `buckets`). */
export interface BucketGrant {
    name: pulumi.Output<string>;
    arn: pulumi.Output<string>;
    kmsKeyArn: pulumi.Output<string>;
}

/** A served bucket as EdgeCdn takes it: one more S3 origin and the cache behaviour that sends a path to it. */
export interface BucketOrigin {
    /** The bucket's config name. */
    name: string;
    /** Unique among the distribution's origins. */
    originId: string;
    /** The bucket's regional domain name, as origin access control requires. */
    domainName: pulumi.Output<string>;
    pathPattern: string;
}

/**
 * Application data buckets (seed 003's videos and thumbnails): each encrypted with the stack's key with an S3 Bucket
 * Key, versioned, with all public access blocked and ACLs disabled, a lifecycle, optional CORS, and a bucket policy
 * that refuses every request without TLS. Services get access through their own task roles (FargateService), not
 * through the bucket policy.
 *
 * A served bucket's policy also lets the distribution read what it serves, so it names the distribution, which itself
 * needs the bucket's domain name: index.ts creates EdgeCdn with `origins` and then calls `serveThrough` with its ARN.
 * Buckets that are not served get their TLS-only policy at once. Every resource is a direct child of this component.
 */
export class Buckets extends pulumi.ComponentResource {
    /** Physical bucket names by config name. */
    public readonly bucketNames: Record<string, pulumi.Output<string>> = {};
    /** Bucket ARNs by config name, derived from the names, so they are known before the buckets exist. */
    public readonly bucketArns: Record<string, pulumi.Output<string>> = {};
    /** Each bucket as a service is granted it: its name, its ARN and the key its objects are encrypted with. */
    public readonly grants: Record<string, BucketGrant> = {};
    /** The served buckets, as EdgeCdn's extra S3 origins. */
    public readonly origins: BucketOrigin[] = [];
    /** The key that encrypts every bucket, for the services' key permissions. */
    public readonly kmsKeyArn: pulumi.Output<string>;

    private readonly componentName: string;
    private readonly served: { name: string; bucket: aws.s3.Bucket; prefix: string; ready: pulumi.Resource[] }[] = [];
    private servedThrough = false;

    constructor(name: string, args: BucketsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:Buckets", name, {}, opts);
        this.componentName = name;
        const problems = Object.entries(args.buckets).flatMap(([b, config]) =>
            config.serve && servedPrefix(config.serve.pathPattern) === undefined
                ? [`Buckets ${name}: bucket ${b}: serve.pathPattern ${config.serve.pathPattern} is not "/<prefix>/*"`]
                : [],
        );
        if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));

        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const protect = args.protect ?? true;
        this.kmsKeyArn = pulumi.output(args.kmsKeyArn);

        for (const [b, config] of Object.entries(args.buckets)) {
            const id = `${name}-${b}`;
            const physical = accountId.apply((account) => bucketName(args.namePrefix, b, account));
            const arn = pulumi.interpolate`arn:${partition}:s3:::${physical}`;
            const bucket = new aws.s3.Bucket(
                id,
                { bucket: physical, forceDestroy: !protect },
                { parent: this, protect },
            );
            const ready = this.configure(id, bucket, config, args.kmsKeyArn);
            this.bucketNames[b] = bucket.bucket;
            this.bucketArns[b] = arn;
            this.grants[b] = { name: bucket.bucket, arn, kmsKeyArn: this.kmsKeyArn };
            if (config.serve) {
                this.served.push({ name: b, bucket, prefix: servedPrefix(config.serve.pathPattern)!, ready });
                this.origins.push({
                    name: b,
                    originId: `bucket-${b}`,
                    domainName: bucket.bucketRegionalDomainName,
                    pathPattern: config.serve.pathPattern,
                });
            } else {
                this.createPolicy(id, bucket, arn, ready);
            }
        }
        this.registerOutputs({ bucketNames: this.bucketNames, bucketArns: this.bucketArns });
    }

    /**
     * The served buckets' policies, which let exactly this distribution read what it serves and refuse plain HTTP.
     * Called once, after EdgeCdn exists; without a served bucket it creates nothing.
     */
    public serveThrough(distributionArn: pulumi.Input<string>): aws.s3.BucketPolicy[] {
        if (this.servedThrough)
            throw new pulumi.RunError(`Buckets ${this.componentName}: serveThrough may be called once`);
        this.servedThrough = true;
        return this.served.map(({ name, bucket, prefix, ready }) =>
            this.createPolicy(`${this.componentName}-${name}`, bucket, this.bucketArns[name], ready, {
                distributionArn,
                objectPrefix: prefix,
            }),
        );
    }

    /**
     * Encryption, public access block, ownership, versioning, lifecycle and CORS; returns what the policy waits for.
     */
    private configure(
        id: string,
        bucket: aws.s3.Bucket,
        config: DataBucketArgs,
        kmsKeyArn: pulumi.Input<string>,
    ): pulumi.Resource[] {
        const opts = { parent: this };
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            id,
            {
                bucket: bucket.id,
                rules: [
                    {
                        applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn },
                        // One data key per bucket instead of a KMS request per object: the cost of SSE-KMS on media
                        // read and written all day. KMS then sees the bucket ARN as the encryption context.
                        bucketKeyEnabled: true,
                    },
                ],
            },
            opts,
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            id,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            opts,
        );
        // ACLs off: access is decided by IAM and the bucket policy alone, and every object belongs to the account.
        const ownership = new aws.s3.BucketOwnershipControls(
            id,
            { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
            opts,
        );
        const versioning = new aws.s3.BucketVersioning(
            id,
            { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
            opts,
        );
        new aws.s3.BucketLifecycleConfiguration(
            id,
            {
                bucket: bucket.id,
                rules: lifecycleRules({
                    intelligentTieringAfterDays: config.intelligentTieringAfterDays,
                    noncurrentVersionExpirationDays: config.noncurrentVersionExpirationDays ?? 30,
                    abortIncompleteUploadsAfterDays: config.abortIncompleteUploadsAfterDays ?? 7,
                }),
            },
            // Rules on noncurrent versions need versioning first.
            { ...opts, dependsOn: [versioning] },
        );
        if (config.cors) {
            new aws.s3.BucketCorsConfiguration(
                id,
                {
                    bucket: bucket.id,
                    corsRules: corsRules({
                        allowedOrigins: config.cors.allowedOrigins,
                        allowedMethods: config.cors.allowedMethods ?? ["PUT"],
                        allowedHeaders: config.cors.allowedHeaders ?? ["*"],
                        exposeHeaders: config.cors.exposeHeaders ?? ["ETag"],
                        maxAgeSeconds: config.cors.maxAgeSeconds ?? 3000,
                    }),
                },
                opts,
            );
        }
        return [encryption, publicAccess, ownership, versioning];
    }

    /**
     * The bucket policy, passed as a document rather than a JSON string (the provider serialises it), so that only the
     * distribution's ARN is unknown at a first preview and policies can still read the TLS-only statement.
     */
    private createPolicy(
        id: string,
        bucket: aws.s3.Bucket,
        arn: pulumi.Output<string>,
        ready: pulumi.Resource[],
        cloudFront?: { distributionArn: pulumi.Input<string>; objectPrefix: string },
    ): aws.s3.BucketPolicy {
        const policy = arn.apply((bucketArn) => bucketPolicy({ bucketArn, cloudFront }));
        return new aws.s3.BucketPolicy(
            id,
            { bucket: bucket.id, policy: policy as unknown as pulumi.Input<aws.iam.PolicyDocument> },
            // S3 rejects concurrent configuration changes on one bucket ("conflicting conditional operation").
            { parent: this, dependsOn: ready },
        );
    }
}
