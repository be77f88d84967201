/**
 * The aws-platform CrossGuard policies: encryption at rest and in transit, private networking, Multi-AZ.
 *
 * This module has no side effects, so tests and the offline plan (tools/plan/policy-eval.ts) import it
 * directly; only index.ts wraps it in a `PolicyPack`.
 *
 * Preview safety: at `pulumi preview` any input that comes from a resource created in the same update is
 * an unknown sentinel, and reading one through the props proxy turns the whole policy into an advisory
 * "can't run during preview" — silently unblocking a mandatory policy. So every policy decides on known
 * values first, tests presence with `isSet`/`in` (an unknown counts as "set"), and follows relations through
 * `propertyDependencies`. A policy reads a value through the proxy (`readThrough`) only when the decision
 * genuinely depends on a value nobody can know yet.
 */
import type {
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

import { label, meetsAzMinimum, ResourceGraph, type AzSpread } from "./graph";
import { T, type TypeGroup } from "./tokens";
import { isSet, isUnknown, knownArray, knownNumber, knownString, peek, readThrough } from "./values";

// ------------------------------------------------------------------------------------------------
// Metadata and builders
// ------------------------------------------------------------------------------------------------

/** The control family a policy belongs to (also the README grouping). */
export type PolicyCategory = "encryption-at-rest" | "encryption-in-transit" | "private-networking" | "multi-az";

/** One configurable setting of a policy, as documented in the catalog. */
export interface PolicySetting {
    name: string;
    type: string;
    default: unknown;
    description: string;
}

/** Structured description of a policy, the source of the README table. */
export interface PolicyMetadata {
    name: string;
    kind: "resource" | "stack";
    category: PolicyCategory;
    severity: Severity;
    /** What the policy requires, in one sentence. */
    summary: string;
    /** What an engineer changes to comply. */
    remediation: string;
    /** Resource types the policy inspects. */
    resourceTypes: string[];
    settings: PolicySetting[];
    checkov: string[];
    trivy: string[];
    awsConfig: string[];
}

interface Scanners {
    checkov?: string[];
    trivy?: string[];
    awsConfig?: string[];
}

interface CommonDef extends Scanners {
    name: string;
    category: PolicyCategory;
    severity: Severity;
    summary: string;
    remediation: string;
    types: TypeGroup;
    configSchema?: PolicyConfigSchema;
}

type Report = (message: string) => void;
type Settings = Record<string, unknown>;

/**
 * Defers a read of an unknown value until the policy has reported everything it could decide. A policy that
 * walks many resources (or many origins, behaviors, rules) would otherwise drop every decidable violation
 * after the first unknown; deferred, the throw (the engine's advisory) comes last and the findings stay.
 */
type Later = (read: () => unknown) => void;

interface ResourceDef extends CommonDef {
    check: (
        props: Record<string, unknown>,
        report: Report,
        settings: Settings,
        later: Later,
        args: ResourceValidationArgs,
    ) => void;
}

interface StackDef extends CommonDef {
    check: (
        graph: ResourceGraph,
        report: ReportViolation,
        settings: Settings,
        later: Later,
        args: StackValidationArgs,
    ) => void;
}

interface Built {
    policy: ResourceValidationPolicy | StackValidationPolicy;
    meta: PolicyMetadata;
}

/**
 * Settings with the schema defaults filled in. The CLI already merges defaults before `configure`, but a
 * policy called without config (unit tests, a pack run by an old CLI) must still see them.
 */
function settingsOf(schema: PolicyConfigSchema | undefined, getConfig: () => object): Settings {
    const defaults: Settings = {};
    for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
        if (prop.default !== undefined) {
            defaults[key] = prop.default;
        }
    }
    return { ...defaults, ...(getConfig() as Settings) };
}

function common(def: CommonDef, kind: "resource" | "stack"): { description: string; meta: PolicyMetadata } {
    const settings = Object.entries(def.configSchema?.properties ?? {}).map(([name, s]) => ({
        name,
        type: String(s.type ?? "any"),
        default: s.default,
        description: s.description ?? "",
    }));
    return {
        description: `${def.summary} Fix: ${def.remediation}`,
        meta: {
            name: def.name,
            kind,
            category: def.category,
            severity: def.severity,
            summary: def.summary,
            remediation: def.remediation,
            resourceTypes: [...def.types],
            settings,
            checkov: def.checkov ?? [],
            trivy: def.trivy ?? [],
            awsConfig: def.awsConfig ?? [],
        },
    };
}

function tags(def: CommonDef): string[] {
    return [
        def.category,
        ...(def.checkov ?? []).map((id) => `checkov:${id}`),
        ...(def.trivy ?? []).map((id) => `trivy:${id}`),
        ...(def.awsConfig ?? []).map((id) => `aws-config:${id}`),
    ];
}

function resourcePolicy(def: ResourceDef): Built {
    const { description, meta } = common(def, "resource");
    const validate: ResourceValidation = (args, reportViolation) => {
        if (!def.types.includes(args.type)) {
            // Same reason text validateResourceOfType uses, so the engine's not-applicable list reads alike.
            args.notApplicable(`Policy only applies to resources of type '${def.types.join("' or '")}'`);
        }
        const deferred: (() => unknown)[] = [];
        def.check(
            args.props,
            (m) => reportViolation(m),
            settingsOf(def.configSchema, () => args.getConfig()),
            (read) => deferred.push(read),
            args,
        );
        deferred.forEach((read) => read());
    };
    if (def.types.length === 1) {
        // Lets the engine (and the offline evaluator) skip other types without calling the policy.
        Object.assign(validate, { __pulumiType: def.types[0] });
    }
    return {
        meta,
        policy: {
            name: def.name,
            description,
            severity: def.severity,
            remediationSteps: def.remediation,
            tags: tags(def),
            ...(def.configSchema ? { configSchema: def.configSchema } : {}),
            validateResource: validate,
        },
    };
}

function stackPolicy(def: StackDef): Built {
    const { description, meta } = common(def, "stack");
    return {
        meta,
        policy: {
            name: def.name,
            description,
            severity: def.severity,
            remediationSteps: def.remediation,
            tags: tags(def),
            ...(def.configSchema ? { configSchema: def.configSchema } : {}),
            validateStack: (args, reportViolation) => {
                const deferred: (() => unknown)[] = [];
                def.check(
                    new ResourceGraph(args.resources),
                    reportViolation,
                    settingsOf(def.configSchema, () => args.getConfig()),
                    (read) => deferred.push(read),
                    args,
                );
                deferred.forEach((read) => read());
            },
        },
    };
}

// ------------------------------------------------------------------------------------------------
// Small value helpers shared by several policies
// ------------------------------------------------------------------------------------------------

/** AWS-managed keys (`alias/aws/<service>`) are not customer-managed: no key policy, no rotation control. */
function isAwsManagedKeyRef(v: unknown): boolean {
    return typeof v === "string" && /(^|:)alias\/aws\//.test(v);
}

/** Reads a nested path through the proxy, so an unknown on the way throws the engine's UnknownValueError. */
function readPath(props: Record<string, unknown>, path: (string | number)[]): unknown {
    let cur: unknown = props;
    for (const key of path) {
        cur = (cur as Record<string | number, unknown>)[key];
    }
    return cur;
}

