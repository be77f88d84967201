/**
 * The example stacks, one project directory per seed system under examples/: each runs this repository's program
 * (Pulumi.yaml main), plans in preview and update mode with no mandatory violation under its own policy profile, and
 * registers what its seed needs. The list of examples comes from the directories; what each seed needs is checked
 * against the example's own config wherever a number comes from config.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import YAML from "yaml";
import { MANAGED_POLICIES } from "../components/edge/documents";
import { Settings, parseSettings } from "../stacks/settings";
import { evaluateStack } from "../tools/plan/policy-eval";
import { listStacks, readProject, readStackConfig } from "../tools/plan/project";
import type { RunResult } from "../tools/plan/runner";
import type { PlanMode, Violation } from "../tools/plan/types";
import { CliResult, pool, runCli } from "./helpers/cli";
import { UNKNOWN, jsonInput, named, ofType, plain, runIsolated } from "./helpers/plan";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES = path.join(ROOT, "examples");
const MODES: PlanMode[] = ["preview", "update"];

const T = {
    instance: "aws:rds/clusterInstance:ClusterInstance",
    cluster: "aws:rds/cluster:Cluster",
    ecsCluster: "aws:ecs/cluster:Cluster",
    service: "aws:ecs/service:Service",
    taskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    listenerRule: "aws:lb/listenerRule:ListenerRule",
    scalingTarget: "aws:appautoscaling/target:Target",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    secret: "aws:secretsmanager/secret:Secret",
    replicationGroup: "aws:elasticache/replicationGroup:ReplicationGroup",
    bucket: "aws:s3/bucket:Bucket",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    distribution: "aws:cloudfront/distribution:Distribution",
    oac: "aws:cloudfront/originAccessControl:OriginAccessControl",
    budget: "aws:budgets/budget:Budget",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
};

interface Example {
    dir: string;
    /** The seed's number, the directory name's first three digits. */
    seed: string;
    stack: string;
    settings: Settings;
}

/** Every example directory, with its one stack and that stack's settings. */
function examples(): Example[] {
    return fs
        .readdirSync(EXAMPLES, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => {
            const dir = path.join(EXAMPLES, e.name);
            const stacks = listStacks(dir);
            assert.equal(stacks.length, 1, `examples/${e.name} has ${stacks.length} stack files; expected one`);
            return {
                dir,
                seed: /^(\d{3})-/.exec(e.name)?.[1] ?? e.name,
                stack: stacks[0],
                settings: parseSettings(readStackConfig(dir, stacks[0]).raw, stacks[0]),
            };
        });
}

interface Planned {
    run: RunResult;
    violations: Violation[];
}

/** The container definition of a service's task. */
function container(run: RunResult, svc: string): Record<string, unknown> {
    const [c] = jsonInput(named(run, `app-${svc}`, T.taskDefinition), "containerDefinitions") as Record<
        string,
        unknown
    >[];
    return c;
}

/** A container's plain environment as a map. */
function env(run: RunResult, svc: string): Record<string, string> {
    const list = container(run, svc).environment as { name: string; value: string }[];
    return Object.fromEntries(list.map((e) => [e.name, e.value]));
}

/** A container's secrets as env name → valueFrom. */
function secretRefs(run: RunResult, svc: string): Record<string, string> {
    const list = container(run, svc).secrets as { name: string; valueFrom: string }[];
    return Object.fromEntries(list.map((e) => [e.name, e.valueFrom]));
}

/** The Secrets Manager ARN of the application secret `name` (update mode). */
function appSecretArn(run: RunResult, name: string): string {
    return String(named(run, `secrets-${name}`, T.secret).outputs.arn);
}

