import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { PROJECT } from "../stacks/common";
import { defOf, unwrap } from "../stacks/schema";
import { SECTIONS } from "../stacks/settings";
import { ASSUMPTIONS, AssumptionError, withOverrides } from "../tools/cost/assumptions";
import {
    COST_PAGE,
    DOCUMENTED_STACKS,
    README,
    README_END,
    README_START,
    WIDTH,
    renderCostPage,
    renderReadmeBlock,
} from "../tools/cost/docs";
import { estimateCost } from "../tools/cost/estimate";
import { LEVERS, dominantTypes } from "../tools/cost/levers";
import { CostEstimate, CostInput, PlanResource } from "../tools/cost/model";
import { MissingPricesError, PRICES_DIR, pricedRegions, readPriceFile } from "../tools/cost/prices";
import { splitTasks } from "../tools/cost/pricers/compute";
import { costInput } from "../tools/cost/stack";
import { tempProject } from "./helpers/cli";
import { planOf } from "./helpers/plan";

const STACK = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t";
const PROVIDER = "urn:pulumi:t::p::pulumi:providers:aws::default";

/** A hand-made plan resource: custom, in eu-west-1 unless told otherwise. */
function res(
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
    pd: Record<string, PlanResource[]> = {},
    extra: Partial<PlanResource> = {},
): PlanResource {
    const propertyDependencies = Object.fromEntries(Object.entries(pd).map(([k, v]) => [k, v.map((r) => r.urn)]));
    return {
        urn: `urn:pulumi:t::p::${type}::${name}`,
        type,
        name,
        parent: STACK,
        provider: PROVIDER,
        region: "eu-west-1",
        dependencies: Object.values(propertyDependencies).flat(),
        propertyDependencies,
        inputs,
        ...extra,
    };
}

const plan = (...resources: PlanResource[]): CostInput => ({ stack: "t", region: "eu-west-1", resources });
const linesOf = (e: CostEstimate, name: string) => e.lines.filter((l) => l.name === name);
const monthly = (e: CostEstimate, name: string) =>
    Math.round(linesOf(e, name).reduce((s, l) => s + l.monthly, 0) * 10000) / 10000;
const close = (actual: number, expected: number, what: string) =>
    assert.ok(Math.abs(actual - expected) < 0.005, `${what}: ${actual} is not ${expected}`);