/**
 * A check that reports a boolean at `path` set to true. An unknown value on the way is read through the proxy,
 * so the engine reports its "can't run during preview" advisory instead of the policy passing silently.
 */
function mustNotBeTrue(path: string[]): ResourceDef["check"] {
    return (props, report) => {
        let value: unknown = props;
        for (const key of path) {
            value = peek(value, key);
            if (isUnknown(value)) {
                readPath(props, path);
            }
        }
        if (value === true) {
            report(`${path.join(".")} is true.`);
        }
    };
}

/** Requires a customer-managed key reference in `key`: present, and not an `alias/aws/...` managed key. */
function requireCmk(props: Record<string, unknown>, key: string, report: Report, what: string): void {
    if (!isSet(props, key)) {
        report(`${key} is not set, so ${what} uses an AWS-owned or AWS-managed key.`);
    } else if (isAwsManagedKeyRef(peek(props, key))) {
        report(`${key} is '${String(peek(props, key))}', an AWS-managed key; use the platform's customer-managed key.`);
    }
}

function settingNumber(settings: Settings, key: string): number {
    return Number(settings[key]);
}

function describeAzs(spread: AzSpread): string {
    const known = [...spread.known].sort();
    const parts = [known.length > 0 ? `AZs ${known.join(", ")}` : "no known AZ"];
    if (spread.unset.length > 0) {
        parts.push(`${spread.unset.length} subnet(s) without an explicit availabilityZone`);
    }
    return parts.join("; ");
}

/** Parses a bucket policy (JSON string or object) into its statements; undefined if not parseable. */
function policyStatements(policy: unknown): Record<string, unknown>[] | undefined {
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return undefined;
        }
    }
    const statement = peek(doc, "Statement");
    if (Array.isArray(statement)) {
        return statement.filter((s): s is Record<string, unknown> => s !== null && typeof s === "object");
    }
    return statement !== null && typeof statement === "object" ? [statement as Record<string, unknown>] : undefined;
}

function asList(v: unknown): unknown[] {
    return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/** A statement that denies every principal any S3 action unless the request came over TLS. */
function deniesInsecureTransport(statement: Record<string, unknown>): boolean {
    if (statement.Effect !== "Deny") {
        return false;
    }
    const principal = statement.Principal;
    const everyone = principal === "*" || asList(peek(principal, "AWS")).some((p) => p === "*");
    const actions = asList(statement.Action);
    const allActions = actions.some((a) => a === "*" || a === "s3:*");
    const bool = peek(peek(statement, "Condition"), "Bool");
    const secure = asList(peek(bool, "aws:SecureTransport"));
    return everyone && allActions && secure.some((v) => v === false || v === "false");
}

const WORLD_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

function hasWorldCidr(list: unknown): boolean {
    return asList(list).some((c) => typeof c === "string" && WORLD_CIDRS.has(c));
}

function nonEmptyOrUnknown(v: unknown): boolean {
    return isUnknown(v) || (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== "");
}

/** Ingress rules of a security group, from inline `ingress` and the separate rule resources. */
interface IngressRule {
    /** The resource to report against: the rule resource, or the security group for inline rules. */
    owner: PolicyResource;
    where: string;
    protocol: unknown;
    fromPort: unknown;
    toPort: unknown;
    world: boolean;
    /** CIDR or prefix-list sources, i.e. anything that is not another security group. */
    addressSource: boolean;
    /** Inline rules and aws:ec2 SecurityGroupRule may name `self`; the rule is then group-to-group. */
}

function ingressRulesOf(graph: ResourceGraph, sg: PolicyResource): IngressRule[] {
    const rules: IngressRule[] = [];
    (knownArray(sg.props, "ingress") ?? []).forEach((r, i) => {
        rules.push({
            owner: sg,
            where: `${label(sg)} inline ingress[${i}]`,
            protocol: peek(r, "protocol"),
            fromPort: peek(r, "fromPort"),
            toPort: peek(r, "toPort"),
            world: hasWorldCidr(peek(r, "cidrBlocks")) || hasWorldCidr(peek(r, "ipv6CidrBlocks")),
            addressSource:
                nonEmptyOrUnknown(peek(r, "cidrBlocks")) ||
                nonEmptyOrUnknown(peek(r, "ipv6CidrBlocks")) ||
                nonEmptyOrUnknown(peek(r, "prefixListIds")),
        });
    });
    for (const r of graph.referrers(sg, T.securityGroupIngressRule, "securityGroupId")) {
        rules.push(ingressRuleFromVpcRule(r));
    }
    for (const r of graph.referrers(sg, T.securityGroupRule, "securityGroupId")) {
        if (peek(r.props, "type") === "ingress") {
            rules.push(ingressRuleFromEc2Rule(r));
        }
    }
    return rules;
}

function ingressRuleFromVpcRule(r: PolicyResource): IngressRule {
    return {
        owner: r,
        where: label(r),
        protocol: peek(r.props, "ipProtocol"),
        fromPort: peek(r.props, "fromPort"),
        toPort: peek(r.props, "toPort"),
        world: hasWorldCidr(peek(r.props, "cidrIpv4")) || hasWorldCidr(peek(r.props, "cidrIpv6")),
        addressSource: isSet(r.props, "cidrIpv4") || isSet(r.props, "cidrIpv6") || isSet(r.props, "prefixListId"),
    };
}

function ingressRuleFromEc2Rule(r: PolicyResource): IngressRule {
    return {
        owner: r,
        where: label(r),
        protocol: peek(r.props, "protocol"),
        fromPort: peek(r.props, "fromPort"),
        toPort: peek(r.props, "toPort"),
        world: hasWorldCidr(peek(r.props, "cidrBlocks")) || hasWorldCidr(peek(r.props, "ipv6CidrBlocks")),
        addressSource:
            nonEmptyOrUnknown(peek(r.props, "cidrBlocks")) ||
            nonEmptyOrUnknown(peek(r.props, "ipv6CidrBlocks")) ||
            nonEmptyOrUnknown(peek(r.props, "prefixListIds")),
    };
}

/** The load balancers that use `sg` and face the internet. */
function internetFacingLoadBalancersOf(graph: ResourceGraph, sg: PolicyResource): PolicyResource[] {
    return graph.referrers(sg, T.loadBalancer, "securityGroups").filter((lb) => peek(lb.props, "internal") !== true);
}

/**
 * Is `bucket` an ALB access-log bucket? Structural test: a load balancer's `accessLogs` input comes from it,
 * or its bucket policy grants the ELB log-delivery service principal.
 */
function isAlbLogBucket(graph: ResourceGraph, bucket: PolicyResource): boolean {
    if (graph.referrers(bucket, T.loadBalancer, "accessLogs").length > 0) {
        return true;
    }
    return graph.referrers(bucket, T.bucketPolicy, "bucket").some((bp) => {
        const policy = peek(bp.props, "policy");
        const text = typeof policy === "string" ? policy : JSON.stringify(policy ?? "");
        return !isUnknown(policy) && text.includes("logdelivery.elasticloadbalancing.amazonaws.com");
    });
}

const KMS_SSE = new Set(["aws:kms", "aws:kms:dsse"]);

const DEFAULT_SSL_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

const DEFAULT_CLOUDFRONT_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

const minAzCountSchema = {
    type: "integer",
    minimum: 1,
    maximum: 6,
    default: 2,
    description: "Minimum number of distinct availability zones.",
} as const;

// ------------------------------------------------------------------------------------------------
// Encryption at rest
// ------------------------------------------------------------------------------------------------

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
        "Every S3 bucket has a server-side-encryption configuration using a customer-managed KMS key; the ALB access-log bucket is the one exception and may use SSE-S3 (AES256), because Elastic Load Balancing can only deliver logs to SSE-S3 buckets.",
    remediation:
        'Add an aws.s3.BucketServerSideEncryptionConfiguration with bucket: <bucket>.id and rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: <CMK ARN> }, bucketKeyEnabled: true }]. For the ALB access-log bucket use sseAlgorithm "AES256" and pass that bucket to the load balancer\'s accessLogs.',
    types: [...T.bucket, ...T.bucketEncryption],
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
            const logBucket = isAlbLogBucket(graph, bucket);
            const ok = rules.some(({ owner, rule, path }) => {
                const byDefault = peek(rule, "applyServerSideEncryptionByDefault");
                const algorithm = peek(byDefault, "sseAlgorithm");
                if (isUnknown(algorithm)) {
                    undecided = true;
                    later(() => readPath(owner.props, [...path, "applyServerSideEncryptionByDefault", "sseAlgorithm"]));
                }
                if (logBucket && algorithm === "AES256") {
                    return true;
                }
                return (
                    KMS_SSE.has(String(algorithm)) &&
                    isSet(byDefault, "kmsMasterKeyId") &&
                    !isAwsManagedKeyRef(peek(byDefault, "kmsMasterKeyId"))
                );
            });
            if (!ok && !undecided) {
                report(
                    `${label(bucket)} is not encrypted with a customer-managed KMS key (sseAlgorithm aws:kms with kmsMasterKeyId)` +
                        (logBucket ? " or SSE-S3 (allowed here because it is the ALB access-log bucket)." : "."),
                    bucket.urn,
                );
            }
        }
    },
});

