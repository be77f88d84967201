import { strict as assert } from "assert";
import * as path from "path";
import { parseSettings, Settings } from "../stacks/settings";
import { usesDatabase } from "../stacks/services-schema";
import { PlanMode, PlannedResource } from "../tools/plan/types";
import { listStacks, readStackConfig } from "../tools/plan/project";
import * as pulumi from "@pulumi/pulumi";
import { RunResult } from "../tools/plan/runner";
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

const ROOT = path.resolve(__dirname, "..");
const T = {
    component: "aws-platform:index:AuroraCluster",
    cluster: "aws:rds/cluster:Cluster",
    instance: "aws:rds/clusterInstance:ClusterInstance",
    subnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    params: "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    sgRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    key: "aws:kms/key:Key",
    subnet: "aws:ec2/subnet:Subnet",
    routeTable: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    association: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    role: "aws:iam/role:Role",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    scalingTarget: "aws:appautoscaling/target:Target",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    randomId: "random:index/randomId:RandomId",
};

/** The stack's own config, validated exactly as the program validates it: the plan must follow it. */
function settingsOf(stack: string): Settings {
    return parseSettings(readStackConfig(ROOT, stack).raw, stack);
}

const urns = (rs: PlannedResource[]) => rs.map((r) => r.urn).sort();

function clusterOf(plan: RunResult): PlannedResource {
    return named(plan, "database-cluster", T.cluster);
}

/** The Pulumi-managed instances, in creation order (instance-0 first); never none, so loops over them check something. */
function instancesOf(plan: RunResult): PlannedResource[] {
    const instances = ofType(plan, T.instance).sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
    assert.ok(instances.length >= 1, "the cluster has at least its writer instance");
    return instances;
}

/** Every security group that the cluster names in vpcSecurityGroupIds. */
function dbSecurityGroups(plan: RunResult): PlannedResource[] {
    return depsOf(plan, clusterOf(plan), "vpcSecurityGroupIds");
}

/** Rules of any kind that attach to `sg` (their securityGroupId comes from it). */
function rulesOf(plan: RunResult, sg: PlannedResource, type: string): PlannedResource[] {
    return ofType(plan, type).filter((r) => depsOf(plan, r, "securityGroupId").some((d) => d.urn === sg.urn));
}

/** Every (key, value) pair in a wire value, at any depth. */
function* entries(value: unknown, at = ""): Generator<[string, unknown]> {
    if (isSecretValue(value)) return; // a secret value is exactly what a credential should be
    if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) yield* entries(v, `${at}[${i}]`);
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) {
            yield [`${at}.${k}`, v];
            yield* entries(v, `${at}.${k}`);
        }
    }
}

const STACKS = listStacks(path.resolve(__dirname, ".."));
const MODES: PlanMode[] = ["preview", "update"];

