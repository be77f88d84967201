/**
 * Private S3 origins: CloudFront reads buckets through origin access control, signing every request, never through a
 * legacy origin access identity or a public bucket. Which origins are S3 buckets is decided from known values (an
 * s3OriginConfig, an originAccessControlId, an S3 domain name) and from the distribution's relations (a bucket of
 * this stack behind `origins`); the origin access controls are judged through `origins` too.
 */
import type { PolicyResource } from "@pulumi/policy";

import { stackPolicy, type Built } from "./builders";
import { label, type ResourceGraph } from "./graph";
import { T } from "./tokens";
import { isSet, isUnknown, knownString, peek, readThrough } from "./values";

/** S3 REST endpoints: <bucket>.s3.amazonaws.com, <bucket>.s3.<region>.amazonaws.com, <bucket>.s3-<region>... */
const S3_DOMAIN = /\.s3[.-]([a-z0-9-]+\.)*amazonaws\.com(\.cn)?$/;

/** Whether the origin reads an S3 bucket; `fromBucket` is true when a bucket of this stack feeds `origins`. */
function isS3Origin(origin: unknown, fromBucket: boolean): boolean {
    if (isSet(origin, "vpcOriginConfig") || isSet(origin, "customOriginConfig")) {
        return false;
    }
    const domain = knownString(origin, "domainName");
    return (
        isSet(origin, "s3OriginConfig") ||
        isSet(origin, "originAccessControlId") ||
        (domain !== undefined && S3_DOMAIN.test(domain)) ||
        (domain === undefined && fromBucket)
    );
}

/** Reports origin access controls of this stack behind `origins` that do not sign every S3 request. */
function checkControls(
    graph: ResourceGraph,
    d: PolicyResource,
    report: (message: string) => void,
    later: (read: () => unknown) => void,
): void {
    for (const oac of graph.via(d, "origins", T.originAccessControl)) {
        for (const [key, expected] of [
            ["originAccessControlOriginType", "s3"],
            ["signingBehavior", "always"],
            ["signingProtocol", "sigv4"],
        ] as const) {
            const value = peek(oac.props, key);
            if (isUnknown(value)) {
                later(() => readThrough(oac.props, key));
            } else if (value !== expected) {
                report(`${label(oac)} (used by ${label(d)}) has ${key} '${String(value)}'; expected '${expected}'.`);
            }
        }
    }
}

const cloudfrontS3OriginAccessControl = stackPolicy({
    name: "cloudfront-s3-origin-access-control",
    category: "private-networking",
    severity: "high",
    summary:
        "CloudFront reads S3 origins through origin access control that signs every request (type s3, signing always, sigv4), never through a legacy origin access identity; the bucket stays private (s3-bucket-public-access-block covers the bucket itself).",
    remediation:
        'Create an aws.cloudfront.OriginAccessControl { originAccessControlOriginType: "s3", signingBehavior: "always", signingProtocol: "sigv4" }, set the origin\'s originAccessControlId to its id, drop s3OriginConfig.originAccessIdentity, and grant s3:GetObject to cloudfront.amazonaws.com with AWS:SourceArn set to the distribution\'s ARN in the bucket policy.',
    types: [...T.distribution, ...T.originAccessControl, ...T.bucket],
    awsConfig: ["CLOUDFRONT_S3_ORIGIN_ACCESS_CONTROL_ENABLED"],
    check: (graph, report, _settings, later) => {
        for (const d of graph.ofType(T.distribution)) {
            const at = (message: string) => report(message, d.urn);
            const origins = peek(d.props, "origins");
            if (isUnknown(origins)) {
                later(() => readThrough(d.props, "origins"));
                continue;
            }
            const fromBucket = graph.via(d, "origins", T.bucket).length > 0;
            let s3Origins = 0;
            (Array.isArray(origins) ? origins : []).forEach((o, i) => {
                if (!isS3Origin(o, fromBucket)) {
                    return;
                }
                s3Origins++;
                const name = `${label(d)} origins[${i}] (${knownString(o, "originId") ?? "?"})`;
                const oai = peek(peek(o, "s3OriginConfig"), "originAccessIdentity");
                if (oai !== undefined && oai !== null && oai !== "") {
                    at(`${name} uses a legacy origin access identity; use origin access control instead.`);
                }
                if (!isSet(o, "originAccessControlId")) {
                    at(`${name} reads an S3 bucket without origin access control (originAccessControlId is not set).`);
                }
            });
            if (s3Origins > 0) {
                checkControls(graph, d, at, later);
            }
        }
    },
});

/** The S3-origin policy, listed with the private-networking area. */
export const cloudfrontS3Origins: Built[] = [cloudfrontS3OriginAccessControl];