/** What each seed needs, checked on the update-mode plan (every output known). */
const SEED_CHECKS: Record<string, (run: RunResult, s: Settings) => void> = {
    "000": (run, s) => {
        // One writer and two readers on one cluster, and PostgREST in front of it.
        const instances = ofType(run, T.instance);
        assert.equal(s.database.readers, 2);
        assert.equal(instances.length, 1 + s.database.readers);
        const cluster = ofType(run, T.cluster)[0];
        for (const i of instances) {
            assert.equal(plain(i.inputs.clusterIdentifier), plain(cluster.inputs.clusterIdentifier));
            assert.deepEqual(i.propertyDependencies.clusterIdentifier, [cluster.urn]);
        }
        const image = String(container(run, "postgrest").image);
        assert.match(image, /^postgrest\/postgrest:v\d+\.\d+\.\d+$/, "a pinned PostgREST release");
        const e = env(run, "postgrest");
        assert.equal(e.PGHOST, cluster.outputs.endpoint, "libpq's PGHOST is the writer endpoint");
        assert.equal(e.PGUSER, "authenticator");
        // Its own password, not the RDS master secret that rotates every 7 days under running tasks.
        const refs = secretRefs(run, "postgrest");
        assert.equal(refs.PGPASSWORD, appSecretArn(run, "postgrest-db-password"));
        assert.ok(!Object.values(refs).some((r) => r.includes(":secret:rds!")), "no master-secret reference");
        // The database admits PostgREST's own security group.
        const sg = named(run, "app-postgrest", "aws:ec2/securityGroup:SecurityGroup");
        const rule = named(run, "database-from-postgrest", T.ingress);
        assert.deepEqual(rule.propertyDependencies.referencedSecurityGroupId, [sg.urn]);
    },
    "001": (run, s) => {
        // Workers only: no load balancer, no target group; each scales on CPU and reads its secrets from Secrets
        // Manager through its execution role.
        assert.equal(ofType(run, T.loadBalancer).length, 0);
        assert.equal(ofType(run, T.targetGroup).length, 0);
        const apps = Object.entries(s.services.apps);
        assert.ok(apps.length >= 2 && apps.every(([, a]) => a.port === undefined && a.autoscaling));
        for (const [svc, app] of apps) {
            assert.equal(named(run, `app-${svc}`, T.service).inputs.loadBalancers, undefined);
            const cpu = named(run, `app-${svc}-cpu`, T.scalingPolicy).inputs as Record<string, unknown>;
            const tracking = plain(cpu.targetTrackingScalingPolicyConfiguration) as Record<string, unknown>;
            assert.deepEqual(tracking.predefinedMetricSpecification, {
                predefinedMetricType: "ECSServiceAverageCPUUtilization",
            });
            assert.equal(tracking.targetValue, app.autoscaling!.cpuTargetPercent);
            const refs = secretRefs(run, svc);
            const expected = Object.entries(app.secrets).map(([k, name]) => [k, appSecretArn(run, name)]);
            assert.deepEqual(refs, Object.fromEntries(expected));
            const exec = jsonInput(named(run, `app-${svc}-exec`, T.rolePolicy), "policy") as {
                Statement: { Sid: string; Resource: unknown }[];
            };
            const read = exec.Statement.find((st) => st.Sid === "ReadOwnSecrets")!;
            assert.deepEqual(read.Resource, [...new Set(Object.values(refs))].sort());
        }
    },
    "002": (run, s) => {
        // Several web services on one cluster behind one load balancer, each on its own path and health check.
        const web = Object.entries(s.services.apps).filter(([, a]) => a.port !== undefined);
        assert.ok(web.length >= 3, `${web.length} web services`);
        assert.equal(ofType(run, T.ecsCluster).length, 1);
        assert.equal(ofType(run, T.loadBalancer).length, 1);
        const paths = new Set<string>();
        for (const [svc, app] of web) {
            const tg = named(run, `app-${svc}`, T.targetGroup);
            assert.equal((plain(tg.inputs.healthCheck) as { path: string }).path, app.healthCheck!.path);
            const rule = named(run, `app-${svc}`, T.listenerRule);
            const conditions = plain(rule.inputs.conditions) as { pathPattern?: { values: string[] } }[];
            const values = conditions.flatMap((c) => c.pathPattern?.values ?? []);
            assert.deepEqual(values, app.routing!.pathPatterns);
            values.forEach((v) => paths.add(v));
            assert.equal(plain(rule.inputs.priority), app.routing!.priority);
        }
        assert.equal(new Set(web.map(([, a]) => a.healthCheck!.path)).size, web.length, "one health check each");
        assert.equal(paths.size, web.length, "one path each");
    },
    "003": (run, s) => {
        // The cache, both buckets served by the distribution through origin access control, a Spot worker, the
        // budget, and a load balancer that keeps WebSockets open.
        const group = ofType(run, T.replicationGroup);
        assert.equal(group.length, 1);
        assert.equal(group[0].inputs.multiAzEnabled, true);
        const distribution = ofType(run, T.distribution)[0];
        const origins = plain(distribution.inputs.origins) as Record<string, unknown>[];
        const behaviours = plain(distribution.inputs.orderedCacheBehaviors) as Record<string, unknown>[];
        // The buckets' origin access control signs for them; the assets bucket keeps its own.
        const oac = named(run, "edge-buckets", T.oac);
        assert.ok(distribution.propertyDependencies.origins.includes(oac.urn));
        const assetsOac = origins.find((o) => o.originId === "assets")!.originAccessControlId;
        assert.deepEqual(Object.keys(s.buckets).sort(), ["thumbnails", "videos"]);
        for (const [name, bucket] of Object.entries(s.buckets)) {
            const b = named(run, `buckets-${name}`, T.bucket);
            const origin = origins.find((o) => o.domainName === b.outputs.bucketRegionalDomainName);
            assert.ok(origin, `bucket ${name} is an origin of the distribution`);
            assert.equal(typeof origin.originAccessControlId, "string");
            assert.notEqual(origin.originAccessControlId, assetsOac);
            const behaviour = behaviours.find((x) => x.targetOriginId === origin.originId);
            assert.equal(behaviour?.pathPattern, bucket.serve!.pathPattern);
            const policy = plain(named(run, `buckets-${name}`, T.bucketPolicy).inputs.policy) as {
                Statement: { Sid: string; Condition?: unknown }[];
            };
            const read = policy.Statement.find((st) => st.Sid === "CloudFrontReadsServedObjects");
            assert.deepEqual(read?.Condition, { StringEquals: { "AWS:SourceArn": distribution.outputs.arn } });
        }
        const spot = Object.entries(s.services.apps).filter(([, a]) => a.capacity.fargateSpot.weight > 0);
        assert.ok(spot.length >= 1 && spot.every(([, a]) => a.capacity.fargate.weight === 0));
        for (const [svc] of spot) {
            assert.deepEqual(plain(named(run, `app-${svc}`, T.service).inputs.capacityProviderStrategies), [
                { base: 0, capacityProvider: "FARGATE_SPOT", weight: 1 },
            ]);
        }
        assert.equal(ofType(run, T.budget).length, 1);
        assert.equal(ofType(run, T.budget)[0].inputs.limitAmount, String(s.monitoring.budget!.monthlyLimitUsd));
        assert.equal(ofType(run, T.loadBalancer)[0].inputs.idleTimeout, s.services.loadBalancer.idleTimeoutSeconds);
        const byDefault = plain(distribution.inputs.defaultCacheBehavior) as Record<string, unknown>;
        assert.equal(byDefault.originRequestPolicyId, MANAGED_POLICIES.allViewerExceptHostHeader);
    },
    "004": (run, s) => {
        // A web API behind CloudFront reading from replicas (two, scaling to five), with the cache in front.
        assert.equal(ofType(run, T.instance).length, 1 + s.database.readers);
        const readers = ofType(run, T.scalingTarget).find(
            (t) => t.inputs.scalableDimension === "rds:cluster:ReadReplicaCount",
        );
        assert.equal(readers?.inputs.minCapacity, s.database.readerAutoscaling!.minReaders);
        assert.equal(readers?.inputs.maxCapacity, s.database.readerAutoscaling!.maxReaders);
        const cluster = ofType(run, T.cluster)[0];
        const e = env(run, "api");
        assert.equal(e.DATABASE_READER_HOST, cluster.outputs.readerEndpoint);
        assert.equal(e.DATABASE_HOST, cluster.outputs.endpoint);
        assert.equal(e.CACHE_HOST, ofType(run, T.replicationGroup)[0].outputs.primaryEndpointAddress);
        const distribution = ofType(run, T.distribution)[0];
        assert.equal(
            (plain(distribution.inputs.defaultCacheBehavior) as Record<string, unknown>).targetOriginId,
            "app",
        );
    },
};