for (const stack of STACKS) {
    const settings = settingsOf(stack);
    const db = settings.database;

    for (const mode of MODES) {
        describe(`AuroraCluster in stack ${stack} (${mode})`, () => {
            let plan: RunResult;
            before(async () => {
                plan = await planOf(stack, mode);
            });

            it("is one AuroraCluster component owning the cluster and its instances", () => {
                const components = ofType(plan, T.component);
                assert.equal(components.length, 1);
                assert.equal(ofType(plan, T.cluster).length, 1);
                for (const r of [clusterOf(plan), ...instancesOf(plan)]) assert.equal(r.parent, components[0].urn);
            });

            it("runs one writer plus the configured readers, every instance linked to the cluster by cluster.id", () => {
                const cluster = clusterOf(plan);
                const instances = instancesOf(plan);
                assert.equal(instances.length, 1 + db.readers, `1 writer + ${db.readers} readers`);
                const [writer, ...readers] = instances;
                assert.equal(plain(writer.inputs.promotionTier), 0, "the first instance is the writer (tier 0)");
                for (const r of readers) {
                    assert.equal(plain(r.inputs.promotionTier), 1, `${r.name} is a tier-1 failover target`);
                    assert.ok(dependsOn(r, writer), `${r.name} waits for the writer, so the writer is created first`);
                }
                for (const i of instances) {
                    assert.deepEqual(
                        i.propertyDependencies.clusterIdentifier,
                        [cluster.urn],
                        `${i.name}.clusterIdentifier`,
                    );
                    assert.equal(i.inputs.instanceClass, db.instanceClass);
                    assert.equal(i.inputs.engine, "aurora-postgresql");
                    assert.equal(i.inputs.publiclyAccessible, false);
                    assert.equal(i.inputs.caCertIdentifier, "rds-ca-rsa2048-g1");
                }
                assert.deepEqual(
                    instances.map((i) => i.inputs.identifier),
                    instances.map((_, n) => `${cluster.inputs.clusterIdentifier}-${n + 1}`),
                );
            });

            it("places the instances round-robin over the subnet group's AZs", () => {
                const azs = plan.outputs.azNames as string[] | undefined;
                const instances = instancesOf(plan);
                if (mode === "update") {
                    assert.ok(Array.isArray(azs) && azs.length === settings.network.azCount);
                    assert.deepEqual(
                        instances.map((i) => i.inputs.availabilityZone),
                        instances.map((_, n) => azs[n % azs.length]),
                    );
                    if (instances.length >= 2) {
                        assert.ok(
                            new Set(instances.map((i) => i.inputs.availabilityZone)).size >= 2,
                            "not pinned to one AZ",
                        );
                    }
                } else {
                    for (const i of instances)
                        assert.ok(i.inputs.availabilityZone !== undefined, `${i.name} sets an AZ`);
                }
            });

            it("is Aurora PostgreSQL at the configured version, sized as configured", () => {
                const cluster = clusterOf(plan);
                assert.equal(cluster.inputs.engine, "aurora-postgresql");
                assert.equal(cluster.inputs.engineMode, "provisioned");
                assert.equal(cluster.inputs.engineVersion, db.engineVersion);
                const scaling = plain(cluster.inputs.serverlessv2ScalingConfiguration);
                if (db.instanceClass === "db.serverless") {
                    assert.ok(db.serverless);
                    const expected: Record<string, number> = {
                        minCapacity: db.serverless.minCapacity,
                        maxCapacity: db.serverless.maxCapacity,
                    };
                    if (db.serverless.minCapacity === 0 && db.serverless.secondsUntilAutoPause !== undefined) {
                        expected.secondsUntilAutoPause = db.serverless.secondsUntilAutoPause;
                    }
                    assert.deepEqual(scaling, expected);
                } else {
                    assert.equal(scaling, undefined, "no Serverless v2 range on a provisioned cluster");
                }
            });

            it("lives in the isolated subnets only: the subnet group's subnets have no route out", () => {
                const cluster = clusterOf(plan);
                const groups = depsOf(plan, cluster, "dbSubnetGroupName");
                assert.equal(groups.length, 1);
                assert.equal(groups[0].type, T.subnetGroup);
                const subnets = depsOf(plan, groups[0], "subnetIds");
                const isolated = ofType(plan, T.subnet).filter((s) => s.name.startsWith("network-isolated-"));
                assert.equal(isolated.length, settings.network.azCount);
                assert.ok(subnets.length >= 2, "at least two AZs");
                assert.deepEqual(urns(subnets), urns(isolated));
                for (const subnet of subnets) {
                    const tables = ofType(plan, T.association)
                        .filter((a) => depsOf(plan, a, "subnetId").some((s) => s.urn === subnet.urn))
                        .flatMap((a) => depsOf(plan, a, "routeTableId"));
                    assert.equal(tables.length, 1, `${subnet.name} has one route table`);
                    const routes = ofType(plan, T.route).filter((r) =>
                        depsOf(plan, r, "routeTableId").some((t) => t.urn === tables[0].urn),
                    );
                    assert.deepEqual(routes, [], `${subnet.name}'s route table ${tables[0].name} has no route`);
                }
                for (const i of instancesOf(plan))
                    assert.deepEqual(i.propertyDependencies.dbSubnetGroupName, [groups[0].urn]);
            });

            it("admits PostgreSQL only from security groups, opens no egress, and uses no inline rules", () => {
                const sgs = dbSecurityGroups(plan);
                assert.equal(sgs.length, 1);
                const sg = sgs[0];
                assert.equal(sg.type, T.sg);
                assert.equal(sg.inputs.ingress, undefined);
                assert.equal(sg.inputs.egress, undefined);
                assert.deepEqual(rulesOf(plan, sg, T.egress), []);
                assert.deepEqual(rulesOf(plan, sg, T.sgRule), []);
                // One rule per service that reaches the database, as the stack's config says: none is not vacuous.
                const ingress = rulesOf(plan, sg, T.ingress);
                assert.deepEqual(
                    ingress.map((r) => r.name).sort(),
                    Object.entries(settings.services.apps)
                        .filter(([, app]) => usesDatabase(app))
                        .map(([svc]) => `database-from-${svc}`)
                        .sort(),
                );
                for (const rule of ingress) {
                    assert.equal(rule.inputs.ipProtocol, "tcp");
                    assert.equal(rule.inputs.fromPort, 5432);
                    assert.equal(rule.inputs.toPort, 5432);
                    for (const k of ["cidrIpv4", "cidrIpv6", "prefixListId"])
                        assert.equal(rule.inputs[k], undefined, k);
                    assert.deepEqual(
                        depsOf(plan, rule, "referencedSecurityGroupId").map((d) => d.type),
                        [T.sg],
                    );
                    assert.ok(rule.inputs.referencedSecurityGroupId !== undefined);
                }
                assert.deepEqual(clusterOf(plan).propertyDependencies.vpcSecurityGroupIds, [sg.urn]);
            });

            it("encrypts storage, the master secret, Performance Insights and the log with the stack's key", () => {
                const key = named(plan, "secrets-key", T.key);
                const cluster = clusterOf(plan);
                assert.equal(cluster.inputs.storageEncrypted, true);
                for (const p of ["kmsKeyId", "masterUserSecretKmsKeyId", "performanceInsightsKmsKeyId"]) {
                    assert.deepEqual(cluster.propertyDependencies[p], [key.urn], `cluster.${p}`);
                }
                for (const i of instancesOf(plan)) {
                    assert.deepEqual(i.propertyDependencies.performanceInsightsKmsKeyId, [key.urn], `${i.name}`);
                }
                const log = named(plan, "database-postgresql-log", T.logGroup);
                assert.deepEqual(log.propertyDependencies.kmsKeyId, [key.urn]);
                if (mode === "update") {
                    const arn = key.outputs.arn;
                    assert.match(String(arn), /^arn:aws:kms:/);
                    for (const p of ["kmsKeyId", "masterUserSecretKmsKeyId", "performanceInsightsKmsKeyId"]) {
                        assert.equal(cluster.inputs[p], arn, `cluster.${p}`);
                    }
                }
            });

            it("forces TLS and logs slow queries through its own cluster parameter group", () => {
                const cluster = clusterOf(plan);
                const groups = depsOf(plan, cluster, "dbClusterParameterGroupName");
                assert.equal(groups.length, 1);
                const group = groups[0];
                assert.equal(group.type, T.params);
                assert.equal(group.inputs.family, `aurora-postgresql${db.engineVersion.split(".")[0]}`);
                const params = Object.fromEntries(
                    (plain(group.inputs.parameters) as { name: string; value: string; applyMethod: string }[]).map(
                        (p) => [p.name, p],
                    ),
                );
                assert.deepEqual(params["rds.force_ssl"], {
                    name: "rds.force_ssl",
                    value: "1",
                    applyMethod: "pending-reboot",
                });
                assert.equal(params.log_min_duration_statement?.value, String(db.slowQueryThresholdMs));
                assert.equal(params.log_connections?.value, db.logConnections ? "1" : undefined);
                assert.equal(params.log_disconnections?.value, db.logConnections ? "1" : undefined);
            });

            it("creates the PostgreSQL log group, with retention, before the cluster", () => {
                const cluster = clusterOf(plan);
                const log = named(plan, "database-postgresql-log", T.logGroup);
                assert.ok(dependsOn(cluster, log), "the cluster waits for the log group");
                assert.deepEqual(cluster.inputs.enabledCloudwatchLogsExports, ["postgresql"]);
                assert.equal(log.inputs.retentionInDays, db.logRetentionDays);
                if (mode === "update") {
                    assert.equal(
                        log.inputs.name,
                        `/aws/rds/cluster/${String(cluster.inputs.clusterIdentifier)}/postgresql`,
                    );
                }
            });

            it("holds no plaintext credential anywhere: RDS manages the master password", () => {
                const cluster = clusterOf(plan);
                assert.equal(cluster.inputs.manageMasterUserPassword, true);
                assert.equal(cluster.inputs.masterPassword, undefined);
                assert.equal(cluster.inputs.masterPasswordWo, undefined);
                assert.equal(cluster.inputs.iamDatabaseAuthenticationEnabled, true);
                for (const r of plan.resources) {
                    for (const [k, v] of entries(r.inputs)) {
                        if (/pass(word)?$|passwd|pwd/i.test(k.split(".").pop() ?? "")) {
                            assert.ok(
                                typeof v !== "string" || v === UNKNOWN,
                                `${r.name}${k} is a plaintext credential-like value`,
                            );
                        }
                    }
                }
            });

            it("creates the services' IAM database users through the Data API, once the writer exists", () => {
                const users = [
                    ...new Set(
                        Object.values(settings.services.apps).flatMap((a) =>
                            a.databaseIamUser ? [a.databaseIamUser] : [],
                        ),
                    ),
                ].sort();
                const cluster = clusterOf(plan);
                assert.equal(cluster.inputs.enableHttpEndpoint, users.length > 0);
                const invocations = ofType(plan, "aws:lambda/invocation:Invocation");
                if (users.length === 0) {
                    assert.deepEqual(invocations, []);
                    return;
                }
                const invocation = named(plan, "database-iam-users", "aws:lambda/invocation:Invocation");
                assert.equal(invocation.parent, ofType(plan, T.component)[0].urn);
                assert.ok(dependsOn(invocation, instancesOf(plan)[0]), "waits for the writer");
                assert.equal((plain(invocation.inputs.triggers) as { users: string }).users, users.join(","));
                if (mode === "update") {
                    const input = JSON.parse(invocation.inputs.input as string) as {
                        users: string[];
                        database: string;
                    };
                    assert.deepEqual(input.users, users);
                    assert.equal(input.database, db.databaseName);
                }
            });

            it("lets AWS apply minor versions without Pulumi rolling them back, when configured", () => {
                const cluster = clusterOf(plan);
                const ignored = db.autoMinorVersionUpgrade ? ["engineVersion"] : [];
                assert.deepEqual(cluster.ignoreChanges, ignored);
                assert.equal(cluster.inputs.engineVersion, db.engineVersion);
                assert.equal(cluster.inputs.allowMajorVersionUpgrade, true);
                for (const i of instancesOf(plan)) {
                    assert.equal(i.inputs.autoMinorVersionUpgrade, db.autoMinorVersionUpgrade);
                    // Members run the cluster's version: a (possibly stale) version of their own is never sent.
                    assert.equal(i.inputs.engineVersion, undefined, "members follow the cluster's version");
                    assert.deepEqual(i.ignoreChanges ?? [], [], "nothing of a member is left to AWS");
                    assert.equal(i.deleteBeforeReplace, true, "a fixed identifier cannot exist twice");
                }
            });

            it("protects and recovers as configured: deletion protection, protect, backups, a unique final snapshot", () => {
                const cluster = clusterOf(plan);
                assert.equal(cluster.protect, db.protect);
                assert.equal(cluster.inputs.deletionProtection, db.deletionProtection);
                assert.equal(cluster.inputs.backupRetentionPeriod, db.backupRetentionDays);
                assert.equal(cluster.inputs.preferredBackupWindow, db.backupWindow);
                assert.equal(cluster.inputs.preferredMaintenanceWindow, db.maintenanceWindow);
                assert.equal(cluster.inputs.copyTagsToSnapshot, true);
                // A disposable cluster leaves no snapshot or backup that the destroyed key would make unreadable.
                assert.equal(cluster.inputs.skipFinalSnapshot, !db.protect);
                assert.equal(cluster.inputs.deleteAutomatedBackups, !db.protect);
                const suffix = depsOf(plan, cluster, "finalSnapshotIdentifier");
                assert.deepEqual(
                    suffix.map((s) => s.type),
                    [T.randomId],
                );
                assert.deepEqual(plain(suffix[0].inputs.keepers), {
                    clusterIdentifier: cluster.inputs.clusterIdentifier,
                });
                if (mode === "update") {
                    const id = String(cluster.inputs.clusterIdentifier);
                    assert.match(
                        String(cluster.inputs.finalSnapshotIdentifier),
                        new RegExp(`^${id}-final-[0-9a-f]{8}$`),
                    );
                } else {
                    assert.equal(
                        cluster.inputs.finalSnapshotIdentifier,
                        UNKNOWN,
                        "the suffix is random, so unknown in preview",
                    );
                }
            });

            it("turns on Performance Insights and Enhanced Monitoring with a role only RDS monitoring can assume", () => {
                const cluster = clusterOf(plan);
                for (const r of [cluster, ...instancesOf(plan)]) {
                    assert.equal(r.inputs.performanceInsightsEnabled, true, r.name);
                    assert.equal(
                        r.inputs.performanceInsightsRetentionPeriod,
                        db.performanceInsightsRetentionDays,
                        r.name,
                    );
                    assert.equal(r.inputs.monitoringInterval, db.monitoringIntervalSeconds, r.name);
                }
                assert.equal(cluster.inputs.databaseInsightsMode, db.databaseInsightsMode);
                if (db.monitoringIntervalSeconds > 0) {
                    const roles = depsOf(plan, cluster, "monitoringRoleArn");
                    assert.deepEqual(
                        roles.map((r) => r.type),
                        [T.role],
                    );
                    const attachment = ofType(plan, T.attachment).find((a) =>
                        depsOf(plan, a, "role").some((r) => r.urn === roles[0].urn),
                    );
                    assert.ok(attachment, "the monitoring role has a policy attached");
                    assert.ok(dependsOn(cluster, attachment), "the cluster waits for the policy attachment");
                    if (mode === "update") {
                        assert.match(
                            String(attachment.inputs.policyArn),
                            /^arn:aws:iam::aws:policy\/service-role\/AmazonRDSEnhancedMonitoringRole$/,
                        );
                        const trust = jsonInput(roles[0], "assumeRolePolicy") as {
                            Statement: {
                                Principal: { Service: string };
                                Condition: Record<string, Record<string, string>>;
                            }[];
                        };
                        assert.equal(trust.Statement.length, 1);
                        assert.equal(trust.Statement[0].Principal.Service, "monitoring.rds.amazonaws.com");
                        assert.equal(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], "123456789012");
                    }
                }
            });

            it("scales readers on CPU exactly when the stack asks for it", () => {
                const targets = ofType(plan, T.scalingTarget).filter((t) => t.parent === clusterOf(plan).parent);
                const auto = db.readerAutoscaling;
                if (!auto) {
                    assert.deepEqual(targets, []);
                    return;
                }
                assert.equal(targets.length, 1);
                const target = targets[0];
                assert.equal(target.inputs.serviceNamespace, "rds");
                assert.equal(target.inputs.scalableDimension, "rds:cluster:ReadReplicaCount");
                assert.equal(target.inputs.minCapacity, auto.minReaders);
                assert.equal(target.inputs.maxCapacity, auto.maxReaders);
                assert.deepEqual(target.propertyDependencies.resourceId, [clusterOf(plan).urn]);
                for (const i of instancesOf(plan)) assert.ok(dependsOn(target, i), `the target waits for ${i.name}`);
                if (mode === "update") {
                    assert.equal(
                        target.inputs.resourceId,
                        `cluster:${String(clusterOf(plan).inputs.clusterIdentifier)}`,
                    );
                }
                const policies = ofType(plan, T.scalingPolicy).filter((p) =>
                    depsOf(plan, p, "resourceId").some((t) => t.urn === target.urn),
                );
                assert.equal(policies.length, 1);
                const config = plain(policies[0].inputs.targetTrackingScalingPolicyConfiguration) as Record<
                    string,
                    unknown
                >;
                assert.equal(policies[0].inputs.policyType, "TargetTrackingScaling");
                assert.deepEqual(config.predefinedMetricSpecification, {
                    predefinedMetricType: "RDSReaderAverageCPUUtilization",
                });
                assert.equal(config.targetValue, auto.targetCpuPercent);
            });

            if (mode === "update") {
                it("exports the endpoints, port, security group, master secret and identifiers of what it created", () => {
                    const cluster = clusterOf(plan);
                    const o = plan.outputs;
                    assert.equal(o.writerEndpoint, cluster.outputs.endpoint);
                    assert.equal(o.readerEndpoint, cluster.outputs.readerEndpoint);
                    assert.match(String(o.writerEndpoint), /\.cluster-[0-9a-f]+\./);
                    assert.match(String(o.readerEndpoint), /\.cluster-ro-[0-9a-f]+\./);
                    assert.equal(o.databasePort, 5432);
                    assert.match(String(o.databaseSecurityGroupId), /^sg-/);
                    assert.ok(
                        String(dbSecurityGroups(plan)[0].outputs.arn).endsWith(`/${String(o.databaseSecurityGroupId)}`),
                    );
                    const secrets = plain(cluster.outputs.masterUserSecrets) as { secretArn: string }[];
                    assert.equal(o.databaseMasterSecretArn, secrets[0].secretArn);
                    assert.equal(o.databaseClusterIdentifier, cluster.inputs.clusterIdentifier);
                    assert.deepEqual(
                        o.databaseInstanceIdentifiers,
                        instancesOf(plan).map((i) => i.inputs.identifier),
                    );
                });
            }
        });
    }
}

