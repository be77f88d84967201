import { strict as assert } from "assert";
import { createHash } from "crypto";
import { readFileSync } from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
    checkIamUsersArgs,
    createIamDatabaseUsers,
    IamDatabaseUsersArgs,
    iamUsersPolicy,
    iamUsersTrustPolicy,
} from "../components/aurora/iamUsers";
import { dataApiProblems } from "../components/aurora/dataApi";
import { PlannedResource } from "../tools/plan/types";
import { dependsOn, depsOf, jsonInput, named, ofType, plain, runIsolated, UNKNOWN } from "./helpers/plan";

const config = { "aws:region": "us-east-2" };
const ACCOUNT = "123456789012";
const KEY = `arn:aws:kms:us-east-2:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`;
const CLUSTER = `arn:aws:rds:us-east-2:${ACCOUNT}:cluster:platform-t`;
const SECRET = `arn:aws:secretsmanager:us-east-2:${ACCOUNT}:secret:rds!cluster-0a1b2c3d-AbCdEf`;
const HANDLER = path.join(__dirname, "..", "components", "aurora", "iam-users-handler", "index.js");

const LAMBDA_TYPES = [
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:lambda/function:Function",
    "aws:lambda/invocation:Invocation",
];

const baseArgs = (users: string[]): IamDatabaseUsersArgs => ({
    clusterArn: CLUSTER,
    masterSecretArn: SECRET,
    kmsKeyArn: KEY,
    databaseName: "app",
    masterUsername: "dbadmin",
    users,
    accountId: ACCOUNT,
    region: "us-east-2",
    dnsSuffix: "amazonaws.com",
});

/** Stands in for the AuroraCluster component, the parent that creates the users in the program. */
class FakeAuroraCluster extends pulumi.ComponentResource {
    constructor() {
        super("aws-platform:index:AuroraCluster", "db", {});
        this.registerOutputs({});
    }
}
const parentComponent = () => new FakeAuroraCluster();

const statementsById = (policy: { Statement: Record<string, unknown>[] }) =>
    Object.fromEntries(policy.Statement.map((s) => [s.Sid as string, s]));

describe("IAM database users: policy documents", () => {
    it("lets Lambda assume the role only for this account", () => {
        assert.deepEqual(iamUsersTrustPolicy(ACCOUNT), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "LambdaForThisAccount",
                    Effect: "Allow",
                    Principal: { Service: "lambda.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } },
                },
            ],
        });
    });

    it("grants exactly the Data API on the cluster, the secret, the key through Secrets Manager and its log group", () => {
        const logGroupArn = `arn:aws:logs:us-east-2:${ACCOUNT}:log-group:/aws/lambda/db-iam-users-1`;
        const policy = iamUsersPolicy({
            clusterArn: CLUSTER,
            secretArn: SECRET,
            kmsKeyArn: KEY,
            logGroupArn,
            region: "us-east-2",
            dnsSuffix: "amazonaws.com",
        });
        const s = statementsById(policy);
        assert.deepEqual(Object.keys(s), [
            "RunSqlOnThisClusterThroughDataApi",
            "ReadTheMasterSecret",
            "DecryptTheMasterSecretThroughSecretsManager",
            "WriteOwnLogGroup",
        ]);
        assert.ok(policy.Statement.every((x) => x.Effect === "Allow"));
        assert.deepEqual(
            [s.RunSqlOnThisClusterThroughDataApi.Action, s.RunSqlOnThisClusterThroughDataApi.Resource],
            ["rds-data:ExecuteStatement", CLUSTER],
        );
        assert.deepEqual(
            [s.ReadTheMasterSecret.Action, s.ReadTheMasterSecret.Resource],
            ["secretsmanager:GetSecretValue", SECRET],
        );
        assert.deepEqual(s.DecryptTheMasterSecretThroughSecretsManager, {
            Sid: "DecryptTheMasterSecretThroughSecretsManager",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: KEY,
            Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-east-2.amazonaws.com" } },
        });
        assert.deepEqual(s.WriteOwnLogGroup.Action, ["logs:CreateLogStream", "logs:PutLogEvents"]);
        assert.equal(s.WriteOwnLogGroup.Resource, `${logGroupArn}:*`);
        assert.doesNotMatch(JSON.stringify(policy), /"\*"|rds-data:\*|ec2:|BeginTransaction/);
    });

    it("uses the partition's DNS suffix for the Secrets Manager endpoint", () => {
        const policy = iamUsersPolicy({
            clusterArn: CLUSTER.replace("arn:aws:", "arn:aws-cn:"),
            secretArn: SECRET,
            kmsKeyArn: KEY,
            logGroupArn: "lg",
            region: "cn-north-1",
            dnsSuffix: "amazonaws.com.cn",
        });
        const condition = statementsById(policy).DecryptTheMasterSecretThroughSecretsManager.Condition;
        assert.deepEqual(condition, {
            StringEquals: { "kms:ViaService": "secretsmanager.cn-north-1.amazonaws.com.cn" },
        });
    });
});

