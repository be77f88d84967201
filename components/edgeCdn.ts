import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAssets, createAssetsPolicy, createBucketOriginAccess } from "./edge/assets";
import { createAliasRecords, createDistribution } from "./edge/distribution";
import { createSecurityHeaders } from "./edge/headers";
import { createAccessLogDelivery, createLogGroups } from "./edge/logging";
import type { EdgeScope } from "./edge/scope";
import { createVpcOrigin } from "./edge/vpcOrigin";
import { createWaf } from "./edge/waf";

/** The load balancer behind the distribution, as FargateService exposes it. */
export interface EdgeOriginArgs {
    /** The internal load balancer's ARN; the VPC origin is created for it. Required. */
    loadBalancerArn: pulumi.Input<string>;
    /** Its DNS name: the origin's domain name when there is no `hostName` (plain HTTP). Required. */
    loadBalancerDnsName: pulumi.Input<string>;
    /** The listener's port. Required: the VPC origin connects on it. */
    port: number;
    /** The listener's protocol: HTTPS makes the VPC origin https-only (TLS 1.2). Required. */
    protocol: "HTTP" | "HTTPS";
    /**
     * The name the load balancer's certificate covers. Required with HTTPS: CloudFront checks the certificate against
     * the origin's domain name, and the load balancer's own DNS name is one no certificate can cover.
     */
    hostName?: string;
    /**
     * Former identities of the VPC origin (it used to belong to FargateService). Default none: a new origin has no
     * past.
     */
    aliases?: pulumi.Input<pulumi.URN | pulumi.Alias>[];
}

/** An application data bucket served under a path, as the Buckets component exposes it. */
export interface EdgeBucketOriginArgs {
    /** The origin's id. Required, and unique among the distribution's origins: its cache behaviour names it. */
    originId: string;
    /** The bucket's regional domain name. Required: CloudFront signs requests to it with origin access control. */
    domainName: pulumi.Input<string>;
    /**
     * The path pattern sent to the bucket. Required: a bucket serves only its prefix; it is matched after the static
     * paths.
     */
    pathPattern: string;
}

/** A custom domain, as SiteDomain exposes it. */
export interface EdgeDomainArgs {
    /** The distribution's alternate domain name. Required: viewers reach the site by it. */
    siteName: string;
    /** The viewer certificate, in us-east-1 and validated. Required: CloudFront serves an alias only with one. */
    viewerCertificateArn: pulumi.Input<string>;
    /** The public hosted zone the A and AAAA alias records go in. Default none: DNS is managed elsewhere. */
    hostedZoneId?: string;
}

export interface EdgeCdnArgs {
    /** A provider for us-east-1, where the WAF web ACL, its logs and CloudFront's log delivery must live. Required. */
    globalProvider: aws.Provider;
    /**
     * The stack's key (the stack's region): encrypts the static-assets bucket. Required: nothing is under an AWS-owned
     * key.
     */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * A key in us-east-1: encrypts the WAF and access-log groups there. Required: the stack's key cannot be used
     * outside its region.
     */
    globalKmsKeyArn: pulumi.Input<string>;
    /** The load balancer behind the default behaviour. Default none: every path is served from the bucket. */
    origin?: EdgeOriginArgs;
    /**
     * Application data buckets served under their own paths, read through an origin access control of their own
     * that signs every request; each bucket's policy, which names this distribution, belongs to its owner. Default
     * none.
     */
    bucketOrigins?: EdgeBucketOriginArgs[];
    /** A custom domain. Default none: viewers use the *.cloudfront.net name and its certificate. */
    domain?: EdgeDomainArgs;
    /**
     * The default tags the provider gives every resource. They are part of the VPC origin's name, because a tag
     * change must replace it (see components/edge/vpcOrigin.ts). Default none.
     */
    providerDefaultTags?: Record<string, string>;
    /** Default PriceClass_All: every edge location, the lowest latency everywhere. */
    priceClass?: string;
    /** Default http2and3: HTTP/3 for the viewers that support it, HTTP/2 for the rest. */
    httpVersion?: string;
    /**
     * Paths served from the static-assets bucket. Default ["/static/*"]: one prefix the build uploads to, apart from
     * the application's paths.
     */
    staticPathPatterns?: string[];
    /** Pages replacing origin errors. Default none: the origin's own. */
    customErrorResponses?: {
        errorCode: number;
        responsePagePath?: string;
        responseCode?: number;
        cachingMinTtlSeconds?: number;
    }[];
    /**
     * Security headers. Defaults: HSTS with preload, frame DENY, strict-origin-when-cross-origin, a self-only CSP: the
     * strictest set a site that serves its own assets works with.
     */
    securityHeaders?: {
        hstsPreload?: boolean;
        contentSecurityPolicy?: string;
        frameOptions?: string;
        referrerPolicy?: string;
    };
    /**
     * WAF. Defaults: 2,000 requests per IP per 5 minutes (far above a person browsing, below a scraper or a flood), no
     * overrides, a year of logs for incident review.
     */
    waf?: {
        rateLimitPerIp?: number;
        rateLimitWindowSeconds?: number;
        ruleOverrides?: Partial<Record<string, Record<string, "count" | "block">>>;
        logRetentionDays?: number;
    };
    /** Days access logs are kept. Default 90: enough for incident review, bounded cost. */
    accessLogRetentionDays?: number;
    /** Default 30 s, CloudFront's default. */
    originReadTimeoutSeconds?: number;
    /** Default 5 s, CloudFront's default. */
    originKeepaliveTimeoutSeconds?: number;
    /** Delete the assets bucket with its objects on destroy. Default false: only disposable stacks turn it on. */
    forceDestroyAssets?: boolean;
    /**
     * Prefix of physical names unique per account (the assets bucket, the VPC origin, the web ACL, the log groups).
     * Required, with no default: the caller knows the stack's identity (`<project>-<stack>` in index.ts); a component
     * does not read it.
     */
    namePrefix: string;
}