describe("AuroraCluster across stacks", () => {
    it("gives every stack its own cluster identifier and final snapshot name", async () => {
        const clusters: PlannedResource[] = [];
        for (const stack of STACKS) clusters.push(clusterOf(await planOf(stack, "update")));
        for (const key of ["clusterIdentifier", "finalSnapshotIdentifier"]) {
            const values = clusters.map((c) => c.inputs[key]);
            assert.equal(new Set(values).size, STACKS.length, `${key}: ${values.join(", ")}`);
        }
    });
});

/** A minimal program around the component alone: a VPC, `azs` subnets, a key and a client security group. */
function isolatedProgram(opts: {
    azs: number;
    identifier?: string;
    clients?: number;
    allow?: string[];
    autoMinorVersionUpgrade?: boolean;
    iamDatabaseUsers?: string[];
    instanceClass?: string;
}) {
    return async () => {
        const aws = await import("@pulumi/aws");
        const { AuroraCluster } = await import("../components/auroraCluster");
        const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
        const zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"].slice(0, opts.azs);
        const subnets = zones.map(
            (az, i) =>
                new aws.ec2.Subnet(`isolated-${i}`, {
                    vpcId: vpc.id,
                    cidrBlock: `10.0.${i}.0/24`,
                    availabilityZone: az,
                }),
        );
        const key = new aws.kms.Key("key", {});
        const clients = Array.from(
            { length: opts.clients ?? 0 },
            (_, i) => new aws.ec2.SecurityGroup(`client-sg-${i}`, { vpcId: vpc.id }),
        );
        const db = new AuroraCluster("db", {
            clusterIdentifier: opts.identifier ?? "test-db",
            vpcId: vpc.id,
            subnetIds: subnets.map((s) => s.id),
            availabilityZones: zones,
            kmsKeyArn: key.arn,
            readers: 1,
            clientSecurityGroupIds: clients.map((c) => c.id),
            autoMinorVersionUpgrade: opts.autoMinorVersionUpgrade,
            iamDatabaseUsers: opts.iamDatabaseUsers,
            instanceClass: opts.instanceClass,
        });
        const extra = new aws.ec2.SecurityGroup("api-sg", { vpcId: vpc.id });
        for (const name of opts.allow ?? []) db.allowClient(name, extra.id);
        return { sg: db.securityGroupId };
    };
}