describe("IAM database users: what the Data API supports", () => {
    it("accepts the first supported minor of each major and refuses the one before", () => {
        for (const v of ["13.11", "14.8", "15.3", "16.1", "16.6", "17.4"])
            assert.deepEqual(dataApiProblems(v, "db.r8g.large"), []);
        for (const v of ["13.10", "14.7", "15.2", "16.0", "17.2", "12.20", "sixteen"]) {
            const [problem] = dataApiProblems(v, "db.serverless");
            assert.match(problem, new RegExp(`engineVersion "${v}" has no RDS Data API.*13\\.11\\+, 14\\.8\\+`));
        }
    });

    it("refuses T instance classes and accepts Serverless v2", () => {
        assert.match(dataApiProblems("16.6", "db.t4g.medium")[0], /"db.t4g.medium" is a T class/);
        assert.deepEqual(dataApiProblems("16.6", "db.serverless"), []);
        assert.equal(dataApiProblems("12.1", "db.t3.large").length, 2, "both problems at once");
    });
});

describe("IAM database users: argument checks", () => {
    it("accepts a valid list, with duplicates", () => {
        assert.deepEqual(checkIamUsersArgs("db", baseArgs(["orders", "billing", "orders"])), []);
    });

    it("reports every problem at once, naming the value and the rule", () => {
        const problems = checkIamUsersArgs("db", {
            ...baseArgs(["Orders", "dbadmin", "rds_x"]),
            databaseName: "template1",
            timeoutSeconds: 30,
        });
        assert.deepEqual(problems, [
            'IAM database users of db: databaseName "template1" is reserved by PostgreSQL or RDS',
            'IAM database users of db: user "Orders" is not a PostgreSQL user name; expected [a-z][a-z0-9_]{0,62}',
            'IAM database users of db: user "dbadmin" is the master user; GRANT rds_iam would lock out its password',
            'IAM database users of db: user "rds_x" is reserved (rds*, pg_*, postgres, public and rdsadmin are not application users)',
            "IAM database users of db: timeoutSeconds 30 is not a whole number of seconds from 60 to 900",
        ]);
        assert.match(checkIamUsersArgs("db", baseArgs([]))[0], /no users/);
    });

    it("creates nothing when the arguments are wrong", async () => {
        await assert.rejects(
            runIsolated({
                stack: "t",
                config,
                program: () => createIamDatabaseUsers(parentComponent(), "db", baseArgs(["orders", "Bad"])),
            }),
            (e: unknown) => {
                assert.ok(e instanceof pulumi.RunError, String(e));
                assert.match(e.message, /user "Bad" is not a PostgreSQL user name/);
                return true;
            },
        );
    });
});

describe("IAM database users: opting in to a reserved execution", () => {
    it("reserves exactly one concurrent execution when asked", async () => {
        const r = await runIsolated({
            stack: "t",
            config,
            program: () => {
                createIamDatabaseUsers(parentComponent(), "db", { ...baseArgs(["orders"]), reserveConcurrency: true });
            },
        });
        const fn = ofType(r, "aws:lambda/function:Function");
        assert.equal(fn.length, 1);
        assert.equal(fn[0].inputs.reservedConcurrentExecutions, 1);
    });
});