// ------------------------------------------------------------------------------------------------
// Encryption in transit
// ------------------------------------------------------------------------------------------------

const albListenerTlsPolicy = resourcePolicy({
    name: "alb-listener-tls-policy",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "HTTPS/TLS load-balancer listeners use a TLS 1.2+ security policy from the allow-list; plaintext TCP/UDP listeners are not allowed.",
    remediation:
        "Set sslPolicy to one of the allowed policies (default ELBSecurityPolicy-TLS13-1-2-2021-06); without sslPolicy AWS applies ELBSecurityPolicy-2016-08, which still accepts TLS 1.0.",
    types: T.listener,
    checkov: ["CKV_AWS_103"],
    trivy: ["AVD-AWS-0047"],
    awsConfig: ["ELBV2_LISTENER_ENCRYPTION_IN_TRANSIT"],
    configSchema: {
        properties: {
            allowedSslPolicies: {
                type: "array",
                items: { type: "string", pattern: "^ELBSecurityPolicy-" },
                minItems: 1,
                uniqueItems: true,
                default: DEFAULT_SSL_POLICIES,
                description: "ELB security policies an HTTPS/TLS listener may use.",
            },
        },
    },
    check: (props, report, settings) => {
        const raw = peek(props, "protocol");
        if (isUnknown(raw)) {
            readThrough(props, "protocol");
        }
        const protocol = typeof raw === "string" ? raw.toUpperCase() : undefined;
        if (protocol === "HTTPS" || protocol === "TLS") {
            const sslPolicy = peek(props, "sslPolicy");
            const allowed = settings.allowedSslPolicies as string[];
            if (sslPolicy === undefined || sslPolicy === null) {
                report("sslPolicy is not set, so AWS applies ELBSecurityPolicy-2016-08 (TLS 1.0+).");
            } else if (isUnknown(sslPolicy)) {
                readThrough(props, "sslPolicy");
            } else if (!allowed.includes(String(sslPolicy))) {
                report(`sslPolicy '${String(sslPolicy)}' is not in the allow-list: ${allowed.join(", ")}.`);
            }
        } else if (protocol === "TCP" || protocol === "UDP" || protocol === "TCP_UDP") {
            report(`protocol ${protocol} carries traffic unencrypted; use a TLS listener.`);
        }
        // HTTP listeners are judged by alb-http-listener-redirects-to-https, which can see the load balancer.
    },
});

const albHttpListenerRedirects = stackPolicy({
    name: "alb-http-listener-redirects-to-https",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "An HTTP listener only redirects to HTTPS (or returns a fixed response), in its default action and in every listener rule. Forwarding plain HTTP is allowed only when allowHttpToInternalVpcOrigin is on and the listener's load balancer is internal and the target of a CloudFront VPC origin.",
    remediation:
        'Give the HTTP listener a single default action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }, or serve HTTPS. For an internal ALB reached only through aws.cloudfront.VpcOrigin, enable allowHttpToInternalVpcOrigin and pass loadBalancer.arn to the listener and to the VpcOrigin\'s vpcOriginEndpointConfig.arn.',
    types: [...T.listener, ...T.listenerRule, ...T.loadBalancer, ...T.vpcOrigin],
    checkov: ["CKV_AWS_2", "CKV2_AWS_20"],
    trivy: ["AVD-AWS-0054"],
    awsConfig: ["ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK"],
    configSchema: {
        properties: {
            allowHttpToInternalVpcOrigin: {
                type: "boolean",
                default: false,
                description:
                    "Allow a plain-HTTP forward on an internal load balancer that a CloudFront VPC origin targets.",
            },
        },
    },
    check: (graph, report, settings, later) => {
        for (const listener of graph.ofType(T.listener)) {
            const lbs = graph.via(listener, "loadBalancerArn", T.loadBalancer);
            const rawProtocol = peek(listener.props, "protocol");
            if (isUnknown(rawProtocol)) {
                later(() => readThrough(listener.props, "protocol"));
                continue;
            }
            const lbType = lbs.length > 0 ? knownString(lbs[0].props, "loadBalancerType") : undefined;
            // AWS's default protocol is HTTP for application and TCP for network load balancers.
            const protocol =
                typeof rawProtocol === "string" ? rawProtocol.toUpperCase() : lbType === "network" ? "TCP" : "HTTP";
            if (protocol !== "HTTP") {
                continue;
            }
            const actions = peek(listener.props, "defaultActions");
            if (isUnknown(actions)) {
                later(() => readThrough(listener.props, "defaultActions"));
                continue;
            }
            const list = Array.isArray(actions) ? actions : [];
            const isForward = (a: unknown) => {
                const type = peek(a, "type");
                return type === "forward" || isSet(a, "targetGroupArn") || isSet(a, "forward");
            };
            // Listener rules forward too: a 404 default action says nothing about what the rules send over HTTP.
            let rulesForward = false;
            for (const rule of graph.referrers(listener, T.listenerRule, "listenerArn")) {
                const ruleActions = peek(rule.props, "actions");
                if (isUnknown(ruleActions)) later(() => readThrough(rule.props, "actions"));
                else if (Array.isArray(ruleActions) && ruleActions.some(isForward)) rulesForward = true;
            }
            const forwards = list.some(isForward) || rulesForward;
            const redirectsToHttps = list.some(
                (a) =>
                    peek(a, "type") === "redirect" &&
                    String(peek(peek(a, "redirect"), "protocol")).toUpperCase() === "HTTPS",
            );
            const redirectsElsewhere = list.some(
                (a) =>
                    peek(a, "type") === "redirect" &&
                    String(peek(peek(a, "redirect"), "protocol")).toUpperCase() !== "HTTPS",
            );
            if (!forwards) {
                if (redirectsElsewhere) {
                    report(`HTTP ${label(listener)} redirects without switching to HTTPS.`, listener.urn);
                } else if (!redirectsToHttps && list.length === 0) {
                    report(`HTTP ${label(listener)} has no default action redirecting to HTTPS.`, listener.urn);
                }
                // A redirect to HTTPS or a fixed response carries no application data over HTTP.
                continue;
            }
            if (settings.allowHttpToInternalVpcOrigin !== true) {
                report(`HTTP ${label(listener)} forwards plain HTTP instead of redirecting to HTTPS.`, listener.urn);
                continue;
            }
            if (lbs.length === 0) {
                report(
                    `HTTP ${label(listener)} forwards plain HTTP and its loadBalancerArn does not come from a load balancer in this stack, so the internal-VPC-origin exception cannot be verified.`,
                    listener.urn,
                );
                continue;
            }
            for (const lb of lbs) {
                const internal = peek(lb.props, "internal");
                if (isUnknown(internal)) {
                    later(() => readThrough(lb.props, "internal"));
                } else if (internal !== true) {
                    report(
                        `HTTP ${label(listener)} forwards plain HTTP on internet-facing ${label(lb)}; the exception covers internal load balancers only.`,
                        listener.urn,
                    );
                } else if (graph.referrers(lb, T.vpcOrigin, "vpcOriginEndpointConfig").length === 0) {
                    report(
                        `HTTP ${label(listener)} forwards plain HTTP on ${label(lb)}, but no aws.cloudfront.VpcOrigin targets that load balancer.`,
                        listener.urn,
                    );
                }
            }
        }
    },
});