describe("example stacks, one per seed system", () => {
    const all = examples();
    const plans = new Map<string, Planned>();
    const commands = new Map<string, CliResult>();
    const key = (e: Example, mode: PlanMode) => `${e.stack}:${mode}`;

    before(async function () {
        this.timeout(300_000);
        for (const e of all) {
            for (const mode of MODES) {
                const run = await runIsolated({ stack: e.stack, mode, dir: e.dir });
                plans.set(key(e, mode), { run, violations: evaluateStack(run.policyProfile, run.resources, { mode }) });
            }
        }
        // The command a reader runs, in its own process: npm run plan -- <stack> --dir examples/<seed>. Update mode
        // runs the same code with other mock answers, and is planned in process above.
        const results = await pool(
            all.map((e) => () => runCli([e.stack, "--dir", path.relative(ROOT, e.dir), "--json"])),
        );
        all.forEach((e, i) => commands.set(key(e, "preview"), results[i]));
    });

    it("has exactly one example for each seed system the platform must host", () => {
        for (const seed of Object.keys(SEED_CHECKS)) {
            assert.equal(all.filter((e) => e.seed === seed).length, 1, `seed ${seed}`);
        }
    });

    for (const e of all) {
        const name = path.relative(ROOT, e.dir);
        describe(name, () => {
            it("runs this repository's program from its own Pulumi.yaml, under the project's name", () => {
                const project = readProject(e.dir);
                assert.equal(project.main, "../..");
                assert.equal(project.name, readProject(ROOT).name);
                const text = fs.readFileSync(path.join(e.dir, `Pulumi.${e.stack}.yaml`), "utf8");
                assert.ok(!/secure:/.test(text), "no encrypted value: secrets are generated");
                assert.ok((YAML.parse(text) as { config: Record<string, unknown> }).config["aws:region"]);
            });

            it(`npm run plan -- ${e.stack} --dir ${name}: exit 0, the same plan as in process`, () => {
                const r = commands.get(key(e, "preview"))!;
                assert.equal(r.code, 0, r.stderr);
                const doc = JSON.parse(r.stdout) as { mode: string; resources: unknown[]; violations: Violation[] };
                assert.equal(doc.mode, "preview");
                assert.equal(doc.resources.length, plans.get(key(e, "preview"))!.run.resources.length);
                assert.deepEqual(
                    doc.violations.filter((v) => v.enforcementLevel === "mandatory"),
                    [],
                );
            });

            for (const mode of MODES) {
                it(`plans in ${mode} mode with no mandatory violation under its profile`, () => {
                    const { run, violations } = plans.get(key(e, mode))!;
                    assert.equal(run.policyProfile, e.settings.policyProfile);
                    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
                    assert.deepEqual(mandatory, []);
                    // In update mode the policies decide everything; nothing waits for an unknown value.
                    if (mode === "update") {
                        assert.deepEqual(
                            violations.filter((v) => /during preview/.test(v.message)),
                            [],
                        );
                    }
                });
            }

            const check = SEED_CHECKS[e.seed];
            if (check) {
                it(`registers what seed ${e.seed} needs`, () => check(plans.get(key(e, "update"))!.run, e.settings));
            }
        });
    }

    it("are each described in docs/seeds.md, which is Prettier-clean and at most 120 columns wide", async () => {
        const file = path.join(ROOT, "docs", "seeds.md");
        const text = fs.readFileSync(file, "utf8");
        for (const e of all) {
            const dir = path.relative(ROOT, e.dir);
            assert.ok(text.includes(`\`${e.stack}\` in \`${dir}\``), `the table names ${dir} and its stack ${e.stack}`);
            assert.ok(text.includes(`## ${e.seed} `), `a section for seed ${e.seed}`);
            assert.ok(text.includes(`How \`${dir}\` hosts it`), `what ${dir} hosts`);
        }
        const options = (await prettier.resolveConfig(file)) ?? {};
        assert.equal(await prettier.format(text, { ...options, filepath: file }), text);
        assert.deepEqual(
            text.split("\n").filter((l) => l.length > 120),
            [],
        );
    });

    it("keeps served bucket policies TLS-only and readable at preview", () => {
        const serving = all.filter((x) => Object.values(x.settings.buckets).some((b) => b.serve));
        assert.ok(serving.length > 0, "an example serves a bucket");
        for (const e of serving) {
            const { run } = plans.get(key(e, "preview"))!;
            for (const name of Object.keys(e.settings.buckets)) {
                const policy = plain(named(run, `buckets-${name}`, T.bucketPolicy).inputs.policy) as {
                    Statement: { Sid: string; Condition?: Record<string, Record<string, unknown>> }[];
                };
                const deny = policy.Statement.find((st) => st.Sid === "DenyInsecureTransport");
                assert.deepEqual(deny?.Condition, { Bool: { "aws:SecureTransport": "false" } });
                const read = policy.Statement.find((st) => st.Sid === "CloudFrontReadsServedObjects");
                if (e.settings.buckets[name].serve) {
                    assert.equal(read?.Condition?.StringEquals["AWS:SourceArn"], UNKNOWN);
                } else {
                    assert.equal(read, undefined);
                }
            }
        }
    });
});