/**
 * CloudFront in front of everything: the internal load balancer through a VPC origin, a static-assets bucket and any
 * served application buckets through origin access control, a WAF web ACL, security headers on every response, access logs, and the site's alias
 * records when a hosted zone is given.
 *
 * The parts live in components/edge/: vpcOrigin.ts, assets.ts, waf.ts, headers.ts, logging.ts, distribution.ts, and
 * documents.ts (the pure documents and rules). Every resource is a direct child of this component.
 */
export class EdgeCdn extends pulumi.ComponentResource {
    public readonly distributionId: pulumi.Output<string>;
    public readonly distributionArn: pulumi.Output<string>;
    public readonly distributionDomainName: pulumi.Output<string>;
    public readonly assetsBucketName: pulumi.Output<string>;
    public readonly webAclArn: pulumi.Output<string>;
    /** https://<site name>, or https://<distribution domain name> without a domain. */
    public readonly siteUrl: pulumi.Output<string>;
    public readonly vpcOriginId?: pulumi.Output<string>;
    public readonly vpcOriginArn?: pulumi.Output<string>;

    constructor(name: string, args: EdgeCdnArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:EdgeCdn", name, {}, opts);
        if (args.origin?.protocol === "HTTPS" && !args.origin.hostName) {
            throw new pulumi.RunError(
                `EdgeCdn ${name}: an HTTPS origin needs hostName, the name its certificate covers; CloudFront checks the certificate against it`,
            );
        }
        const scope: EdgeScope = {
            parent: this,
            name,
            prefix: args.namePrefix,
            args,
            global: args.globalProvider,
            accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
            partition: aws.getPartitionOutput({}, { parent: this }).partition,
        };

        const logs = createLogGroups(scope);
        const webAcl = createWaf(scope, logs);
        const assets = createAssets(scope);
        const bucketAccess = createBucketOriginAccess(scope);
        const headers = createSecurityHeaders(scope);
        const vpcOrigin = args.origin ? createVpcOrigin(scope) : undefined;
        const distribution = createDistribution(scope, { vpcOrigin, assets, bucketAccess, webAcl, headers });
        createAssetsPolicy(scope, assets, distribution);
        createAccessLogDelivery(scope, distribution, logs);
        createAliasRecords(scope, distribution);

        this.distributionId = distribution.id;
        this.distributionArn = distribution.arn;
        this.distributionDomainName = distribution.domainName;
        this.assetsBucketName = assets.bucket.bucket;
        this.webAclArn = webAcl.arn;
        this.siteUrl = args.domain
            ? pulumi.output(`https://${args.domain.siteName}`)
            : pulumi.interpolate`https://${distribution.domainName}`;
        this.vpcOriginId = vpcOrigin?.id;
        this.vpcOriginArn = vpcOrigin?.arn;
        this.registerOutputs({
            distributionId: this.distributionId,
            distributionArn: this.distributionArn,
            distributionDomainName: this.distributionDomainName,
            assetsBucketName: this.assetsBucketName,
            webAclArn: this.webAclArn,
            siteUrl: this.siteUrl,
            vpcOriginId: this.vpcOriginId,
            vpcOriginArn: this.vpcOriginArn,
        });
    }
}
