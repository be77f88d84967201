/**
 * Names of the application data buckets: the physical S3 name and the object prefix a CloudFront path pattern
 * serves. Pure, shared by the settings (which refuse a name S3 would refuse before anything is created) and the
 * component.
 */

import { ACCOUNT_ID_LENGTH } from "../s3/naming";

/** S3 general-purpose bucket names: 3-63 lowercase letters, digits, '.' and '-', starting and ending alphanumeric. */
const S3_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/**
 * `<prefix>-data-<name>-<account>`, lowercase. The stack and account make it unique in S3's global namespace and
 * stable, so its ARN is known before the bucket exists; `data` keeps it apart from the platform's own buckets
 * (`<prefix>-edge-assets-…`, `<prefix>-app-alb-logs-…`) whatever the application calls its buckets.
 */
export function bucketName(prefix: string, name: string, accountId: string): string {
    return `${prefix}-data-${name}-${accountId}`.toLowerCase();
}

/** Why S3 would refuse the physical name of bucket `name` in a stack with this prefix, or undefined. */
export function bucketNameProblem(prefix: string, name: string): string | undefined {
    const sample = bucketName(prefix, name, "0".repeat(ACCOUNT_ID_LENGTH));
    if (sample.length > 63) {
        return `makes the bucket name ${bucketName(prefix, name, "<account id>")} ${sample.length} characters long; S3 allows 63, so shorten the bucket's or the stack's name`;
    }
    if (!S3_NAME.test(sample) || sample.includes("..")) {
        return `makes the bucket name ${bucketName(prefix, name, "<account id>")}, which S3 refuses (lowercase letters, digits, '.' and '-' only); rename the stack`;
    }
    return undefined;
}

/**
 * The key prefix a served path pattern reads: CloudFront passes the viewer's path to the S3 origin unchanged, so
 * `/videos/*` serves the objects under `videos/`. Undefined for a pattern that is not `/<prefix>/*`.
 */
export function servedPrefix(pathPattern: string): string | undefined {
    const m = /^\/((?:[A-Za-z0-9._-]+\/)+)\*$/.exec(pathPattern);
    return m?.[1];
}