describe("IAM database users: resources under the mock runtime", () => {
    let r: Awaited<ReturnType<typeof runIsolated>>;

    before(async () => {
        r = await runIsolated({
            stack: "t",
            config,
            mode: "update",
            program: () => {
                const parent = parentComponent();
                const key = new aws.kms.Key("key", { description: "platform" });
                const cluster = new aws.rds.Cluster(
                    "db-cluster",
                    {
                        clusterIdentifier: "platform-t",
                        engine: "aurora-postgresql",
                        manageMasterUserPassword: true,
                        masterUsername: "dbadmin",
                        masterUserSecretKmsKeyId: key.arn,
                        enableHttpEndpoint: true,
                    },
                    { parent },
                );
                const writer = new aws.rds.ClusterInstance(
                    "db-instance-0",
                    { clusterIdentifier: cluster.id, instanceClass: "db.serverless", engine: "aurora-postgresql" },
                    { parent },
                );
                const created = createIamDatabaseUsers(parent, "db", {
                    ...baseArgs(["orders", "billing", "orders"]),
                    clusterArn: cluster.arn,
                    masterSecretArn: cluster.masterUserSecrets.apply((s) => s[0].secretArn),
                    kmsKeyArn: key.arn,
                    dependsOn: [writer],
                });
                return { functionName: created.functionName, invocationUrn: created.invocation.urn };
            },
        });
    });

    const one = (type: string) => {
        const found = ofType(r, type);
        assert.equal(found.length, 1, `one ${type}`);
        return found[0];
    };

    it("creates one log group, role, inline policy, function and invocation, all children of the cluster", () => {
        const parent = named(r, "db", "aws-platform:index:AuroraCluster");
        for (const type of LAMBDA_TYPES) {
            const res = one(type);
            assert.equal(res.parent, parent.urn, `${type} is parented to the component`);
            assert.match(res.name, /^db-iam-users(-log)?$/);
        }
        const all = r.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"));
        assert.equal(all.length, LAMBDA_TYPES.length + 3, "nothing else: no security group, no VPC resource");
        assert.ok(!all.some((x) => /ec2|vpc/.test(x.type)));
    });

    it("pre-creates an encrypted log group with a retention and points the function at it", () => {
        const logGroup = one("aws:cloudwatch/logGroup:LogGroup");
        const key = named(r, "key", "aws:kms/key:Key");
        assert.equal(logGroup.inputs.kmsKeyId, key.outputs.arn);
        assert.deepEqual(depsOf(r, logGroup, "kmsKeyId"), [key]);
        assert.equal(logGroup.inputs.retentionInDays, 365);
        assert.match(logGroup.inputs.name as string, /^\/aws\/lambda\/db-iam-users-\d{26}$/);
        const fn = one("aws:lambda/function:Function");
        assert.deepEqual(plain(fn.inputs.loggingConfig), { logFormat: "JSON", logGroup: logGroup.inputs.name });
        assert.deepEqual(depsOf(r, fn, "loggingConfig"), [logGroup]);
    });

    it("runs the handler alone on Node.js 24 arm64, with no reserved execution, VPC or environment", () => {
        const fn = one("aws:lambda/function:Function");
        assert.equal(fn.inputs.runtime, "nodejs24.x");
        assert.deepEqual(fn.inputs.architectures, ["arm64"]);
        assert.equal(fn.inputs.handler, "index.handler");
        assert.equal(fn.inputs.timeout, 300);
        assert.equal(fn.inputs.reservedConcurrentExecutions, undefined);
        assert.equal(fn.inputs.vpcConfig, undefined);
        assert.equal(fn.inputs.environment, undefined);
        const archive = fn.inputs.code as { assets: Record<string, { path: string }> };
        assert.deepEqual(Object.keys(archive.assets), ["index.js"]);
        assert.equal(archive.assets["index.js"].path, HANDLER);
        const role = one("aws:iam/role:Role");
        assert.deepEqual(depsOf(r, fn, "role"), [role]);
        assert.ok(dependsOn(fn, one("aws:iam/rolePolicy:RolePolicy")), "the permissions exist before the function");
    });

    it("scopes the role to exactly this cluster, its master secret and the key", () => {
        const cluster = named(r, "db-cluster", "aws:rds/cluster:Cluster");
        const key = named(r, "key", "aws:kms/key:Key");
        const logGroup = one("aws:cloudwatch/logGroup:LogGroup");
        const secretArn = (cluster.outputs.masterUserSecrets as { secretArn: string }[])[0].secretArn;
        assert.match(secretArn, /^arn:aws:secretsmanager:us-east-2:123456789012:secret:rds!cluster-/);

        const role = one("aws:iam/role:Role");
        assert.deepEqual(jsonInput(role, "assumeRolePolicy"), iamUsersTrustPolicy(ACCOUNT));
        const policy = one("aws:iam/rolePolicy:RolePolicy");
        assert.deepEqual(depsOf(r, policy, "role"), [role]);
        assert.deepEqual(
            jsonInput(policy, "policy"),
            iamUsersPolicy({
                clusterArn: cluster.outputs.arn as string,
                secretArn,
                kmsKeyArn: key.outputs.arn as string,
                logGroupArn: logGroup.outputs.arn as string,
                region: "us-east-2",
                dnsSuffix: "amazonaws.com",
            }),
        );
        assert.deepEqual(
            depsOf(r, policy, "policy")
                .map((d) => d.name)
                .sort(),
            ["db-cluster", "db-iam-users-log", "key"],
        );
    });

    it("invokes the function with the sorted users, after the function and the writer exist", () => {
        const fn = one("aws:lambda/function:Function");
        const inv = one("aws:lambda/invocation:Invocation");
        const writer = named(r, "db-instance-0", "aws:rds/clusterInstance:ClusterInstance");
        const cluster = named(r, "db-cluster", "aws:rds/cluster:Cluster");
        assert.equal(inv.inputs.functionName, fn.outputs.name);
        assert.match(fn.outputs.name as string, /^db-iam-users-[0-9a-f]{7}$/);
        assert.deepEqual(depsOf(r, inv, "functionName"), [fn]);
        assert.ok(dependsOn(inv, fn));
        assert.ok(dependsOn(inv, writer), "the Data API runs on the writer");
        const secretArn = (cluster.outputs.masterUserSecrets as { secretArn: string }[])[0].secretArn;
        assert.deepEqual(jsonInput(inv, "input"), {
            clusterArn: cluster.outputs.arn,
            secretArn,
            database: "app",
            users: ["billing", "orders"],
        });
        assert.equal(inv.inputs.lifecycleScope, undefined, "CREATE_ONLY: deleting it never runs the function");
        assert.equal(r.outputs.functionName, fn.outputs.name);
        assert.equal(r.outputs.invocationUrn, inv.urn);
    });

    it("re-runs when the user list or the handler changes, and only then", () => {
        const inv = one("aws:lambda/invocation:Invocation");
        assert.deepEqual(inv.inputs.triggers, {
            users: "billing,orders",
            handler: createHash("sha256").update(readFileSync(HANDLER)).digest("hex"),
        });
    });

    it("keeps the master secret's value out of every input and output", () => {
        const text = JSON.stringify(r.resources.map((x: PlannedResource) => [x.inputs, x.outputs]));
        assert.doesNotMatch(text, /"password"|masterPassword/);
    });
});

