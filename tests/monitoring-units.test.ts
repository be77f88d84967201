/**
 * The pure parts of Monitoring, tested directly: instance memory, the alarm table, planning, the topic policy, event
 * patterns and messages, the dashboard layout, the budget notifications, the settings section and docs/alarms.md.
 */
import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as prettier from "prettier";
import { budgetNotifications, tagCostFilter } from "../components/monitoring/budget";
import { defaultMaxConnections, instanceMemoryGiB } from "../components/monitoring/capacity";
import { dashboardBody } from "../components/monitoring/dashboard";
import { ALARM_DEFINITIONS, CONFIGURABLE_KEYS, isMath } from "../components/monitoring/definitions";
import {
    DEPLOYMENT_FAILURE_MESSAGE,
    FAILOVER_MESSAGE,
    deploymentFailurePattern,
    failoverPattern,
} from "../components/monitoring/events";
import { type Inventory, planAlarms } from "../components/monitoring/plan";
import { endpointId, topicPolicy } from "../components/monitoring/topics";
import { parseSettings } from "../stacks/settings";
import {
    ALARMS_FILE,
    README,
    README_END,
    README_START,
    briefWhy,
    renderAlarms,
    renderReadmeBlock,
} from "../tools/docs/alarms-reference";
import { problems as settingsProblems } from "./helpers/settings";

describe("instance memory and max_connections", () => {
    it("follows the class families: 8 GiB per vCPU for R, 16 for X2g, a table for burstable classes", () => {
        assert.equal(instanceMemoryGiB("db.r8g.large"), 16);
        assert.equal(instanceMemoryGiB("db.r6g.xlarge"), 32);
        assert.equal(instanceMemoryGiB("db.r7i.4xlarge"), 128);
        assert.equal(instanceMemoryGiB("db.r6gd.16xlarge"), 512);
        assert.equal(instanceMemoryGiB("db.x2g.large"), 32);
        assert.equal(instanceMemoryGiB("db.t4g.medium"), 4);
        assert.equal(instanceMemoryGiB("db.t3.large"), 8);
    });

    it("takes Serverless v2 memory from the maximum capacity at 2 GiB per ACU, and knows nothing it cannot know", () => {
        assert.equal(instanceMemoryGiB("db.serverless", 4), 8);
        assert.equal(instanceMemoryGiB("db.serverless", 0.5 + 1), 3);
        assert.equal(instanceMemoryGiB("db.serverless"), undefined);
        assert.equal(instanceMemoryGiB("db.z9q.large"), undefined);
        assert.equal(instanceMemoryGiB("db.r8g.huge"), undefined);
        assert.equal(instanceMemoryGiB("db.t4g.small"), undefined);
    });

    it("computes AWS's default max_connections as AWS's own example does, capped at 5000", () => {
        assert.equal(defaultMaxConnections(16), 1802);
        assert.equal(defaultMaxConnections(2), 225);
        assert.equal(defaultMaxConnections(64), 5000);
    });
});

describe("the alarm definitions table", () => {
    it("has unique keys, and names unique within each kind of resource", () => {
        assert.equal(new Set(ALARM_DEFINITIONS.map((d) => d.key)).size, ALARM_DEFINITIONS.length);
        const names = ALARM_DEFINITIONS.map(
            (d) => `${d.scope === "loadBalancer" ? "targetGroup" : d.scope}/${d.suffix}`,
        );
        assert.equal(new Set(names).size, names.length);
    });

    it("states for each alarm a reason for its threshold and missing-data treatment, and where to look", () => {
        for (const d of ALARM_DEFINITIONS) {
            assert.ok(d.threshold.why.length > 30, d.key);
            assert.ok(d.missingWhy.length > 20, d.key);
            assert.ok(d.meaning.includes("{threshold}") || d.threshold.value === 0, d.key);
            assert.ok(d.look.length > 20, d.key);
            assert.ok(d.datapointsToAlarm >= 1 && d.datapointsToAlarm <= d.evaluationPeriods, d.key);
            assert.ok([10, 30].includes(d.period) || d.period % 60 === 0, d.key);
            if (d.appliesTo) assert.ok(d.appliesWhen, `${d.key} says when it applies`);
        }
    });

    it("uses valid metric-math ids and one statistic per metric", () => {
        for (const d of ALARM_DEFINITIONS) {
            const metrics = isMath(d.metric) ? Object.entries(d.metric.metrics) : [["", d.metric] as const];
            for (const [id, m] of metrics) {
                if (isMath(d.metric)) {
                    assert.match(id, /^[a-z][a-zA-Z0-9_]*$/, d.key);
                    assert.ok(d.metric.expression.includes(id), `${d.key} uses ${id}`);
                }
                assert.ok((m.statistic === undefined) !== (m.extendedStatistic === undefined), d.key);
            }
        }
    });

    it("lets a stack set every threshold except the one derived per service", () => {
        assert.deepEqual(
            ALARM_DEFINITIONS.filter((d) => !CONFIGURABLE_KEYS.includes(d.key)).map((d) => d.key),
            ["ecsRunningTasks"],
        );
    });
});

