/**
 * What one service's tasks run: the log group, the image (prebuilt, or built into the service's own ECR
 * repository), the execution and task roles, and the task definition that ties them together.
 */
import * as aws from "@pulumi/aws";
// Only awsx's ECR module: the package index also loads awsx classic and with it the AWS SDK's ECS client, a tenth
// of a second on every run for code the platform never calls.
import * as awsxEcr from "@pulumi/awsx/ecr";
import * as pulumi from "@pulumi/pulumi";
import type { FargateAppArgs } from "../fargateService";
import {
    bucketAccessPolicy,
    containerDefinition,
    databaseConnectPolicy,
    ecrLifecyclePolicy,
    ecsTasksTrustPolicy,
    execCommandPolicy,
    executionRolePolicy,
    scratchVolumeName,
} from "./documents";
import { ecrRepositoryOf } from "./ecrImage";
import { contextTag } from "./imageTag";
import { bucketEnvName } from "./naming";
import type { FargateScope } from "./scope";
import { usesDatabase } from "./validate";

/** One service as its parts see it: config name, logical-name stem and config. */
export interface ServiceUnit {
    /** The service's config name. */
    svc: string;
    /** `<component>-<svc>`: the logical name (or its stem) of every resource of this service. */
    id: string;
    app: FargateAppArgs;
}

export interface ServiceImage {
    image: pulumi.Input<string>;
    /** The service's own repository, when its image is built here. */
    repository?: aws.ecr.Repository;
}

export interface ServiceRoles {
    executionRole: aws.iam.Role;
    taskRole: aws.iam.Role;
}

/** A container `secrets` entry: the env var, the secret it reads (for IAM) and the `valueFrom` reference. */
interface SecretRef {
    envName: string;
    arn: pulumi.Input<string>;
    valueFrom: pulumi.Output<string>;
}

export function createLogGroup(scope: FargateScope, unit: ServiceUnit): aws.cloudwatch.LogGroup {
    // Created here, not by the awslogs driver: the container definition takes its name, so the group (encrypted,
    // with a retention) exists before any task writes to it.
    return new aws.cloudwatch.LogGroup(
        unit.id,
        {
            namePrefix: `/ecs/${scope.prefix}/${unit.svc}-`,
            retentionInDays: unit.app.logRetentionDays ?? 30,
            kmsKeyId: scope.args.kmsKeyArn,
        },
        { parent: scope.parent },
    );
}

/** Image: a prebuilt reference, or a build pushed to this service's own repository. */
export function createImage(scope: FargateScope, { id, app }: ServiceUnit): ServiceImage {
    const parent = scope.parent;
    if (!app.build) return { image: app.image! };
    const repository = new aws.ecr.Repository(
        id,
        {
            imageTagMutability: "IMMUTABLE",
            imageScanningConfiguration: { scanOnPush: true },
            encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: scope.args.kmsKeyArn }],
            forceDelete: app.ecr?.forceDelete ?? false,
        },
        { parent },
    );
    new aws.ecr.LifecyclePolicy(
        id,
        {
            repository: repository.name,
            policy: ecrLifecyclePolicy(app.ecr?.keepImages ?? 20, app.ecr?.untaggedExpiryDays ?? 7),
        },
        { parent },
    );
    const platform = (app.architecture ?? "ARM64") === "ARM64" ? "linux/arm64" : "linux/amd64";
    const dockerfile = app.build.dockerfile ? `${app.build.context}/${app.build.dockerfile}` : undefined;
    // awsx only for the build: it is a multi-language component whose children never reach Pulumi's mock runtime
    // (pulumi/pulumi#12553), so the offline plan and its policy check could not see them; everything that matters
    // for security is a plain aws resource above.
    const built = new awsxEcr.Image(
        id,
        {
            repositoryUrl: repository.repositoryUrl,
            context: app.build.context,
            ...(dockerfile ? { dockerfile } : {}),
            ...(app.build.target ? { target: app.build.target } : {}),
            platform,
            imageTag: contextTag(app.build.context, {
                dockerfile: app.build.dockerfile,
                target: app.build.target,
                platform,
            }),
        },
        { parent },
    );
    return { image: built.imageUri, repository };
}

