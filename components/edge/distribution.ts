/**
 * The distribution: the application behind the VPC origin by default, static paths from the assets bucket, HTTPS
 * for every viewer, the WAF in front and the security headers on every response; and the site's alias records.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { EdgeAssets } from "./assets";
import { MANAGED_POLICIES } from "./documents";
import type { EdgeScope } from "./scope";

export const APP_ORIGIN_ID = "app";
export const ASSETS_ORIGIN_ID = "assets";

/** The resources the distribution points at. */
export interface DistributionParts {
    vpcOrigin?: aws.cloudfront.VpcOrigin;
    assets: EdgeAssets;
    /** Signs requests to the served application buckets; present exactly when there are some. */
    bucketAccess?: aws.cloudfront.OriginAccessControl;
    webAcl: aws.wafv2.WebAcl;
    headers: aws.cloudfront.ResponseHeadersPolicy;
}

const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"];
const READ_METHODS = ["GET", "HEAD", "OPTIONS"];
const CACHED_METHODS = ["GET", "HEAD"];

export function createDistribution(scope: EdgeScope, parts: DistributionParts): aws.cloudfront.Distribution {
    const { parent, name, prefix, args } = scope;
    const domain = args.domain;
    const origins: pulumi.Input<aws.types.input.cloudfront.DistributionOrigin>[] = [];
    if (parts.vpcOrigin && args.origin) {
        origins.push({
            originId: APP_ORIGIN_ID,
            // With HTTPS this is the name the load balancer's certificate covers: CloudFront sends it as the TLS
            // server name and Host header and checks the certificate against it (AWS CloudFront 'HTTP 502 status
            // code (Bad Gateway)': the certificate must match the origin domain name). It is not resolved: the VPC
            // origin, created for the load balancer's ARN, carries the traffic.
            domainName: args.origin.hostName ?? args.origin.loadBalancerDnsName,
            vpcOriginConfig: {
                vpcOriginId: parts.vpcOrigin.id,
                originReadTimeout: args.originReadTimeoutSeconds ?? 30,
                originKeepaliveTimeout: args.originKeepaliveTimeoutSeconds ?? 5,
            },
            // The application sees the public host name it is served under (the Host header is the origin's).
            // CloudFront replaces a viewer's own X-Forwarded-Host with this value.
            customHeaders: domain ? [{ name: "X-Forwarded-Host", value: domain.siteName }] : [],
        });
    }
    origins.push({
        originId: ASSETS_ORIGIN_ID,
        domainName: parts.assets.bucket.bucketRegionalDomainName,
        // Origin access control only: an s3OriginConfig as well would be a perpetual diff.
        originAccessControlId: parts.assets.originAccessControl.id,
    });
    const bucketOrigins = parts.bucketAccess ? (args.bucketOrigins ?? []) : [];
    for (const b of bucketOrigins) {
        origins.push({ originId: b.originId, domainName: b.domainName, originAccessControlId: parts.bucketAccess!.id });
    }
    const headers = parts.headers.id;
    const toAssets = {
        targetOriginId: ASSETS_ORIGIN_ID,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: READ_METHODS,
        cachedMethods: CACHED_METHODS,
        cachePolicyId: MANAGED_POLICIES.cachingOptimized,
        responseHeadersPolicyId: headers,
        compress: true,
    };
    const defaultCacheBehavior = parts.vpcOrigin
        ? {
              targetOriginId: APP_ORIGIN_ID,
              viewerProtocolPolicy: "redirect-to-https",
              allowedMethods: ALL_METHODS,
              cachedMethods: CACHED_METHODS,
              // Responses are per user: nothing is cached, and everything but Host reaches the application.
              cachePolicyId: MANAGED_POLICIES.cachingDisabled,
              originRequestPolicyId: MANAGED_POLICIES.allViewerExceptHostHeader,
              responseHeadersPolicyId: headers,
              compress: true,
          }
        : toAssets;
    return new aws.cloudfront.Distribution(
        `${name}-cdn`,
        {
            enabled: true,
            comment: `${prefix}: the site's only entry point`,
            aliases: domain ? [domain.siteName] : [],
            priceClass: args.priceClass ?? "PriceClass_All",
            httpVersion: args.httpVersion ?? "http2and3",
            isIpv6Enabled: true,
            // WAFv2 web ACLs are attached by ARN, not by id (CloudFront API, DistributionConfig WebACLId).
            webAclId: parts.webAcl.arn,
            origins,
            defaultCacheBehavior,
            // Static paths first, then the buckets' paths: CloudFront uses the first behaviour that matches, and the
            // settings refuse a bucket path a static one would shadow.
            orderedCacheBehaviors: [
                ...(args.staticPathPatterns ?? ["/static/*"]).map((pathPattern) => ({ pathPattern, ...toAssets })),
                ...bucketOrigins.map((b) => ({ pathPattern: b.pathPattern, ...toAssets, targetOriginId: b.originId })),
            ],
            customErrorResponses: (args.customErrorResponses ?? []).map((e) => ({
                errorCode: e.errorCode,
                responsePagePath: e.responsePagePath,
                responseCode: e.responseCode,
                errorCachingMinTtl: e.cachingMinTtlSeconds ?? 10,
            })),
            restrictions: { geoRestriction: { restrictionType: "none" } },
            // A custom certificate lets CloudFront refuse anything older than TLS 1.2. With the default
            // *.cloudfront.net certificate CloudFront negotiates down to TLSv1 and ignores a minimum version.
            viewerCertificate: domain
                ? {
                      acmCertificateArn: domain.viewerCertificateArn,
                      sslSupportMethod: "sni-only",
                      minimumProtocolVersion: "TLSv1.2_2021",
                  }
                : { cloudfrontDefaultCertificate: true },
        },
        { parent },
    );
}

/** The site's name resolves to the distribution, over IPv4 and IPv6 (alias records cost nothing per query). */
export function createAliasRecords(scope: EdgeScope, distribution: aws.cloudfront.Distribution): aws.route53.Record[] {
    const { parent, name, args } = scope;
    const domain = args.domain;
    if (!domain?.hostedZoneId) return [];
    return (["A", "AAAA"] as const).map(
        (type) =>
            new aws.route53.Record(
                `${name}-${type.toLowerCase()}`,
                {
                    zoneId: domain.hostedZoneId!,
                    name: domain.siteName,
                    type,
                    aliases: [
                        {
                            name: distribution.domainName,
                            zoneId: distribution.hostedZoneId,
                            evaluateTargetHealth: false,
                        },
                    ],
                },
                { parent },
            ),
    );
}