const cloudfrontViewerHttps = resourcePolicy({
    name: "cloudfront-viewer-https",
    category: "encryption-in-transit",
    severity: "high",
    summary: "Every CloudFront cache behavior redirects viewers to HTTPS or accepts HTTPS only.",
    remediation:
        'Set viewerProtocolPolicy: "redirect-to-https" (or "https-only") on defaultCacheBehavior and every orderedCacheBehaviors entry.',
    types: T.distribution,
    checkov: ["CKV_AWS_34"],
    trivy: ["AVD-AWS-0012"],
    awsConfig: ["CLOUDFRONT_VIEWER_POLICY_HTTPS"],
    check: (props, report, _settings, later) => {
        const behaviors: { path: (string | number)[]; name: string }[] = [
            { path: ["defaultCacheBehavior"], name: "defaultCacheBehavior" },
        ];
        const ordered = peek(props, "orderedCacheBehaviors");
        if (isUnknown(ordered)) {
            readThrough(props, "orderedCacheBehaviors");
        }
        (Array.isArray(ordered) ? ordered : []).forEach((b, i) =>
            behaviors.push({
                path: ["orderedCacheBehaviors", i],
                name: `orderedCacheBehaviors[${i}] (${knownString(b, "pathPattern") ?? "?"})`,
            }),
        );
        for (const b of behaviors) {
            let node: unknown = props;
            for (const k of b.path) {
                node = peek(node, String(k));
            }
            const policy = peek(node, "viewerProtocolPolicy");
            if (isUnknown(policy) || isUnknown(node)) {
                later(() => readPath(props, [...b.path, "viewerProtocolPolicy"]));
            } else if (policy !== "redirect-to-https" && policy !== "https-only") {
                report(`${b.name} has viewerProtocolPolicy '${String(policy)}'.`);
            }
        }
    },
});

const cloudfrontMinimumTls = resourcePolicy({
    name: "cloudfront-minimum-tls",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "A CloudFront distribution with a custom certificate requires TLS 1.2 (TLSv1.2_2021) or newer from viewers.",
    remediation:
        'Set viewerCertificate.minimumProtocolVersion to "TLSv1.2_2021" or newer with sslSupportMethod "sni-only" (the certificate must be an ACM certificate in us-east-1).',
    types: T.distribution,
    checkov: ["CKV_AWS_174"],
    trivy: ["AVD-AWS-0013"],
    awsConfig: ["CLOUDFRONT_SECURITY_POLICY_CHECK"],
    configSchema: {
        properties: {
            allowedMinimumProtocolVersions: {
                type: "array",
                items: { type: "string", pattern: "^TLSv" },
                minItems: 1,
                uniqueItems: true,
                default: DEFAULT_CLOUDFRONT_TLS,
                description: "Viewer security policies accepted when a custom certificate is used.",
            },
        },
    },
    check: (props, report, settings) => {
        const cert = peek(props, "viewerCertificate");
        if (isUnknown(cert)) {
            readThrough(props, "viewerCertificate");
        }
        // With the default *.cloudfront.net certificate CloudFront cannot enforce a minimum version.
        if (!isSet(cert, "acmCertificateArn") && !isSet(cert, "iamCertificateId")) {
            return;
        }
        const version = peek(cert, "minimumProtocolVersion");
        if (isUnknown(version)) {
            readPath(props, ["viewerCertificate", "minimumProtocolVersion"]);
        }
        const allowed = settings.allowedMinimumProtocolVersions as string[];
        if (typeof version !== "string" || !allowed.includes(version)) {
            report(
                `minimumProtocolVersion is ${version === undefined ? "not set (TLSv1)" : `'${String(version)}'`}; allowed: ${allowed.join(", ")}.`,
            );
        }
    },
});

const cloudfrontOriginHttps = resourcePolicy({
    name: "cloudfront-origin-https",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "CloudFront reaches every origin privately or over HTTPS: custom origins use https-only, or the origin is a VPC origin, or an S3 origin with origin access control.",
    remediation:
        'Use customOriginConfig.originProtocolPolicy "https-only" with originSslProtocols ["TLSv1.2"], or vpcOriginConfig for an internal ALB, or originAccessControlId for S3 origins (not a legacy OAI or a public bucket).',
    types: T.distribution,
    check: (props, report, _settings, later) => {
        const origins = peek(props, "origins");
        if (isUnknown(origins)) {
            readThrough(props, "origins");
        }
        (Array.isArray(origins) ? origins : []).forEach((o, i) => {
            const name = `origins[${i}] (${knownString(o, "originId") ?? "?"})`;
            if (isSet(o, "vpcOriginConfig")) {
                return;
            }
            const custom = peek(o, "customOriginConfig");
            if (custom !== undefined && custom !== null) {
                const policy = peek(custom, "originProtocolPolicy");
                if (isUnknown(policy) || isUnknown(custom)) {
                    later(() => readPath(props, ["origins", i, "customOriginConfig", "originProtocolPolicy"]));
                } else if (policy !== "https-only") {
                    report(`${name} uses originProtocolPolicy '${String(policy)}'; use https-only.`);
                }
                const weak = (knownArray(custom, "originSslProtocols") ?? []).filter((p) =>
                    ["SSLv3", "TLSv1", "TLSv1.1"].includes(String(p)),
                );
                if (weak.length > 0) {
                    report(`${name} allows ${weak.join(", ")} to the origin; allow TLSv1.2 only.`);
                }
                return;
            }
            if (!isSet(o, "originAccessControlId")) {
                report(`${name} is an S3 origin without originAccessControlId (origin access control).`);
            }
        });
    },
});

