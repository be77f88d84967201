import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** One application secret. Only its name and description come from config; the value is generated. */
export interface AppSecretArgs {
    /** Name that services use to refer to the secret. Required: it is also part of the secret's name. */
    name: string;
    /** Shown in the Secrets Manager console. Required: say who uses it and why, so nobody deletes it blind. */
    description: string;
    /** Length of the generated value. Default 32: ~190 bits, beyond brute force. */
    length?: number;
    /**
     * Leave punctuation out of the value, for consumers that cannot quote it. Default false: more entropy per
     * character.
     */
    excludePunctuation?: boolean;
}

export interface SecretsStoreArgs {
    /**
     * The key alias, without `alias/`. Required: aliases are unique per account and region, so the caller
     * names it after the project and stack.
     */
    aliasName: string;
    /** Days AWS waits before deleting the key. Default 30, the maximum, so a mistaken delete can be cancelled. */
    keyDeletionWindowDays?: number;
    /**
     * Days a deleted secret can be restored. Default 30, the longest AWS allows, to undo a mistaken deletion. 0 deletes
     * at once: only for disposable stacks.
     */
    recoveryWindowDays?: number;
    /** Application secrets to create. Default none: only the key and its alias exist until an application needs one. */
    appSecrets?: AppSecretArgs[];
    /**
     * Keep the key when the stack is destroyed (Pulumi `protect` and `retainOnDelete`). Default true: final
     * snapshots, retained backups and secrets in their recovery window are encrypted with it and outlive the stack;
     * without the key they can never be read again. Only a stack that keeps nothing after a destroy turns it off.
     */
    protectKey?: boolean;
    /**
     * AWS services that may use the key as themselves, beyond CloudWatch Logs and CloudWatch alarms (always allowed).
     * Default none.
     */
    serviceAccess?: KeyServiceAccess;
}

/**
 * AWS services that later components may let use the key, each only for this account's resources. All default to
 * false: a statement is added only for a service that actually encrypts with this key.
 */
export interface KeyServiceAccess {
    /**
     * CloudFront distributions of this account may decrypt objects: an SSE-KMS static-assets bucket read through
     * origin access control. Default false.
     */
    cloudFrontDistributions?: boolean;
    /** EventBridge rules may publish to this account's SNS topics encrypted with the key. Default false. */
    eventBridgeToSns?: boolean;
    /** AWS Budgets notifications may publish to this account's SNS topics encrypted with the key. Default false. */
    budgetsToSns?: boolean;
}

export interface KeyPolicyInput {
    accountId: string;
    /** The key's region, which is the region of the provider the SecretsStore was created with. */
    region: string;
    partition: string;
    /** `amazonaws.com`, or `amazonaws.com.cn` in China: the CloudWatch Logs service principal's suffix. */
    dnsSuffix: string;
    services?: KeyServiceAccess;
}

/** Actions CloudWatch Logs needs to encrypt and decrypt a log group's events; no administrative actions. */
const LOGS_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"];
/** What a service publishing to an encrypted SNS topic needs: a data key to encrypt the message, and Decrypt. */
const SNS_PUBLISH_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey*"];

type Statement = Record<string, unknown>;

/**
 * A publisher service may use the key for messages to this account's SNS topics in the key's region only. SNS binds
 * every data key to the topic with the encryption context `aws:sns:topicArn` (the condition AWS's own template for
 * service publishers uses, AWS SNS 'Enable compatibility between event sources from AWS services and encrypted
 * topics'), so the condition holds whatever the publishing service puts in the request. `extra` adds conditions a
 * publisher is documented to send on this path.
 */
function snsPublisher(
    sid: string,
    service: string,
    p: KeyPolicyInput,
    extra: Record<string, Record<string, string>> = {},
): Statement {
    return {
        Sid: sid,
        Effect: "Allow",
        Principal: { Service: service },
        Action: SNS_PUBLISH_ACTIONS,
        Resource: "*",
        Condition: {
            ...extra,
            ArnLike: {
                "kms:EncryptionContext:aws:sns:topicArn": `arn:${p.partition}:sns:${p.region}:${p.accountId}:*`,
            },
        },
    };
}

/**
 * Builds the key policy. Pure, so that tests can read it statement by statement.
 *
 * The account root administers the key, and that statement is also what lets IAM policies grant its use (AWS KMS
 * 'Default key policy'): every principal of this account (the deployer, the ECS execution and task roles, the IAM
 * users function) uses the key only through its own IAM policy, which names this key and, where it can, the
 * service it goes through. Services that act for such a principal (RDS storage and Performance Insights, Secrets
 * Manager, ECR, SNS) check that principal's permissions and create their grants with them, so they need no
 * statement of their own. Only services that call KMS as themselves, with no IAM policy to carry the permission,
 * get a statement here, each limited to this account's resources.
 */