describe("cost estimate: fixed-price items against hand-computed figures (eu-west-1 price file)", () => {
    it("a NAT gateway: 730 h × $0.048 + 50 GB × $0.048; its public IPv4 address 730 h × $0.005", () => {
        const eip = res("aws:ec2/eip:Eip", "nat-eip", { domain: "vpc" });
        const nat = res(
            "aws:ec2/natGateway:NatGateway",
            "nat",
            { connectivityType: "public" },
            { allocationId: [eip] },
        );
        const e = estimateCost(plan(eip, nat));
        close(monthly(e, "nat"), 730 * 0.048 + 50 * 0.048, "NAT");
        close(monthly(e, "nat-eip"), 3.65, "public IPv4");
        assert.match(linesOf(e, "nat-eip")[0].note ?? "", /used by nat/);
    });

    it("an internal application load balancer: 730 h × $0.0252 + 730 LCU-h × $0.008, no public IPv4", () => {
        const e = estimateCost(
            plan(res("aws:lb/loadBalancer:LoadBalancer", "alb", { internal: true, subnets: ["a", "b", "c"] })),
        );
        close(monthly(e, "alb"), 18.396 + 5.84, "ALB");
        assert.equal(linesOf(e, "alb").length, 2);
        const public3 = estimateCost(
            plan(res("aws:lb/loadBalancer:LoadBalancer", "alb", { internal: false, subnets: ["a", "b", "c"] })),
        );
        close(monthly(public3, "alb"), 18.396 + 5.84 + 3 * 730 * 0.005, "internet-facing ALB");
    });

    it("a db.r8g.large month: 730 h × $0.308 (and $0.276 in us-east-1), I/O-Optimized 30 % more", () => {
        const cluster = res("aws:rds/cluster:Cluster", "db", { engine: "aurora-postgresql" });
        const instance = res(
            "aws:rds/clusterInstance:ClusterInstance",
            "db-0",
            { instanceClass: "db.r8g.large" },
            { clusterIdentifier: [cluster] },
        );
        close(monthly(estimateCost(plan(cluster, instance)), "db-0"), 224.84, "eu-west-1");
        const us = estimateCost({ ...plan(cluster, instance), region: "us-east-1" });
        close(us.lines.find((l) => l.name === "db-0" && l.region === "eu-west-1")?.monthly ?? 0, 224.84, "own region");
        const east = { ...instance, region: "us-east-1", urn: `${instance.urn}-east` };
        close(monthly(estimateCost(plan(cluster, east)), "db-0"), 730 * 0.276, "us-east-1");
        const iopt = { ...cluster, inputs: { engine: "aurora-postgresql", storageType: "aurora-iopt1" } };
        close(monthly(estimateCost(plan(iopt, instance)), "db-0"), 224.84 * 1.3, "I/O-Optimized");
    });

    it("a rotating KMS key one year old: $1 key + $1 for the one rotated version + 100k requests × $0.03/10k", () => {
        const e = estimateCost(plan(res("aws:kms/key:Key", "key", { enableKeyRotation: true })));
        close(monthly(e, "key"), 1 + 1 + 0.3, "KMS key");
        const flat = estimateCost(plan(res("aws:kms/key:Key", "key", { enableKeyRotation: false })));
        close(monthly(flat, "key"), 1.3, "KMS key without rotation");
    });

    it("a secret: $0.40 + 10k API calls × $0.05/10k; an RDS-managed master secret adds $0.40 to its cluster", () => {
        close(monthly(estimateCost(plan(res("aws:secretsmanager/secret:Secret", "s"))), "s"), 0.45, "secret");
        const managed = res("aws:rds/cluster:Cluster", "db", {
            engine: "aurora-postgresql",
            manageMasterUserPassword: true,
        });
        const unmanaged = res("aws:rds/cluster:Cluster", "db", { engine: "aurora-postgresql" });
        close(monthly(estimateCost(plan(managed)), "db") - monthly(estimateCost(plan(unmanaged)), "db"), 0.4, "master");
    });

    it("alarms: $0.10 per standard metric, $0.30 high resolution, metric math counts every metric", () => {
        const single = res("aws:cloudwatch/metricAlarm:MetricAlarm", "cpu", {
            metricName: "CPUUtilization",
            period: 60,
        });
        const fast = res("aws:cloudwatch/metricAlarm:MetricAlarm", "fast", { metricName: "X", period: 10 });
        const math = res("aws:cloudwatch/metricAlarm:MetricAlarm", "rate", {
            metricQueries: [
                { id: "e", expression: "100 * errors / requests", returnData: true },
                { id: "errors", metric: { metricName: "5xx", period: 60, stat: "Sum" } },
                { id: "requests", metric: { metricName: "Requests", period: 60, stat: "Sum" } },
            ],
        });
        const e = estimateCost(plan(single, fast, math));
        close(monthly(e, "cpu"), 0.1, "standard");
        close(monthly(e, "fast"), 0.3, "high resolution");
        close(monthly(e, "rate"), 0.2, "metric math over two metrics");
    });

    it("a dashboard is $3.00 a month", () => {
        close(monthly(estimateCost(plan(res("aws:cloudwatch/dashboard:Dashboard", "d"))), "d"), 3, "dashboard");
    });

    it("a web ACL with 4 rules in us-east-1: $5 + 4 × $1 + 5 million requests × $0.60", () => {
        const acl = res(
            "aws:wafv2/webAcl:WebAcl",
            "waf",
            { scope: "CLOUDFRONT", rules: [{ name: "a" }, { name: "b" }, { name: "c" }, { name: "rate" }] },
            {},
            { region: "us-east-1" },
        );
        const e = estimateCost(plan(acl));
        close(monthly(e, "waf"), 5 + 4 + 3, "web ACL");
        assert.ok(linesOf(e, "waf").every((l) => l.region === "us-east-1"));
    });
});