describe("planAlarms", () => {
    const full: Inventory<string> = {
        database: { clusterIdentifier: "db", roles: ["WRITER", "READER"], memoryGiB: 16, serverless: false },
        services: {
            clusterName: "cluster",
            containerInsights: true,
            loadBalancer: "app/lb/1",
            apps: [
                { name: "web", serviceName: "web-1", minimumTasks: 3, targetGroup: "targetgroup/web/1" },
                { name: "worker", serviceName: "worker-1", minimumTasks: 2 },
            ],
        },
        natGateways: ["nat-a", "nat-b"],
        cloudFront: { distributionId: "E1", additionalMetrics: false },
    };
    const names = (inv: Inventory<string>, overrides = {}) => planAlarms("p-s", inv, overrides).map((a) => a.name);

    it("plans one alarm per definition and matching resource", () => {
        const planned = names(full);
        assert.equal(planned.length, 5 + 4 + 3 + 3 + 3 + 1 + 2 * 2 + 1);
        assert.ok(planned.includes("p-s-aurora-writer-transaction-ids"));
        assert.ok(!planned.includes("p-s-aurora-reader-transaction-ids"));
        assert.ok(!planned.some((n) => n.startsWith("p-s-alb-worker-")));
        assert.ok(planned.includes("p-s-nat-2-packet-drop-rate"));
        assert.ok(!planned.includes("p-s-cloudfront-origin-latency"));
        assert.equal(new Set(planned).size, planned.length);
    });

    it("follows the facts: Serverless capacity, Container Insights, readers, additional metrics, web services", () => {
        const changed = names({
            ...full,
            database: { clusterIdentifier: "db", roles: ["WRITER"], memoryGiB: 8, serverless: true },
            services: {
                ...full.services!,
                containerInsights: false,
                loadBalancer: undefined,
                apps: [full.services!.apps[1]],
            },
            cloudFront: { distributionId: "E1", additionalMetrics: true },
        });
        assert.ok(changed.includes("p-s-aurora-writer-acu-utilization"));
        assert.ok(!changed.some((n) => n.includes("-reader-")));
        assert.ok(!changed.some((n) => n.endsWith("-running-tasks")));
        assert.ok(!changed.some((n) => n.startsWith("p-s-alb-")));
        assert.ok(changed.includes("p-s-cloudfront-origin-latency"));
        assert.deepEqual(names({}), []);
    });

    it("puts CloudFront's alarms, and only those, in us-east-1, with Region Global", () => {
        for (const a of planAlarms("p-s", full)) {
            assert.equal(a.global, a.definition.scope === "cloudfront", a.name);
            if (a.global) assert.deepEqual(a.dimensions, { DistributionId: "E1", Region: "Global" });
        }
    });

    it("scales thresholds to the metric's unit, applies overrides, and words them in the configured unit", () => {
        const memory = planAlarms("p-s", full).find((a) => a.name === "p-s-aurora-writer-freeable-memory")!;
        assert.equal(memory.threshold, 819 * 1024 * 1024);
        assert.equal(memory.thresholdText, "819 MiB");
        assert.match(memory.description, /less than 819 MiB of freeable memory/);
        const tasks = planAlarms("p-s", full).find((a) => a.name === "p-s-ecs-web-running-tasks")!;
        assert.equal(tasks.threshold, 3);
        const overridden = planAlarms("p-s", full, { auroraFreeableMemory: 2048, ecsRunningTasks: 9 });
        assert.equal(overridden.find((a) => a.name === memory.name)!.threshold, 2048 * 1024 * 1024);
        assert.equal(
            overridden.find((a) => a.name === tasks.name)!.threshold,
            3,
            "a derived-only threshold ignores config",
        );
    });

    it("refuses to guess a threshold it cannot derive, naming the key to set", () => {
        const unknown = { ...full, database: { ...full.database!, memoryGiB: undefined } };
        assert.throws(() => planAlarms("p-s", unknown), /set monitoring\.thresholds\.auroraFreeableMemory/);
        assert.doesNotThrow(() => planAlarms("p-s", unknown, { auroraFreeableMemory: 512, auroraConnections: 1000 }));
    });

    it("keeps every description within CloudWatch's 1024 characters and says where to look", () => {
        for (const a of planAlarms("a-very-long-project-name-and-stack", full)) {
            assert.ok(a.description.length <= 1024, a.name);
            assert.match(a.description, /Look at: /, a.name);
            assert.ok(!a.description.includes("{threshold}"), a.name);
        }
    });
});