const auroraForceSsl = stackPolicy({
    name: "aurora-force-ssl",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "Every Aurora cluster uses a cluster parameter group from this stack that forces TLS (rds.force_ssl = 1; require_secure_transport = ON for MySQL).",
    remediation:
        'Create an aws.rds.ClusterParameterGroup with parameters [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }] and pass its name to the cluster\'s dbClusterParameterGroupName.',
    types: [...T.rdsCluster, ...T.rdsClusterParameterGroup],
    checkov: ["CKV2_AWS_69"],
    awsConfig: ["RDS_POSTGRES_INSTANCE_ENCRYPTED_IN_TRANSIT"],
    check: (graph, report, _settings, later) => {
        for (const cluster of graph.ofType(T.rdsCluster)) {
            const groups = graph.via(cluster, "dbClusterParameterGroupName", T.rdsClusterParameterGroup);
            if (groups.length === 0) {
                report(
                    isSet(cluster.props, "dbClusterParameterGroupName")
                        ? `${label(cluster)}: dbClusterParameterGroupName does not come from a ClusterParameterGroup in this stack, so rds.force_ssl cannot be verified.`
                        : `${label(cluster)} uses the engine's default cluster parameter group, which does not force TLS.`,
                    cluster.urn,
                );
                continue;
            }
            for (const group of groups) {
                const params = peek(group.props, "parameters");
                if (isUnknown(params)) {
                    later(() => readThrough(group.props, "parameters"));
                    continue;
                }
                const forces = (Array.isArray(params) ? params : []).some((p) => {
                    const name = peek(p, "name");
                    const value = String(peek(p, "value")).toLowerCase();
                    return (
                        (name === "rds.force_ssl" && value === "1") ||
                        (name === "require_secure_transport" && (value === "1" || value === "on"))
                    );
                });
                if (!forces) {
                    report(`${label(group)} (used by ${label(cluster)}) does not set rds.force_ssl = "1".`, group.urn);
                }
            }
        }
    },
});

const bucketPolicyDeniesInsecureTransport = resourcePolicy({
    name: "s3-bucket-policy-deny-insecure-transport",
    category: "encryption-in-transit",
    severity: "high",
    summary: "Bucket policies deny every request that is not made over TLS.",
    remediation:
        'Add the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
    types: T.bucketPolicy,
    checkov: ["CKV_AWS_379"],
    awsConfig: ["S3_BUCKET_SSL_REQUESTS_ONLY"],
    check: (props, report) => {
        // The document usually embeds the bucket ARN, so at preview it is unknown as a whole; reading it
        // through the proxy then yields the engine's advisory and the check runs for real at `pulumi up`.
        const policy = isUnknown(peek(props, "policy")) ? readThrough(props, "policy") : peek(props, "policy");
        const statements = policyStatements(policy);
        if (statements === undefined) {
            report("The bucket policy is not a parseable policy document.");
        } else if (!statements.some(deniesInsecureTransport)) {
            report('No statement denies s3:* to Principal "*" when aws:SecureTransport is false.');
        }
    },
});

const bucketHasTlsOnlyPolicy = stackPolicy({
    name: "s3-bucket-tls-only-policy",
    category: "encryption-in-transit",
    severity: "high",
    summary: "Every S3 bucket has a bucket policy (aws.s3.BucketPolicy linked through its bucket input).",
    remediation:
        "Add an aws.s3.BucketPolicy with bucket: <bucket>.id whose policy denies non-TLS requests (checked by s3-bucket-policy-deny-insecure-transport).",
    types: [...T.bucket, ...T.bucketPolicy],
    checkov: ["CKV_AWS_379"],
    awsConfig: ["S3_BUCKET_SSL_REQUESTS_ONLY"],
    check: (graph, report) => {
        for (const bucket of graph.ofType(T.bucket)) {
            const hasPolicy =
                graph.referrers(bucket, T.bucketPolicy, "bucket").length > 0 || isSet(bucket.props, "policy");
            if (!hasPolicy) {
                report(`${label(bucket)} has no BucketPolicy, so it accepts plain-HTTP requests.`, bucket.urn);
            }
        }
    },
});

// ------------------------------------------------------------------------------------------------
// Private networking
// ------------------------------------------------------------------------------------------------

const subnetNoPublicIp = resourcePolicy({
    name: "subnet-no-public-ip-on-launch",
    category: "private-networking",
    severity: "high",
    summary: "No subnet assigns public IPs to what is launched in it, not even public subnets.",
    remediation:
        "Remove mapPublicIpOnLaunch (or set it to false); NAT gateways and load balancers get their own addresses.",
    types: T.subnet,
    checkov: ["CKV_AWS_130"],
    trivy: ["AVD-AWS-0164"],
    awsConfig: ["SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED"],
    check: mustNotBeTrue(["mapPublicIpOnLaunch"]),
});

const rdsNotPublic = resourcePolicy({
    name: "rds-not-publicly-accessible",
    category: "private-networking",
    severity: "critical",
    summary: "Aurora clusters and instances are not publicly accessible.",
    remediation: "Remove publiclyAccessible (or set it to false).",
    types: [...T.rdsCluster, ...T.rdsClusterInstance],
    checkov: ["CKV_AWS_17"],
    trivy: ["AVD-AWS-0180"],
    awsConfig: ["RDS_INSTANCE_PUBLIC_ACCESS_CHECK"],
    check: mustNotBeTrue(["publiclyAccessible"]),
});

const rdsSubnetGroupNonPublic = stackPolicy({
    name: "rds-subnet-group-non-public",
    category: "private-networking",
    severity: "critical",
    summary:
        "DB subnet groups contain only non-public subnets (no route to an internet gateway, no public IPs on launch).",
    remediation:
        "Build the aws.rds.SubnetGroup's subnetIds from the isolated (or private) aws.ec2.Subnet resources of this stack.",
    types: [...T.rdsSubnetGroup, ...T.subnet],
    check: (graph, report) => {
        for (const group of graph.ofType(T.rdsSubnetGroup)) {
            const subnets = graph.via(group, "subnetIds", T.subnet);
            if (subnets.length === 0) {
                report(
                    `${label(group)}: subnetIds do not come from aws.ec2.Subnet resources in this stack, so their tier cannot be verified.`,
                    group.urn,
                );
                continue;
            }
            const publicOnes = subnets.filter((s) => graph.tierOf(s) === "public");
            if (publicOnes.length > 0) {
                report(
                    `${label(group)} includes public subnet(s) ${publicOnes.map((s) => `'${s.name}'`).join(", ")}.`,
                    group.urn,
                );
            }
        }
    },
});

const ecsServiceNoPublicIp = resourcePolicy({
    name: "ecs-service-no-public-ip",
    category: "private-networking",
    severity: "high",
    summary: "ECS services do not assign public IPs to their tasks.",
    remediation:
        "Set networkConfiguration.assignPublicIp to false (or omit it) and reach AWS APIs through NAT or VPC endpoints.",
    types: T.ecsService,
    checkov: ["CKV_AWS_333"],
    check: mustNotBeTrue(["networkConfiguration", "assignPublicIp"]),
});