/** Secrets: container `valueFrom` references; the execution role may read exactly these ARNs. */
function secretRefsOf(scope: FargateScope, app: FargateAppArgs): SecretRef[] {
    // The cache credential is one secret with two JSON keys; each becomes a variable of its own.
    const cache = app.cacheAccess && scope.args.cache ? scope.args.cache.secretArn : undefined;
    const cacheRefs: SecretRef[] = cache
        ? [
              { envName: "CACHE_USERNAME", arn: cache, valueFrom: pulumi.interpolate`${cache}:username::` },
              { envName: "CACHE_PASSWORD", arn: cache, valueFrom: pulumi.interpolate`${cache}:password::` },
          ]
        : [];
    const own = Object.entries(app.secrets ?? {}).map(([envName, ref]): SecretRef => {
        if (ref.startsWith("database:")) {
            const key = ref.slice("database:".length);
            const arn = scope.args.databaseSecretArn!;
            return { envName, arn, valueFrom: pulumi.interpolate`${arn}:${key}::` };
        }
        const arn = scope.args.secretArns![ref];
        return { envName, arn, valueFrom: pulumi.output(arn) };
    });
    return [...own, ...cacheRefs];
}

/**
 * The execution role (the ECS agent: pull, log, read this service's secrets) and the task role (the application:
 * only what config grants, plus ECS Exec and IAM database authentication when enabled).
 */
export function createRoles(
    scope: FargateScope,
    { svc, id, app }: ServiceUnit,
    logGroup: aws.cloudwatch.LogGroup,
    repository: aws.ecr.Repository | undefined,
): ServiceRoles {
    const { parent, args, accountId, region, partition } = scope;
    const trustExecution = accountId.apply((account) => JSON.stringify(ecsTasksTrustPolicy(account)));
    const trustTask = pulumi
        .all([accountId, region, partition])
        .apply(([account, reg, part]) =>
            JSON.stringify(ecsTasksTrustPolicy(account, { sourceArn: `arn:${part}:ecs:${reg}:${account}:*` })),
        );
    const secretArns = pulumi.all(secretRefsOf(scope, app).map((s) => s.arn));
    // The image's repository: the service's own when it is built here, or the private ECR repository a prebuilt
    // image names. Images from any other registry are pulled without AWS credentials and need no permission.
    const pullFrom: pulumi.Input<string> | undefined =
        repository?.arn ?? (app.image ? ecrRepositoryOf(app.image)?.arn : undefined);

    const executionRole = new aws.iam.Role(
        `${id}-exec`,
        { description: `ECS agent for ${svc}: pull, log, read its secrets`, assumeRolePolicy: trustExecution },
        { parent },
    );
    new aws.iam.RolePolicy(
        `${id}-exec`,
        {
            role: executionRole.id,
            policy: pulumi
                .all([secretArns, args.kmsKeyArn, region, scope.dnsSuffix, pullFrom, logGroup.arn])
                .apply(([secretArns, kmsKeyArn, reg, dnsSuffix, repositoryArn, logGroupArn]) =>
                    JSON.stringify(
                        executionRolePolicy({
                            secretArns,
                            kmsKeyArn,
                            region: reg,
                            dnsSuffix,
                            repositoryArn,
                            logGroupArn,
                        }),
                    ),
                ),
        },
        { parent },
    );
    const taskRole = new aws.iam.Role(
        `${id}-task`,
        { description: `Application ${svc}: only what config grants`, assumeRolePolicy: trustTask },
        { parent },
    );
    (app.taskRole?.managedPolicyArns ?? []).forEach(
        (policyArn, i) =>
            new aws.iam.RolePolicyAttachment(`${id}-task-${i}`, { role: taskRole.name, policyArn }, { parent }),
    );
    if (app.enableExecuteCommand) {
        new aws.iam.RolePolicy(
            `${id}-exec-command`,
            {
                role: taskRole.id,
                policy: pulumi
                    .all([args.kmsKeyArn, logGroup.arn])
                    .apply(([kmsKeyArn, logGroupArn]) => JSON.stringify(execCommandPolicy({ kmsKeyArn, logGroupArn }))),
            },
            { parent },
        );
    }
    if (app.databaseIamUser) {
        const user = app.databaseIamUser;
        new aws.iam.RolePolicy(
            `${id}-db-connect`,
            {
                role: taskRole.id,
                policy: pulumi
                    .all([partition, region, accountId, args.databaseClusterResourceId!])
                    .apply(([partition, reg, account, clusterResourceId]) =>
                        JSON.stringify(
                            databaseConnectPolicy({ partition, region: reg, account, clusterResourceId, user }),
                        ),
                    ),
            },
            { parent },
        );
    }
    createBucketAccess(scope, { svc, id, app }, taskRole);
    return { executionRole, taskRole };
}

