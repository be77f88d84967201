/**
 * Monitoring under mocks: the alarms every stack file gets, counted from its own config; what their dimensions and
 * actions reference; the topics, their keys and policies; the event rules, the dashboard and the budget. CloudFront
 * alarms (us-east-1) are also tested with a program of their own, so both settings of additionalMetrics are covered
 * whatever the stack files say.
 */
import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { Monitoring } from "../components/monitoring";
import { instanceMemoryGiB } from "../components/monitoring/capacity";
import { ALARM_DEFINITIONS, isMath } from "../components/monitoring/definitions";
import { keyPolicy } from "../components/secretsStore";
import { policies } from "../policy/policies";
import { parseSettings, type Settings } from "../stacks/settings";
import { evaluatePolicies, loadPolicyConfig, resolvePolicyConfig } from "../tools/plan/policy-eval";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { PROJECT_DIR, type RunResult } from "../tools/plan/runner";
import type { PlanMode, PlannedResource } from "../tools/plan/types";
import { UNKNOWN, byUrn, depsOf, jsonInput, named, ofType, plain, planOf, runIsolated } from "./helpers/plan";

const T = {
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    topic: "aws:sns/topic:Topic",
    topicPolicy: "aws:sns/topicPolicy:TopicPolicy",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    rule: "aws:cloudwatch/eventRule:EventRule",
    target: "aws:cloudwatch/eventTarget:EventTarget",
    dashboard: "aws:cloudwatch/dashboard:Dashboard",
    budget: "aws:budgets/budget:Budget",
    key: "aws:kms/key:Key",
    nat: "aws:ec2/natGateway:NatGateway",
    service: "aws:ecs/service:Service",
    distribution: "aws:cloudfront/distribution:Distribution",
    subscriptionMetrics: "aws:cloudfront/monitoringSubscription:MonitoringSubscription",
} as const;

const STACKS = listStacks(PROJECT_DIR);
const settingsOf = (stack: string): Settings => parseSettings(readStackConfig(PROJECT_DIR, stack).raw, stack);
const inputs = (r: PlannedResource) => plain(r.inputs) as Record<string, unknown>;
const urnsOf = (rs: PlannedResource[]) => rs.map((r) => r.urn).sort();
type Stmt = { Sid: string; Principal: { Service?: string }; Action: string | string[]; Condition?: unknown };
const statements = (r: PlannedResource) => (jsonInput(r, "policy") as { Statement: Stmt[] }).Statement;

/**
 * The alarm names a stack must have, written out from its settings: what a reviewer expects, independently of the
 * code that plans them.
 */
function expectedAlarmNames(s: Settings, distributions: number): string[] {
    const prefix = `${s.project}-${s.stack}`;
    const serverless = s.database.instanceClass === "db.serverless";
    const names: string[] = [];
    const roleAlarms = [
        "cpu",
        "freeable-memory",
        "connections",
        "free-local-storage",
        ...(serverless ? ["acu-utilization"] : []),
    ];
    names.push(...[...roleAlarms, "transaction-ids"].map((a) => `aurora-writer-${a}`));
    if (s.database.readers > 0 || (s.database.readerAutoscaling?.maxReaders ?? 0) > 0) {
        names.push(...roleAlarms.map((a) => `aurora-reader-${a}`));
    }
    const insights = s.services.cluster.containerInsights !== "disabled";
    const apps = Object.entries(s.services.apps);
    for (const [svc, app] of apps) {
        names.push(`ecs-${svc}-cpu`, `ecs-${svc}-memory`, ...(insights ? [`ecs-${svc}-running-tasks`] : []));
        if (app.port !== undefined) {
            names.push(`alb-${svc}-target-5xx-rate`, `alb-${svc}-unhealthy-hosts`, `alb-${svc}-p99-response-time`);
        }
    }
    if (apps.some(([, app]) => app.port !== undefined)) names.push("alb-elb-5xx");
    const nats = s.network.natGateways === "perAz" ? s.network.azCount : 1;
    for (let i = 1; i <= nats; i++) names.push(`nat-${i}-port-allocation-errors`, `nat-${i}-packet-drop-rate`);
    if (distributions > 0) {
        names.push(
            "cloudfront-5xx-rate",
            ...(s.monitoring.cloudFront.additionalMetrics ? ["cloudfront-origin-latency"] : []),
        );
    }
    return names.map((n) => `${prefix}-${n}`).sort();
}

