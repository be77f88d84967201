/**
 * Pure builders for the JSON documents of a Fargate service: IAM policies, the container definition, the ECR
 * lifecycle policy and the access-log bucket policy. Pure, so that tests can read them statement by statement,
 * and called inside `pulumi.all(...).apply(...)` so that unknown ARNs are fine at preview.
 */

type Statement = Record<string, unknown>;
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Statement[];
}

const doc = (statements: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/**
 * Trust policy for ECS task roles. The account condition is the confused-deputy guard AWS documents for
 * `ecs-tasks.amazonaws.com`; the task role also pins the source ARN to this account's ECS resources.
 */
export function ecsTasksTrustPolicy(account: string, opts?: { sourceArn?: string }): PolicyDocument {
    const condition: Record<string, Record<string, string>> = { StringEquals: { "aws:SourceAccount": account } };
    if (opts?.sourceArn) condition.ArnLike = { "aws:SourceArn": opts.sourceArn };
    return doc([
        {
            Effect: "Allow",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: condition,
        },
    ]);
}

export interface ExecutionPolicyInput {
    /** Secrets Manager ARNs the container reads (whole-secret ARNs, without `:key::` suffixes). */
    secretArns: string[];
    /** The stack's KMS key, which encrypts those secrets. */
    kmsKeyArn: string;
    region: string;
    dnsSuffix: string;
    /**
     * The private ECR repository the image comes from: the service's own when it is built here, or the one a
     * prebuilt image names. A repository of another account also needs a repository policy on the owner's side
     * that lets this execution role (or this account) call the three pull actions: ECR checks both sides.
     */
    repositoryArn?: string;
    /** The service's log group ARN (without `:*`). */
    logGroupArn: string;
}

/**
 * What the ECS agent needs to start this service's tasks and nothing more: read exactly this service's
 * secrets (the execution role, not the task role, fetches container `secrets`: AWS 'Pass Secrets Manager secrets
 * through Amazon ECS environment variables'), decrypt them only through Secrets Manager, pull from the one private
 * ECR repository its image comes from, write
 * to this service's log group. Narrower than AmazonECSTaskExecutionRolePolicy, which allows every repository
 * and log group in the account.
 */
export function executionRolePolicy(p: ExecutionPolicyInput): PolicyDocument {
    const statements: Statement[] = [
        {
            Sid: "WriteOwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${p.logGroupArn}:*`,
        },
    ];
    if (p.repositoryArn) {
        statements.push(
            {
                Sid: "PullImageRepository",
                Effect: "Allow",
                Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                Resource: p.repositoryArn,
            },
            {
                // GetAuthorizationToken has no resource-level permissions: AWS requires "*" for it. The token
                // alone grants nothing; the pull actions above stay limited to the one repository.
                Sid: "EcrLogin",
                Effect: "Allow",
                Action: "ecr:GetAuthorizationToken",
                Resource: "*",
            },
        );
    }
    const secretArns = [...new Set(p.secretArns)].sort();
    if (secretArns.length > 0) {
        statements.push(
            { Sid: "ReadOwnSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns },
            {
                // The secrets are encrypted with the stack's CMK; decrypting is allowed only on Secrets Manager's behalf.
                Sid: "DecryptSecretsViaSecretsManager",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: p.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${p.region}.${p.dnsSuffix}` } },
            },
        );
    }
    return doc(statements);
}

/**
 * Task-role statements for ECS Exec: the SSM channels the agent inside the task opens (AWS documents "*"), the
 * cluster's session key (sessions are encrypted with the stack's CMK), and the service's own log group, where
 * the cluster's DEFAULT logging writes session transcripts.
 */
export function execCommandPolicy(p: { kmsKeyArn: string; logGroupArn: string }): PolicyDocument {
    return doc([
        {
            Sid: "EcsExecChannels",
            Effect: "Allow",
            Action: [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel",
            ],
            Resource: "*",
        },
        { Sid: "EcsExecSessionKey", Effect: "Allow", Action: "kms:Decrypt", Resource: p.kmsKeyArn },
        {
            Sid: "EcsExecSessionLogs",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
            Resource: `${p.logGroupArn}:*`,
        },
        // The agent checks the group's encryption before it writes; DescribeLogGroups has no resource scoping.
        { Sid: "EcsExecDescribeLogGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
    ]);
}

/**
 * Task-role statement for IAM database authentication: connect as one PostgreSQL user of one cluster, with
 * short-lived tokens instead of a stored password.
 */
export function databaseConnectPolicy(p: {
    partition: string;
    region: string;
    account: string;
    clusterResourceId: string;
    user: string;
}): PolicyDocument {
    return doc([
        {
            Sid: "ConnectAsOwnDatabaseUser",
            Effect: "Allow",
            Action: "rds-db:connect",
            Resource: `arn:${p.partition}:rds-db:${p.region}:${p.account}:dbuser:${p.clusterResourceId}/${p.user}`,
        },
    ]);
}

/** Access a service declares to an application data bucket. */
export type BucketAccess = "read" | "read-write";

/** What a service may do with a bucket's objects, by access level (ListBucket is on the bucket itself). */
export const BUCKET_OBJECT_ACTIONS: Record<BucketAccess, string[]> = {
    read: ["s3:GetObject"],
    // PutObject also covers the parts of a multipart upload; aborting one is an action of its own.
    "read-write": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
};

export interface BucketGrant {
    /** The bucket's config name, for statement ids. */
    name: string;
    arn: string;
    /** The key its objects are encrypted with. */
    kmsKeyArn: string;
    access: BucketAccess;
}

/** `videos` → `Videos`, `raw-uploads` → `RawUploads`: statement ids allow only letters and digits. */
const sidPart = (name: string) =>
    name
        .split("-")
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join("");

/**
 * Task-role statements for the application data buckets a service lists: per bucket, ListBucket on the bucket and
 * exactly the object actions of its access level on its objects; per key, Decrypt for every listed bucket and
 * GenerateDataKey for the read-write ones (a write needs a data key; reads, and the parts of a multipart upload,
 * need Decrypt). The key may be used only through S3 in this region, and only for these buckets: S3 puts the bucket's
 * ARN in the encryption context when the bucket uses an S3 Bucket Key, and the object's ARN for an object written
 * with the Bucket Key turned off, so both forms of exactly these buckets are allowed (AWS S3 'Reducing the cost of
 * SSE-KMS with Amazon S3 Bucket Keys'; 'Protecting data with SSE-KMS', encryption context).
 */
export function bucketAccessPolicy(p: { buckets: BucketGrant[]; region: string; dnsSuffix: string }): PolicyDocument {
    const buckets = [...p.buckets].sort((a, b) => a.name.localeCompare(b.name));
    const statements: Statement[] = buckets.flatMap((b) => [
        { Sid: `List${sidPart(b.name)}`, Effect: "Allow", Action: "s3:ListBucket", Resource: b.arn },
        {
            Sid: `${b.access === "read" ? "Read" : "ReadWrite"}${sidPart(b.name)}Objects`,
            Effect: "Allow",
            Action: BUCKET_OBJECT_ACTIONS[b.access],
            Resource: `${b.arn}/*`,
        },
    ]);
    const viaS3 = `s3.${p.region}.${p.dnsSuffix}`;
    const contexts = (list: BucketGrant[]) => list.flatMap((b) => [b.arn, `${b.arn}/*`]);
    for (const key of [...new Set(buckets.map((b) => b.kmsKeyArn))]) {
        const withKey = buckets.filter((b) => b.kmsKeyArn === key);
        const writable = withKey.filter((b) => b.access === "read-write");
        const keyStatement = (sid: string, action: string, list: BucketGrant[]) => ({
            Sid: sid,
            Effect: "Allow",
            Action: action,
            Resource: key,
            Condition: {
                StringEquals: { "kms:ViaService": viaS3 },
                StringLike: { "kms:EncryptionContext:aws:s3:arn": contexts(list) },
            },
        });
        const suffix = withKey.length === buckets.length ? "" : String(statements.length);
        statements.push(keyStatement(`DecryptBucketObjects${suffix}`, "kms:Decrypt", withKey));
        if (writable.length > 0) {
            statements.push(keyStatement(`EncryptBucketObjects${suffix}`, "kms:GenerateDataKey", writable));
        }
    }
    return doc(statements);
}

export interface ContainerInput {
    name: string;
    image: string;
    command?: string[];
    port?: number;
    environment: Record<string, string>;
    /** Env var name → `valueFrom` (a secret ARN, or `<arn>:<json key>::`). */
    secrets: Record<string, string>;
    scratchPaths: string[];
    user?: string;
    logGroupName: string;
    region: string;
}

/** Name of the task volume that backs scratch path `i`. */
export const scratchVolumeName = (i: number) => `scratch-${i}`;

/**
 * The container definition: read-only root filesystem with ephemeral scratch volumes where the app writes,
 * no privileges, every Linux capability dropped, an init process that reaps zombies and forwards signals,
 * credentials only as `secrets` (resolved by ECS at start, never in the task definition), logs to the
 * service's own group.
 */
export function containerDefinition(c: ContainerInput): Record<string, unknown> {
    const byName = <T>(o: Record<string, T>) =>
        Object.keys(o)
            .sort()
            .map((k) => [k, o[k]] as const);
    return {
        name: c.name,
        image: c.image,
        essential: true,
        ...(c.command ? { command: c.command } : {}),
        ...(c.port !== undefined ? { portMappings: [{ name: "http", containerPort: c.port, protocol: "tcp" }] } : {}),
        environment: byName(c.environment).map(([name, value]) => ({ name, value })),
        secrets: byName(c.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
        readonlyRootFilesystem: true,
        privileged: false,
        ...(c.user ? { user: c.user } : {}),
        linuxParameters: { capabilities: { drop: ["ALL"] }, initProcessEnabled: true },
        mountPoints: c.scratchPaths.map((p, i) => ({
            sourceVolume: scratchVolumeName(i),
            containerPath: p,
            readOnly: false,
        })),
        volumesFrom: [],
        logConfiguration: {
            logDriver: "awslogs",
            options: {
                "awslogs-group": c.logGroupName,
                "awslogs-region": c.region,
                "awslogs-stream-prefix": c.name,
                // Non-blocking: a CloudWatch Logs hiccup must not stall the application's stdout writes; the
                // buffer absorbs bursts (lines beyond it are dropped rather than freezing the service).
                mode: "non-blocking",
                "max-buffer-size": "25m",
            },
        },
    };
}

/** Keep the newest `keep` images; delete untagged images after `untaggedDays` days. */
export function ecrLifecyclePolicy(keep: number, untaggedDays: number): string {
    return JSON.stringify({
        rules: [
            {
                rulePriority: 1,
                description: `Expire untagged images after ${untaggedDays} days`,
                selection: {
                    tagStatus: "untagged",
                    countType: "sinceImagePushed",
                    countUnit: "days",
                    countNumber: untaggedDays,
                },
                action: { type: "expire" },
            },
            {
                // A rule with tagStatus "any" must have the lowest priority (highest number).
                rulePriority: 2,
                description: `Keep the last ${keep} images`,
                selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
                action: { type: "expire" },
            },
        ],
    });
}

/**
 * Regions that existed before August 2022, where ELB delivers access logs as a regional AWS account
 * (aws.elb.getServiceAccount); newer regions use the logdelivery.elasticloadbalancing.amazonaws.com service
 * principal only (AWS "Enable access logs for your Application Load Balancer").
 */
export const LEGACY_ELB_LOG_REGIONS = new Set([
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-north-1",
    "me-south-1",
    "sa-east-1",
    "us-gov-west-1",
    "us-gov-east-1",
    "cn-north-1",
    "cn-northwest-1",
]);

export interface LogBucketPolicyInput {
    bucketArn: string;
    prefix: string;
    account: string;
    /** The regional ELB account ARN (legacy regions only). */
    elbAccountArn?: string;
}

/**
 * Lets Elastic Load Balancing write access logs under `<prefix>/AWSLogs/<account>/` only, and refuses every
 * request that is not TLS. Both principals are granted where the regional account exists: AWS documents the
 * account for older regions and the service principal for newer ones, and a service principal grant is inert
 * where unused.
 */
export function logBucketPolicy(p: LogBucketPolicyInput): PolicyDocument {
    const logs = `${p.bucketArn}/${p.prefix}/AWSLogs/${p.account}/*`;
    const statements: Statement[] = [
        {
            Sid: "ElbLogDeliveryService",
            Effect: "Allow",
            Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: logs,
        },
    ];
    if (p.elbAccountArn) {
        statements.push({
            Sid: "ElbLogDeliveryRegionalAccount",
            Effect: "Allow",
            Principal: { AWS: p.elbAccountArn },
            Action: "s3:PutObject",
            Resource: logs,
        });
    }
    statements.push({
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [p.bucketArn, `${p.bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    return doc(statements);
}
