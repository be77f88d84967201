/**
 * Encryption at rest: every store the platform creates is encrypted with a customer-managed KMS key (or, where AWS
 * allows nothing else, with the one encryption AWS accepts), and the keys rotate.
 */
import type { PolicyResource } from "@pulumi/policy";

import { resourcePolicy, stackPolicy, type Built } from "./builders";
import { elasticacheEncryptedCmk } from "./elasticache";
import { label, ResourceGraph } from "./graph";
import { isAwsManagedKeyRef, readPath, requireCmk } from "./helpers";
import { T } from "./tokens";
import { isSet, isUnknown, knownString, peek, readThrough } from "./values";

/** What a stack says about whether Elastic Load Balancing delivers access logs to a bucket. */
export type LogBucketVerdict =
    | { state: "yes" | "no" }
    /** A load balancer names the bucket, but whether logging is enabled is unknown at preview. */
    | { state: "undecided"; lb: PolicyResource };

/**
 * Is `bucket` the access-log bucket of a load balancer in this stack? Only then may it use SSE-S3, so the test is
 * what the load balancer says, never what the bucket says about itself (a bucket policy that lets ELB log delivery
 * write proves nothing about who writes there). `accessLogs.bucket` names the bucket either through a dependency on
 * it (`bucket.id`/`bucket.bucket`, unknown at preview) or as a literal equal to the bucket's known name. Logging must
 * be enabled too: `accessLogs.enabled` defaults to false, and a load balancer that does not log needs no exception.
 */
export function albLogBucketVerdict(graph: ResourceGraph, bucket: PolicyResource): LogBucketVerdict {
    const name = knownString(bucket.props, "bucket");
    const namers = graph.ofType(T.loadBalancer).filter((lb) => {
        if ((lb.propertyDependencies.accessLogs ?? []).includes(bucket)) {
            return true;
        }
        const literal = knownString(peek(lb.props, "accessLogs"), "bucket");
        return name !== undefined && literal === name;
    });
    if (namers.some((lb) => peek(peek(lb.props, "accessLogs"), "enabled") === true)) {
        return { state: "yes" };
    }
    const undecided = namers.find(
        (lb) => isUnknown(peek(lb.props, "accessLogs")) || isUnknown(peek(peek(lb.props, "accessLogs"), "enabled")),
    );
    return undecided ? { state: "undecided", lb: undecided } : { state: "no" };
}

const KMS_SSE = new Set(["aws:kms", "aws:kms:dsse"]);

const auroraStorageEncryptedCmk = resourcePolicy({
    name: "aurora-storage-encrypted-cmk",
    category: "encryption-at-rest",
    severity: "high",
    summary: "Aurora/RDS clusters encrypt storage with a customer-managed KMS key.",
    remediation: "Set storageEncrypted: true and kmsKeyId to the platform CMK's ARN on the aws.rds.Cluster.",
    types: T.rdsCluster,
    checkov: ["CKV_AWS_96", "CKV_AWS_327"],
    trivy: ["AVD-AWS-0079"],
    awsConfig: ["RDS_CLUSTER_ENCRYPTED_AT_REST"],
    check: (props, report) => {
        const encrypted = peek(props, "storageEncrypted");
        if (encrypted !== true) {
            if (isUnknown(encrypted)) {
                readThrough(props, "storageEncrypted");
            }
            report(
                `storageEncrypted is ${encrypted === undefined ? "not set (false)" : String(encrypted)}: ` +
                    "the cluster's storage, snapshots and replicas are unencrypted.",
            );
            return;
        }
        requireCmk(props, "kmsKeyId", report, "cluster storage");
    },
});

const rdsPerformanceInsightsCmk = resourcePolicy({
    name: "rds-performance-insights-cmk",
    category: "encryption-at-rest",
    severity: "medium",
    summary: "Performance Insights data on Aurora clusters and instances is encrypted with a customer-managed key.",
    remediation:
        "When performanceInsightsEnabled is true (or databaseInsightsMode is advanced), set performanceInsightsKmsKeyId to the platform CMK.",
    types: [...T.rdsCluster, ...T.rdsClusterInstance],
    trivy: ["AVD-AWS-0078"],
    check: (props, report) => {
        if (isSet(props, "performanceInsightsKmsKeyId")) {
            if (isAwsManagedKeyRef(peek(props, "performanceInsightsKmsKeyId"))) {
                report("performanceInsightsKmsKeyId names an AWS-managed key; use the platform CMK.");
            }
            return;
        }
        const enabled = peek(props, "performanceInsightsEnabled");
        if (enabled === true || peek(props, "databaseInsightsMode") === "advanced") {
            report(
                "Performance Insights is enabled without performanceInsightsKmsKeyId, so RDS encrypts it with the AWS-managed aws/rds key.",
            );
        } else if (isUnknown(enabled)) {
            readThrough(props, "performanceInsightsEnabled");
        }
    },
});