const ecsServicePrivateSubnets = stackPolicy({
    name: "ecs-service-private-subnets",
    category: "private-networking",
    severity: "high",
    summary: "ECS services run only in non-public subnets of this stack.",
    remediation: "Pass the private aws.ec2.Subnet ids of this stack to the service's networkConfiguration.subnets.",
    types: [...T.ecsService, ...T.subnet],
    check: (graph, report) => {
        for (const service of graph.ofType(T.ecsService)) {
            const subnets = graph.via(service, "networkConfiguration", T.subnet);
            if (subnets.length === 0) {
                report(
                    isSet(service.props, "networkConfiguration")
                        ? `${label(service)}: networkConfiguration.subnets do not come from aws.ec2.Subnet resources in this stack, so their tier cannot be verified.`
                        : `${label(service)} has no networkConfiguration; set its subnets to private subnets.`,
                    service.urn,
                );
                continue;
            }
            const publicOnes = subnets.filter((s) => graph.tierOf(s) === "public");
            if (publicOnes.length > 0) {
                report(
                    `${label(service)} runs in public subnet(s) ${publicOnes.map((s) => `'${s.name}'`).join(", ")}.`,
                    service.urn,
                );
            }
        }
    },
});

const securityGroupNoPublicIngress = stackPolicy({
    name: "security-group-no-public-ingress",
    category: "private-networking",
    severity: "critical",
    summary:
        "No security group admits 0.0.0.0/0 or ::/0, except TCP 80/443 on the security group of an internet-facing load balancer.",
    remediation:
        "Narrow the source to a security group or the CloudFront origin-facing prefix list; only an internet-facing load balancer's own security group may open 80/443 to the world.",
    types: [...T.securityGroup, ...T.securityGroupRule, ...T.securityGroupIngressRule, ...T.loadBalancer],
    checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
    trivy: ["AVD-AWS-0107"],
    awsConfig: ["RESTRICTED_INCOMING_TRAFFIC", "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS"],
    configSchema: {
        properties: {
            publicLoadBalancerPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                uniqueItems: true,
                default: [80, 443],
                description: "TCP ports an internet-facing load balancer's security group may open to the world.",
            },
        },
    },
    check: (graph, report, settings) => {
        const ports = settings.publicLoadBalancerPorts as number[];
        const seen = new Set<PolicyResource>();
        const judge = (rule: IngressRule, sg: PolicyResource | undefined): void => {
            if (!rule.world) {
                return;
            }
            const tcp = ["tcp", "6"].includes(String(rule.protocol).toLowerCase());
            const port = Number(rule.fromPort);
            const singleWebPort = tcp && Number(rule.toPort) === port && ports.includes(port);
            const publicLb = sg ? internetFacingLoadBalancersOf(graph, sg) : [];
            if (singleWebPort && publicLb.length > 0) {
                return;
            }
            const why = singleWebPort
                ? "its security group is not used by an internet-facing load balancer"
                : `protocol ${String(rule.protocol)} ports ${String(rule.fromPort)}-${String(rule.toPort)} is not a single allowed web port (${ports.join(", ")})`;
            report(`${rule.where} admits the whole internet: ${why}.`, rule.owner.urn);
        };
        for (const sg of graph.ofType(T.securityGroup)) {
            for (const rule of ingressRulesOf(graph, sg)) {
                seen.add(rule.owner);
                judge(rule, sg);
            }
        }
        // Rules whose group is not a resource of this stack cannot use the load-balancer exception.
        for (const r of graph.ofType(T.securityGroupIngressRule)) {
            if (!seen.has(r)) {
                judge(ingressRuleFromVpcRule(r), undefined);
            }
        }
        for (const r of graph.ofType(T.securityGroupRule)) {
            if (!seen.has(r) && peek(r.props, "type") === "ingress") {
                judge(ingressRuleFromEc2Rule(r), undefined);
            }
        }
    },
});

const loadBalancerNotInternetFacing = resourcePolicy({
    name: "load-balancer-not-internet-facing",
    category: "private-networking",
    severity: "high",
    summary:
        "When forbidInternetFacingLoadBalancers is on, application and network load balancers are internal (CloudFront is the only public entry).",
    remediation:
        "Set internal: true, place the load balancer in private subnets and reach it through a CloudFront VPC origin.",
    types: T.loadBalancer,
    configSchema: {
        properties: {
            forbidInternetFacingLoadBalancers: {
                type: "boolean",
                default: false,
                description: "Forbid internet-facing application and network load balancers.",
            },
        },
    },
    check: (props, report, settings) => {
        if (settings.forbidInternetFacingLoadBalancers !== true) {
            return;
        }
        const type = peek(props, "loadBalancerType");
        if (type === "gateway") {
            return;
        }
        const internal = peek(props, "internal");
        if (isUnknown(internal)) {
            readThrough(props, "internal");
        }
        if (internal !== true) {
            report(
                `The ${typeof type === "string" ? type : "application"} load balancer is internet-facing (internal is not true).`,
            );
        }
    },
});

const databaseSgOnlySgIngress = stackPolicy({
    name: "database-sg-only-sg-ingress",
    category: "private-networking",
    severity: "high",
    summary:
        "Security groups attached to Aurora clusters/instances admit only other security groups, never CIDR ranges or prefix lists.",
    remediation:
        "Replace CIDR ingress on the database security group with rules whose source is the application's security group (referencedSecurityGroupId / sourceSecurityGroupId / securityGroups).",
    types: [
        ...T.rdsCluster,
        ...T.rdsClusterInstance,
        ...T.securityGroup,
        ...T.securityGroupRule,
        ...T.securityGroupIngressRule,
    ],
    check: (graph, report) => {
        const dbGroups = new Set<PolicyResource>();
        for (const db of [...graph.ofType(T.rdsCluster), ...graph.ofType(T.rdsClusterInstance)]) {
            const groups = graph.via(db, "vpcSecurityGroupIds", T.securityGroup);
            if (groups.length > 0) {
                groups.forEach((g) => dbGroups.add(g));
            } else if ((T.rdsCluster as TypeGroup).includes(db.type)) {
                // Instances inherit the cluster's groups; only the cluster must name them.
                report(
                    isSet(db.props, "vpcSecurityGroupIds")
                        ? `${label(db)}: vpcSecurityGroupIds do not come from security groups in this stack, so their rules cannot be verified.`
                        : `${label(db)} has no vpcSecurityGroupIds and falls back to the VPC's default security group.`,
                    db.urn,
                );
            }
        }
        for (const sg of dbGroups) {
            for (const rule of ingressRulesOf(graph, sg)) {
                if (rule.addressSource) {
                    report(
                        `${rule.where} on database ${label(sg)} admits an address range instead of a security group.`,
                        rule.owner.urn,
                    );
                }
            }
        }
    },
});

