import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** One application secret. Only its name and description come from config; the value is generated. */
export interface AppSecretArgs {
    /** Name that services use to refer to the secret. */
    name: string;
    /** Shown in the Secrets Manager console; say who uses it and why. */
    description: string;
    /** Length of the generated value. Default 32: ~190 bits, beyond brute force. */
    length?: number;
    /** Leave punctuation out of the value, for consumers that cannot quote it. Default false: more entropy per character. */
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
    /** Days a deleted secret can be restored. Default 30. 0 deletes at once: only for disposable stacks. */
    recoveryWindowDays?: number;
    /** Application secrets to create. Default none. */
    appSecrets?: AppSecretArgs[];
}

/** Actions a service needs to encrypt and decrypt with the key; no administrative actions. */
const USE_ACTIONS = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"];

/**
 * Builds the key policy. Pure, so that tests can read it statement by statement.
 * The account root stays administrator (otherwise the key becomes unmanageable), and each service the
 * platform encrypts with gets exactly the use it needs, scoped to this account.
 */
export function keyPolicy(accountId: string, region: string, partition: string, dnsSuffix: string): string {
    const root = `arn:${partition}:iam::${accountId}:root`;
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersKey",
                Effect: "Allow",
                Principal: { AWS: root },
                Action: "kms:*",
                Resource: "*",
            },
            {
                // CloudWatch Logs encrypts each log group with the key; the context pins it to this account's groups.
                Sid: "CloudWatchLogsUse",
                Effect: "Allow",
                Principal: { Service: `logs.${region}.${dnsSuffix}` },
                Action: USE_ACTIONS,
                Resource: "*",
                Condition: {
                    ArnLike: {
                        "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*`,
                    },
                },
            },
            {
                // Alarms publish to a CMK-encrypted SNS topic as cloudwatch.amazonaws.com; without this they never deliver.
                Sid: "CloudWatchAlarmsPublishToEncryptedSns",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
            {
                // RDS (storage, Performance Insights, master secret), Secrets Manager, ECR and SNS use the key on behalf
                // of principals in this account, through grants they create themselves.
                Sid: "AwsServicesUseOnBehalfOfAccount",
                Effect: "Allow",
                Principal: { AWS: "*" },
                Action: [...USE_ACTIONS, "kms:CreateGrant", "kms:ListGrants"],
                Resource: "*",
                Condition: {
                    StringEquals: {
                        "kms:CallerAccount": accountId,
                        "kms:ViaService": ["rds", "secretsmanager", "ecr", "sns"].map(
                            (s) => `${s}.${region}.${dnsSuffix}`,
                        ),
                    },
                },
            },
        ],
    });
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

    constructor(name: string, args: SecretsStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:SecretsStore", name, {}, opts);
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
                    .apply(([account, reg, part, dns]) => keyPolicy(account, reg, part, dns)),
            },
            { parent: this },
        );
        const alias = new aws.kms.Alias(
            `${name}-alias`,
            { name: `alias/${args.aliasName}`, targetKeyId: key.keyId },
            { parent: this },
        );

        this.secretArns = {};
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
            new aws.secretsmanager.SecretVersion(
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
