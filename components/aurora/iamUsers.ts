import { createHash } from "crypto";
import { readFileSync } from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { databaseNameProblem, MAX_USERS, userNameProblem } from "./iam-users-handler";

/**
 * The PostgreSQL users that services log in as with IAM database authentication, created inside the database by a
 * small Lambda function that Pulumi invokes through the RDS Data API.
 *
 * Why this shape: the cluster sits in isolated subnets behind a security group that admits only the services, and
 * its master password lives in an RDS-managed secret. The Data API is an AWS HTTPS endpoint that runs SQL on the
 * writer with a Secrets Manager secret, so nothing new enters the VPC, no security-group rule opens, and the master
 * secret is read inside AWS by the Data API on the function's behalf: never by Pulumi, never in state or outputs.
 *
 * What AWS requires (checked against the AWS documents named):
 * - "Supported Regions and Aurora DB engines for RDS Data API": Aurora PostgreSQL provisioned and Serverless v2
 *   clusters from 13.11, 14.8, 15.3, 16.1 and 17.4 (18.3) on, in most but not all Regions (DATA_API_FROM, in
 *   dataApi.ts).
 * - "Limitations for the Amazon RDS Data API": queries run on the writer only; T instance classes are not supported;
 *   on 14 and later the password encryption must be scram-sha-256 (the engine default there).
 * - "EnableHttpEndpoint" (RDS API): for Serverless v2 and provisioned clusters the endpoint is turned on by this
 *   operation, which the cluster's `enableHttpEndpoint: true` performs in @pulumi/aws v7 (terraform-provider-aws
 *   #38997 made the argument call it for provisioned clusters, not only `serverless` engine mode). The v7 docs of
 *   `aws.rds.Cluster.enableHttpEndpoint`: valid for some engine/version combinations and Regions only, and not
 *   applied together with `snapshotIdentifier`, `replicationSourceIdentifier` or `s3Import`.
 * - "Authorizing access to the Amazon RDS Data API": the caller needs `rds-data:ExecuteStatement` on the cluster ARN
 *   and `secretsmanager:GetSecretValue` on the secret, because the Data API calls Secrets Manager as the caller; the
 *   RDS-managed master secret (`manageMasterUserPassword`) is an ordinary secret with `username` and `password`.
 *   Secrets Manager decrypts with the caller's permissions too ("Secret encryption and decryption in AWS Secrets
 *   Manager": `kms:Decrypt` on the CMK), so the role may decrypt with the key through Secrets Manager only.
 * - "DatabaseResumingException" (RDS Data API errors): a paused Serverless v2 instance (0 ACUs) is resumed by the
 *   request itself, which is cancelled with that error; the handler retries it with backoff within its timeout.
 */