const s3PublicAccessBlock = stackPolicy({
    name: "s3-bucket-public-access-block",
    category: "private-networking",
    severity: "critical",
    summary: "Every S3 bucket has a public access block with all four settings on.",
    remediation:
        "Add an aws.s3.BucketPublicAccessBlock with bucket: <bucket>.id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true.",
    types: [...T.bucket, ...T.bucketPublicAccessBlock],
    checkov: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"],
    trivy: ["AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091", "AVD-AWS-0093", "AVD-AWS-0094"],
    awsConfig: ["S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED"],
    check: (graph, report, _settings, later) => {
        const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        for (const bucket of graph.ofType(T.bucket)) {
            const blocks = graph.referrers(bucket, T.bucketPublicAccessBlock, "bucket");
            if (blocks.length === 0) {
                report(`${label(bucket)} has no BucketPublicAccessBlock.`, bucket.urn);
                continue;
            }
            const complete = blocks.some((b) => flags.every((f) => peek(b.props, f) === true));
            const unknownFlag = blocks.flatMap((b) =>
                flags.filter((f) => isUnknown(peek(b.props, f))).map((f) => [b, f] as const),
            )[0];
            if (!complete && unknownFlag) {
                later(() => readThrough(unknownFlag[0].props, unknownFlag[1]));
            } else if (!complete) {
                const missing = flags.filter((f) => !blocks.some((b) => peek(b.props, f) === true));
                report(`${label(bucket)}'s public access block leaves ${missing.join(", ")} off.`, bucket.urn);
            }
        }
    },
});

// ------------------------------------------------------------------------------------------------
// Multi-AZ
// ------------------------------------------------------------------------------------------------

/**
 * Applies an AZ minimum to a set of subnets: reports "no", and on "undecided" reads an unknown AZ through
 * the proxy so the engine turns it into its advisory instead of the policy passing or failing by guess.
 */
/** Reads whichever AZ field of `subnet` is unknown through the proxy (throws the engine's UnknownValueError). */
function readUnknownAz(subnet: PolicyResource): void {
    readThrough(
        subnet.props,
        isUnknown(peek(subnet.props, "availabilityZone")) ? "availabilityZone" : "availabilityZoneId",
    );
}

function checkAzMinimum(
    graph: ResourceGraph,
    subnets: PolicyResource[],
    min: number,
    later: Later,
    onShort: (detail: string) => void,
): void {
    const spread = graph.azSpread(subnets);
    const verdict = meetsAzMinimum(spread, min);
    if (verdict === "no") {
        onShort(describeAzs(spread));
    } else if (verdict === "undecided") {
        later(() => readUnknownAz(spread.unknown[0]));
    }
}

const subnetTiersSpanAzs = stackPolicy({
    name: "subnet-tiers-span-azs",
    category: "multi-az",
    severity: "medium",
    summary:
        "In each VPC, the public, private and isolated subnet tiers each span at least minAzCount availability zones.",
    remediation:
        "Create one subnet per tier in each of minAzCount AZs and set availabilityZone explicitly on each aws.ec2.Subnet.",
    types: T.subnet,
    configSchema: { properties: { minAzCount: minAzCountSchema } },
    check: (graph, report, settings, later) => {
        const min = settingNumber(settings, "minAzCount");
        const groups = new Map<string, PolicyResource[]>();
        for (const subnet of graph.ofType(T.subnet)) {
            const vpc = graph.via(subnet, "vpcId", T.vpc)[0];
            const key = `${vpc ? label(vpc) : "VPC outside this stack"}|${graph.tierOf(subnet)}`;
            groups.set(key, [...(groups.get(key) ?? []), subnet]);
        }
        for (const [key, subnets] of groups) {
            const [vpc, tier] = key.split("|");
            checkAzMinimum(graph, subnets, min, later, (detail) =>
                report(`The ${tier} subnets of ${vpc} span fewer than ${min} AZs (${detail}).`),
            );
        }
    },
});

const natGatewayPerAz = stackPolicy({
    name: "nat-gateway-per-az",
    category: "multi-az",
    severity: "medium",
    summary:
        "Every AZ that hosts private subnets hosts a NAT gateway, and each private subnet routes through the NAT gateway in its own AZ.",
    remediation:
        "Create one aws.ec2.NatGateway per AZ (in that AZ's public subnet) and give each AZ's private subnets a route table whose 0.0.0.0/0 route targets that NAT gateway.",
    types: [...T.subnet, ...T.natGateway],
    check: (graph, report, _settings, later) => {
        const natAzs = new Set<string>();
        for (const nat of graph.ofType(T.natGateway)) {
            const az = graph.azOfNatGateway(nat);
            if (az.state === "known") {
                natAzs.add(az.az);
            }
        }
        const missingAzs = new Map<string, string[]>();
        for (const subnet of graph.ofType(T.subnet)) {
            if (graph.tierOf(subnet) !== "private") {
                continue;
            }
            const az = graph.azOfSubnet(subnet);
            if (az.state === "unknown") {
                later(() => readUnknownAz(subnet));
                continue;
            }
            if (az.state !== "known") {
                report(
                    `Private ${label(subnet)} has no explicit availabilityZone, so its NAT placement cannot be checked.`,
                    subnet.urn,
                );
                continue;
            }
            if (!natAzs.has(az.az)) {
                missingAzs.set(az.az, [...(missingAzs.get(az.az) ?? []), subnet.name]);
                continue;
            }
            const natZones = graph.natGatewaysOf(subnet).map((n) => graph.azOfNatGateway(n));
            if (natZones.some((z) => z.state === "unknown")) {
                continue; // The NAT's subnet AZ is unknown; the per-AZ check above already passed.
            }
            if (!natZones.some((z) => z.state === "known" && z.az === az.az)) {
                const others = natZones.map((z) => (z.state === "known" ? z.az : "?")).join(", ");
                report(
                    `Private ${label(subnet)} in ${az.az} routes through a NAT gateway in ${others}, not its own AZ.`,
                    subnet.urn,
                );
            }
        }
        for (const [az, subnets] of missingAzs) {
            report(`AZ ${az} hosts private subnet(s) ${subnets.join(", ")} but no NAT gateway.`);
        }
    },
});

const auroraMultiAz = stackPolicy({
    name: "aurora-multi-az",
    category: "multi-az",
    severity: "medium",
    summary:
        "Each Aurora cluster has at least minInstances instances, is not pinned to one AZ, and its subnet group spans at least minAzCount AZs.",
    remediation:
        "Add a reader aws.rds.ClusterInstance (clusterIdentifier: cluster.id), leave instance availabilityZone unset or spread it, list ≥ 2 availabilityZones on the cluster if any, and build the subnet group from subnets in minAzCount AZs.",
    types: [...T.rdsCluster, ...T.rdsClusterInstance, ...T.rdsSubnetGroup],
    awsConfig: ["RDS_CLUSTER_MULTI_AZ_ENABLED"],
    configSchema: {
        properties: {
            minInstances: {
                type: "integer",
                minimum: 1,
                default: 2,
                description: "Minimum number of instances (writer + readers) per cluster.",
            },
            minAzCount: minAzCountSchema,
        },
    },
    check: (graph, report, settings, later) => {
        const minInstances = settingNumber(settings, "minInstances");
        const minAz = settingNumber(settings, "minAzCount");
        for (const cluster of graph.ofType(T.rdsCluster)) {
            if (peek(cluster.props, "engineMode") === "serverless") {
                continue; // Serverless v1 has no instances to spread.
            }
            const instances = graph.referrers(cluster, T.rdsClusterInstance, "clusterIdentifier");
            if (instances.length < minInstances) {
                report(
                    `${label(cluster)} has ${instances.length} instance(s); at least ${minInstances} are required for failover.`,
                    cluster.urn,
                );
            }
            const zones = peek(cluster.props, "availabilityZones");
            if (isUnknown(zones)) {
                later(() => readThrough(cluster.props, "availabilityZones"));
            } else if (Array.isArray(zones) && !zones.some(isUnknown) && new Set(zones).size < 2) {
                report(
                    `${label(cluster)} pins availabilityZones to ${zones.length === 0 ? "nothing" : zones.join(", ")}.`,
                    cluster.urn,
                );
            }
            // Only when every instance names its AZ can they all be pinned to one; unset means AWS spreads them.
            const placed = instances.map((i) => peek(i.props, "availabilityZone"));
            if (instances.length >= 2 && placed.every((z) => z !== undefined && z !== null)) {
                const known = new Set(placed.filter((z) => !isUnknown(z)));
                const unknownAt = placed.findIndex(isUnknown);
                if (known.size < 2 && unknownAt >= 0) {
                    later(() => readThrough(instances[unknownAt].props, "availabilityZone"));
                } else if (known.size === 1) {
                    report(`All instances of ${label(cluster)} are placed in ${String(placed[0])}.`, cluster.urn);
                }
            }
            const groups = graph.via(cluster, "dbSubnetGroupName", T.rdsSubnetGroup);
            if (groups.length === 0) {
                report(
                    isSet(cluster.props, "dbSubnetGroupName")
                        ? `${label(cluster)}: dbSubnetGroupName does not come from a SubnetGroup in this stack, so its AZ spread cannot be verified.`
                        : `${label(cluster)} has no dbSubnetGroupName and would land in the default VPC.`,
                    cluster.urn,
                );
                continue;
            }
            for (const group of groups) {
                checkAzMinimum(graph, graph.via(group, "subnetIds", T.subnet), minAz, later, (detail) =>
                    report(
                        `${label(group)} of ${label(cluster)} spans fewer than ${minAz} AZs (${detail}).`,
                        group.urn,
                    ),
                );
            }
        }
    },
});