const secretsManagerCmk = resourcePolicy({
    name: "secretsmanager-secret-cmk",
    category: "encryption-at-rest",
    severity: "high",
    summary: "Secrets Manager secrets are encrypted with a customer-managed KMS key.",
    remediation: "Set kmsKeyId on the aws.secretsmanager.Secret to the platform CMK.",
    types: T.secret,
    checkov: ["CKV_AWS_149"],
    trivy: ["AVD-AWS-0098"],
    awsConfig: ["SECRETSMANAGER_USING_CMK"],
    check: (props, report) => requireCmk(props, "kmsKeyId", report, "the secret"),
});

const logGroupCmk = resourcePolicy({
    name: "cloudwatch-log-group-cmk",
    category: "encryption-at-rest",
    severity: "medium",
    summary: "CloudWatch log groups are encrypted with a customer-managed KMS key.",
    remediation:
        "Set kmsKeyId on the aws.cloudwatch.LogGroup to the platform CMK (its key policy must allow logs.<region>.amazonaws.com).",
    types: T.logGroup,
    checkov: ["CKV_AWS_158"],
    trivy: ["AVD-AWS-0017"],
    awsConfig: ["CLOUDWATCH_LOG_GROUP_ENCRYPTED"],
    check: (props, report) => requireCmk(props, "kmsKeyId", report, "the log group"),
});

const snsTopicCmk = resourcePolicy({
    name: "sns-topic-cmk",
    category: "encryption-at-rest",
    severity: "medium",
    summary: "SNS topics are encrypted with a customer-managed KMS key, not alias/aws/sns.",
    remediation:
        "Set kmsMasterKeyId on the aws.sns.Topic to the platform CMK (allow cloudwatch.amazonaws.com kms:Decrypt/GenerateDataKey* for alarm topics).",
    types: T.snsTopic,
    checkov: ["CKV_AWS_26"],
    trivy: ["AVD-AWS-0095", "AVD-AWS-0136"],
    awsConfig: ["SNS_ENCRYPTED_KMS"],
    check: (props, report) => requireCmk(props, "kmsMasterKeyId", report, "the topic"),
});

const ecrRepositoryCmk = resourcePolicy({
    name: "ecr-repository-cmk",
    category: "encryption-at-rest",
    severity: "medium",
    summary: "ECR repositories are encrypted with KMS using a customer-managed key.",
    remediation: 'Set encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: <platform CMK ARN> }].',
    types: T.ecrRepository,
    checkov: ["CKV_AWS_136"],
    trivy: ["AVD-AWS-0033"],
    awsConfig: ["ECR_REPOSITORY_CMK_ENCRYPTION_ENABLED"],
    check: (props, report, _settings, later) => {
        const configs = peek(props, "encryptionConfigurations");
        if (isUnknown(configs)) {
            readThrough(props, "encryptionConfigurations");
        }
        const list = Array.isArray(configs) ? configs : [];
        const unknownAt = list.findIndex((c) => isUnknown(peek(c, "encryptionType")));
        if (unknownAt >= 0) {
            later(() => readPath(props, ["encryptionConfigurations", unknownAt, "encryptionType"]));
            return;
        }
        const kms = list.find((c) => String(peek(c, "encryptionType")).startsWith("KMS"));
        if (!kms) {
            report("The repository uses AES256 (the default) instead of KMS.");
        } else if (!isSet(kms, "kmsKey") || isAwsManagedKeyRef(peek(kms, "kmsKey"))) {
            report(
                "encryptionType is KMS but kmsKey is not a customer-managed key, so the AWS-managed aws/ecr key is used.",
            );
        }
    },
});

const kmsKeyRotation = resourcePolicy({
    name: "kms-key-rotation",
    category: "encryption-at-rest",
    severity: "medium",
    summary: "Symmetric customer-managed KMS keys rotate their key material automatically.",
    remediation: "Set enableKeyRotation: true on the aws.kms.Key.",
    types: T.kmsKey,
    checkov: ["CKV_AWS_7"],
    trivy: ["AVD-AWS-0065"],
    awsConfig: ["CMK_BACKING_KEY_ROTATION_ENABLED"],
    check: (props, report) => {
        const spec = knownString(props, "customerMasterKeySpec") ?? knownString(props, "keySpec");
        if (spec !== undefined && spec !== "SYMMETRIC_DEFAULT") {
            return; // KMS cannot rotate asymmetric or HMAC keys.
        }
        const rotation = peek(props, "enableKeyRotation");
        if (rotation === true) {
            return;
        }
        if (isUnknown(rotation)) {
            readThrough(props, "enableKeyRotation");
        }
        report(`enableKeyRotation is ${rotation === undefined ? "not set (false)" : String(rotation)}.`);
    },
});