/** The task role's access to the application data buckets the service lists. */
function createBucketAccess(scope: FargateScope, { id, app }: ServiceUnit, taskRole: aws.iam.Role): void {
    const listed = Object.entries(app.buckets ?? {});
    if (listed.length === 0) return;
    const grants = listed.map(([name, access]) => {
        const bucket = scope.args.buckets![name];
        return pulumi
            .all([bucket.arn, bucket.kmsKeyArn])
            .apply(([arn, kmsKeyArn]) => ({ name, arn, kmsKeyArn, access }));
    });
    new aws.iam.RolePolicy(
        `${id}-buckets`,
        {
            role: taskRole.id,
            policy: pulumi
                .all([pulumi.all(grants), scope.region, scope.dnsSuffix])
                .apply(([buckets, region, dnsSuffix]) =>
                    JSON.stringify(bucketAccessPolicy({ buckets, region, dnsSuffix })),
                ),
        },
        { parent: scope.parent },
    );
}

/** Plain environment variables: the app's own, plus how to reach the database and the cache when the service uses them. */
function environmentOf(scope: FargateScope, app: FargateAppArgs): Record<string, pulumi.Input<string>> {
    const args = scope.args;
    const environment: Record<string, pulumi.Input<string>> = { ...(app.environment ?? {}) };
    if (usesDatabase(app)) {
        const port = pulumi.output(args.databasePort ?? 5432).apply(String);
        if (args.databaseEndpoint) environment.DATABASE_HOST = args.databaseEndpoint;
        if (args.databaseReaderEndpoint) environment.DATABASE_READER_HOST = args.databaseReaderEndpoint;
        environment.DATABASE_PORT = port;
        if (args.databaseName) environment.DATABASE_NAME = pulumi.output(args.databaseName).apply((n) => n ?? "");
        // The same writer connection under libpq's names: a libpq client (PostgREST, psql, psycopg) or node-postgres
        // connects with no code of its own; the user and password come from the service's own secrets.
        if (args.databaseEndpoint) environment.PGHOST = args.databaseEndpoint;
        environment.PGPORT = port;
        if (args.databaseName) environment.PGDATABASE = pulumi.output(args.databaseName).apply((n) => n ?? "");
        if (app.databaseIamUser) {
            environment.DATABASE_USER = app.databaseIamUser;
            environment.DATABASE_IAM_AUTH = "true";
        }
    }
    for (const name of Object.keys(app.buckets ?? {})) {
        const bucket = args.buckets?.[name];
        if (bucket) environment[bucketEnvName(name)] = bucket.name;
    }
    const cache = args.cache;
    if (app.cacheAccess && cache) {
        environment.CACHE_HOST = cache.host;
        if (cache.readerHost && !cache.clusterMode) environment.CACHE_READER_HOST = cache.readerHost;
        environment.CACHE_PORT = pulumi.output(cache.port).apply(String);
        // The cache requires TLS: a client that does not speak it is refused.
        environment.CACHE_TLS = "true";
        environment.CACHE_CLUSTER_MODE = String(cache.clusterMode);
    }
    return environment;
}

export function createTaskDefinition(
    scope: FargateScope,
    { svc, id, app }: ServiceUnit,
    parts: { image: pulumi.Input<string>; logGroup: aws.cloudwatch.LogGroup; roles: ServiceRoles },
): aws.ecs.TaskDefinition {
    // ECS Exec bind-mounts the SSM agent, which must write to these paths; with a read-only root filesystem
    // they need writable volumes (aws/containers-roadmap#1359, amazon-ecs-exec-checker#21).
    const execPaths = app.enableExecuteCommand ? ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"] : [];
    const scratchPaths = [...new Set([...(app.scratchPaths ?? []), ...execPaths])];
    const secretRefs = secretRefsOf(scope, app);
    const containerDefinitions = pulumi
        .all([
            parts.image,
            pulumi.all(environmentOf(scope, app)),
            pulumi.all(Object.fromEntries(secretRefs.map((s) => [s.envName, s.valueFrom]))),
            parts.logGroup.name,
            scope.region,
        ])
        .apply(([img, env, secretEnv, logGroupName, reg]) =>
            JSON.stringify([
                containerDefinition({
                    name: svc,
                    image: img,
                    command: app.command,
                    port: app.port,
                    environment: env,
                    secrets: secretEnv,
                    scratchPaths,
                    user: app.user,
                    logGroupName,
                    region: reg,
                }),
            ]),
        );
    return new aws.ecs.TaskDefinition(
        id,
        {
            family: `${scope.prefix}-${svc}`,
            requiresCompatibilities: ["FARGATE"],
            networkMode: "awsvpc",
            cpu: String(app.cpu),
            memory: String(app.memory),
            runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: app.architecture ?? "ARM64" },
            executionRoleArn: parts.roles.executionRole.arn,
            taskRoleArn: parts.roles.taskRole.arn,
            // No host path: Fargate gives each task its own ephemeral (encrypted) storage for these.
            volumes: scratchPaths.map((_, i) => ({ name: scratchVolumeName(i) })),
            containerDefinitions,
        },
        { parent: scope.parent },
    );
}