describe("cost estimate: lines come from the plan", () => {
    it("one NAT line pair per NAT gateway in the plan", () => {
        const nats = [0, 1].map((i) => res("aws:ec2/natGateway:NatGateway", `nat-${i}`));
        const e = estimateCost(plan(...nats));
        assert.deepEqual(
            e.lines.filter((l) => l.item === "NAT gateway hours").map((l) => l.name),
            ["nat-0", "nat-1"],
        );
        assert.equal(estimateCost(plan(nats[0])).lines.filter((l) => l.item === "NAT gateway hours").length, 1);
    });

    it("splits tasks as ECS does: the base first, then by weight", () => {
        const split = splitTasks(5, [
            { capacityProvider: "FARGATE", base: 2, weight: 1 },
            { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
        ]);
        assert.deepEqual(
            [...split.entries()],
            [
                ["FARGATE", 2.75],
                ["FARGATE_SPOT", 2.25],
            ],
        );
    });

    function service(arch: string, strategy: unknown[], desired = 2, autoscaling?: [number, number]) {
        const td = res("aws:ecs/taskDefinition:TaskDefinition", "td", {
            cpu: "1024",
            memory: "2048",
            runtimePlatform: { cpuArchitecture: arch, operatingSystemFamily: "LINUX" },
        });
        const svc = res(
            "aws:ecs/service:Service",
            "svc",
            { desiredCount: desired, capacityProviderStrategies: strategy },
            { taskDefinition: [td] },
        );
        const out = [td, svc];
        if (autoscaling) {
            out.push(
                res(
                    "aws:appautoscaling/target:Target",
                    "svc-scaling",
                    {
                        minCapacity: autoscaling[0],
                        maxCapacity: autoscaling[1],
                        scalableDimension: "ecs:service:DesiredCount",
                    },
                    { resourceId: [svc] },
                ),
            );
        }
        return out;
    }

    it("prices Fargate by architecture and task count: 2 ARM64 tasks of 1 vCPU and 2 GB", () => {
        const e = estimateCost(plan(...service("ARM64", [{ capacityProvider: "FARGATE", weight: 1 }])));
        close(monthly(e, "svc"), 2 * 730 * (0.03238 + 2 * 0.00356), "ARM64 on-demand");
        const x86 = estimateCost(plan(...service("X86_64", [{ capacityProvider: "FARGATE", weight: 1 }])));
        close(monthly(x86, "svc"), 2 * 730 * (0.04048 + 2 * 0.004445), "X86_64 on-demand");
    });

    it("a Spot weight gives the Spot price: on-demand less the assumed discount", () => {
        const spot = estimateCost(plan(...service("X86_64", [{ capacityProvider: "FARGATE_SPOT", weight: 1 }])));
        close(monthly(spot, "svc"), 2 * 730 * (0.04048 + 2 * 0.004445) * 0.3, "X86_64 Spot");
        assert.ok(spot.lines.every((l) => l.assumptions.includes("fargateSpotDiscount")));
        const half = estimateCost(
            plan(
                ...service("X86_64", [
                    { capacityProvider: "FARGATE", weight: 1 },
                    { capacityProvider: "FARGATE_SPOT", weight: 1 },
                ]),
            ),
        );
        close(monthly(half, "svc"), 730 * (0.04048 + 2 * 0.004445) * 1.3, "half Spot");
    });

    it("prices ARM64 tasks on Fargate Spot at the ARM64 price less the Spot discount, with no warning", () => {
        const e = estimateCost(plan(...service("ARM64", [{ capacityProvider: "FARGATE_SPOT", weight: 1 }])));
        close(monthly(e, "svc"), 2 * 730 * (0.03238 + 2 * 0.00356) * 0.3, "ARM64 Spot");
        assert.deepEqual(e.warnings, []);
    });

    it("keeps the desired count within the autoscaling bounds", () => {
        const e = estimateCost(plan(...service("ARM64", [{ capacityProvider: "FARGATE", weight: 1 }], 2, [3, 6])));
        close(monthly(e, "svc"), 3 * 730 * (0.03238 + 2 * 0.00356), "raised to the minimum");
    });

    it("Serverless v2: the assumed average ACU within min and max, awake only the assumed hours when it can pause", () => {
        const cluster = (min: number, max: number) =>
            res("aws:rds/cluster:Cluster", "db", {
                engine: "aurora-postgresql",
                serverlessv2ScalingConfiguration: { minCapacity: min, maxCapacity: max },
            });
        const inst = (c: PlanResource) =>
            res(
                "aws:rds/clusterInstance:ClusterInstance",
                "w",
                { instanceClass: "db.serverless" },
                { clusterIdentifier: [c] },
            );
        const pausing = cluster(0, 4);
        close(monthly(estimateCost(plan(pausing, inst(pausing))), "w"), 1 * 200 * 0.14, "min 0: 200 awake hours");
        const floor = cluster(2, 8);
        close(monthly(estimateCost(plan(floor, inst(floor))), "w"), 2 * 730 * 0.14, "min 2 lifts the average");
    });

    it("lists a type it cannot price, never counts it as zero, and does not list free types as unpriced", () => {
        const known = res("aws:kms/key:Key", "key");
        const unknown = res("aws:foo/bar:Baz", "mystery");
        const free = res("aws:iam/role:Role", "role");
        const e = estimateCost(plan(known, unknown, free));
        assert.deepEqual(
            e.unpriced.map((u) => [u.type, u.reason]),
            [["aws:foo/bar:Baz", "no pricer for this resource type"]],
        );
        assert.deepEqual(
            e.free.map((f) => f.type),
            ["aws:iam/role:Role"],
        );
        assert.ok(!e.lines.some((l) => l.name === "mystery"));
        const unlisted = res("aws:rds/clusterInstance:ClusterInstance", "odd", { instanceClass: "db.x9z.huge" });
        assert.match(estimateCost(plan(unlisted)).unpriced[0].reason, /no price "aurora.instanceHour:db.x9z.huge"/);
    });

    it("refuses a region without a price file, naming the region and the file to add", () => {
        assert.throws(
            () => estimateCost({ ...plan(res("aws:kms/key:Key", "k", {}, {}, { region: "ap-southeast-7" })) }),
            (e: unknown) =>
                e instanceof MissingPricesError &&
                /no price data for region ap-southeast-7: add .*ap-southeast-7\.json/.test(e.message),
        );
    });

    it("applies overrides of the assumptions, and reports every bad one at once", () => {
        const nat = res("aws:ec2/natGateway:NatGateway", "nat");
        const e = estimateCost(plan(nat), { assumptions: withOverrides({ natGbPerGateway: "1000" }) });
        close(linesOf(e, "nat").find((l) => l.item === "NAT data processed")!.monthly, 48, "1,000 GB");
        assert.equal(ASSUMPTIONS.natGbPerGateway.value, 50, "the defaults are not modified");
        assert.throws(
            () => withOverrides({ natGb: "1", hoursPerMonth: "-3" }),
            (err: unknown) =>
                err instanceof AssumptionError &&
                err.problems.length === 2 &&
                /natGb: not a known assumption/.test(err.problems[0]) &&
                /hoursPerMonth=-3: expected a number >= 0/.test(err.problems[1]),
        );
    });
});

describe("price files", () => {
    it("exist for every region a stack file uses and for us-east-1, dated, each price with a known source", () => {
        const regions = fs
            .readdirSync(path.resolve(__dirname, ".."))
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
            .map((f) => /aws:region: (\S+)/.exec(fs.readFileSync(path.resolve(__dirname, "..", f), "utf8"))?.[1]);
        for (const region of new Set([...regions, "us-east-1"])) {
            assert.ok(region && pricedRegions().includes(region), `no price file for ${region}`);
            const file = readPriceFile(region!);
            assert.match(file.asOf, /^\d{4}-\d{2}-\d{2}$/);
            assert.ok(Object.keys(file.sources).length > 0);
        }
    });

    it("have the same keys in every region, so a stack prices the same items wherever it runs", () => {
        const keys = pricedRegions().map((r) => Object.keys(readPriceFile(r).prices).sort().join(","));
        assert.equal(new Set(keys).size, 1);
    });

    it("refuse a price whose source is not listed", () => {
        const dir = tempProject();
        const file = JSON.parse(fs.readFileSync(path.join(PRICES_DIR, "eu-west-1.json"), "utf8"));
        file.prices["natGateway.hour"].source = "nowhere";
        fs.writeFileSync(path.join(dir, "eu-west-1.json"), JSON.stringify(file));
        assert.throws(() => readPriceFile("eu-west-1", dir), /prices\.natGateway\.hour\.source: source "nowhere"/);
    });
});

/** The schema under a dotted path (`<app>` takes one map entry). */
function schemaAt(keyPath: string): unknown {
    const [section, ...rest] = keyPath.split(".");
    let schema = (SECTIONS as Record<string, unknown>)[section] as Parameters<typeof unwrap>[0] | undefined;
    for (const step of rest) {
        if (!schema) return undefined;
        const def = defOf(unwrap(schema).schema);
        if (step === "<app>") schema = def.type === "record" ? (def.valueType as typeof schema) : undefined;
        else schema = def.type === "object" ? (def.shape?.[step] as typeof schema) : undefined;
    }
    return schema;
}

describe("cost levers", () => {
    it("name only settings that exist in the schemas", () => {
        for (const { keys } of Object.values(LEVERS)) {
            for (const key of keys) assert.ok(schemaAt(key), `${PROJECT}:${key} is not a setting`);
        }
        assert.equal(schemaAt("network.noSuchKey"), undefined, "the check can fail");
    });
});

describe("the stacks' estimates and docs/cost.md", () => {
    let estimates: CostEstimate[];
    before(async () => {
        estimates = [];
        for (const { stack } of DOCUMENTED_STACKS)
            estimates.push(estimateCost(costInput(await planOf(stack, "update"))));
    });

    it("have one NAT line pair per NAT gateway and one instance line per Aurora instance of each plan", async () => {
        for (const e of estimates) {
            const run = await planOf(e.stack, "update");
            const count = (t: string) => run.resources.filter((r) => r.type === t).length;
            assert.equal(
                e.lines.filter((l) => l.item === "NAT gateway hours").length,
                count("aws:ec2/natGateway:NatGateway"),
            );
            assert.equal(
                e.lines.filter(
                    (l) => l.type === "aws:rds/clusterInstance:ClusterInstance" && /instance hours|ACU/.test(l.item),
                ).length,
                count("aws:rds/clusterInstance:ClusterInstance"),
            );
            assert.ok(e.total > 0);
            close(
                e.total,
                e.lines.reduce((s, l) => s + l.monthly, 0),
                "total is the sum of the lines",
            );
        }
    });

    it("docs/cost.md is what `npm run docs:cost` generates today (not stale), Prettier-clean, ≤ 120 columns", async () => {
        const text = fs.readFileSync(COST_PAGE, "utf8");
        assert.equal(text, await renderCostPage(estimates), "docs/cost.md is stale: run npm run docs:cost");
        const options = (await prettier.resolveConfig(COST_PAGE)) ?? {};
        assert.equal(await prettier.format(text, { ...options, filepath: COST_PAGE }), text);
        assert.deepEqual(
            text.split("\n").filter((l) => l.length > WIDTH && !l.startsWith("|")),
            [],
        );
        for (const e of estimates) assert.ok(text.includes(`## ${e.stack}: $`), e.stack);
    });

    it("README.md's cost block is current", async () => {
        const readme = fs.readFileSync(README, "utf8");
        const block = readme.slice(readme.indexOf(README_START) + README_START.length, readme.indexOf(README_END));
        assert.ok(readme.includes(README_START), "README.md has no cost block");
        assert.equal(block.trim(), await renderReadmeBlock(estimates), "README.md is stale: run npm run docs:cost");
    });

    it("the README block names the dominant lines of a stack above its target, and nothing for one within", async () => {
        const e = estimates[0];
        const [within, above] = [
            { stack: e.stack, target: e.total + 1 },
            { stack: e.stack, target: e.total - 1 },
        ];
        const saved = DOCUMENTED_STACKS.splice(0, DOCUMENTED_STACKS.length, within);
        try {
            assert.ok(!(await renderReadmeBlock([e])).includes("What dominates"), "within target: no explanation");
            DOCUMENTED_STACKS.splice(0, 1, above);
            const text = (await renderReadmeBlock([e])).replace(/\s+/g, " ");
            assert.ok(text.includes(`${e.stack} is above its $`), text);
            const dominant = dominantTypes(e);
            assert.ok(dominant.length > 0);
            for (const d of dominant) assert.ok(text.includes(`\`${d.type}\``), `${d.type} missing from ${text}`);
        } finally {
            DOCUMENTED_STACKS.splice(0, DOCUMENTED_STACKS.length, ...saved);
        }
    });
});