const s3BucketKmsEncryption = stackPolicy({
    name: "s3-bucket-kms-encryption",
    category: "encryption-at-rest",
    severity: "high",
    summary:
        "Every S3 bucket has a server-side-encryption configuration using a customer-managed KMS key; the one exception is a bucket that a load balancer of this stack logs to (its accessLogs names the bucket and is enabled), which may use SSE-S3 (AES256) because Elastic Load Balancing can only deliver logs to SSE-S3 buckets.",
    remediation:
        'Add an aws.s3.BucketServerSideEncryptionConfiguration with bucket: <bucket>.id and rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: <CMK ARN> }, bucketKeyEnabled: true }]. For the ALB access-log bucket use sseAlgorithm "AES256" and pass that bucket (bucket.id) to the load balancer\'s accessLogs with enabled: true; a bucket policy that admits ELB log delivery does not make a bucket a log bucket.',
    types: [...T.bucket, ...T.bucketEncryption, ...T.loadBalancer],
    checkov: ["CKV_AWS_19", "CKV_AWS_145"],
    trivy: ["AVD-AWS-0088", "AVD-AWS-0132"],
    awsConfig: ["S3_DEFAULT_ENCRYPTION_KMS"],
    check: (graph, report, _settings, later) => {
        for (const bucket of graph.ofType(T.bucket)) {
            const configs = graph.referrers(bucket, T.bucketEncryption, "bucket");
            const rules: { owner: PolicyResource; rule: unknown; path: (string | number)[] }[] = [];
            let undecided = false;
            for (const c of configs) {
                const list = peek(c.props, "rules");
                if (isUnknown(list)) {
                    undecided = true;
                    later(() => readThrough(c.props, "rules"));
                }
                (Array.isArray(list) ? list : []).forEach((rule, i) =>
                    rules.push({ owner: c, rule, path: ["rules", i] }),
                );
            }
            // v7 still accepts the deprecated inline configuration on the bucket itself.
            const inline = peek(peek(bucket.props, "serverSideEncryptionConfiguration"), "rule");
            if (inline !== undefined) {
                rules.push({ owner: bucket, rule: inline, path: ["serverSideEncryptionConfiguration", "rule"] });
            }
            if (rules.length === 0) {
                if (!undecided) {
                    report(
                        `${label(bucket)} has no BucketServerSideEncryptionConfiguration whose bucket input comes from it.`,
                        bucket.urn,
                    );
                }
                continue;
            }
            const verdict = albLogBucketVerdict(graph, bucket);
            const logBucket = verdict.state === "yes";
            let needsLogVerdict = false;
            const ok = rules.some(({ owner, rule, path }) => {
                const byDefault = peek(rule, "applyServerSideEncryptionByDefault");
                const algorithm = peek(byDefault, "sseAlgorithm");
                if (isUnknown(algorithm)) {
                    undecided = true;
                    later(() => readPath(owner.props, [...path, "applyServerSideEncryptionByDefault", "sseAlgorithm"]));
                }
                if (algorithm === "AES256") {
                    needsLogVerdict = true;
                    return logBucket;
                }
                return (
                    KMS_SSE.has(String(algorithm)) &&
                    isSet(byDefault, "kmsMasterKeyId") &&
                    !isAwsManagedKeyRef(peek(byDefault, "kmsMasterKeyId"))
                );
            });
            if (!ok && needsLogVerdict && verdict.state === "undecided") {
                // SSE-S3 is right if and only if that load balancer logs here: let the engine say it cannot tell yet.
                const lb = verdict.lb;
                undecided = true;
                later(() => readPath(lb.props, ["accessLogs", "enabled"]));
            }
            if (!ok && !undecided) {
                report(
                    `${label(bucket)} is not encrypted with a customer-managed KMS key (sseAlgorithm aws:kms with kmsMasterKeyId)` +
                        (logBucket
                            ? " or SSE-S3 (allowed here because it is the ALB access-log bucket)."
                            : needsLogVerdict
                              ? "; SSE-S3 is allowed only on a bucket that an enabled accessLogs of a load balancer in this stack names."
                              : "."),
                    bucket.urn,
                );
            }
        }
    },
});

/** The encryption-at-rest policies, in catalog order. */
export const encryptionAtRest: Built[] = [
    auroraStorageEncryptedCmk,
    rdsPerformanceInsightsCmk,
    secretsManagerCmk,
    logGroupCmk,
    snsTopicCmk,
    ecrRepositoryCmk,
    kmsKeyRotation,
    s3BucketKmsEncryption,
    elasticacheEncryptedCmk,
];
