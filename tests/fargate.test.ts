import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { parseSettings } from "../stacks/settings";
import { AppSettings, DEFAULT_HEALTH_CHECK, ServicesSettings } from "../stacks/services";
import { PROJECT_DIR, RunResult } from "../tools/plan/runner";
import { ELB_ACCOUNTS } from "../tools/plan/invokes";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { PlannedResource } from "../tools/plan/types";
import { UNKNOWN, dependsOn, depsOf, jsonInput, named, ofType, plain, planOf, runIsolated } from "./helpers/plan";

const T = {
    service: "aws:ecs/service:Service",
    taskDef: "aws:ecs/taskDefinition:TaskDefinition",
    cluster: "aws:ecs/cluster:Cluster",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    tg: "aws:lb/targetGroup:TargetGroup",
    lb: "aws:lb/loadBalancer:LoadBalancer",
    listener: "aws:lb/listener:Listener",
    rule: "aws:lb/listenerRule:ListenerRule",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    repo: "aws:ecr/repository:Repository",
    lifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    image: "awsx:ecr:Image",
    target: "aws:appautoscaling/target:Target",
    policy: "aws:appautoscaling/policy:Policy",
    secret: "aws:secretsmanager/secret:Secret",
    key: "aws:kms/key:Key",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    vpcOrigin: "aws:cloudfront/vpcOrigin:VpcOrigin",
    subnet: "aws:ec2/subnet:Subnet",
    rds: "aws:rds/cluster:Cluster",
    password: "random:index/randomPassword:RandomPassword",
} as const;

/** The services section of a stack, read the way the program reads it. */
function servicesOf(stack: string): ServicesSettings {
    return parseSettings(readStackConfig(PROJECT_DIR, stack).raw, stack).services;
}

/** HTTPS to the load balancer comes with a custom domain, whose origin host name its certificate covers. */
function httpsOrigin(stack: string): boolean {
    return parseSettings(readStackConfig(PROJECT_DIR, stack).raw, stack).edge.domain !== undefined;
}

type Stmt = {
    Sid?: string;
    Effect: string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: unknown;
};
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const statements = (r: PlannedResource, prop = "policy") => (jsonInput(r, prop) as { Statement: Stmt[] }).Statement;
const inputs = (r: PlannedResource) => plain(r.inputs) as Record<string, unknown>;
const out = (r: PlannedResource, k: string) => plain(r.outputs[k]) as string;
const SECRET_LIKE = /PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|CREDENTIAL/i;

const STACKS = listStacks(PROJECT_DIR);
const WITH_SERVICES = STACKS.filter((stack) => Object.keys(servicesOf(stack).apps).length > 0);

describe("FargateService across the committed stacks", () => {
    it("is planned exactly for the stacks that configure services", async () => {
        for (const stack of STACKS) {
            const r = await planOf(stack, "update");
            const expected = WITH_SERVICES.includes(stack) ? 1 : 0;
            assert.strictEqual(ofType(r, "aws-platform:index:FargateService").length, expected, stack);
            assert.strictEqual(ofType(r, T.cluster).length, expected, stack);
        }
    });

    it("exercises both a web service and a worker somewhere in the committed stacks", () => {
        const apps = WITH_SERVICES.flatMap((stack) => Object.values(servicesOf(stack).apps));
        assert.ok(apps.some((a) => a.port !== undefined) && apps.some((a) => a.port === undefined));
    });
});

