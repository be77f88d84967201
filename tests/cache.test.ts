/**
 * The Cache component through the whole program (index.ts under the offline runner), in preview and update mode,
 * with stack configs of this test's own: what it registers, how it is wired to the network, the key and the
 * services that declare cacheAccess, and that the stack's policy profile passes it.
 */
import { strict as assert } from "assert";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { evaluateStack } from "../tools/plan/policy-eval";
import type { RunResult } from "../tools/plan/runner";
import { PlanMode, PlannedResource } from "../tools/plan/types";
import { parseSettings } from "../stacks/settings";
import {
    UNKNOWN,
    dependsOn,
    depsOf,
    isSecretValue,
    jsonInput,
    named,
    ofType,
    plain,
    planOf,
    runIsolated,
} from "./helpers/plan";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const T = {
    component: "aws-platform:index:Cache",
    group: "aws:elasticache/replicationGroup:ReplicationGroup",
    subnetGroup: "aws:elasticache/subnetGroup:SubnetGroup",
    params: "aws:elasticache/parameterGroup:ParameterGroup",
    user: "aws:elasticache/user:User",
    userGroup: "aws:elasticache/userGroup:UserGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    secret: "aws:secretsmanager/secret:Secret",
    secretVersion: "aws:secretsmanager/secretVersion:SecretVersion",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    password: "random:index/randomPassword:RandomPassword",
    randomId: "random:index/randomId:RandomId",
};
const MODES: PlanMode[] = ["preview", "update"];

const app = (extra: Record<string, unknown>) => ({
    image: "public.ecr.aws/nginx/nginx:1.27",
    cpu: 256,
    memory: 512,
    ...extra,
});
const web = (extra: Record<string, unknown> = {}) =>
    app({ port: 8080, routing: { priority: 100, pathPatterns: ["/*"] }, ...extra });

/**
 * A production-shaped stack: three AZs, a protected database, HTTPS to the load balancer with the certificate the
 * stack issues for its domain (a placeholder zone the offline plan accepts), the cache with every default, and only
 * web uses it.
 */
const DOMAIN = {
    domain: { siteName: "www.example.com", hostedZoneId: "Z0EXAMPLE0000000000", zoneName: "example.com" },
};
const PROD_LIKE: Record<string, unknown> = {
    "aws:region": "eu-west-1",
    "aws-platform:policyProfile": "production",
    "aws-platform:network": { azCount: 3 },
    "aws-platform:edge": DOMAIN,
    "aws-platform:services": {
        apps: { web: web({ cacheAccess: true }), worker: app({}) },
    },
    "aws-platform:cache": {},
};

/** Cluster mode with Redis OSS, both services on it. */
const CLUSTER: Record<string, unknown> = {
    ...PROD_LIKE,
    "aws-platform:services": {
        apps: { web: web({ cacheAccess: true }), worker: app({ cacheAccess: true }) },
    },
    "aws-platform:cache": {
        engine: "redis",
        engineVersion: "7.1",
        shards: 3,
        replicas: 1,
        nodeType: "cache.m7g.large",
    },
};

/** A disposable stack that opts out of everything a protected one keeps. */
const DISPOSABLE: Record<string, unknown> = {
    "aws:region": "eu-west-1",
    "aws-platform:policyProfile": "development",
    "aws-platform:network": { azCount: 2, natGateways: "single" },
    "aws-platform:secrets": { recoveryWindowDays: 0, keyDeletionWindowDays: 7 },
    "aws-platform:database": { protect: false, deletionProtection: false, readers: 0 },
    "aws-platform:services": { apps: { web: web({ cacheAccess: true }) } },
    "aws-platform:cache": {
        nodeType: "cache.t4g.micro",
        multiAz: false,
        replicas: 0,
        protect: false,
        snapshotRetentionDays: 0,
        logRetentionDays: 7,
    },
};

const cacheOf = (plan: RunResult) => named(plan, "cache-group", T.group);
const urns = (rs: PlannedResource[]) => rs.map((r) => r.urn).sort();

/** The rules of `type` attached to `sg` (their securityGroupId comes from it). */
function rulesOf(plan: RunResult, sg: PlannedResource, type: string): PlannedResource[] {
    return ofType(plan, type).filter((r) => depsOf(plan, r, "securityGroupId").some((d) => d.urn === sg.urn));
}