describe("topicPolicy", () => {
    const base = {
        topicArn: "arn:aws:sns:eu-west-1:111122223333:p-s-alarms",
        accountId: "111122223333",
        partition: "aws",
        region: "eu-west-1",
        alarmNamePrefix: "p-s",
    };
    const sids = (p: string) => (JSON.parse(p) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid);

    it("admits exactly the publishers asked for", () => {
        assert.deepEqual(sids(topicPolicy({ ...base, eventBridge: false, budgets: false })), [
            "CloudWatchAlarmsPublish",
        ]);
        assert.deepEqual(sids(topicPolicy({ ...base, eventBridge: true, budgets: true })), [
            "CloudWatchAlarmsPublish",
            "EventBridgeRulesPublish",
            "BudgetsPublish",
        ]);
    });

    it("conditions CloudWatch on this stack's alarms and Budgets on this account; EventBridge takes no condition", () => {
        const doc = JSON.parse(topicPolicy({ ...base, eventBridge: true, budgets: true })) as {
            Statement: { Sid: string; Action: string; Resource: string; Condition?: unknown }[];
        };
        const by = (sid: string) => doc.Statement.find((s) => s.Sid === sid)!;
        assert.deepEqual(by("CloudWatchAlarmsPublish").Condition, {
            ArnLike: { "aws:SourceArn": "arn:aws:cloudwatch:eu-west-1:111122223333:alarm:p-s-*" },
        });
        assert.equal(by("EventBridgeRulesPublish").Condition, undefined);
        assert.deepEqual(by("BudgetsPublish").Condition, {
            StringEquals: { "aws:SourceAccount": "111122223333" },
            ArnLike: { "aws:SourceArn": "arn:aws:budgets::111122223333:*" },
        });
        for (const s of doc.Statement) {
            assert.equal(s.Action, "sns:Publish");
            assert.equal(s.Resource, base.topicArn);
        }
    });

    it("names HTTPS subscriptions by a hash, never by the URL", () => {
        const url = "https://events.example.org/integration/s3cr3t/enqueue";
        assert.match(endpointId(url), /^[0-9a-f]{10}$/);
        assert.ok(!endpointId(url).includes("s3cr3t"));
        assert.notEqual(endpointId(url), endpointId(`${url}x`));
    });
});

describe("event rules", () => {
    it("match only failed deployments of the given services and failovers of the given cluster", () => {
        assert.deepEqual(JSON.parse(deploymentFailurePattern(["arn:svc/a", "arn:svc/b"])), {
            source: ["aws.ecs"],
            "detail-type": ["ECS Deployment State Change"],
            resources: ["arn:svc/a", "arn:svc/b"],
            detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
        });
        assert.deepEqual(JSON.parse(failoverPattern("arn:aws:rds:eu-west-1:1:cluster:db")), {
            source: ["aws.rds"],
            "detail-type": ["RDS DB Cluster Event"],
            detail: { EventCategories: ["failover"], SourceArn: ["arn:aws:rds:eu-west-1:1:cluster:db"] },
        });
    });

    it("turn each event into one readable JSON string that uses every value it picks", () => {
        for (const m of [DEPLOYMENT_FAILURE_MESSAGE, FAILOVER_MESSAGE]) {
            for (const key of Object.keys(m.inputPaths)) assert.ok(m.inputTemplate.includes(`<${key}>`), key);
            const filled = m.inputTemplate.replace(/<([a-z]+)>/g, "x");
            assert.equal(typeof JSON.parse(filled), "string");
        }
    });
});