const config = { "aws:region": "eu-west-1" };

describe("AuroraCluster component contract", () => {
    it("admits each client security group, from Args and from allowClient, on 5432 by reference", async () => {
        const plan = await runIsolated({
            stack: "test",
            mode: "update",
            config,
            program: isolatedProgram({ azs: 2, clients: 2, allow: ["api"] }),
        });
        const component = ofType(plan, T.component)[0];
        const sg = named(plan, "db-sg", T.sg);
        const rules = rulesOf(plan, sg, T.ingress);
        assert.deepEqual(rules.map((r) => r.name).sort(), ["db-from-api", "db-from-client-0", "db-from-client-1"]);
        for (const rule of rules) {
            assert.equal(rule.parent, component.urn);
            assert.equal(rule.inputs.fromPort, 5432);
            assert.equal(rule.inputs.toPort, 5432);
            assert.equal(rule.inputs.ipProtocol, "tcp");
            assert.equal(rule.inputs.cidrIpv4, undefined);
            assert.match(String(rule.inputs.referencedSecurityGroupId), /^sg-/);
        }
        const api = named(plan, "db-from-api", T.ingress);
        assert.deepEqual(
            depsOf(plan, api, "referencedSecurityGroupId").map((r) => r.name),
            ["api-sg"],
        );
        assert.deepEqual(
            depsOf(plan, named(plan, "db-from-client-1", T.ingress), "referencedSecurityGroupId").map((r) => r.name),
            ["client-sg-1"],
        );
        assert.deepEqual(rulesOf(plan, sg, T.egress), []);
    });

    it("applies the secure defaults when only the required arguments are given", async () => {
        const plan = await runIsolated({ stack: "test", mode: "update", config, program: isolatedProgram({ azs: 2 }) });
        const cluster = named(plan, "db-cluster", T.cluster);
        assert.equal(cluster.protect, true);
        assert.equal(cluster.inputs.deletionProtection, true);
        assert.equal(cluster.inputs.engineVersion, "16.6");
        assert.equal(cluster.inputs.backupRetentionPeriod, 7);
        assert.equal(cluster.inputs.monitoringInterval, 60);
        const instances = ofType(plan, T.instance);
        assert.deepEqual(
            instances.map((i) => i.inputs.instanceClass),
            ["db.r8g.large", "db.r8g.large"],
        );
        assert.deepEqual(instances.map((i) => i.inputs.availabilityZone).sort(), ["eu-west-1a", "eu-west-1b"]);
    });

    it("manages the engine version itself when automatic minor upgrades are off", async () => {
        const plan = await runIsolated({
            stack: "test",
            config,
            program: isolatedProgram({ azs: 2, autoMinorVersionUpgrade: false }),
        });
        assert.deepEqual(named(plan, "db-cluster", T.cluster).ignoreChanges, []);
        assert.ok(ofType(plan, T.instance).length >= 1);
        for (const i of ofType(plan, T.instance)) {
            assert.equal(i.inputs.autoMinorVersionUpgrade, false);
            // RDS changes a member's version with its cluster's; Pulumi never sends one to an instance.
            assert.equal(i.inputs.engineVersion, undefined);
        }
        const auto = await runIsolated({ stack: "test", config, program: isolatedProgram({ azs: 2 }) });
        assert.deepEqual(named(auto, "db-cluster", T.cluster).ignoreChanges, ["engineVersion"], "on by default");
    });

    it("turns the Data API on and creates the users' function only when there are IAM database users", async () => {
        const none = await runIsolated({ stack: "test", config, program: isolatedProgram({ azs: 2 }) });
        assert.equal(named(none, "db-cluster", T.cluster).inputs.enableHttpEndpoint, false);
        assert.deepEqual(ofType(none, "aws:lambda/function:Function"), []);
        const some = await runIsolated({
            stack: "test",
            mode: "update",
            config,
            program: isolatedProgram({ azs: 2, iamDatabaseUsers: ["web_app", "jobs", "web_app"] }),
        });
        assert.equal(named(some, "db-cluster", T.cluster).inputs.enableHttpEndpoint, true);
        const invocation = named(some, "db-iam-users", "aws:lambda/invocation:Invocation");
        assert.deepEqual((JSON.parse(invocation.inputs.input as string) as { users: string[] }).users, [
            "jobs",
            "web_app",
        ]);
        assert.ok(dependsOn(invocation, named(some, "db-instance-0", T.instance)));
        assert.ok(!dependsOn(invocation, named(some, "db-instance-1", T.instance)), "the writer only");
    });

    it("refuses IAM database users the Data API cannot create, before any resource", async () => {
        await assert.rejects(
            runIsolated({
                stack: "test",
                config,
                program: isolatedProgram({ azs: 2, iamDatabaseUsers: ["dbadmin"], instanceClass: "db.t4g.medium" }),
            }),
            (e: unknown) =>
                e instanceof pulumi.RunError &&
                /is a T class/.test(e.message) &&
                /user "dbadmin" is the master user/.test(e.message),
        );
    });

    it("refuses a subnet group in a single AZ", async () => {
        await assert.rejects(
            runIsolated({ stack: "test", config, program: isolatedProgram({ azs: 1 }) }),
            (e: unknown) => e instanceof pulumi.RunError && /a DB subnet group needs at least 2 AZs/.test(e.message),
        );
    });

    it("refuses a cluster identifier AWS would reject", async () => {
        for (const identifier of ["1db", "db--x", "db-", "Db", "x".repeat(61)]) {
            await assert.rejects(
                runIsolated({ stack: "test", config, program: isolatedProgram({ azs: 2, identifier }) }),
                (e: unknown) =>
                    e instanceof pulumi.RunError &&
                    e.message.includes(`clusterIdentifier "${identifier}" is not valid`),
                identifier,
            );
        }
    });
});