const ecsServiceMultiAz = stackPolicy({
    name: "ecs-service-multi-az",
    category: "multi-az",
    severity: "medium",
    summary:
        "ECS services run at least minTasks tasks (desiredCount and autoscaling minCapacity) in subnets spanning at least minAzCount AZs.",
    remediation:
        "Set desiredCount ≥ minTasks, the aws.appautoscaling.Target's minCapacity ≥ minTasks (resourceId built from the service), and pass private subnets from minAzCount AZs.",
    types: [...T.ecsService, ...T.autoscalingTarget, ...T.subnet],
    configSchema: {
        properties: {
            minTasks: { type: "integer", minimum: 1, default: 2, description: "Minimum running tasks per service." },
            minAzCount: minAzCountSchema,
        },
    },
    check: (graph, report, settings, later) => {
        const minTasks = settingNumber(settings, "minTasks");
        const minAz = settingNumber(settings, "minAzCount");
        for (const service of graph.ofType(T.ecsService)) {
            if (peek(service.props, "schedulingStrategy") === "DAEMON") {
                continue;
            }
            const desired = peek(service.props, "desiredCount");
            const desiredCount = knownNumber(service.props, "desiredCount") ?? 0;
            if (isUnknown(desired)) {
                later(() => readThrough(service.props, "desiredCount"));
            } else if (desiredCount < minTasks) {
                report(
                    `${label(service)} has desiredCount ${desired === undefined ? "unset (0)" : desiredCount}; at least ${minTasks} are required.`,
                    service.urn,
                );
            }
            const serviceName = knownString(service.props, "name");
            const targets = graph.ofType(T.autoscalingTarget).filter((t) => {
                if ((t.propertyDependencies["resourceId"] ?? []).includes(service)) {
                    return true;
                }
                const id = knownString(t.props, "resourceId");
                return (
                    serviceName !== undefined &&
                    id !== undefined &&
                    id.startsWith("service/") &&
                    id.endsWith(`/${serviceName}`)
                );
            });
            for (const target of targets) {
                const min = peek(target.props, "minCapacity");
                if (isUnknown(min)) {
                    later(() => readThrough(target.props, "minCapacity"));
                } else if ((knownNumber(target.props, "minCapacity") ?? 0) < minTasks) {
                    report(
                        `${label(target)} lets ${label(service)} scale in to ${String(min)} task(s); minCapacity must be ≥ ${minTasks}.`,
                        target.urn,
                    );
                }
            }
            const subnets = graph.via(service, "networkConfiguration", T.subnet);
            // Without resolvable subnets ecs-service-private-subnets already reports the service.
            if (subnets.length > 0) {
                checkAzMinimum(graph, subnets, minAz, later, (detail) =>
                    report(`${label(service)}'s subnets span fewer than ${minAz} AZs (${detail}).`, service.urn),
                );
            }
        }
    },
});

const loadBalancerMultiAz = stackPolicy({
    name: "load-balancer-multi-az",
    category: "multi-az",
    severity: "medium",
    summary: "Load balancers are placed in subnets spanning at least minAzCount availability zones.",
    remediation:
        "Pass one subnet per AZ (minAzCount AZs) of this stack to the load balancer's subnets or subnetMappings.",
    types: [...T.loadBalancer, ...T.subnet],
    awsConfig: ["ELBV2_MULTIPLE_AZ"],
    configSchema: { properties: { minAzCount: minAzCountSchema } },
    check: (graph, report, settings, later) => {
        const minAz = settingNumber(settings, "minAzCount");
        for (const lb of graph.ofType(T.loadBalancer)) {
            const subnets = [...graph.via(lb, "subnets", T.subnet), ...graph.via(lb, "subnetMappings", T.subnet)];
            if (subnets.length === 0) {
                report(
                    `${label(lb)}: subnets do not come from aws.ec2.Subnet resources in this stack, so its AZ spread cannot be verified.`,
                    lb.urn,
                );
                continue;
            }
            checkAzMinimum(graph, subnets, minAz, later, (detail) =>
                report(`${label(lb)} spans fewer than ${minAz} AZs (${detail}).`, lb.urn),
            );
        }
    },
});

// ------------------------------------------------------------------------------------------------
// Exports
// ------------------------------------------------------------------------------------------------

const built: Built[] = [
    auroraStorageEncryptedCmk,
    rdsPerformanceInsightsCmk,
    secretsManagerCmk,
    logGroupCmk,
    snsTopicCmk,
    ecrRepositoryCmk,
    kmsKeyRotation,
    s3BucketKmsEncryption,
    albListenerTlsPolicy,
    albHttpListenerRedirects,
    cloudfrontViewerHttps,
    cloudfrontMinimumTls,
    cloudfrontOriginHttps,
    auroraForceSsl,
    bucketPolicyDeniesInsecureTransport,
    bucketHasTlsOnlyPolicy,
    subnetNoPublicIp,
    rdsNotPublic,
    rdsSubnetGroupNonPublic,
    ecsServiceNoPublicIp,
    ecsServicePrivateSubnets,
    securityGroupNoPublicIngress,
    loadBalancerNotInternetFacing,
    databaseSgOnlySgIngress,
    s3PublicAccessBlock,
    subnetTiersSpanAzs,
    natGatewayPerAz,
    auroraMultiAz,
    ecsServiceMultiAz,
    loadBalancerMultiAz,
];

/** Every policy of the pack, in catalog order. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = built.map((b) => b.policy);

/** Structured metadata for every policy (same order as {@link policies}); the README table is rendered from it. */
export const policyCatalog: readonly PolicyMetadata[] = built.map((b) => b.meta);