type Statement = Record<string, unknown>;
export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Statement[];
}
const doc = (statements: Statement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/** Lambda may assume the role only for functions of this account (the confused-deputy guard). */
export function iamUsersTrustPolicy(accountId: string): PolicyDocument {
    return doc([
        {
            Sid: "LambdaForThisAccount",
            Effect: "Allow",
            Principal: { Service: "lambda.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "aws:SourceAccount": accountId } },
        },
    ]);
}

export interface IamUsersPolicyInput {
    clusterArn: string;
    secretArn: string;
    kmsKeyArn: string;
    /** The function's own log group (ARN without `:*`). */
    logGroupArn: string;
    region: string;
    dnsSuffix: string;
}

/**
 * Exactly what the function needs: run SQL on this one cluster through the Data API, read this one secret, decrypt
 * with this one key and only through Secrets Manager, and write to its own log group. No transaction actions (every
 * statement commits on its own) and no VPC access (the Data API is an AWS endpoint, not a connection to the VPC).
 */
export function iamUsersPolicy(p: IamUsersPolicyInput): PolicyDocument {
    return doc([
        {
            Sid: "RunSqlOnThisClusterThroughDataApi",
            Effect: "Allow",
            Action: "rds-data:ExecuteStatement",
            Resource: p.clusterArn,
        },
        {
            Sid: "ReadTheMasterSecret",
            Effect: "Allow",
            Action: "secretsmanager:GetSecretValue",
            Resource: p.secretArn,
        },
        {
            Sid: "DecryptTheMasterSecretThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: p.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${p.region}.${p.dnsSuffix}` } },
        },
        {
            Sid: "WriteOwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${p.logGroupArn}:*`,
        },
    ]);
}

export interface IamDatabaseUsersArgs {
    /** The Aurora cluster's ARN. Required: the Data API target, and the only resource the function may run SQL on. */
    clusterArn: pulumi.Input<string>;
    /**
     * The cluster's RDS-managed master secret, by ARN. Required: the Data API signs in with it; its value never leaves
     * AWS.
     */
    masterSecretArn: pulumi.Input<string>;
    /**
     * The platform CMK. Required: it encrypts the master secret (the function may decrypt it) and the function's log
     * group.
     */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * The database the users may connect to. Required, as the cluster's `databaseName`: users are granted CONNECT on
     * it.
     */
    databaseName: string;
    /**
     * The cluster's master user. Required, so that it is refused in `users`: `GRANT rds_iam` would make it IAM-only and
     * lock out its password.
     */
    masterUsername: string;
    /**
     * PostgreSQL users to create. Required, at least one: without users there is nothing to create, and the caller
     * creates no function at all. Duplicates collapse and order does not matter. Never dropped when removed from the
     * list: a role may own tables, and dropping it is a manual decision.
     */
    users: string[];
    /**
     * The account the cluster is in. Required: the role's trust policy admits Lambda only for it (aws:SourceAccount).
     */
    accountId: pulumi.Input<string>;
    /** The cluster's region. Required: the role's KMS `ViaService` conditions name the region's endpoints. */
    region: pulumi.Input<string>;
    /**
     * `amazonaws.com`, or `amazonaws.com.cn` in China. Required, from the partition: the service endpoints in KMS
     * `ViaService` conditions end with it.
     */
    dnsSuffix: pulumi.Input<string>;
    /** Resources the invocation waits for, above all the writer instance (the Data API runs on it). Default none. */
    dependsOn?: pulumi.Input<pulumi.Resource>[];
    /**
     * Retention of the function's log. Default 365 days, as the PostgreSQL log: a year of evidence of who was granted
     * access.
     */
    logRetentionDays?: number;
    /**
     * Function timeout in seconds, 60-900. Default 300: resuming a paused Serverless v2 writer usually takes seconds
     * but can take longer after a long pause, and the handler stops retrying 10 s before the timeout to report it.
     */
    timeoutSeconds?: number;
    /**
     * Reserve one concurrent execution, so that a manual invoke during a `pulumi up` never races it. Default false:
     * Lambda refuses any reservation that leaves fewer than 10 unreserved executions, which is every account still on
     * the new-account quota of 10, and the statements are guarded and idempotent, so a race fails one run at worst.
     */
    reserveConcurrency?: boolean;
}

export interface IamDatabaseUsers {
    /** Services that connect as one of the users depend on this, so that no task starts before its user exists. */
    invocation: aws.lambda.Invocation;
    functionName: pulumi.Output<string>;
}

const HANDLER_FILE = path.join(__dirname, "iam-users-handler", "index.js");

/** Sorted unique users, or every problem with the arguments at once. */
export function checkIamUsersArgs(
    name: string,
    args: Pick<IamDatabaseUsersArgs, "users" | "databaseName" | "masterUsername" | "timeoutSeconds">,
): string[] {
    const at = `IAM database users of ${name}`;
    const problems: string[] = [];
    const database = databaseNameProblem(args.databaseName);
    if (database) problems.push(`${at}: databaseName ${database}`);
    const users = [...new Set(args.users)].sort();
    if (users.length === 0) problems.push(`${at}: no users; create this only when a service has databaseIamUser`);
    if (users.length > MAX_USERS) problems.push(`${at}: ${users.length} users; at most ${MAX_USERS}`);
    for (const user of users) {
        const problem = userNameProblem(user);
        if (problem) problems.push(`${at}: user ${problem}`);
        else if (user === args.masterUsername) {
            problems.push(`${at}: user "${user}" is the master user; GRANT rds_iam would lock out its password`);
        }
    }
    const timeout = args.timeoutSeconds ?? 300;
    if (!Number.isInteger(timeout) || timeout < 60 || timeout > 900) {
        problems.push(`${at}: timeoutSeconds ${timeout} is not a whole number of seconds from 60 to 900`);
    }
    return problems;
}

/**
 * Creates the function, its role, log group and the invocation that runs it whenever the user list (or the
 * handler's code) changes; `pulumi up` fails if any statement fails. Children are named `<name>-iam-users...` and
 * parented to `parent` (the AuroraCluster component).
 */
export function createIamDatabaseUsers(
    parent: pulumi.Resource,
    name: string,
    args: IamDatabaseUsersArgs,
): IamDatabaseUsers {
    const problems = checkIamUsersArgs(name, args);
    if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));
    const users = [...new Set(args.users)].sort();
    const code = readFileSync(HANDLER_FILE);
    const prefix = `${name}-iam-users`;

    // Pre-created so that Lambda never creates /aws/lambda/<function> itself, unencrypted and kept forever; the
    // function is pointed at it through loggingConfig, and its role may write nowhere else.
    const logGroup = new aws.cloudwatch.LogGroup(
        `${prefix}-log`,
        {
            namePrefix: `/aws/lambda/${prefix}-`,
            retentionInDays: args.logRetentionDays ?? 365,
            kmsKeyId: args.kmsKeyArn,
        },
        { parent },
    );

    const role = new aws.iam.Role(
        prefix,
        {
            description: `Creates the IAM database users of ${name} through the RDS Data API`,
            assumeRolePolicy: pulumi
                .output(args.accountId)
                .apply((account) => JSON.stringify(iamUsersTrustPolicy(account))),
        },
        { parent },
    );
    const policy = new aws.iam.RolePolicy(
        prefix,
        {
            role: role.id,
            policy: pulumi
                .all([args.clusterArn, args.masterSecretArn, args.kmsKeyArn, logGroup.arn, args.region, args.dnsSuffix])
                .apply(([clusterArn, secretArn, kmsKeyArn, logGroupArn, region, dnsSuffix]) =>
                    JSON.stringify(
                        iamUsersPolicy({ clusterArn, secretArn, kmsKeyArn, logGroupArn, region, dnsSuffix }),
                    ),
                ),
        },
        { parent },
    );

    const fn = new aws.lambda.Function(
        prefix,
        {
            description: `Creates the IAM database users of ${name} (Data API; never drops a role)`,
            role: role.arn,
            // Node.js 24 ships the AWS SDK v3 with @aws-sdk/client-rds-data, so the archive is the handler alone.
            runtime: aws.lambda.Runtime.NodeJS24dX,
            architectures: ["arm64"],
            handler: "index.handler",
            code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.FileAsset(HANDLER_FILE) }),
            timeout: args.timeoutSeconds ?? 300,
            memorySize: 128,
            reservedConcurrentExecutions: (args.reserveConcurrency ?? false) ? 1 : undefined,
            // No environment variables: the target travels in the invocation input, so there is nothing for
            // kmsKeyArn to encrypt. No VPC config: the Data API is reached over the Lambda service's own network.
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
        },
        // The inline policy exists before the function, so that its first run already has its permissions.
        { parent, dependsOn: [policy] },
    );

    // CREATE_ONLY (the default): the function runs when the invocation is created or replaced, which happens when
    // the input (cluster, secret, database, users) or a trigger changes. Its result is kept in state: the handler
    // returns names and a count, nothing secret. Deleting the invocation runs nothing, so no role is ever dropped.
    const invocation = new aws.lambda.Invocation(
        prefix,
        {
            functionName: fn.name,
            input: pulumi
                .all([args.clusterArn, args.masterSecretArn])
                .apply(([clusterArn, secretArn]) =>
                    JSON.stringify({ clusterArn, secretArn, database: args.databaseName, users }),
                ),
            triggers: {
                users: users.join(","),
                // A fixed handler re-applies its statements to every user; they are idempotent.
                handler: createHash("sha256").update(code).digest("hex"),
            },
        },
        { parent, dependsOn: args.dependsOn },
    );

    return { invocation, functionName: fn.name };
}