/** The container definition of a service (update mode: its JSON is known). */
function containerOf(plan: RunResult, svc: string): Record<string, unknown> {
    return (
        jsonInput(named(plan, `app-${svc}`, T.taskDefinition), "containerDefinitions") as Record<string, unknown>[]
    )[0];
}
const envOf = (c: Record<string, unknown>) =>
    Object.fromEntries((c.environment as { name: string; value: string }[]).map((e) => [e.name, e.value]));
const secretsOf = (c: Record<string, unknown>) =>
    Object.fromEntries((c.secrets as { name: string; valueFrom: string }[]).map((e) => [e.name, e.valueFrom]));

/** Every non-secret string in a wire value, at any depth (secret values are skipped, as plan output masks them). */
function* clearStrings(value: unknown): Generator<string> {
    if (isSecretValue(value)) return;
    if (typeof value === "string") yield value;
    else if (Array.isArray(value)) for (const v of value) yield* clearStrings(v);
    else if (value !== null && typeof value === "object") for (const v of Object.values(value)) yield* clearStrings(v);
}

const runs = new Map<string, Promise<RunResult>>();
function plan(name: string, config: Record<string, unknown>, mode: PlanMode): Promise<RunResult> {
    const key = `${name}:${mode}`;
    if (!runs.has(key)) runs.set(key, runIsolated({ stack: name, config, mode }));
    return runs.get(key)!;
}