describe("IAM database users: triggers follow the list", () => {
    const triggersFor = async (users: string[]) => {
        const r = await runIsolated({
            stack: "t",
            config,
            program: () => createIamDatabaseUsers(parentComponent(), "db", baseArgs(users)),
        });
        const [inv] = ofType(r, "aws:lambda/invocation:Invocation");
        return { triggers: inv.inputs.triggers as Record<string, string>, input: jsonInput(inv, "input") };
    };

    it("gives the same input and triggers for a reordered list, and new ones when a user is added", async () => {
        const a = await triggersFor(["orders", "billing"]);
        const b = await triggersFor(["billing", "orders", "billing"]);
        const c = await triggersFor(["billing", "orders", "reports"]);
        assert.deepEqual(b, a);
        assert.notEqual(c.triggers.users, a.triggers.users);
        assert.equal(c.triggers.handler, a.triggers.handler);
        assert.deepEqual((c.input as { users: string[] }).users, ["billing", "orders", "reports"]);
    });

    it("shows the invocation's input at preview; the policy waits for the log group's ARN", async () => {
        const r = await runIsolated({
            stack: "t",
            config,
            program: () => createIamDatabaseUsers(parentComponent(), "db", baseArgs(["orders"])),
        });
        const [inv] = ofType(r, "aws:lambda/invocation:Invocation");
        assert.match(inv.inputs.functionName as string, /^db-iam-users-[0-9a-f]{7}$/, "auto-named at preview");
        assert.deepEqual(jsonInput(inv, "input"), {
            clusterArn: CLUSTER,
            secretArn: SECRET,
            database: "app",
            users: ["orders"],
        });
        const [policy] = ofType(r, "aws:iam/rolePolicy:RolePolicy");
        assert.equal(plain(policy.inputs.policy), UNKNOWN);
    });
});