export function keyPolicy(p: KeyPolicyInput): string {
    const { accountId, region, partition, dnsSuffix } = p;
    const services = p.services ?? {};
    const statements: Statement[] = [
        {
            // Without it the key becomes unmanageable (AWS KMS 'Default key policy'); it grants nothing by itself
            // to anyone but the IAM policies of this account.
            Sid: "AccountAdministersKey",
            Effect: "Allow",
            Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
            Action: "kms:*",
            Resource: "*",
        },
        {
            // CloudWatch Logs encrypts each log group with the key as the regional service principal; the context
            // pins it to this account's groups in this region (AWS CloudWatch Logs 'Encrypt log data in CloudWatch
            // Logs using AWS Key Management Service', step 2).
            Sid: "CloudWatchLogsUse",
            Effect: "Allow",
            Principal: { Service: `logs.${region}.${dnsSuffix}` },
            Action: LOGS_ACTIONS,
            Resource: "*",
            Condition: {
                ArnLike: {
                    "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
                },
            },
        },
        // Alarms publish to a CMK-encrypted SNS topic as cloudwatch.amazonaws.com; without this they deploy but never
        // deliver. aws:SourceAccount keeps it to this account's alarms (the confused-deputy guard AWS documents for
        // service principals that publish to encrypted topics, whose key policy examples scope by the source the
        // same way); the encryption context, which SNS sets itself on every data key, keeps it to SNS messages of
        // this account's topics in the key's region.
        snsPublisher("CloudWatchAlarmsPublishToEncryptedSns", "cloudwatch.amazonaws.com", p, {
            StringEquals: { "aws:SourceAccount": p.accountId },
        }),
    ];
    if (services.cloudFrontDistributions) {
        statements.push({
            // Origin access control reads SSE-KMS objects as cloudfront.amazonaws.com (AWS CloudFront 'Restrict
            // access to an Amazon S3 origin', SSE-KMS). Any distribution of this account rather than one ARN: the
            // distribution is created after the key, and naming it here would make a cycle. Decrypt only: nothing
            // is uploaded through CloudFront.
            Sid: "CloudFrontReadsEncryptedObjects",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: { ArnLike: { "AWS:SourceArn": `arn:${partition}:cloudfront::${accountId}:distribution/*` } },
        });
    }
    if (services.eventBridgeToSns) {
        // Only the encryption context: EventBridge supports no conditions on its SNS delivery path (AWS EventBridge
        // 'Amazon SNS permissions'), and a source condition it does not send would drop every event silently.
        statements.push(snsPublisher("EventBridgePublishesToEncryptedSns", "events.amazonaws.com", p));
    }
    if (services.budgetsToSns) {
        // Budgets documents aws:SourceAccount and aws:SourceArn for the topic policy only (AWS Cost Management
        // 'Creating an Amazon SNS topic for budget notifications'), not for the key: the topic policy carries them.
        statements.push(snsPublisher("BudgetsPublishToEncryptedSns", "budgets.amazonaws.com", p));
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * A customer-managed KMS key with rotation, and the application's secrets encrypted with it.
 * Every other component encrypts with this key: log groups, the database, its master secret, SNS and ECR.
 */
export class SecretsStore extends pulumi.ComponentResource {
    public readonly keyArn: pulumi.Output<string>;
    public readonly keyId: pulumi.Output<string>;
    public readonly aliasArn: pulumi.Output<string>;
    /** Secrets Manager ARNs by the secret's config name. */
    public readonly secretArns: Record<string, pulumi.Output<string>>;
    /**
     * Each secret's value, by config name. A secret exists before its first value: whatever reads the value when it
     * starts (an ECS task's container secrets) waits for this, or its first start fails with no value to read.
     */
    public readonly secretVersions: Record<string, aws.secretsmanager.SecretVersion>;

    constructor(name: string, args: SecretsStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:SecretsStore", name, {}, opts);
        // Data sources called with `parent: this` use this component's provider, so a SecretsStore created with a
        // provider for another region (us-east-1 for CloudFront and WAF logs) gets that region's logs principal.
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this });
        const region = aws.getRegionOutput({}, { parent: this });

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Platform key for ${args.aliasName}: logs, database, secrets, SNS and ECR`,
                keyUsage: "ENCRYPT_DECRYPT",
                customerMasterKeySpec: "SYMMETRIC_DEFAULT",
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: args.keyDeletionWindowDays ?? 30,
                policy: pulumi
                    .all([identity.accountId, region.region, partition.partition, partition.dnsSuffix])
                    .apply(([accountId, reg, part, dns]) =>
                        keyPolicy({
                            accountId,
                            region: reg,
                            partition: part,
                            dnsSuffix: dns,
                            services: args.serviceAccess,
                        }),
                    ),
            },
            { parent: this, protect: args.protectKey ?? true, retainOnDelete: args.protectKey ?? true },
        );
        const alias = new aws.kms.Alias(
            `${name}-alias`,
            { name: `alias/${args.aliasName}`, targetKeyId: key.keyId },
            { parent: this },
        );

        this.secretArns = {};
        this.secretVersions = {};
        for (const s of args.appSecrets ?? []) {
            const secret = new aws.secretsmanager.Secret(
                `${name}-${s.name}`,
                {
                    // Auto-named: a fixed name could not be reused for the whole recovery window after a delete.
                    namePrefix: `${args.aliasName}/${s.name}-`,
                    description: s.description,
                    kmsKeyId: key.arn,
                    recoveryWindowInDays: args.recoveryWindowDays ?? 30,
                },
                { parent: this },
            );
            // Every argument of the generator is fixed: a new length or alphabet generates a new value, which the
            // secret version then holds; running tasks keep the old one until their next deployment.
            const value = new random.RandomPassword(
                `${name}-${s.name}-value`,
                {
                    length: s.length ?? 32,
                    special: !(s.excludePunctuation ?? false),
                    // Characters that survive shells, URLs in connection strings and JSON without escaping.
                    overrideSpecial: "!#%*-_=+:.~",
                    minLower: 1,
                    minUpper: 1,
                    minNumeric: 1,
                },
                { parent: this },
            );
            this.secretVersions[s.name] = new aws.secretsmanager.SecretVersion(
                `${name}-${s.name}-version`,
                { secretId: secret.id, secretString: pulumi.secret(value.result) },
                { parent: this },
            );
            this.secretArns[s.name] = secret.arn;
        }

        this.keyArn = key.arn;
        this.keyId = key.keyId;
        this.aliasArn = alias.arn;
        this.registerOutputs({
            keyArn: this.keyArn,
            keyId: this.keyId,
            aliasArn: this.aliasArn,
            secretArns: this.secretArns,
        });
    }
}