for (const mode of MODES) {
    describe(`Cache in a production-shaped stack (${mode})`, () => {
        let p: RunResult;
        before(async () => {
            p = await plan("cacheprod", PROD_LIKE, mode);
        });

        it("is one Cache component owning the replication group and every part of it", () => {
            const components = ofType(p, T.component);
            assert.equal(components.length, 1);
            const owned = [
                T.group,
                T.subnetGroup,
                T.params,
                T.user,
                T.userGroup,
                T.logGroup,
                T.secret,
                T.secretVersion,
                T.password,
                T.randomId,
            ].flatMap((t) => p.resources.filter((r) => r.type === t && r.parent === components[0].urn));
            assert.deepEqual(
                owned.map((r) => r.type).sort(),
                [
                    T.group,
                    T.subnetGroup,
                    T.params,
                    T.user,
                    T.user,
                    T.userGroup,
                    T.logGroup,
                    T.logGroup,
                    T.secret,
                    T.secretVersion,
                    T.password,
                    T.password,
                    T.randomId,
                ].sort(),
            );
            assert.equal(ofType(p, T.group).length, 1);
        });

        it("places the subnet group on exactly the isolated subnets, the database's subnets", () => {
            const subnets = depsOf(p, named(p, "cache-subnets", T.subnetGroup), "subnetIds");
            assert.deepEqual(subnets.map((s) => s.name).sort(), [
                "network-isolated-0",
                "network-isolated-1",
                "network-isolated-2",
            ]);
            assert.deepEqual(urns(subnets), urns(depsOf(p, named(p, "database-subnets"), "subnetIds")));
            const group = cacheOf(p);
            assert.deepEqual(urns(depsOf(p, group, "subnetGroupName")), [named(p, "cache-subnets").urn]);
        });

        it("encrypts at rest with the stack's key and requires TLS, with RBAC instead of a token", () => {
            const g = cacheOf(p);
            assert.equal(g.inputs.atRestEncryptionEnabled, true);
            assert.deepEqual(urns(depsOf(p, g, "kmsKeyId")), [named(p, "secrets-key").urn]);
            assert.equal(g.inputs.transitEncryptionEnabled, true);
            assert.equal(g.inputs.transitEncryptionMode, "required");
            assert.equal(g.inputs.authToken, undefined);
            assert.deepEqual(urns(depsOf(p, g, "userGroupIds")), [named(p, "cache-users").urn]);
        });

        it("runs the defaults: Valkey 8.2, Multi-AZ with failover, a primary and two replicas over three AZs", () => {
            const g = cacheOf(p);
            assert.equal(g.inputs.engine, "valkey");
            assert.equal(g.inputs.engineVersion, "8.2");
            assert.equal(g.inputs.nodeType, "cache.r7g.large");
            assert.equal(g.inputs.clusterMode, "disabled");
            assert.equal(g.inputs.numCacheClusters, 3);
            assert.equal(g.inputs.numNodeGroups, undefined);
            assert.equal(g.inputs.multiAzEnabled, true);
            assert.equal(g.inputs.automaticFailoverEnabled, true);
            assert.deepEqual(g.inputs.preferredCacheClusterAzs, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
            assert.equal(g.inputs.port, 6379);
            const params = named(p, "cache-params", T.params);
            assert.equal(params.inputs.family, "valkey8");
            assert.deepEqual(params.inputs.parameters, []);
            assert.deepEqual(urns(depsOf(p, g, "parameterGroupName")), [params.urn]);
        });

        it("snapshots daily for 7 days outside the maintenance window, protected, with a final snapshot", () => {
            const g = cacheOf(p);
            assert.equal(g.inputs.snapshotRetentionLimit, 7);
            assert.equal(g.inputs.snapshotWindow, "03:00-04:00");
            assert.equal(g.inputs.maintenanceWindow, "sun:05:00-sun:06:00");
            assert.equal(g.protect, true);
            assert.deepEqual(urns(depsOf(p, g, "finalSnapshotIdentifier")), [named(p, "cache-final-snapshot").urn]);
            const id = g.inputs.finalSnapshotIdentifier;
            if (mode === "update") assert.match(String(id), /^aws-platform-cacheprod-cache-final-[0-9a-f]{8}$/);
            else assert.equal(id, UNKNOWN);
        });

        it("has a fixed id, which keys its final snapshot's suffix, and goes before a replacement is created", () => {
            const g = cacheOf(p);
            assert.equal(g.inputs.replicationGroupId, "aws-platform-cacheprod-cache");
            // A second group (after a destroy, or a replacement) gets a suffix of its own only if the id keys it.
            assert.deepEqual(plain(named(p, "cache-final-snapshot", T.randomId).inputs.keepers), {
                replicationGroupId: "aws-platform-cacheprod-cache",
            });
            assert.equal(g.deleteBeforeReplace, true, "a fixed id cannot exist twice");
        });

        it("leaves the engine version to AWS while it applies minor versions", () => {
            // The provider would replace a group whose configured version is below the one AWS upgraded it to.
            assert.equal(cacheOf(p).inputs.autoMinorVersionUpgrade, true);
            assert.deepEqual(cacheOf(p).ignoreChanges, ["engineVersion"]);
        });

        it("delivers the slow log and the engine log to pre-created log groups on the key, with a retention", () => {
            const g = cacheOf(p);
            const groups = ["cache-slow-log", "cache-engine-log"].map((n) => named(p, n, T.logGroup));
            assert.deepEqual(urns(depsOf(p, g, "logDeliveryConfigurations")), urns(groups));
            const deliveries = plain(g.inputs.logDeliveryConfigurations) as Record<string, unknown>[];
            assert.deepEqual(deliveries.map((d) => [d.logType, d.destinationType, d.logFormat]).sort(), [
                ["engine-log", "cloudwatch-logs", "json"],
                ["slow-log", "cloudwatch-logs", "json"],
            ]);
            for (const lg of groups) {
                assert.equal(lg.inputs.retentionInDays, 365);
                assert.deepEqual(urns(depsOf(p, lg, "kmsKeyId")), [named(p, "secrets-key").urn]);
                assert.match(String(lg.inputs.namePrefix), /^\/aws\/vendedlogs\/elasticache\/aws-platform-cacheprod\//);
            }
        });

        it("admits exactly the services that set cacheAccess, one named rule each, and only those reach it", () => {
            const sg = named(p, "cache-sg", T.sg);
            assert.deepEqual(urns(depsOf(p, cacheOf(p), "securityGroupIds")), [sg.urn]);
            assert.equal(sg.inputs.ingress, undefined);
            assert.equal(sg.inputs.egress, undefined);
            assert.deepEqual(rulesOf(p, sg, T.egress), []);
            const ingress = rulesOf(p, sg, T.ingress);
            assert.deepEqual(
                ingress.map((r) => r.name),
                ["cache-from-web"],
            );
            assert.deepEqual(urns(depsOf(p, ingress[0], "referencedSecurityGroupId")), [named(p, "app-web", T.sg).urn]);
            assert.deepEqual([ingress[0].inputs.fromPort, ingress[0].inputs.toPort], [6379, 6379]);
            const toCache = ofType(p, T.egress).filter((r) =>
                depsOf(p, r, "referencedSecurityGroupId").some((d) => d.urn === sg.urn),
            );
            assert.deepEqual(
                toCache.map((r) => r.name),
                ["app-web-to-cache"],
            );
            assert.deepEqual(urns(depsOf(p, toCache[0], "securityGroupId")), [named(p, "app-web", T.sg).urn]);
        });

        it("has a disabled default user and the application user, both with generated passwords, in one group", () => {
            const def = named(p, "cache-default-user", T.user);
            const user = named(p, "cache-app-user", T.user);
            assert.equal(def.inputs.userName, "default");
            assert.equal(def.inputs.accessString, "off -@all");
            assert.equal(user.inputs.userName, "app");
            assert.equal(user.inputs.accessString, "on ~* &* +@all");
            for (const [u, password] of [
                [def, "cache-default-password"],
                [user, "cache-app-password"],
            ] as const) {
                assert.equal(u.inputs.engine, "valkey");
                const auth = u.inputs.authenticationMode as { type: string; passwords: unknown[] };
                assert.equal(auth.type, "password");
                assert.equal(auth.passwords.length, 1);
                // Generated: unknown until the password exists, then a secret value.
                if (mode === "update") assert.ok(isSecretValue(auth.passwords[0]), `${u.name}'s password is secret`);
                else assert.equal(plain(auth.passwords[0]), UNKNOWN);
                assert.deepEqual(urns(depsOf(p, u, "authenticationMode")), [named(p, password, T.password).urn]);
                assert.match(String(u.inputs.userId), /^[a-z][a-z0-9-]{0,39}$/);
            }
            assert.notEqual(def.inputs.userId, user.inputs.userId);
            assert.deepEqual(urns(depsOf(p, named(p, "cache-users", T.userGroup), "userIds")), urns([def, user]));
            const passwords = ofType(p, T.password).filter((r) => r.name.startsWith("cache-"));
            assert.deepEqual(passwords.map((r) => r.name).sort(), ["cache-app-password", "cache-default-password"]);
            for (const pw of passwords) {
                assert.equal(pw.inputs.length, 64);
                assert.equal(pw.inputs.special, false);
            }
        });

        it("keeps the credential in Secrets Manager on the key, as a secret value, never in clear", () => {
            const secret = named(p, "cache-credentials", T.secret);
            assert.deepEqual(urns(depsOf(p, secret, "kmsKeyId")), [named(p, "secrets-key").urn]);
            assert.equal(secret.inputs.recoveryWindowInDays, 30);
            const version = named(p, "cache-credentials", T.secretVersion);
            assert.deepEqual(urns(depsOf(p, version, "secretId")), [secret.urn]);
            assert.ok(isSecretValue(version.inputs.secretString), "secretString is a secret");
            if (mode === "update") {
                const stored = JSON.parse(String(plain(version.inputs.secretString)));
                assert.deepEqual(Object.keys(stored).sort(), ["password", "username"]);
                assert.equal(stored.username, "app");
                assert.equal(
                    stored.password,
                    plain(named(p, "cache-app-password", T.password).outputs.result),
                    "the secret holds the user's password",
                );
                for (const r of p.resources) {
                    for (const s of [...clearStrings(r.inputs), ...clearStrings(r.outputs)]) {
                        assert.ok(!s.includes(stored.password), `${r.name} shows the password in clear`);
                    }
                }
                for (const s of clearStrings(p.outputs)) assert.ok(!s.includes(stored.password));
            }
        });

        it("starts the web service only once the credential has its value, and the worker without waiting", () => {
            const version = named(p, "cache-credentials", T.secretVersion);
            const service = (svc: string) => named(p, `app-${svc}`, "aws:ecs/service:Service");
            assert.ok(dependsOn(service("web"), version), "web's tasks read the credential at start");
            assert.ok(!dependsOn(service("worker"), version), "the worker reads nothing of the cache");
        });

        it("hands the cache to the web service by environment and secret reference, and nothing to the worker", () => {
            const secret = named(p, "cache-credentials", T.secret);
            const webExec = named(p, "app-web-exec", T.rolePolicy);
            const workerExec = named(p, "app-worker-exec", T.rolePolicy);
            assert.ok(depsOf(p, webExec, "policy").some((d) => d.urn === secret.urn));
            assert.ok(!depsOf(p, workerExec, "policy").some((d) => d.urn === secret.urn));
            assert.ok(depsOf(p, named(p, "app-web", T.taskDefinition), "containerDefinitions").includes(cacheOf(p)));
            if (mode === "preview") return;
            const arn = String(secret.outputs.arn);
            const web = containerOf(p, "web");
            assert.deepEqual(
                Object.fromEntries(Object.entries(secretsOf(web)).filter(([k]) => k.startsWith("CACHE_"))),
                { CACHE_USERNAME: `${arn}:username::`, CACHE_PASSWORD: `${arn}:password::` },
            );
            const env = envOf(web);
            const g = cacheOf(p);
            assert.equal(env.CACHE_HOST, g.outputs.primaryEndpointAddress);
            assert.equal(env.CACHE_READER_HOST, g.outputs.readerEndpointAddress);
            assert.deepEqual([env.CACHE_PORT, env.CACHE_TLS, env.CACHE_CLUSTER_MODE], ["6379", "true", "false"]);
            const worker = containerOf(p, "worker");
            assert.deepEqual(
                [...Object.keys(envOf(worker)), ...Object.keys(secretsOf(worker))].filter((k) => k.startsWith("CACHE")),
                [],
            );
            const doc = jsonInput(webExec, "policy") as { Statement: { Sid: string; Resource: string[] }[] };
            assert.ok(doc.Statement.find((s) => s.Sid === "ReadOwnSecrets")!.Resource.includes(arn));
            const workerDoc = JSON.stringify(jsonInput(workerExec, "policy"));
            assert.ok(!workerDoc.includes(arn));
        });

        it("exports where the cache is, and passes the production policy profile", () => {
            assert.ok("cacheHost" in p.outputs && "cacheSecretArn" in p.outputs && "cacheReaderHost" in p.outputs);
            const violations = evaluateStack("production", p.resources);
            assert.deepEqual(
                violations.filter((v) => v.enforcementLevel === "mandatory"),
                [],
            );
            assert.deepEqual(
                violations.filter((v) => v.policy.startsWith("elasticache")),
                [],
            );
        });
    });

    describe(`Cache in cluster mode with Redis OSS (${mode})`, () => {
        let p: RunResult;
        before(async () => {
            p = await plan("cachecluster", CLUSTER, mode);
        });

        it("runs the configured shards and replicas with cluster mode on, in a matching parameter group", () => {
            const g = cacheOf(p);
            assert.equal(g.inputs.engine, "redis");
            assert.equal(g.inputs.engineVersion, "7.1");
            assert.equal(g.inputs.nodeType, "cache.m7g.large");
            assert.equal(g.inputs.clusterMode, "enabled");
            assert.deepEqual([g.inputs.numNodeGroups, g.inputs.replicasPerNodeGroup], [3, 1]);
            assert.equal(g.inputs.numCacheClusters, undefined);
            assert.equal(g.inputs.preferredCacheClusterAzs, undefined);
            assert.equal(g.inputs.automaticFailoverEnabled, true);
            const params = named(p, "cache-params", T.params);
            assert.equal(params.inputs.family, "redis7");
            assert.deepEqual(params.inputs.parameters, [{ name: "cluster-enabled", value: "yes" }]);
            assert.equal(ofType(p, T.user).length, 2, "the default user and the app's");
            for (const u of ofType(p, T.user)) assert.equal(u.inputs.engine, "redis");
            assert.equal(named(p, "cache-users", T.userGroup).inputs.engine, "redis");
        });

        it("admits both services, and tells them to use a cluster client at the configuration endpoint", () => {
            const sg = named(p, "cache-sg", T.sg);
            assert.deepEqual(
                rulesOf(p, sg, T.ingress)
                    .map((r) => r.name)
                    .sort(),
                ["cache-from-web", "cache-from-worker"],
            );
            if (mode === "preview") return;
            for (const svc of ["web", "worker"]) {
                const env = envOf(containerOf(p, svc));
                assert.equal(env.CACHE_HOST, cacheOf(p).outputs.configurationEndpointAddress);
                assert.equal(env.CACHE_CLUSTER_MODE, "true");
                assert.equal(env.CACHE_READER_HOST, undefined);
            }
            assert.equal(p.outputs.cacheReaderHost, undefined);
        });

        it("passes the production policy profile", () => {
            assert.deepEqual(
                evaluateStack("production", p.resources).filter((v) => v.enforcementLevel === "mandatory"),
                [],
            );
        });
    });

    describe(`Cache in a disposable stack that opts out (${mode})`, () => {
        let p: RunResult;
        before(async () => {
            p = await plan("cachedev", DISPOSABLE, mode);
        });

        it("keeps nothing: no protect, no final snapshot, no snapshots, no recovery window", () => {
            const g = cacheOf(p);
            assert.equal(g.protect, false);
            assert.equal(g.inputs.finalSnapshotIdentifier, undefined);
            assert.equal(g.inputs.snapshotRetentionLimit, 0);
            assert.equal(named(p, "cache-credentials", T.secret).inputs.recoveryWindowInDays, 0);
            for (const lg of ["cache-slow-log", "cache-engine-log"]) {
                assert.equal(named(p, lg, T.logGroup).inputs.retentionInDays, 7);
            }
        });

        it("runs a single node without Multi-AZ, still encrypted and TLS-only", () => {
            const g = cacheOf(p);
            assert.equal(g.inputs.numCacheClusters, 1);
            assert.deepEqual([g.inputs.multiAzEnabled, g.inputs.automaticFailoverEnabled], [false, false]);
            assert.deepEqual(g.inputs.preferredCacheClusterAzs, ["eu-west-1a"]);
            assert.equal(g.inputs.atRestEncryptionEnabled, true);
            assert.equal(g.inputs.transitEncryptionMode, "required");
        });

        it("passes its development profile, and the production profile catches the missing failover", () => {
            assert.deepEqual(
                evaluateStack("development", p.resources).filter((v) => v.enforcementLevel === "mandatory"),
                [],
            );
            const prod = evaluateStack("production", p.resources).filter((v) => v.policy === "elasticache-multi-az");
            assert.deepEqual(
                prod.map((v) => v.message.split("\n").pop()!.replace(/'.*'/, "<group>")).sort(),
                [
                    "ReplicationGroup <group> has 0 replica(s) per shard; at least 1 are required for failover.",
                    "ReplicationGroup <group> has automaticFailoverEnabled false.",
                    "ReplicationGroup <group> has multiAzEnabled false.",
                    "SubnetGroup <group> spans fewer than 3 AZs (AZs eu-west-1a, eu-west-1b).",
                ].sort(),
            );
            assert.ok(prod.every((v) => v.enforcementLevel === "mandatory"));
        });
    });
}

describe("Cache final snapshot and engine version, decided apart from Pulumi protect", () => {
    it("takes a final snapshot of an unprotected cache when the stack keeps its key, and none when it does not", async () => {
        const kept = await runIsolated({
            stack: "cachekept",
            mode: "update",
            config: {
                ...PROD_LIKE,
                "aws-platform:cache": { protect: false, autoMinorVersionUpgrade: false },
            },
        });
        const g = cacheOf(kept);
        assert.equal(g.protect, false, "Pulumi protect is off, so the cache can be deleted");
        assert.match(String(g.inputs.finalSnapshotIdentifier), /^aws-platform-cachekept-cache-final-[0-9a-f]{8}$/);
        // Without automatic minor upgrades Pulumi owns the version, and a deliberate change goes through.
        assert.deepEqual(g.ignoreChanges, []);
        const gone = await plan("cachedev", DISPOSABLE, "update");
        assert.equal(cacheOf(gone).inputs.finalSnapshotIdentifier, undefined, "its key is deleted with the stack");
    });
});

describe("stacks without a cache section", () => {
    for (const stack of listStacks(ROOT)) {
        it(`${stack}: registers ElastiCache resources exactly when its config has a cache`, async () => {
            const settings = parseSettings(readStackConfig(ROOT, stack).raw, stack);
            const p = await planOf(stack);
            const elasticache = p.resources.filter((r) => r.type.startsWith("aws:elasticache/"));
            assert.equal(ofType(p, T.component).length, settings.cache ? 1 : 0);
            // None without a cache; with one, its replication group at least.
            if (!settings.cache) assert.deepEqual(elasticache, []);
            else assert.ok(elasticache.some((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup"));
            const users = Object.entries(settings.services.apps).filter(([, a]) => a.cacheAccess);
            assert.equal(
                ofType(p, T.egress).filter((r) => r.name.endsWith("-to-cache")).length,
                settings.cache ? users.length : 0,
            );
        });
    }
});