for (const stack of WITH_SERVICES) {
    // The load balancer, its VPC origin and its log bucket exist only for stacks with a web service (an app with a port).
    const hasWeb = Object.values(servicesOf(stack).apps).some((a) => a.port !== undefined);
    const region = readStackConfig(PROJECT_DIR, stack).raw["aws:region"] as string;
    describe(`FargateService in stack ${stack} (update)`, () => {
        let r: RunResult;
        let s: ServicesSettings;
        let apps: [string, AppSettings][];
        const web = () => apps.filter(([, a]) => a.port !== undefined);
        const workers = () => apps.filter(([, a]) => a.port === undefined);
        before(async () => {
            r = await planOf(stack, "update");
            s = servicesOf(stack);
            apps = Object.entries(s.apps);
        });

        /** Resources of this type registered by the FargateService component (the database autoscales too). */
        const mine = (type: string) => {
            const component = named(r, "app", "aws-platform:index:FargateService");
            return ofType(r, type).filter((x) => x.parent === component.urn);
        };

        it("creates the Container Insights log group, encrypted and with a retention, before the cluster", () => {
            const [cluster] = ofType(r, T.cluster);
            const group = named(r, "app-insights", T.logGroup);
            assert.strictEqual(
                inputs(group).name,
                `/aws/ecs/containerinsights/${inputs(cluster).name}/performance`,
                "the group AWS would otherwise create itself, unencrypted and kept forever",
            );
            assert.strictEqual(inputs(group).retentionInDays, s.cluster.insightsLogRetentionDays);
            assert.ok(depsOf(r, group, "kmsKeyId").some((k) => k.type === T.key));
            assert.ok(dependsOn(cluster, group), "the cluster waits for its log group");
        });

        it("has one cluster with Container Insights and a service per configured app", () => {
            const clusters = ofType(r, T.cluster);
            assert.strictEqual(clusters.length, 1);
            assert.deepStrictEqual(inputs(clusters[0]).settings, [
                { name: "containerInsights", value: s.cluster.containerInsights },
            ]);
            assert.strictEqual(mine(T.service).length, apps.length);
            assert.strictEqual(mine(T.taskDef).length, apps.length);
            assert.strictEqual(mine(T.tg).length, web().length);
            assert.strictEqual(mine(T.rule).length, web().length);
            assert.strictEqual(mine(T.repo).length, apps.filter(([, a]) => a.build).length);
            assert.strictEqual(mine(T.image).length, apps.filter(([, a]) => a.build).length);
            assert.strictEqual(mine(T.target).length, apps.filter(([, a]) => a.autoscaling).length);
            const expectedPolicies = apps.reduce(
                (n, [, a]) => n + (a.autoscaling ? 1 : 0) + (a.autoscaling?.requestsPerTarget && a.port ? 1 : 0),
                0,
            );
            assert.strictEqual(mine(T.policy).length, expectedPolicies);
            for (const [svc] of apps) {
                const service = named(r, `app-${svc}`, T.service);
                assert.ok(depsOf(r, service, "cluster").some((c) => c.type === T.cluster));
            }
        });

        it("runs tasks privately, self-healing, with the configured counts and capacity", () => {
            for (const [svc, app] of apps) {
                const service = named(r, `app-${svc}`, T.service);
                const p = inputs(service);
                const net = p.networkConfiguration as { assignPublicIp: boolean; securityGroups: string[] };
                assert.strictEqual(net.assignPublicIp, false);
                const subnets = depsOf(r, service, "networkConfiguration").filter((d) => d.type === T.subnet);
                assert.ok(subnets.length >= 2 && subnets.every((x) => x.name.startsWith("network-private-")));
                // Exactly the service's own group: one id, and the value came from that group.
                assert.strictEqual(net.securityGroups.length, 1);
                assert.match(net.securityGroups[0], /^sg-[0-9a-f]{17}$/);
                assert.deepStrictEqual(
                    depsOf(r, service, "networkConfiguration").filter((d) => d.type === T.sg),
                    [named(r, `app-${svc}`, T.sg)],
                );
                assert.strictEqual(p.desiredCount, app.desiredCount);
                assert.deepStrictEqual(p.deploymentCircuitBreaker, { enable: true, rollback: true });
                assert.deepStrictEqual(p.deploymentController, { type: "ECS" });
                assert.strictEqual(p.deploymentMinimumHealthyPercent, app.deployment.minimumHealthyPercent);
                assert.strictEqual(p.deploymentMaximumPercent, app.deployment.maximumPercent);
                assert.strictEqual(p.waitForSteadyState, true);
                assert.strictEqual(p.enableExecuteCommand, app.enableExecuteCommand);
                assert.strictEqual(p.propagateTags, "SERVICE");
                assert.strictEqual(p.forceNewDeployment, true, "a capacity-strategy change needs a new deployment");
                const expected = [
                    { capacityProvider: "FARGATE", ...app.capacity.fargate },
                    { capacityProvider: "FARGATE_SPOT", ...app.capacity.fargateSpot },
                ].filter((x) => x.weight > 0 || x.base > 0);
                assert.deepStrictEqual(p.capacityProviderStrategies, expected);
                // Fargate Spot runs ARM64 tasks from platform 1.4.0 on; LATEST is 1.4.0.
                assert.strictEqual(p.platformVersion, "LATEST");
                const td = inputs(named(r, `app-${svc}`, T.taskDef));
                assert.deepStrictEqual(td.runtimePlatform, {
                    operatingSystemFamily: "LINUX",
                    cpuArchitecture: app.architecture,
                });
                // Autoscaled services leave desiredCount to Application Auto Scaling, or each update would reset it.
                assert.deepStrictEqual(service.ignoreChanges ?? [], app.autoscaling ? ["desiredCount"] : []);
                assert.ok(dependsOn(service, named(r, "app-capacity")), "waits for the cluster's capacity providers");
            }
        });

        it("starts no service before the private tier's way out, nor before its IAM database user exists", () => {
            const settings = parseSettings(readStackConfig(PROJECT_DIR, stack).raw, stack);
            const natRoutes = ofType(r, "aws:ec2/route:Route").filter((x) => /^network-private-\d+-nat$/.test(x.name));
            // Until its association exists, a private subnet uses the main route table: no NAT, no S3 endpoint.
            const associations = ofType(r, "aws:ec2/routeTableAssociation:RouteTableAssociation").filter((x) =>
                /^network-private-\d+$/.test(x.name),
            );
            const endpoints = ofType(r, "aws:ec2/vpcEndpoint:VpcEndpoint");
            const endpointRule = ofType(r, T.ingress).filter((x) => x.name === "network-endpoints-https");
            assert.strictEqual(natRoutes.length, settings.network.azCount, "one default route per private subnet");
            assert.strictEqual(associations.length, settings.network.azCount, "one association per private subnet");
            assert.strictEqual(endpoints.length, 1 + settings.network.interfaceEndpoints.length, "S3 + interfaces");
            assert.strictEqual(endpointRule.length, settings.network.interfaceEndpoints.length > 0 ? 1 : 0);
            const invocations = ofType(r, "aws:lambda/invocation:Invocation");
            for (const [svc, app] of apps) {
                const service = named(r, `app-${svc}`, T.service);
                for (const x of [...associations, ...natRoutes, ...endpoints, ...endpointRule]) {
                    assert.ok(dependsOn(service, x), `${svc} does not wait for ${x.name}`);
                }
                assert.deepStrictEqual(
                    invocations.filter((i) => dependsOn(service, i)).map((i) => i.name),
                    app.databaseIamUser ? ["database-iam-users"] : [],
                    `${svc} and the IAM users invocation`,
                );
            }
        });

        it("starts no service before the values of the secrets its tasks read exist", () => {
            const versions = ofType(r, "aws:secretsmanager/secretVersion:SecretVersion");
            for (const [svc, app] of apps) {
                const service = named(r, `app-${svc}`, T.service);
                const read = Object.values(app.secrets ?? {}).filter((ref) => !ref.startsWith("database:"));
                const expected = [
                    ...new Set([
                        ...read.map((ref) => `secrets-${ref}-version`),
                        ...(app.cacheAccess ? ["cache-credentials"] : []),
                    ]),
                ].sort();
                assert.deepStrictEqual(
                    versions
                        .filter((v) => dependsOn(service, v))
                        .map((v) => v.name)
                        .sort(),
                    expected,
                    `${svc} waits for exactly the secret values it reads`,
                );
            }
        });

        it("wires web services to the load balancer and gives workers no load balancer at all", () => {
            for (const [svc, app] of web()) {
                const service = named(r, `app-${svc}`, T.service);
                const tg = named(r, `app-${svc}`, T.tg);
                const hc = app.healthCheck ?? DEFAULT_HEALTH_CHECK;
                const t = inputs(tg);
                assert.strictEqual(t.targetType, "ip");
                assert.strictEqual(t.protocol, "HTTP");
                assert.strictEqual(t.port, app.port);
                assert.strictEqual(t.deregistrationDelay, app.deregistrationDelaySeconds ?? 15);
                const check = t.healthCheck as Record<string, unknown>;
                assert.strictEqual(check.path, hc.path);
                assert.strictEqual(check.matcher, hc.matcher);
                assert.strictEqual(check.interval, hc.intervalSeconds);
                assert.strictEqual(check.timeout, hc.timeoutSeconds);
                assert.deepStrictEqual(depsOf(r, service, "loadBalancers"), [tg]);
                assert.deepStrictEqual(plain(service.inputs.loadBalancers), [
                    { targetGroupArn: out(tg, "arn"), containerName: svc, containerPort: app.port },
                ]);
                assert.strictEqual(inputs(service).healthCheckGracePeriodSeconds, hc.gracePeriodSeconds);
                const rule = named(r, `app-${svc}`, T.rule);
                assert.strictEqual(inputs(rule).priority, app.routing!.priority);
                assert.deepStrictEqual(depsOf(r, rule, "actions"), [tg]);
                assert.ok(dependsOn(service, rule), "the service waits until its target group is on a listener");
            }
            for (const [svc] of workers()) {
                const service = named(r, `app-${svc}`, T.service);
                assert.strictEqual(service.inputs.loadBalancers, undefined);
                assert.strictEqual(service.inputs.healthCheckGracePeriodSeconds, undefined);
                assert.strictEqual(r.resources.filter((x) => x.name === `app-${svc}` && x.type === T.tg).length, 0);
                const sg = named(r, `app-${svc}`, T.sg);
                const ingress = ofType(r, T.ingress).filter((x) => depsOf(r, x, "securityGroupId").includes(sg));
                assert.deepStrictEqual(ingress, [], "a worker admits nothing");
            }
        });

        if (hasWeb) {
            it("chains security groups: CloudFront prefix list → ALB → service → database", () => {
                const albSg = named(r, "app-alb", T.sg);
                const dbSg = named(r, "database-sg", T.sg);
                const https = httpsOrigin(stack);
                const listenerPort = https ? 443 : 80;
                // Nothing anywhere is open to the world.
                for (const rule of ofType(r, T.ingress)) {
                    assert.ok(!["0.0.0.0/0"].includes(inputs(rule).cidrIpv4 as string), `${rule.name} is not open`);
                    assert.ok(inputs(rule).cidrIpv6 === undefined, `${rule.name} has no IPv6 CIDR`);
                }
                // The security groups have no inline rules.
                for (const sg of ofType(r, T.sg).filter((x) => x.name.startsWith("app-"))) {
                    assert.strictEqual(sg.inputs.ingress, undefined);
                    assert.strictEqual(sg.inputs.egress, undefined);
                }
                const albIngress = ofType(r, T.ingress).filter((x) => depsOf(r, x, "securityGroupId").includes(albSg));
                assert.strictEqual(albIngress.length, 1);
                const cf = inputs(albIngress[0]);
                assert.match(cf.prefixListId as string, /^pl-/);
                assert.strictEqual(cf.fromPort, listenerPort);
                assert.strictEqual(cf.toPort, listenerPort);
                assert.strictEqual(cf.cidrIpv4, undefined);

                for (const [svc, app] of apps) {
                    const sg = named(r, `app-${svc}`, T.sg);
                    const ownIngress = ofType(r, T.ingress).filter((x) => depsOf(r, x, "securityGroupId").includes(sg));
                    const ownEgress = ofType(r, T.egress).filter((x) => depsOf(r, x, "securityGroupId").includes(sg));
                    if (app.port !== undefined) {
                        assert.strictEqual(ownIngress.length, 1);
                        assert.deepStrictEqual(depsOf(r, ownIngress[0], "referencedSecurityGroupId"), [albSg]);
                        assert.strictEqual(inputs(ownIngress[0]).fromPort, app.port);
                        assert.strictEqual(inputs(ownIngress[0]).toPort, app.port);
                        const albOut = ofType(r, T.egress).filter(
                            (x) =>
                                depsOf(r, x, "securityGroupId").includes(albSg) &&
                                depsOf(r, x, "referencedSecurityGroupId").includes(sg),
                        );
                        assert.strictEqual(albOut.length, 1, `the ALB may reach ${svc}`);
                        assert.strictEqual(inputs(albOut[0]).fromPort, app.port);
                    }
                    const toDb = ownEgress.filter((x) => depsOf(r, x, "referencedSecurityGroupId").includes(dbSg));
                    const usesDb =
                        Object.values(app.secrets).some((v) => v.startsWith("database:")) ||
                        app.databaseIamUser !== undefined;
                    assert.strictEqual(toDb.length, usesDb ? 1 : 0);
                    if (usesDb) {
                        assert.strictEqual(inputs(toDb[0]).fromPort, 5432);
                        const dbIn = named(r, `database-from-${svc}`, T.ingress);
                        assert.deepStrictEqual(depsOf(r, dbIn, "referencedSecurityGroupId"), [sg]);
                        assert.deepStrictEqual(depsOf(r, dbIn, "securityGroupId"), [dbSg]);
                    }
                    const other = ownEgress.filter((x) => !toDb.includes(x));
                    // The internet, or else the interface endpoints' group and the S3 gateway endpoint's prefix list.
                    const to = (x: PlannedResource) =>
                        (inputs(x).cidrIpv4 as string | undefined) ??
                        [...depsOf(r, x, "referencedSecurityGroupId"), ...depsOf(r, x, "prefixListId")]
                            .map((d) => d.name)
                            .join();
                    assert.deepStrictEqual(
                        other.map((x) => [to(x), inputs(x).fromPort, inputs(x).toPort]),
                        app.internetEgress
                            ? [["0.0.0.0/0", 443, 443]]
                            : [
                                  ["network-endpoints", 443, 443],
                                  ["network-s3", 443, 443],
                              ],
                        "only HTTPS out besides the database",
                    );
                }
            });
        }
        it("scopes each execution role to its own secrets, key, repository and log group", () => {
            const keyArn = out(ofType(r, T.key)[0], "arn");
            const secretArn = (name: string) => out(named(r, `secrets-${name}`, T.secret), "arn");
            const dbSecretArn = (plain(ofType(r, T.rds)[0].outputs.masterUserSecrets) as { secretArn: string }[])[0]
                .secretArn;
            for (const [svc, app] of apps) {
                const docs = statements(named(r, `app-${svc}-exec`, T.rolePolicy));
                const logGroup = named(r, `app-${svc}`, T.logGroup);
                const expectedSecrets = [
                    ...new Set(
                        Object.values(app.secrets).map((ref) =>
                            ref.startsWith("database:") ? dbSecretArn : secretArn(ref),
                        ),
                    ),
                ].sort();
                const get = docs.filter((d) => list(d.Action).includes("secretsmanager:GetSecretValue"));
                assert.deepStrictEqual(get.flatMap((d) => list(d.Resource)).sort(), expectedSecrets);
                const kms = docs.filter((d) => list(d.Action).some((a) => a.startsWith("kms:")));
                assert.deepStrictEqual(
                    kms.flatMap((d) => list(d.Resource)),
                    expectedSecrets.length ? [keyArn] : [],
                );
                assert.deepStrictEqual(
                    kms.flatMap((d) => list(d.Action)),
                    expectedSecrets.length ? ["kms:Decrypt"] : [],
                );
                for (const k of kms) {
                    assert.deepStrictEqual(k.Condition, {
                        StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` },
                    });
                }
                const logs = docs.filter((d) => list(d.Action).some((a) => a.startsWith("logs:")));
                assert.deepStrictEqual(
                    logs.flatMap((d) => list(d.Resource)),
                    [`${out(logGroup, "arn")}:*`],
                );
                const ecr = docs.filter((d) => list(d.Action).some((a) => a.startsWith("ecr:")));
                if (app.build) {
                    const repoArn = out(named(r, `app-${svc}`, T.repo), "arn");
                    const resources = ecr.flatMap((d) => list(d.Resource)).sort();
                    assert.deepStrictEqual(resources, ["*", repoArn].sort());
                    const star = ecr.filter((d) => list(d.Resource).includes("*"));
                    assert.deepStrictEqual(
                        star.flatMap((d) => list(d.Action)),
                        ["ecr:GetAuthorizationToken"],
                    );
                } else {
                    assert.deepStrictEqual(ecr, []);
                }
                // Nothing else: every statement is one of the above, all Allow.
                assert.strictEqual(docs.length, get.length + kms.length + logs.length + ecr.length);
                // The trust policy names ECS tasks and this account only.
                const trust = jsonInput(named(r, `app-${svc}-exec`, T.role), "assumeRolePolicy") as {
                    Statement: Stmt[];
                };
                assert.deepStrictEqual(trust.Statement[0].Condition, {
                    StringEquals: { "aws:SourceAccount": "123456789012" },
                });
                // The task role gets nothing the config does not grant.
                const taskRole = named(r, `app-${svc}-task`, T.role);
                const grants = r.resources.filter(
                    (x) =>
                        x.parent === taskRole.parent &&
                        Object.values(x.propertyDependencies).flat().includes(taskRole.urn),
                );
                assert.deepStrictEqual(
                    grants.map((g) => g.name).filter((n) => n !== `app-${svc}`),
                    [
                        ...app.taskRole.managedPolicyArns.map((_, i) => `app-${svc}-task-${i}`),
                        ...(app.databaseIamUser ? [`app-${svc}-db-connect`] : []),
                    ],
                );
                // IAM database authentication: connect as exactly the configured user of this cluster, nothing else.
                if (app.databaseIamUser) {
                    const resourceId = out(ofType(r, T.rds)[0], "clusterResourceId");
                    assert.deepStrictEqual(statements(named(r, `app-${svc}-db-connect`, T.rolePolicy)), [
                        {
                            Sid: "ConnectAsOwnDatabaseUser",
                            Effect: "Allow",
                            Action: "rds-db:connect",
                            Resource: `arn:aws:rds-db:${region}:123456789012:dbuser:${resourceId}/${app.databaseIamUser}`,
                        },
                    ]);
                }
            }
        });

        it("never puts a secret in a container's environment and hardens every container", () => {
            const passwords = ofType(r, T.password).map((p) => out(p, "result"));
            assert.ok(passwords.length > 0);
            for (const [svc, app] of apps) {
                const td = named(r, `app-${svc}`, T.taskDef);
                const [c] = jsonInput(td, "containerDefinitions") as Record<string, unknown>[];
                const env = c.environment as { name: string; value: string }[];
                const secrets = c.secrets as { name: string; valueFrom: string }[];
                for (const e of env) {
                    assert.ok(!SECRET_LIKE.test(e.name), `${svc}: ${e.name} in plaintext environment`);
                    assert.ok(!passwords.some((p) => e.value.includes(p)), `${svc}: a generated secret value leaked`);
                    assert.ok(!e.value.startsWith("arn:aws:secretsmanager"), `${svc}: a secret ARN as plain env`);
                }
                assert.deepStrictEqual(secrets.map((x) => x.name).sort(), Object.keys(app.secrets).sort());
                const envValue = (name: string) => env.find((e) => e.name === name)?.value;
                assert.strictEqual(envValue("DATABASE_USER"), app.databaseIamUser);
                assert.strictEqual(envValue("DATABASE_IAM_AUTH"), app.databaseIamUser ? "true" : undefined);
                for (const x of secrets) {
                    assert.ok(
                        x.valueFrom.startsWith(`arn:aws:secretsmanager:${region}:123456789012:secret:`),
                        x.valueFrom,
                    );
                    if (app.secrets[x.name].startsWith("database:")) {
                        assert.ok(x.valueFrom.endsWith(`:${app.secrets[x.name].split(":")[1]}::`), x.valueFrom);
                    }
                }
                assert.ok(!JSON.stringify(c).includes(UNKNOWN));
                assert.strictEqual(c.readonlyRootFilesystem, true);
                assert.strictEqual(c.privileged, false);
                assert.deepStrictEqual(c.linuxParameters, {
                    capabilities: { drop: ["ALL"] },
                    initProcessEnabled: true,
                });
                assert.strictEqual(c.user, app.user);
                const mounts = c.mountPoints as { sourceVolume: string; containerPath: string }[];
                assert.deepStrictEqual(
                    mounts.map((m) => m.containerPath),
                    app.scratchPaths,
                );
                const volumes = plain(td.inputs.volumes) as { name: string; hostPath?: string }[];
                assert.deepStrictEqual(
                    volumes.map((v) => v.name),
                    mounts.map((m) => m.sourceVolume),
                );
                assert.ok(
                    volumes.every((v) => v.hostPath === undefined),
                    "ephemeral task storage, no host paths",
                );
                const log = (c.logConfiguration as { options: Record<string, string> }).options;
                const logGroup = named(r, `app-${svc}`, T.logGroup);
                assert.strictEqual(log["awslogs-group"], out(logGroup, "name"));
                assert.ok(depsOf(r, td, "containerDefinitions").includes(logGroup), "log group before task definition");
                assert.strictEqual(inputs(logGroup).retentionInDays, app.logRetentionDays);
                assert.ok(depsOf(r, logGroup, "kmsKeyId").some((k) => k.type === T.key));
                const t = inputs(td);
                assert.strictEqual(t.cpu, String(app.cpu));
                assert.strictEqual(t.memory, String(app.memory));
                assert.deepStrictEqual(t.runtimePlatform, {
                    operatingSystemFamily: "LINUX",
                    cpuArchitecture: app.architecture,
                });
                assert.deepStrictEqual(t.requiresCompatibilities, ["FARGATE"]);
                assert.strictEqual(t.networkMode, "awsvpc");
                assert.notStrictEqual(t.executionRoleArn, t.taskRoleArn);
            }
        });

        it("builds images into the service's own immutable, scanned, KMS-encrypted repository", () => {
            for (const [svc, app] of apps.filter(([, a]) => a.build)) {
                const repo = named(r, `app-${svc}`, T.repo);
                const p = inputs(repo);
                assert.strictEqual(p.imageTagMutability, "IMMUTABLE");
                assert.deepStrictEqual(p.imageScanningConfiguration, { scanOnPush: true });
                assert.strictEqual(
                    (p.encryptionConfigurations as { encryptionType: string }[])[0].encryptionType,
                    "KMS",
                );
                assert.ok(depsOf(r, repo, "encryptionConfigurations").some((k) => k.type === T.key));
                const lifecycle = JSON.parse(inputs(named(r, `app-${svc}`, T.lifecycle)).policy as string) as {
                    rules: { selection: { tagStatus: string; countNumber: number } }[];
                };
                assert.deepStrictEqual(
                    lifecycle.rules.map((x) => [x.selection.tagStatus, x.selection.countNumber]),
                    [
                        ["untagged", app.ecr.untaggedExpiryDays],
                        ["any", app.ecr.keepImages],
                    ],
                );
                const image = named(r, `app-${svc}`, T.image);
                const i = inputs(image);
                assert.strictEqual(i.context, app.build!.context);
                assert.strictEqual(i.platform, app.architecture === "ARM64" ? "linux/arm64" : "linux/amd64");
                assert.match(i.imageTag as string, /^src-[0-9a-f]{16}$/);
                assert.deepStrictEqual(depsOf(r, image, "repositoryUrl"), [repo]);
                const uri = out(image, "imageUri");
                assert.ok(uri.startsWith(`${out(repo, "repositoryUrl")}@sha256:`), uri);
                const [c] = jsonInput(named(r, `app-${svc}`, T.taskDef), "containerDefinitions") as { image: string }[];
                assert.strictEqual(c.image, uri, "the task runs the pushed digest");
            }
        });

        it("autoscales on CPU and requests, with a target linked to the service", () => {
            for (const [svc, app] of apps.filter(([, a]) => a.autoscaling)) {
                const as = app.autoscaling!;
                const service = named(r, `app-${svc}`, T.service);
                const target = named(r, `app-${svc}`, T.target);
                const t = inputs(target);
                assert.strictEqual(t.minCapacity, as.minCount);
                assert.strictEqual(t.maxCapacity, as.maxCount);
                assert.strictEqual(t.scalableDimension, "ecs:service:DesiredCount");
                assert.ok(depsOf(r, target, "resourceId").includes(service), "resourceId comes from the service");
                assert.ok(depsOf(r, target, "resourceId").some((c) => c.type === T.cluster));
                const clusterName = out(ofType(r, T.cluster)[0], "name");
                assert.strictEqual(t.resourceId, `service/${clusterName}/${out(service, "name")}`);
                const cpu = inputs(named(r, `app-${svc}-cpu`, T.policy));
                const cfg = cpu.targetTrackingScalingPolicyConfiguration as Record<string, unknown>;
                assert.strictEqual(cfg.targetValue, as.cpuTargetPercent);
                assert.deepStrictEqual(cfg.predefinedMetricSpecification, {
                    predefinedMetricType: "ECSServiceAverageCPUUtilization",
                });
                assert.strictEqual(cpu.resourceId, t.resourceId);
                if (as.requestsPerTarget && app.port) {
                    const req = inputs(named(r, `app-${svc}-requests`, T.policy));
                    const rc = req.targetTrackingScalingPolicyConfiguration as Record<string, unknown>;
                    assert.strictEqual(rc.targetValue, as.requestsPerTarget);
                    const lb = named(r, "app-alb", T.lb);
                    const tg = named(r, `app-${svc}`, T.tg);
                    assert.deepStrictEqual(rc.predefinedMetricSpecification, {
                        predefinedMetricType: "ALBRequestCountPerTarget",
                        resourceLabel: `${out(lb, "arnSuffix")}/${out(tg, "arnSuffix")}`,
                    });
                }
            }
        });

        if (hasWeb) {
            it("puts one internal, hardened load balancer behind a CloudFront VPC origin", () => {
                const lbs = ofType(r, T.lb);
                assert.strictEqual(lbs.length, 1);
                const lb = lbs[0];
                const p = inputs(lb);
                assert.strictEqual(p.internal, true);
                assert.strictEqual(p.loadBalancerType, "application");
                assert.strictEqual(p.dropInvalidHeaderFields, true);
                assert.strictEqual(p.desyncMitigationMode, "strictest");
                assert.strictEqual(p.enableDeletionProtection, s.loadBalancer.deletionProtection);
                const subnets = depsOf(r, lb, "subnets");
                assert.ok(subnets.length >= 2 && subnets.every((x) => x.name.startsWith("network-private-")));
                assert.deepStrictEqual(depsOf(r, lb, "securityGroups"), [named(r, "app-alb", T.sg)]);
                const bucket = named(r, "app-alb-logs", T.bucket);
                assert.deepStrictEqual(depsOf(r, lb, "accessLogs"), [bucket]);
                assert.ok(
                    dependsOn(lb, named(r, "app-alb-logs", T.bucketPolicy)),
                    "the LB waits for the bucket policy",
                );

                const listeners = ofType(r, T.listener);
                assert.strictEqual(listeners.length, 1);
                const l = inputs(listeners[0]);
                const https = httpsOrigin(stack);
                assert.strictEqual(l.protocol, https ? "HTTPS" : "HTTP");
                assert.strictEqual(l.port, https ? 443 : 80);
                if (https) {
                    assert.strictEqual(l.sslPolicy, s.loadBalancer.sslPolicy);
                    // The configured certificate, or the one the site's domain issues (tests/edge.test.ts).
                    const domain = named(r, "domain-origin", "aws:acm/certificateValidation:CertificateValidation");
                    assert.strictEqual(
                        l.certificateArn,
                        s.loadBalancer.certificateArn ?? out(domain, "certificateArn"),
                    );
                }
                assert.deepStrictEqual(
                    (l.defaultActions as { type: string; fixedResponse: { statusCode: string } }[]).map((a) => [
                        a.type,
                        a.fixedResponse.statusCode,
                    ]),
                    [["fixed-response", "404"]],
                );

                // The VPC origin itself belongs to EdgeCdn now (tests/edge.test.ts); none is left here.
                assert.strictEqual(mine(T.vpcOrigin).length, 0);
                assert.strictEqual(plain(r.outputs.loadBalancerDnsName), out(lb, "dnsName"));
                assert.strictEqual(plain(r.outputs.clusterName), `aws-platform-${stack}-app`);
            });
        }
        if (hasWeb) {
            it("sends access logs to an SSE-S3, private, TLS-only bucket that only ELB may write to", () => {
                const bucket = named(r, "app-alb-logs", T.bucket);
                const linked = (type: string) => {
                    const found = r.resources.filter((x) => x.type === type && depsOf(r, x, "bucket").includes(bucket));
                    assert.strictEqual(found.length, 1, type);
                    return inputs(found[0]);
                };
                const sse = linked(
                    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                );
                assert.deepStrictEqual(sse.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]);
                assert.strictEqual(
                    inputs(bucket).forceDestroy,
                    !s.loadBalancer.deletionProtection,
                    "only a stack without deletion protection may destroy its access logs with the bucket",
                );
                const pab = linked("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
                for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
                    assert.strictEqual(pab[k], true, k);
                }
                assert.deepStrictEqual(linked("aws:s3/bucketOwnershipControls:BucketOwnershipControls").rule, {
                    objectOwnership: "BucketOwnerEnforced",
                });
                const lifecycle = linked("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
                assert.strictEqual(
                    (lifecycle.rules as { expiration: { days: number } }[])[0].expiration.days,
                    s.loadBalancer.accessLogRetentionDays,
                );
                linked(T.bucketPolicy);
                const policy = named(r, "app-alb-logs", T.bucketPolicy);
                const docs = statements(policy);
                const bucketArn = out(bucket, "arn");
                const writes = docs.filter((d) => d.Effect === "Allow");
                assert.ok(writes.length >= 1);
                for (const w of writes) {
                    assert.deepStrictEqual(list(w.Action), ["s3:PutObject"]);
                    assert.deepStrictEqual(list(w.Resource), [`${bucketArn}/alb/AWSLogs/123456789012/*`]);
                }
                const principals = JSON.stringify(writes.map((w) => (w as { Principal?: unknown }).Principal));
                assert.ok(principals.includes("logdelivery.elasticloadbalancing.amazonaws.com"));
                // A region that predates August 2022 has a regional ELB account, which is granted too.
                const elbAccount = ELB_ACCOUNTS[region];
                assert.strictEqual(principals.includes(`arn:aws:iam::${elbAccount}:root`), elbAccount !== undefined);
                const deny = docs.filter((d) => d.Effect === "Deny");
                assert.deepStrictEqual(deny, [
                    {
                        Sid: "DenyInsecureTransport",
                        Effect: "Deny",
                        Principal: "*",
                        Action: "s3:*",
                        Resource: [bucketArn, `${bucketArn}/*`],
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ]);
            });
        }
        if (!hasWeb) {
            it("has no load balancer, VPC origin or access-log bucket: no service has a port", () => {
                for (const type of [T.lb, T.listener, T.tg, T.vpcOrigin, T.bucket])
                    assert.strictEqual(mine(type).length, 0);
            });
        }
    });
}

describe("FargateService at preview", () => {
    it("plans with unknown ARNs: container definitions and policies stay unknown, nothing hangs", async () => {
        const stack = WITH_SERVICES.find((st) => Object.values(servicesOf(st).apps).some((a) => a.port !== undefined))!;
        const r = await planOf(stack, "preview");
        const apps = Object.keys(servicesOf(stack).apps);
        assert.strictEqual(ofType(r, T.service).length, apps.length);
        for (const svc of apps) {
            assert.strictEqual(named(r, `app-${svc}`, T.taskDef).inputs.containerDefinitions, UNKNOWN);
        }
        // The bucket name is derived from the stack and account, so the log bucket policy is known even at preview.
        const policy = statements(named(r, "app-alb-logs", T.bucketPolicy));
        assert.ok(policy.some((d) => d.Effect === "Deny"));
    });
});

describe("FargateService variants", () => {
    const base = { "aws:region": "eu-west-1" };
    const program =
        (services: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
        async () => {
            const { FargateService } = await import("../components/fargateService");
            const key = new aws.kms.Key("key", {});
            const secret = new aws.secretsmanager.Secret("signing", {});
            const c = new FargateService("svc", {
                vpcId: "vpc-0123",
                privateSubnetIds: ["subnet-a", "subnet-b"],
                kmsKeyArn: key.arn,
                secretArns: { "app-signing-key": secret.arn },
                region: "eu-west-1",
                namePrefix: "shop-t",
                services: services as never,
                ...extra,
            });
            return { clusterName: c.clusterName, sgs: c.securityGroupIds };
        };

    it("takes the region as an argument, and refuses one the provider does not deploy to", async () => {
        const web = {
            web: {
                image: "public.ecr.aws/nginx/nginx:1.27",
                cpu: 256,
                memory: 512,
                port: 8080,
                routing: { priority: 1 },
            },
        };
        const elbPrincipals = (r: RunResult) =>
            JSON.stringify(jsonInput(named(r, "svc-alb-logs", T.bucketPolicy), "policy")).match(
                /arn:aws:iam::\d+:root/g,
            );
        // eu-west-1 predates August 2022: its ELB account is granted, chosen from the argument alone.
        const ok = await runIsolated({ stack: "t", mode: "update", config: base, program: program(web) });
        assert.deepStrictEqual(elbPrincipals(ok), [`arn:aws:iam::${ELB_ACCOUNTS["eu-west-1"]}:root`]);
        await assert.rejects(
            runIsolated({ stack: "t", mode: "update", config: base, program: program(web, { region: "us-east-1" }) }),
            /FargateService svc: region is us-east-1, but the component's provider deploys to eu-west-1/,
        );
    });

    it("runs a prebuilt image without a repository or any ECR permission", async () => {
        const r = await runIsolated({
            stack: "t",
            mode: "update",
            config: base,
            program: program({
                api: {
                    image: "public.ecr.aws/nginx/nginx:1.27",
                    cpu: 256,
                    memory: 512,
                    port: 8080,
                    routing: { priority: 1, hostHeaders: ["api.example.com"] },
                    secrets: { SIGNING_KEY: "app-signing-key" },
                },
            }),
        });
        assert.strictEqual(ofType(r, T.repo).length, 0);
        assert.strictEqual(ofType(r, T.image).length, 0);
        const [c] = jsonInput(named(r, "svc-api", T.taskDef), "containerDefinitions") as { image: string }[];
        assert.strictEqual(c.image, "public.ecr.aws/nginx/nginx:1.27");
        const docs = statements(named(r, "svc-api-exec", T.rolePolicy));
        assert.ok(!docs.some((d) => list(d.Action).some((a) => a.startsWith("ecr:"))));
        assert.deepStrictEqual(
            docs
                .filter((d) => list(d.Action).includes("secretsmanager:GetSecretValue"))
                .flatMap((d) => list(d.Resource)),
            [out(named(r, "signing", T.secret), "arn")],
        );
        const rule = inputs(named(r, "svc-api", T.rule));
        assert.deepStrictEqual(rule.conditions, [{ hostHeader: { values: ["api.example.com"] } }]);
        // No autoscaling: the engine manages desiredCount.
        assert.deepStrictEqual(named(r, "svc-api", T.service).ignoreChanges, []);
    });

    it("lets a prebuilt image from a private ECR repository be pulled from exactly that repository", async () => {
        const image = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/jobs:3.1";
        const r = await runIsolated({
            stack: "t",
            mode: "update",
            config: base,
            program: program({ jobs: { image, cpu: 256, memory: 512 } }),
        });
        assert.strictEqual(ofType(r, T.repo).length, 0);
        const [c] = jsonInput(named(r, "svc-jobs", T.taskDef), "containerDefinitions") as { image: string }[];
        assert.strictEqual(c.image, image);
        const docs = statements(named(r, "svc-jobs-exec", T.rolePolicy));
        const ecr = docs.filter((d) => list(d.Action).some((a) => a.startsWith("ecr:")));
        assert.deepStrictEqual(
            ecr.map((d) => [list(d.Action).sort(), d.Resource]),
            [
                [
                    ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                    "arn:aws:ecr:eu-west-1:210987654321:repository/shared/jobs",
                ],
                [["ecr:GetAuthorizationToken"], "*"],
            ],
        );
    });

    it("builds only what a lone worker needs: no load balancer, bucket, origin or secrets access", async () => {
        const r = await runIsolated({
            stack: "t",
            mode: "update",
            config: base,
            program: program({
                jobs: {
                    image: "public.ecr.aws/docker/library/node:20-alpine",
                    command: ["node", "w.js"],
                    cpu: 256,
                    memory: 512,
                },
            }),
        });
        for (const type of [T.lb, T.listener, T.tg, T.bucket, T.vpcOrigin, T.ingress]) {
            assert.strictEqual(ofType(r, type).length, 0, type);
        }
        const docs = statements(named(r, "svc-jobs-exec", T.rolePolicy));
        assert.deepStrictEqual(
            docs.map((d) => d.Sid),
            ["WriteOwnLogGroup"],
        );
        assert.strictEqual(inputs(named(r, "svc-jobs", T.service)).desiredCount, 2);
    });

    it("serves HTTPS with the configured certificate and TLS policy", async () => {
        const cert = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-4333-8444-555555555555";
        const r = await runIsolated({
            stack: "t",
            mode: "preview",
            config: base,
            program: program(
                {
                    web: {
                        image: "nginx:1.27",
                        cpu: 256,
                        memory: 512,
                        port: 80,
                        routing: { priority: 1, pathPatterns: ["/*"] },
                    },
                },
                { loadBalancer: { certificateArn: cert, deletionProtection: false } },
            ),
        });
        const l = inputs(ofType(r, T.listener)[0]);
        assert.deepStrictEqual(
            [l.protocol, l.port, l.sslPolicy, l.certificateArn],
            ["HTTPS", 443, "ELBSecurityPolicy-TLS13-1-2-2021-06", cert],
        );
        assert.strictEqual(
            inputs(ofType(r, T.ingress).find((x) => x.name === "svc-alb-from-cloudfront")!).fromPort,
            443,
        );
        assert.strictEqual(inputs(ofType(r, T.lb)[0]).enableDeletionProtection, false);
        assert.strictEqual(inputs(ofType(r, T.bucket)[0]).forceDestroy, true);
    });

    it("enables ECS Exec only on request, with its channels, writable agent paths and an encrypted session", async () => {
        const r = await runIsolated({
            stack: "t",
            mode: "update",
            config: base,
            program: program({
                ops: { image: "nginx:1.27", cpu: 256, memory: 512, enableExecuteCommand: true, scratchPaths: ["/tmp"] },
                quiet: { image: "nginx:1.27", cpu: 256, memory: 512 },
            }),
        });
        assert.strictEqual(inputs(named(r, "svc-ops", T.service)).enableExecuteCommand, true);
        assert.strictEqual(inputs(named(r, "svc-quiet", T.service)).enableExecuteCommand, false);
        const exec = statements(named(r, "svc-ops-exec-command", T.rolePolicy));
        const execActions = list(exec[0].Action);
        assert.ok(execActions.length > 0 && execActions.every((a) => a.startsWith("ssmmessages:")), execActions.join());
        assert.ok(
            depsOf(r, named(r, "svc-ops-exec-command", T.rolePolicy), "role").includes(
                named(r, "svc-ops-task", T.role),
            ),
        );
        assert.strictEqual(r.resources.filter((x) => x.name === "svc-quiet-exec-command").length, 0);
        const [c] = jsonInput(named(r, "svc-ops", T.taskDef), "containerDefinitions") as {
            mountPoints: { containerPath: string }[];
        }[];
        assert.deepStrictEqual(
            c.mountPoints.map((m) => m.containerPath),
            ["/tmp", "/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"],
        );
        const cluster = inputs(ofType(r, T.cluster)[0]);
        assert.strictEqual(
            (cluster.configuration as { executeCommandConfiguration: { logging: string } }).executeCommandConfiguration
                .logging,
            "DEFAULT",
        );
    });

    it("injects the database's master secret by JSON key, and lets only that service's role read it", async () => {
        const masterArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-abc-1a2b3c";
        const r = await runIsolated({
            stack: "t",
            mode: "update",
            config: base,
            program: program(
                {
                    api: {
                        image: "postgrest/postgrest:v12.2.3",
                        cpu: 256,
                        memory: 512,
                        port: 3000,
                        routing: { priority: 1, pathPatterns: ["/api/*"] },
                        secrets: { PGUSER: "database:username", PGPASSWORD: "database:password" },
                    },
                    other: { image: "nginx:1.27", cpu: 256, memory: 512 },
                },
                { databaseSecretArn: masterArn, databaseSecurityGroupId: "sg-0db" },
            ),
        });
        const [c] = jsonInput(named(r, "svc-api", T.taskDef), "containerDefinitions") as {
            secrets: { name: string; valueFrom: string }[];
        }[];
        assert.deepStrictEqual(c.secrets, [
            { name: "PGPASSWORD", valueFrom: `${masterArn}:password::` },
            { name: "PGUSER", valueFrom: `${masterArn}:username::` },
        ]);
        const read = statements(named(r, "svc-api-exec", T.rolePolicy)).find((d) => d.Sid === "ReadOwnSecrets")!;
        assert.deepStrictEqual(read.Resource, [masterArn]);
        const other = statements(named(r, "svc-other-exec", T.rolePolicy));
        assert.ok(!JSON.stringify(other).includes(masterArn), "a service that does not use it cannot read it");
    });

    it("lets ECS Exec decrypt sessions with the stack's key and log to the service's own group", async () => {
        const r = await runIsolated({
            stack: "t",
            mode: "update",
            config: base,
            program: program({ ops: { image: "nginx:1.27", cpu: 256, memory: 512, enableExecuteCommand: true } }),
        });
        const docs = statements(named(r, "svc-ops-exec-command", T.rolePolicy));
        const bySid = Object.fromEntries(docs.map((d) => [d.Sid, d]));
        assert.strictEqual(bySid.EcsExecSessionKey.Resource, out(ofType(r, T.key)[0], "arn"));
        assert.deepStrictEqual(bySid.EcsExecSessionLogs.Resource, `${out(named(r, "svc-ops", T.logGroup), "arn")}:*`);
    });

    it("takes the scaling bounds from autoscaling, not desiredCount, and leaves desiredCount to it", async () => {
        const r = await runIsolated({
            stack: "t",
            mode: "update",
            config: base,
            program: program({
                web: {
                    image: "nginx:1.27",
                    cpu: 256,
                    memory: 512,
                    port: 80,
                    routing: { priority: 1, pathPatterns: ["/*"] },
                    desiredCount: 4,
                    autoscaling: { minCount: 2, maxCount: 8, cpuTargetPercent: 55, requestsPerTarget: 500 },
                },
            }),
        });
        const service = named(r, "svc-web", T.service);
        const t = inputs(named(r, "svc-web", T.target));
        assert.deepStrictEqual([t.minCapacity, t.maxCapacity], [2, 8]);
        assert.strictEqual(inputs(service).desiredCount, 4);
        assert.deepStrictEqual(service.ignoreChanges, ["desiredCount"]);
        const cpu = inputs(named(r, "svc-web-cpu", T.policy)).targetTrackingScalingPolicyConfiguration as {
            targetValue: number;
        };
        assert.strictEqual(cpu.targetValue, 55);
        const req = inputs(named(r, "svc-web-requests", T.policy)).targetTrackingScalingPolicyConfiguration as {
            targetValue: number;
        };
        assert.strictEqual(req.targetValue, 500);
    });

    it("gives a service without internet egress HTTPS to the VPC endpoints and S3 only, and says so in its tag", async () => {
        const endpoints = { securityGroupId: "sg-0endpoints", s3PrefixListId: "pl-63a5400a" };
        const worker = { image: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/jobs:1", cpu: 256, memory: 512 };
        const r = await runIsolated({
            stack: "t",
            config: base,
            program: program(
                { open: worker, closed: { ...worker, internetEgress: false } },
                { vpcEndpoints: endpoints },
            ),
        });
        const egressOf = (svc: string) =>
            ofType(r, T.egress)
                .filter((x) => depsOf(r, x, "securityGroupId").includes(named(r, `svc-${svc}`, T.sg)))
                .map((x) => {
                    const i = inputs(x);
                    return [x.name, i.cidrIpv4 ?? i.referencedSecurityGroupId ?? i.prefixListId, i.fromPort, i.toPort];
                });
        assert.deepStrictEqual(egressOf("open"), [["svc-open-https", "0.0.0.0/0", 443, 443]]);
        assert.deepStrictEqual(egressOf("closed"), [
            ["svc-closed-to-endpoints", "sg-0endpoints", 443, 443],
            ["svc-closed-to-s3", "pl-63a5400a", 443, 443],
        ]);
        const tagsOf = (svc: string) => inputs(named(r, `svc-${svc}`, T.sg)).tags as Record<string, string>;
        assert.strictEqual(tagsOf("open").egress, "HTTPS");
        assert.strictEqual(tagsOf("closed").egress, "VPC endpoints");
    });

    it("keeps each service security group's description when its port or database access changes", async () => {
        const db = {
            databaseSecurityGroupId: "sg-0db",
            databaseSecretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:db",
        };
        const sgOf = async (app: Record<string, unknown>) => {
            const r = await runIsolated({ stack: "t", config: base, program: program({ api: app }, db) });
            return inputs(named(r, "svc-api", T.sg));
        };
        const before = await sgOf({ image: "nginx:1.27", cpu: 256, memory: 512 });
        const after = await sgOf({
            image: "nginx:1.27",
            cpu: 256,
            memory: 512,
            port: 9090,
            routing: { priority: 1, pathPatterns: ["/*"] },
            secrets: { PASSWORD: "database:password" },
        });
        // EC2 cannot change a description: a new one would replace the group under running tasks.
        assert.strictEqual(after.description, before.description);
        assert.deepStrictEqual(before.tags, { Name: "svc-api", ingress: "none", egress: "HTTPS" });
        assert.deepStrictEqual(after.tags, {
            Name: "svc-api",
            ingress: "load balancer on 9090",
            egress: "HTTPS and database",
        });
    });

    it("runs ARM64 tasks on Fargate Spot, on the LATEST platform (1.4.0)", async () => {
        const r = await runIsolated({
            stack: "t",
            config: base,
            program: program({
                jobs: {
                    image: "nginx:1.27",
                    cpu: 256,
                    memory: 512,
                    capacity: { fargate: { weight: 0 }, fargateSpot: { weight: 1, base: 1 } },
                },
            }),
        });
        const p = inputs(named(r, "svc-jobs", T.service));
        assert.deepStrictEqual(p.capacityProviderStrategies, [
            { capacityProvider: "FARGATE_SPOT", weight: 1, base: 1 },
        ]);
        assert.strictEqual(p.platformVersion, "LATEST");
        assert.deepStrictEqual(inputs(named(r, "svc-jobs", T.taskDef)).runtimePlatform, {
            operatingSystemFamily: "LINUX",
            cpuArchitecture: "ARM64",
        });
    });

    it("refuses what AWS would reject, before registering a service", async () => {
        await assert.rejects(
            runIsolated({
                stack: "t",
                config: base,
                program: program({
                    "a-very-long-service-x": {
                        image: "nginx:1.27",
                        cpu: 256,
                        memory: 1536,
                        capacity: { fargateSpot: { weight: 1 } },
                    },
                    web: {
                        image: "nginx:1.27",
                        cpu: 256,
                        memory: 512,
                        port: 80,
                        secrets: { X: "nope", Y: "database:password" },
                    },
                }),
            }),
            (e: Error) =>
                /longer than 24 characters/.test(e.message) &&
                /not a Fargate size/.test(e.message) &&
                !/Spot/.test(e.message) &&
                /needs routing/.test(e.message) &&
                /secret nope is not in secretArns/.test(e.message) &&
                /database:password needs databaseSecretArn/.test(e.message),
        );
    });
});