describe("dashboardBody", () => {
    const plans = planAlarms<string>("p-s", {
        database: { clusterIdentifier: "db", roles: ["WRITER"], memoryGiB: 16, serverless: false },
        natGateways: ["nat-a", "nat-b", "nat-c"],
        cloudFront: { distributionId: "E1", additionalMetrics: true },
    });
    const body = JSON.parse(dashboardBody(plans, { partition: "aws", accountId: "1", region: "eu-west-1" })) as {
        widgets: {
            type: string;
            x: number;
            y: number;
            width: number;
            height: number;
            properties: Record<string, unknown>;
        }[];
    };

    it("lays out a header and the alarm graphs of each component, rows in reading order, inside the 24-column grid", () => {
        assert.deepEqual(
            body.widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown),
            ["## CloudFront (us-east-1)", "## Aurora", "## NAT gateways"],
        );
        const cells = new Set<string>();
        for (const w of body.widgets) {
            assert.ok(w.x + w.width <= 24);
            for (let x = w.x; x < w.x + w.width; x++) {
                for (let y = w.y; y < w.y + w.height; y++) {
                    assert.ok(!cells.has(`${x},${y}`), "widgets overlap");
                    cells.add(`${x},${y}`);
                }
            }
        }
        assert.equal(body.widgets.filter((w) => w.type === "metric").length, plans.length);
    });

    it("points each graph at its alarm in the alarm's own region", () => {
        for (const w of body.widgets.filter((x) => x.type === "metric")) {
            const [arn] = (w.properties.annotations as { alarms: string[] }).alarms;
            assert.equal(arn.split(":")[3], w.properties.region);
            assert.equal(w.properties.region === "us-east-1", arn.includes(":alarm:p-s-cloudfront-"));
        }
    });
});

describe("budget notifications", () => {
    it("alert on actual cost at 80 % and 100 % and on the forecast at 100 %, to the topic and the addresses", () => {
        const n = budgetNotifications("topic-arn", ["a@corp.invalid"]);
        assert.deepEqual(
            n.map((x) => [x.notificationType, x.threshold]),
            [
                ["ACTUAL", 80],
                ["ACTUAL", 100],
                ["FORECASTED", 100],
            ],
        );
        for (const x of n) {
            assert.deepEqual(x.subscriberSnsTopicArns, ["topic-arn"]);
            assert.deepEqual(x.subscriberEmailAddresses, ["a@corp.invalid"]);
        }
        assert.ok(!("subscriberEmailAddresses" in budgetNotifications("t")[0]));
        assert.deepEqual(tagCostFilter({ key: "stack", value: "prod" }), {
            name: "TagKeyValue",
            values: ["user:stack$prod"],
        });
    });
});

describe("settings: aws-platform:monitoring", () => {
    const region = { "aws:region": "eu-west-1" };
    const K = "aws-platform:monitoring";
    const problems = (raw: Record<string, unknown>) => settingsProblems({ ...region, ...raw });

    it("defaults to no subscription, the table's thresholds, no additional metrics and no budget", () => {
        assert.deepEqual(parseSettings(region, "t").monitoring, {
            emails: [],
            httpsEndpoints: [],
            thresholds: {},
            cloudFront: { additionalMetrics: false },
        });
    });

    it("reports every problem at once, each with its key, value and expectation", () => {
        assert.deepEqual(
            problems({
                [K]: {
                    emails: ["oncall", "a@corp.invalid", "A@corp.invalid"],
                    httpsEndpoints: ["http://hooks.corp.invalid/x"],
                    thresholds: { auroraCpu: -1, ecsRunningTasks: 1, nope: 3 },
                    budget: { monthlyLimitUsd: 0, emails: Array.from({ length: 11 }, (_, i) => `f${i}@corp.invalid`) },
                    alarms: true,
                },
            }).sort(),
            [
                `${K}.alarms: is not a known setting; expected one of emails, httpsEndpoints, thresholds, cloudFront, budget`,
                `${K}.emails[0]: "oncall" is not an e-mail address`,
                `${K}.emails: ["oncall","a@corp.invalid","A@corp.invalid"] names an address twice`,
                `${K}.httpsEndpoints[0]: "http://hooks.corp.invalid/x" is not an https:// URL`,
                `${K}.thresholds.ecsRunningTasks: is not a known setting; expected one of ${CONFIGURABLE_KEYS.join(", ")}`,
                `${K}.thresholds.nope: is not a known setting; expected one of ${CONFIGURABLE_KEYS.join(", ")}`,
                `${K}.thresholds.auroraCpu: -1 is too small; expected >= 0`,
                `${K}.budget.monthlyLimitUsd: 0 is too small; expected >= 1`,
                `${K}.budget.emails: ${JSON.stringify(Array.from({ length: 11 }, (_, i) => `f${i}@corp.invalid`))} is too big; expected at most 10 items`,
            ].sort(),
        );
    });

    it("never prints a value of a secret key in an error, and still names the key and the expectation", () => {
        const url = "http://hooks.corp.invalid/x?token=s3cr3t";
        const raw = { ...region, [K]: { httpsEndpoints: [url] } };
        assert.deepEqual(settingsProblems(raw), [
            `${K}.httpsEndpoints[0]: ${JSON.stringify(url)} is not an https:// URL`,
        ]);
        const hidden = settingsProblems(raw, "t", [K]);
        assert.deepEqual(hidden, [
            `${K}.httpsEndpoints[0]: (the value is secret, so not shown) is not an https:// URL`,
        ]);
        assert.ok(!hidden.join("\n").includes("s3cr3t"));
    });

    it("requires the memory-based thresholds for a database class the table does not know", () => {
        const db = { "aws-platform:database": { instanceClass: "db.z9q.large" } };
        assert.deepEqual(problems(db), [
            `${K}.thresholds.auroraFreeableMemory: is required: the memory of database.instanceClass db.z9q.large is not in the alarm table (components/monitoring/capacity.ts), so its default cannot be derived`,
            `${K}.thresholds.auroraConnections: is required: the memory of database.instanceClass db.z9q.large is not in the alarm table (components/monitoring/capacity.ts), so its default cannot be derived`,
        ]);
        assert.deepEqual(
            problems({ ...db, [K]: { thresholds: { auroraFreeableMemory: 800, auroraConnections: 900 } } }),
            [],
        );
    });
});