for (const stack of STACKS) {
    for (const mode of ["preview", "update"] as PlanMode[]) {
        describe(`Monitoring in stack ${stack} (${mode})`, () => {
            let r: RunResult;
            let s: Settings;
            let alarms: PlannedResource[];
            before(async () => {
                r = await planOf(stack, mode);
                s = settingsOf(stack);
                alarms = ofType(r, T.alarm);
            });
            const alarm = (suffix: string) =>
                alarms.find((a) => inputs(a).name === `${s.project}-${s.stack}-${suffix}`)!;
            const regionalTopic = () => named(r, "monitoring-alarms", T.topic);
            const globalTopic = () => named(r, "monitoring-alarms-global", T.topic);

            it("creates exactly the alarms the stack's config calls for (roles, services, web services, NAT gateways)", () => {
                const distributions = ofType(r, T.distribution).length;
                assert.deepStrictEqual(alarms.map((a) => inputs(a).name).sort(), expectedAlarmNames(s, distributions));
            });

            it("gives every alarm ALARM and OK actions on its region's topic, a description and a deliberate treatMissingData", () => {
                for (const a of alarms) {
                    const topic = a.provider === regionalTopic().provider ? regionalTopic() : globalTopic();
                    assert.deepStrictEqual(urnsOf(depsOf(r, a, "alarmActions")), [topic.urn], a.name);
                    assert.deepStrictEqual(urnsOf(depsOf(r, a, "okActions")), [topic.urn], a.name);
                    const i = inputs(a);
                    assert.match(String(i.alarmDescription), /Look at: ./, a.name);
                    assert.ok(String(i.alarmDescription).length <= 1024, a.name);
                    assert.ok(["breaching", "notBreaching"].includes(String(i.treatMissingData)), a.name);
                    assert.ok(Number(i.datapointsToAlarm) <= Number(i.evaluationPeriods), a.name);
                }
                assert.equal(inputs(alarm("aurora-writer-cpu")).treatMissingData, "notBreaching");
            });

            it("aggregates Aurora alarms by cluster and Role, with dimensions taken from the cluster itself", () => {
                const cluster = named(r, "database-cluster");
                const aurora = alarms.filter((a) => String(inputs(a).name).includes("-aurora-"));
                // Every stack has a database, so at least the writer's alarms.
                assert.ok(aurora.some((a) => (inputs(a).dimensions as Record<string, string>).Role === "WRITER"));
                for (const a of aurora) {
                    assert.deepStrictEqual(urnsOf(depsOf(r, a, "dimensions")), [cluster.urn], a.name);
                    const role = (inputs(a).dimensions as Record<string, string>).Role;
                    assert.ok(String(inputs(a).name).includes(`-aurora-${role.toLowerCase()}-`), a.name);
                }
                const readers = aurora.filter(
                    (a) => (inputs(a).dimensions as Record<string, string>).Role === "READER",
                );
                assert.equal(readers.length > 0, s.database.readers > 0 || s.database.readerAutoscaling !== undefined);
            });

            it("derives the memory and connection thresholds from the instance class and the running-task floor from each service", () => {
                const memory = inputs(alarm("aurora-writer-freeable-memory"));
                const gib = instanceMemoryGiB(s.database.instanceClass, s.database.serverless?.maxCapacity)!;
                if (s.database.instanceClass === "db.serverless")
                    assert.equal(gib, s.database.serverless!.maxCapacity * 2);
                assert.equal(memory.threshold, Math.round(gib * 1024 * 0.05) * 1024 * 1024);
                assert.equal(memory.comparisonOperator, "LessThanThreshold");
                const connections = inputs(alarm("aurora-writer-connections"));
                assert.equal(
                    connections.threshold,
                    Math.floor(Math.min(Math.floor((gib * 2 ** 30) / 9531392), 5000) * 0.9),
                );
                for (const [svc, app] of Object.entries(s.services.apps)) {
                    const tasks = inputs(alarm(`ecs-${svc}-running-tasks`));
                    assert.equal(tasks.threshold, app.autoscaling?.minCount ?? app.desiredCount, svc);
                    assert.equal(tasks.treatMissingData, "breaching", svc);
                    assert.equal(tasks.namespace, "ECS/ContainerInsights", svc);
                }
            });

            it("applies the stack's threshold overrides", () => {
                for (const [key, value] of Object.entries(s.monitoring.thresholds)) {
                    const d = ALARM_DEFINITIONS.find((x) => x.key === key)!;
                    const overridden = alarms.filter((a) => measures(a, d.metric));
                    for (const a of overridden) {
                        assert.equal(inputs(a).threshold, value! * (d.threshold.scale ?? 1), a.name);
                    }
                }
            });

            it("watches each ECS service, target group and NAT gateway through its own outputs", () => {
                for (const svc of Object.keys(s.services.apps)) {
                    const service = named(r, `app-${svc}`, T.service);
                    const cluster = named(r, "app-cluster");
                    assert.deepStrictEqual(
                        urnsOf(depsOf(r, alarm(`ecs-${svc}-cpu`), "dimensions")),
                        urnsOf([cluster, service]),
                    );
                    const rate = alarm(`alb-${svc}-target-5xx-rate`);
                    if (!rate) continue;
                    const tg = named(r, `app-${svc}`, "aws:lb/targetGroup:TargetGroup");
                    const lb = named(r, "app-alb", "aws:lb/loadBalancer:LoadBalancer");
                    assert.deepStrictEqual(urnsOf(depsOf(r, rate, "metricQueries")), urnsOf([tg, lb]));
                    const queries = inputs(rate).metricQueries as {
                        id: string;
                        expression?: string;
                        returnData: boolean;
                    }[];
                    assert.deepStrictEqual(
                        queries.filter((q) => q.returnData).map((q) => q.expression),
                        ["IF(requests >= 20, 100 * FILL(errors, 0) / requests, 0)"],
                    );
                }
                const nats = ofType(r, T.nat);
                nats.forEach((nat, i) => {
                    for (const a of ["port-allocation-errors", "packet-drop-rate"]) {
                        const watching = alarm(`nat-${i + 1}-${a}`);
                        const prop = a === "packet-drop-rate" ? "metricQueries" : "dimensions";
                        assert.deepStrictEqual(urnsOf(depsOf(r, watching, prop)), [nat.urn], watching.name);
                    }
                });
            });

            it("encrypts the stack-region topic with the stack's key and the us-east-1 topic with the us-east-1 key, through their providers", () => {
                assert.deepStrictEqual(urnsOf(depsOf(r, regionalTopic(), "kmsMasterKeyId")), [
                    named(r, "secrets-key").urn,
                ]);
                assert.deepStrictEqual(urnsOf(depsOf(r, globalTopic(), "kmsMasterKeyId")), [
                    named(r, "global-key").urn,
                ]);
                const usEast1 = named(r, "aws-us-east-1", "pulumi:providers:aws");
                assert.ok(globalTopic().provider!.startsWith(`${usEast1.urn}::`));
                assert.ok(!regionalTopic().provider!.startsWith(`${usEast1.urn}::`));
                assert.equal(regionalTopic().provider, named(r, "secrets-key").provider);
                // Distinct names, so that a stack in us-east-1 gets two topics, not one twice.
                assert.notEqual(inputs(regionalTopic()).name, inputs(globalTopic()).name);
            });

            it("lets exactly the publishers each topic needs publish, CloudWatch only for this stack's alarms", () => {
                const prefix = `${s.project}-${s.stack}`;
                const policyOf = (topic: PlannedResource) =>
                    ofType(r, T.topicPolicy).find((p) => depsOf(r, p, "arn").some((d) => d.urn === topic.urn))!;
                if (mode === "update") {
                    const regional = statements(policyOf(regionalTopic()));
                    assert.deepStrictEqual(
                        regional.map((x) => x.Principal.Service),
                        [
                            "cloudwatch.amazonaws.com",
                            "events.amazonaws.com",
                            ...(s.monitoring.budget ? ["budgets.amazonaws.com"] : []),
                        ],
                    );
                    assert.deepStrictEqual(regional[0].Condition, {
                        ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${r.region}:123456789012:alarm:${prefix}-*` },
                    });
                    const global = statements(policyOf(globalTopic()));
                    assert.deepStrictEqual(
                        global.map((x) => x.Principal.Service),
                        ["cloudwatch.amazonaws.com"],
                    );
                    assert.match(JSON.stringify(global[0].Condition), /cloudwatch:us-east-1:/);
                } else {
                    assert.equal(inputs(policyOf(regionalTopic())).policy, UNKNOWN);
                }
            });

            it("lets CloudWatch (both keys), EventBridge and, with a budget, Budgets use the keys the topics use", () => {
                const sids = (key: string) => statements(named(r, key)).map((x) => x.Sid);
                assert.ok(sids("secrets-key").includes("CloudWatchAlarmsPublishToEncryptedSns"));
                assert.ok(sids("secrets-key").includes("EventBridgePublishesToEncryptedSns"));
                assert.equal(
                    sids("secrets-key").includes("BudgetsPublishToEncryptedSns"),
                    s.monitoring.budget !== undefined,
                );
                assert.ok(sids("global-key").includes("CloudWatchAlarmsPublishToEncryptedSns"));
                assert.ok(!sids("global-key").includes("EventBridgePublishesToEncryptedSns"));
            });

            it("subscribes every configured address to both topics", () => {
                const subs = ofType(r, T.subscription);
                assert.equal(subs.length, 2 * (s.monitoring.emails.length + s.monitoring.httpsEndpoints.length));
                for (const email of s.monitoring.emails) {
                    const mine = subs.filter((x) => inputs(x).endpoint === email);
                    assert.deepStrictEqual(
                        mine.map((x) => inputs(x).protocol),
                        ["email", "email"],
                    );
                    assert.deepStrictEqual(
                        urnsOf(mine.flatMap((x) => depsOf(r, x, "topic"))),
                        urnsOf([regionalTopic(), globalTopic()]),
                    );
                }
            });

            it("sends failed deployments of this stack's services and failovers of this cluster to the topic", () => {
                const rules = ofType(r, T.rule);
                const svcs = Object.keys(s.services.apps);
                // The deployment rule exists only for a stack with services: there is nothing to deploy otherwise.
                assert.deepEqual(
                    rules.map((x) => x.name).sort(),
                    [...(svcs.length > 0 ? ["monitoring-deployment-failed"] : []), "monitoring-aurora-failover"].sort(),
                );
                const failover = named(r, "monitoring-aurora-failover", T.rule);
                assert.deepStrictEqual(urnsOf(depsOf(r, failover, "eventPattern")), [named(r, "database-cluster").urn]);
                if (mode === "update") {
                    const pattern = jsonInput(failover, "eventPattern") as Record<string, unknown>;
                    assert.deepStrictEqual(pattern["detail-type"], ["RDS DB Cluster Event"]);
                    assert.deepStrictEqual((pattern.detail as Record<string, unknown>).EventCategories, ["failover"]);
                }
                if (svcs.length > 0) {
                    const deploy = named(r, "monitoring-deployment-failed", T.rule);
                    assert.deepStrictEqual(
                        urnsOf(depsOf(r, deploy, "eventPattern")),
                        urnsOf(svcs.map((svc) => named(r, `app-${svc}`, T.service))),
                    );
                    if (mode === "update") {
                        const ecs = jsonInput(deploy, "eventPattern") as Record<string, unknown>;
                        assert.deepStrictEqual((ecs.detail as Record<string, unknown>).eventName, [
                            "SERVICE_DEPLOYMENT_FAILED",
                        ]);
                    }
                }
                // One target per rule: the regional alarm topic.
                assert.deepEqual(
                    ofType(r, T.target)
                        .map((t) => t.name)
                        .sort(),
                    rules.map((x) => x.name).sort(),
                );
                for (const t of ofType(r, T.target)) {
                    assert.deepStrictEqual(urnsOf(depsOf(r, t, "rule")), [named(r, t.name, T.rule).urn], t.name);
                    assert.match(String(inputs(t).rule), new RegExp(`^${t.name}-[0-9a-f]{7}$`), t.name);
                    assert.deepStrictEqual(urnsOf(depsOf(r, t, "arn")), [regionalTopic().urn], t.name);
                    assert.ok(!("roleArn" in t.inputs), t.name);
                    assert.match(
                        String((inputs(t).inputTransformer as Record<string, string>).inputTemplate),
                        /^".*"$/,
                    );
                }
            });

            it("draws one dashboard with a header per component row and one alarm graph per alarm", () => {
                const body = JSON.parse(
                    String(inputs(named(r, "monitoring-dashboard", T.dashboard)).dashboardBody),
                ) as {
                    widgets: { type: string; properties: { region?: string; annotations?: { alarms: string[] } } }[];
                };
                const graphs = body.widgets.filter((w) => w.type === "metric");
                assert.deepStrictEqual(
                    graphs.map((w) => w.properties.annotations!.alarms[0].split(":alarm:")[1]).sort(),
                    alarms.map((a) => String(inputs(a).name)).sort(),
                );
                const prefix = `${s.project}-${s.stack}-`;
                const rows = new Set(alarms.map((a) => String(inputs(a).name).slice(prefix.length).split("-")[0]));
                assert.equal(body.widgets.filter((w) => w.type === "text").length, rows.size);
            });

            it("budgets the stack's cost by its cost-allocation tag, notifying the topic and the budget's addresses", () => {
                const budgets = ofType(r, T.budget);
                if (!s.monitoring.budget) return assert.equal(budgets.length, 0);
                const b = inputs(budgets[0]);
                assert.equal(b.budgetType, "COST");
                assert.equal(b.timeUnit, "MONTHLY");
                assert.equal(Number(b.limitAmount), s.monitoring.budget.monthlyLimitUsd);
                // The project-qualified tag: a filter on stack alone would count other projects' stacks of that name.
                const scope = `${s.project}-${s.stack}`;
                assert.deepStrictEqual(b.costFilters, [{ name: "TagKeyValue", values: [`user:cost-scope$${scope}`] }]);
                for (const provider of ofType(r, "pulumi:providers:aws")) {
                    // The engine passes a provider's object inputs to it as JSON strings.
                    const tags = (JSON.parse(provider.inputs.defaultTags as string) as { tags: Record<string, string> })
                        .tags;
                    assert.equal(tags["cost-scope"], scope, `${provider.name} tags every resource with it`);
                }
                const notes = b.notifications as Record<string, unknown>[];
                assert.deepStrictEqual(
                    notes.map((n) => `${n.notificationType}:${n.threshold}:${n.thresholdType}:${n.comparisonOperator}`),
                    [
                        "ACTUAL:80:PERCENTAGE:GREATER_THAN",
                        "ACTUAL:100:PERCENTAGE:GREATER_THAN",
                        "FORECASTED:100:PERCENTAGE:GREATER_THAN",
                    ],
                );
                for (const n of notes) {
                    assert.deepStrictEqual(n.subscriberEmailAddresses ?? [], s.monitoring.budget.emails);
                }
                assert.deepStrictEqual(urnsOf(depsOf(r, budgets[0], "notifications")), [regionalTopic().urn]);
                assert.ok(budgets[0].dependencies.some((u) => byUrn(r, u).type === T.topicPolicy));
            });

            it("plans with no mandatory policy violation under the stack's policy profile", () => {
                const config = resolvePolicyConfig(policies, loadPolicyConfig(r.policyProfile));
                const mandatory = evaluatePolicies(policies, r.resources, config).filter(
                    (v) => v.enforcementLevel === "mandatory",
                );
                assert.deepStrictEqual(mandatory, []);
            });
        });
    }
}

/** Whether an alarm measures a definition's metric (or computes its expression). */
function measures(a: PlannedResource, metric: (typeof ALARM_DEFINITIONS)[number]["metric"]): boolean {
    const i = inputs(a);
    if (isMath(metric)) {
        return ((i.metricQueries as { expression?: string }[] | undefined) ?? []).some(
            (q) => q.expression === metric.expression,
        );
    }
    return i.namespace === metric.namespace && i.metricName === metric.metricName;
}

describe("Monitoring of a CloudFront distribution (own program)", () => {
    const ACCOUNT = "123456789012";
    const policyFor = (region: string) =>
        keyPolicy({ accountId: ACCOUNT, region, partition: "aws", dnsSuffix: "amazonaws.com" });
    const program = (additionalMetrics: boolean) => () => {
        const usEast1 = new aws.Provider("aws-us-east-1", { region: "us-east-1" });
        const key = new aws.kms.Key("key", { policy: policyFor("eu-west-1") });
        const globalKey = new aws.kms.Key("global-key", { policy: policyFor("us-east-1") }, { provider: usEast1 });
        const cdn = new aws.cloudfront.Distribution("cdn", {
            enabled: true,
            origins: [{ originId: "app", domainName: "origin.example.org" }],
            defaultCacheBehavior: {
                targetOriginId: "app",
                viewerProtocolPolicy: "redirect-to-https",
                allowedMethods: ["GET", "HEAD"],
                cachedMethods: ["GET", "HEAD"],
            },
            restrictions: { geoRestriction: { restrictionType: "none" } },
            viewerCertificate: { cloudfrontDefaultCertificate: true },
        });
        new Monitoring("monitoring", {
            namePrefix: "edge-t",
            kmsKeyArn: key.arn,
            global: { kmsKeyArn: globalKey.arn, provider: usEast1 },
            emails: ["oncall@corp.invalid"],
            cloudFront: { distributionId: cdn.id, additionalMetrics },
        });
    };
    const runs: Record<string, RunResult> = {};
    before(async () => {
        runs.on = await runIsolated({
            stack: "t",
            config: { "aws:region": "eu-west-1" },
            mode: "update",
            program: program(true),
        });
        runs.off = await runIsolated({
            stack: "t",
            config: { "aws:region": "eu-west-1" },
            mode: "preview",
            program: program(false),
        });
    });

    it("alarms on the 5XX rate (and origin latency with additional metrics) in us-east-1, by distribution and Region Global", () => {
        for (const [run, names] of [
            [runs.on, ["edge-t-cloudfront-5xx-rate", "edge-t-cloudfront-origin-latency"]],
            [runs.off, ["edge-t-cloudfront-5xx-rate"]],
        ] as const) {
            const alarms = ofType(run, T.alarm);
            assert.deepStrictEqual(alarms.map((a) => inputs(a).name).sort(), names);
            const usEast1 = named(run, "aws-us-east-1", "pulumi:providers:aws");
            const cdn = named(run, "cdn", T.distribution);
            const topic = named(run, "monitoring-alarms-global", T.topic);
            for (const a of alarms) {
                assert.ok(a.provider!.startsWith(`${usEast1.urn}::`), a.name);
                assert.deepStrictEqual(urnsOf(depsOf(run, a, "dimensions")), [cdn.urn]);
                assert.equal((inputs(a).dimensions as Record<string, string>).Region, "Global");
                assert.deepStrictEqual(urnsOf(depsOf(run, a, "alarmActions")), [topic.urn]);
            }
        }
        assert.equal(inputs(named(runs.on, "monitoring-cloudfront-origin-latency", T.alarm)).extendedStatistic, "p90");
    });

    it("turns on CloudFront's additional metrics in us-east-1 only when asked", () => {
        const sub = named(runs.on, "monitoring-cloudfront-metrics", T.subscriptionMetrics);
        assert.deepStrictEqual(urnsOf(depsOf(runs.on, sub, "distributionId")), [named(runs.on, "cdn").urn]);
        assert.deepStrictEqual(inputs(sub).monitoringSubscription, {
            realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: "Enabled" },
        });
        assert.ok(sub.provider!.startsWith(`${named(runs.on, "aws-us-east-1", "pulumi:providers:aws").urn}::`));
        assert.equal(ofType(runs.off, T.subscriptionMetrics).length, 0);
    });

    it("points the dashboard's CloudFront graphs at us-east-1", () => {
        const body = JSON.parse(String(inputs(named(runs.on, "monitoring-dashboard", T.dashboard)).dashboardBody)) as {
            widgets: {
                type: string;
                properties: { region?: string; markdown?: string; annotations?: { alarms: string[] } };
            }[];
        };
        const graphs = body.widgets.filter((w) => w.type === "metric");
        assert.equal(graphs.length, 2);
        for (const g of graphs) {
            assert.equal(g.properties.region, "us-east-1");
            assert.match(
                g.properties.annotations!.alarms[0],
                /^arn:aws:cloudwatch:us-east-1:123456789012:alarm:edge-t-cloudfront-/,
            );
        }
        assert.deepStrictEqual(
            body.widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown),
            ["## CloudFront (us-east-1)"],
        );
    });

    it("satisfies the monitoring policy: the distribution's alarm notifies a topic whose key lets CloudWatch publish", () => {
        const policy = policies.filter((p) => p.name === "resources-have-notifying-alarms");
        for (const run of [runs.on, runs.off]) {
            assert.deepStrictEqual(evaluatePolicies(policy, run.resources, resolvePolicyConfig(policies, {})), []);
        }
    });
});
