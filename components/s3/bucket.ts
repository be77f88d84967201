/**
 * What every bucket of the platform shares, whichever component owns it. Plain functions that register nothing, so
 * each component keeps naming and parenting its own resources, and its URNs stay its own.
 */
import * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_ID_LENGTH } from "./naming";

/** S3's limit on a general-purpose bucket name. */
const MAX_NAME = 63;

/**
 * `<stem>-<account id>`, lowercase: unique in S3's global namespace, stable, and known (with its ARN) before the bucket
 * exists. A stem too long for S3's 63 characters is refused at once, before any resource is registered, naming the
 * `owner` (e.g. `EdgeCdn edge`) whose bucket it is.
 */
export function accountBucketName(owner: string, stem: string, accountId: pulumi.Input<string>): pulumi.Output<string> {
    const length = stem.length + 1 + ACCOUNT_ID_LENGTH;
    if (length > MAX_NAME) {
        throw new pulumi.RunError(
            `${owner}: the bucket name ${stem.toLowerCase()}-<account id> would be ${length} characters; S3 allows ${MAX_NAME}, so shorten the project's or the stack's name`,
        );
    }
    return pulumi.output(accountId).apply((account) => `${stem}-${account}`.toLowerCase());
}