describe("docs/alarms.md, the generated alarm reference", () => {
    it("is what `npm run docs` generates from the definitions today (not stale), and Prettier-clean", async () => {
        const text = readFileSync(ALARMS_FILE, "utf8");
        assert.equal(text, await renderAlarms(), "docs/alarms.md is stale: run npm run docs");
        const options = (await prettier.resolveConfig(ALARMS_FILE)) ?? {};
        assert.equal(await prettier.format(text, { ...options, filepath: ALARMS_FILE }), text);
    });

    it("gives README.md the current alarm list, one item per definition, linking the reasons", async () => {
        const readme = readFileSync(README, "utf8");
        assert.ok(readme.includes(README_START), "README.md has no alarm table block");
        const block = readme.slice(readme.indexOf(README_START) + README_START.length, readme.indexOf(README_END));
        assert.equal(block.trim(), await renderReadmeBlock(), "README.md's alarm table is stale: run npm run docs");
        const items = block
            .split(/\n(?=- )/)
            .map((item) => item.replace(/\n\s*/g, " ").trim())
            .filter((item) => item.startsWith("- "));
        assert.equal(items.length, ALARM_DEFINITIONS.length);
        ALARM_DEFINITIONS.forEach((d, i) => {
            assert.ok(items[i].startsWith(`- **${d.title}**`), d.key);
            assert.ok(items[i].includes(d.threshold.text), d.key);
            if (d.threshold.configurable) assert.ok(items[i].includes(`\`${d.key}\``), d.key);
            const why = briefWhy(d.threshold.why);
            assert.ok(why.length > 0 && d.threshold.why.startsWith(why), d.key);
            assert.ok(items[i].includes(`. Why: ${why}.`), `${d.key}: ${items[i]}`);
        });
        assert.match(block, /\(docs\/alarms\.md\)/);
    });

    it("gives the README the first clause of a reason, ending at its first full stop or semicolon", () => {
        assert.equal(briefWhy("At the limit it fails. Then more."), "At the limit it fails");
        assert.equal(briefWhy("A rate, not a count; so it scales. More."), "A rate, not a count");
        assert.equal(briefWhy("Uses 2.5 GiB per ACU, then stops."), "Uses 2.5 GiB per ACU, then stops");
    });

    it("documents each alarm with its metric, threshold, reason and config key", () => {
        const text = readFileSync(ALARMS_FILE, "utf8");
        for (const d of ALARM_DEFINITIONS) {
            assert.ok(text.includes(`### ${d.title}`), d.key);
            assert.ok(text.includes(d.threshold.text), d.key);
            if (d.threshold.configurable) assert.ok(text.includes(`monitoring.thresholds.${d.key}\``), d.key);
        }
    });
});
