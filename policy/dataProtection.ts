/**
 * Data protection for S3: every bucket of application data keeps its overwritten and deleted versions, and no bucket
 * grants access through ACLs. Both are decided from the bucket's companion resources (BucketVersioning,
 * BucketOwnershipControls) reached through their `bucket` input, whose value is unknown at preview; the deciding
 * fields are literals, so both policies decide at preview.
 */
import { stackPolicy, type Built } from "./builders";
import { albLogBucketVerdict } from "./encryptionAtRest";
import { label } from "./graph";
import { T } from "./tokens";
import { readPath } from "./helpers";
import { isUnknown, peek } from "./values";

const s3BucketVersioning = stackPolicy({
    name: "s3-bucket-versioning",
    category: "data-protection",
    severity: "medium",
    summary:
        "Every S3 bucket has versioning enabled, so an overwrite or a delete can be rolled back; the one exception is a bucket that a load balancer of this stack logs to (its accessLogs names the bucket and is enabled), whose objects are written once by Elastic Load Balancing and expire by lifecycle.",
    remediation:
        'Add an aws.s3.BucketVersioning with bucket: <bucket>.id and versioningConfiguration: { status: "Enabled" }, and a lifecycle rule with noncurrentVersionExpiration so old versions do not accumulate.',
    types: [...T.bucket, ...T.bucketVersioning, ...T.loadBalancer],
    checkov: ["CKV_AWS_21"],
    trivy: ["AVD-AWS-0090"],
    awsConfig: ["S3_BUCKET_VERSIONING_ENABLED"],
    check: (graph, report, _settings, later) => {
        for (const bucket of graph.ofType(T.bucket)) {
            const configs = graph.referrers(bucket, T.bucketVersioning, "bucket");
            const statuses = configs.map((c) => ({
                c,
                status: peek(peek(c.props, "versioningConfiguration"), "status"),
            }));
            // v7 still accepts the deprecated inline versioning block on the bucket itself.
            const inline = peek(peek(bucket.props, "versioning"), "enabled");
            if (inline === true || statuses.some((s) => s.status === "Enabled")) {
                continue;
            }
            const unknown = statuses.find((s) => isUnknown(s.status));
            if (unknown) {
                later(() => readPath(unknown.c.props, ["versioningConfiguration", "status"]));
                continue;
            }
            const verdict = albLogBucketVerdict(graph, bucket);
            if (verdict.state === "yes") {
                continue;
            }
            if (verdict.state === "undecided") {
                const lb = verdict.lb;
                later(() => readPath(lb.props, ["accessLogs", "enabled"]));
                continue;
            }
            report(
                configs.length === 0
                    ? `${label(bucket)} has no BucketVersioning whose bucket input comes from it.`
                    : `${label(bucket)}'s versioning is ${statuses.map((s) => String(s.status)).join(", ")}; expected Enabled.`,
                bucket.urn,
            );
        }
    },
});

const s3BucketAclsDisabled = stackPolicy({
    name: "s3-bucket-acls-disabled",
    category: "data-protection",
    severity: "medium",
    summary:
        "Every S3 bucket disables ACLs (object ownership BucketOwnerEnforced): access is decided by IAM and the bucket policy alone, and every object belongs to the bucket's account.",
    remediation:
        'Add an aws.s3.BucketOwnershipControls with bucket: <bucket>.id and rule: { objectOwnership: "BucketOwnerEnforced" }; CloudFront standard logging v2, origin access control and ELB access logs all work without ACLs.',
    types: [...T.bucket, ...T.bucketOwnershipControls],
    checkov: ["CKV2_AWS_65"],
    awsConfig: ["S3_BUCKET_ACL_PROHIBITED"],
    check: (graph, report, _settings, later) => {
        for (const bucket of graph.ofType(T.bucket)) {
            const controls = graph.referrers(bucket, T.bucketOwnershipControls, "bucket");
            const owners = controls.map((c) => ({ c, value: peek(peek(c.props, "rule"), "objectOwnership") }));
            if (owners.some((o) => o.value === "BucketOwnerEnforced")) {
                continue;
            }
            const unknown = owners.find((o) => isUnknown(o.value));
            if (unknown) {
                later(() => readPath(unknown.c.props, ["rule", "objectOwnership"]));
                continue;
            }
            report(
                controls.length === 0
                    ? `${label(bucket)} has no BucketOwnershipControls: whether ACLs grant access is left to S3's default for new buckets and to whoever changes it later, outside the code.`
                    : `${label(bucket)}'s object ownership is ${owners.map((o) => String(o.value)).join(", ")}; expected BucketOwnerEnforced.`,
                bucket.urn,
            );
        }
    },
});

/** The data-protection policies, in catalog order. */
export const dataProtection: Built[] = [s3BucketVersioning, s3BucketAclsDisabled];
