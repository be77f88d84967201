/**
 * The offline evaluator and the pack's shape: config merging and validation as the CLI does it, the
 * server's evaluation semantics (levels, disabled, remediate, unknown → advisory, not-applicable,
 * wire-form deserialisation), and the metadata the README is generated from.
 */
import { strict as assert } from "assert";
import { mkdtempSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";

import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

import { renderPolicyTable, TABLE_END, TABLE_START } from "../policy/catalog";
import { packEnforcementLevel, packName, packVersion } from "../policy/pack";
import { policies, policyCatalog } from "../policy/policies";
import { T } from "../policy/tokens";
import { UNKNOWN_SENTINELS } from "../policy/values";
import {
    deserializeProperties,
    evaluatePolicies,
    evaluatePolicyReport,
    evaluateStack,
    loadPolicyConfig,
    resolvePolicyConfig,
    type ResolvedPolicyConfig,
} from "../tools/plan/policy-eval";
import { RESOURCE_REF_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "../tools/plan/types";
import { READMES, POLICY_README, ROOT_README, profileLevels, tableFor } from "../policy/scripts/render-readme";
import { PlanBuilder, platformStack, secret, single, summary } from "./helpers/graph-fixtures";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxySentinels = require("@pulumi/policy/proxy") as Record<string, string>;

const MULTI_AZ = [
    "subnet-tiers-span-azs",
    "nat-gateway-per-az",
    "aurora-multi-az",
    "ecs-service-multi-az",
    "load-balancer-multi-az",
];

function levels(config: ReturnType<typeof resolvePolicyConfig>): Record<string, string | undefined> {
    // Never empty: a check that every level is X must have levels to check.
    assert.ok(policies.length > 0, "the pack has policies");
    return Object.fromEntries(policies.map((p) => [p.name, config[p.name].enforcementLevel]));
}

function expectConfigError(file: Record<string, unknown>, expected: string[]): void {
    assert.throws(
        () => resolvePolicyConfig(policies, file as never),
        (e: Error) => {
            const lines = e.message
                .split("\n")
                .slice(1)
                .map((l) => l.replace(/^ {2}- /, ""));
            assert.deepStrictEqual(lines, expected);
            return true;
        },
    );
}

describe("policy config", () => {
    it("gives every policy the pack's mandatory level and its schema defaults with an empty config", () => {
        const config = resolvePolicyConfig(policies, {});
        assert.ok(Object.values(levels(config)).every((l) => l === "mandatory"));
        assert.deepStrictEqual(config["subnet-tiers-span-azs"].properties, { minAzCount: 2 });
        assert.deepStrictEqual(config["alb-http-listener-redirects-to-https"].properties, {
            allowHttpToInternalVpcOrigin: false,
        });
        assert.deepStrictEqual(config["aurora-multi-az"].properties, { minInstances: 2, minAzCount: 2 });
        assert.deepStrictEqual(config["kms-key-rotation"].properties, {});
    });

    it('applies "all" first and named entries over it, as strings or objects', () => {
        const config = resolvePolicyConfig(policies, {
            all: "advisory",
            "kms-key-rotation": "mandatory",
            "sns-topic-cmk": { enforcementLevel: "disabled" },
            "aurora-multi-az": { minInstances: 3 },
        });
        const l = levels(config);
        assert.strictEqual(l["kms-key-rotation"], "mandatory");
        assert.strictEqual(l["sns-topic-cmk"], "disabled");
        assert.strictEqual(l["aurora-multi-az"], "advisory");
        assert.strictEqual(l["subnet-tiers-span-azs"], "advisory");
        assert.deepStrictEqual(config["aurora-multi-az"].properties, { minInstances: 3, minAzCount: 2 });
    });

    it('accepts "all" as an object too', () => {
        const config = resolvePolicyConfig(policies, { all: { enforcementLevel: "disabled" } });
        assert.ok(Object.values(levels(config)).every((l) => l === "disabled"));
    });

    it("layers the pack's initial config under the file", () => {
        const config = resolvePolicyConfig(
            policies,
            { "subnet-tiers-span-azs": "advisory" },
            { "subnet-tiers-span-azs": { enforcementLevel: "disabled", minAzCount: 4 } },
        );
        assert.strictEqual(config["subnet-tiers-span-azs"].enforcementLevel, "advisory");
        assert.deepStrictEqual(config["subnet-tiers-span-azs"].properties, { minAzCount: 4 });
    });

    it("reads the production profile: all mandatory, three AZs, no internet-facing LBs, VPC-origin HTTP allowed", () => {
        const config = resolvePolicyConfig(policies, loadPolicyConfig("production"));
        assert.ok(Object.values(levels(config)).every((l) => l === "mandatory"));
        for (const name of [
            "subnet-tiers-span-azs",
            "aurora-multi-az",
            "ecs-service-multi-az",
            "load-balancer-multi-az",
        ]) {
            assert.strictEqual(config[name].properties.minAzCount, 3, name);
        }
        assert.strictEqual(
            config["load-balancer-not-internet-facing"].properties.forbidInternetFacingLoadBalancers,
            true,
        );
        assert.strictEqual(
            config["alb-http-listener-redirects-to-https"].properties.allowHttpToInternalVpcOrigin,
            true,
        );
    });

    it("reads the development profile: Multi-AZ advisory, everything else mandatory", () => {
        const l = levels(resolvePolicyConfig(policies, loadPolicyConfig("development")));
        for (const p of policies) {
            assert.strictEqual(l[p.name], MULTI_AZ.includes(p.name) ? "advisory" : "mandatory", p.name);
        }
    });

    it("rejects every invalid entry at once, with readable messages", () => {
        expectConfigError(
            {
                "kms-key-rotation": "blocking",
                "sns-topic-cmk": 3,
                "no-such-policy": "advisory",
                "subnet-tiers-span-azs": { minAzCount: 0 },
                "aurora-multi-az": { minInstances: "two" },
                "ecs-service-multi-az": { minTask: 2 },
                "alb-listener-tls-policy": { allowedSslPolicies: [] },
            },
            [
                'kms-key-rotation: "blocking" is not a valid enforcement level (advisory, mandatory, remediate, disabled)',
                "sns-topic-cmk: 3 is not a valid value; must be a string or object",
                "no-such-policy: no such policy in pack 'aws-platform'",
                "alb-listener-tls-policy: allowedSslPolicies must NOT have fewer than 1 items",
                "subnet-tiers-span-azs: minAzCount must be >= 1",
                "aurora-multi-az: minInstances must be integer",
                "ecs-service-multi-az: unknown setting 'minTask' (settings: minTasks, minAzCount)",
            ],
        );
    });

    it("rejects a setting on a policy that has none, and a bad level inside an object", () => {
        expectConfigError({ "kms-key-rotation": { enforcementLevel: "strict", rotate: true } }, [
            'kms-key-rotation: "strict" is not a valid enforcement level',
        ]);
        expectConfigError({ "kms-key-rotation": { rotate: true } }, [
            "kms-key-rotation: unknown setting 'rotate' (the policy has no settings)",
        ]);
    });

    it("reports a profile that does not exist, and a config file that is not JSON", () => {
        assert.throws(() => loadPolicyConfig("no-such-profile"), /no-such-profile\.json: no such file/);
        const dir = mkdtempSync(path.join(tmpdir(), "policy-config-"));
        writeFileSync(path.join(dir, "broken.json"), "{ not json");
        assert.throws(() => loadPolicyConfig("broken", dir), /Invalid policy pack config .*broken\.json/);
        writeFileSync(path.join(dir, "list.json"), "[]");
        assert.throws(() => loadPolicyConfig("list", dir), /expected a JSON object keyed by policy name/);
    });
});

describe("offline evaluation semantics", () => {
    const stackPolicy = (
        name: string,
        validateStack: StackValidationPolicy["validateStack"],
    ): StackValidationPolicy => ({
        name,
        description: `${name} description`,
        validateStack,
    });
    const resourcePolicy = (
        name: string,
        validateResource: ResourceValidationPolicy["validateResource"],
    ): ResourceValidationPolicy => ({
        name,
        description: `${name} description`,
        validateResource,
    });
    const bare = (name: string, level?: EnforcementLevel): ResolvedPolicyConfig => ({
        [name]: { enforcementLevel: level, properties: {} },
    });

    it("turns an UnknownValueError in a stack policy into the engine's advisory, even when mandatory", () => {
        const p = new PlanBuilder();
        p.add(T.subnet[0], "s", { availabilityZone: UNKNOWN });
        const policy = stackPolicy("reads-az", (args) => {
            for (const r of args.resources) {
                void r.props.availabilityZone;
            }
        });
        const v = evaluatePolicies([policy], p.resources, bare("reads-az", "mandatory"));
        assert.deepStrictEqual(v, [
            {
                policy: "reads-az",
                enforcementLevel: "advisory",
                urn: undefined,
                message: `can't run policy 'reads-az' from policy pack '${packName}@v${packVersion}' during preview: string value at .availabilityZone can't be known during preview`,
            },
        ]);
    });

    it("does the same for resource policies, attributing the resource", () => {
        const policy = resourcePolicy("reads-key", (args) => void args.props.kmsKeyId);
        const resources = single(T.logGroup[0], { kmsKeyId: UNKNOWN });
        const v = evaluatePolicies([policy], resources, bare("reads-key"));
        assert.deepStrictEqual(summary(v), ["reads-key:advisory"]);
        assert.strictEqual(v[0].urn, resources[1].urn);
    });

    it("resolves the level config → policy → pack, skips disabled and reports remediate as mandatory", () => {
        const report = (name: string, level?: "advisory" | "mandatory" | "remediate" | "disabled") => ({
            ...stackPolicy(name, (_args, reportViolation) => reportViolation("bad")),
            ...(level ? { enforcementLevel: level } : {}),
        });
        const ps = [
            report("from-pack"),
            report("from-policy", "advisory"),
            report("from-config", "advisory"),
            report("off"),
            report("fix", "remediate"),
        ];
        const config = { ...bare("from-config", "mandatory"), ...bare("off", "disabled") };
        const v = evaluatePolicies(ps, new PlanBuilder().resources, config);
        assert.deepStrictEqual(summary(v), [
            `from-pack:${packEnforcementLevel}`,
            "from-config:mandatory",
            "fix:mandatory",
            "from-policy:advisory",
        ]);
        assert.strictEqual(v[0].message, "from-pack description\nbad");
    });

    it("reports a remediate-level resource policy as mandatory as well, from the policy or from config", () => {
        const policy: ResourceValidationPolicy = {
            ...resourcePolicy("fix-res", (_args, reportViolation) => reportViolation("bad")),
            enforcementLevel: "remediate",
        };
        const resources = single(T.logGroup[0], {});
        assert.deepStrictEqual(summary(evaluatePolicies([policy], resources, {})), ["fix-res:mandatory"]);
        const configured = resourcePolicy("fix-cfg", (_args, reportViolation) => reportViolation("bad"));
        assert.deepStrictEqual(summary(evaluatePolicies([configured], resources, bare("fix-cfg", "remediate"))), [
            "fix-cfg:mandatory",
        ]);
    });

    it("records not-applicable policies instead of violations", () => {
        const report = evaluatePolicyReport(
            policies.filter((p) => p.name === "kms-key-rotation" || p.name === "sns-topic-cmk"),
            single(T.kmsKey[0], { enableKeyRotation: true }),
            resolvePolicyConfig(policies, {}),
        );
        assert.deepStrictEqual(report.violations, []);
        assert.deepStrictEqual(
            report.notApplicable.map((n) => [n.policy, n.reason]),
            [["sns-topic-cmk", "Policy only applies to resources of type 'aws:sns/topic:Topic'"]],
        );
    });

    it("runs resource policies on custom resources only, with secrets unwrapped", () => {
        const seen: unknown[] = [];
        const policy = resourcePolicy("sees", (args) => void seen.push([args.type, args.props.masterPassword]));
        const p = new PlanBuilder();
        p.add("my:component:Thing", "component", {}, { custom: false });
        p.add(T.rdsCluster[0], "db", { masterPassword: secret("s3cret") });
        evaluatePolicies([policy], p.resources, bare("sees"));
        assert.deepStrictEqual(seen, [[T.rdsCluster[0], "s3cret"]]);
    });

    it("gives stack policies parent, dependencies and propertyDependencies as resource objects", () => {
        const p = new PlanBuilder();
        const vpc = p.add(T.vpc[0], "vpc", {});
        p.add(T.subnet[0], "subnet", { vpcId: p.out(vpc) });
        let found: string[] = [];
        const policy = stackPolicy("graph", (args) => {
            const subnet = args.resources.find((r) => r.name === "subnet")!;
            found = [subnet.parent!.type, subnet.dependencies[0].name, subnet.propertyDependencies.vpcId[0].name];
        });
        evaluatePolicies([policy], p.resources, bare("graph"));
        assert.deepStrictEqual(found, ["pulumi:pulumi:Stack", "vpc", "vpc"]);
    });

    it("surfaces real policy errors instead of swallowing them", () => {
        const policy = stackPolicy("broken", () => {
            throw new Error("boom");
        });
        assert.throws(
            () => evaluatePolicies([policy], new PlanBuilder().resources, bare("broken")),
            /Error validating stack with policy 'broken' from policy pack 'aws-platform@v0\.1\.0': boom/,
        );
    });

    it("deserialises the wire form: secrets unwrapped, references to ids, unknowns kept", () => {
        const ref = { [SPECIAL_SIG_KEY]: RESOURCE_REF_SIG, urn: "urn:x", id: "vpc-123" };
        const urnOnly = { [SPECIAL_SIG_KEY]: RESOURCE_REF_SIG, urn: "urn:component" };
        assert.deepStrictEqual(
            deserializeProperties({ a: secret({ b: [1, UNKNOWN] }), r: ref, c: urnOnly, gone: undefined }),
            {
                a: { b: [1, UNKNOWN] },
                r: "vpc-123",
                c: "urn:component",
            },
        );
    });

    it("sorts mandatory violations first and evaluates a stack end to end from its config file", () => {
        const p = platformStack({ stack: "dev", natPerAz: false });
        p.patch("cmk", { enableKeyRotation: false });
        const v = evaluateStack("development", p.resources, { mode: "preview" });
        // The development profile allows the internal ALB's HTTP forward behind its VPC origin, so only these remain.
        assert.deepStrictEqual(summary(v), [
            "kms-key-rotation:mandatory",
            "nat-gateway-per-az:advisory",
            "nat-gateway-per-az:advisory",
        ]);
    });

    it("uses the same unknown sentinels as @pulumi/policy and the plan's wire form", () => {
        assert.strictEqual(proxySentinels.unknownStringValue, UNKNOWN);
        const all = Object.entries(proxySentinels)
            .filter(([k]) => /^unknown[A-Z]\w*Value$/.test(k))
            .map(([, v]) => v);
        assert.strictEqual(all.length, 7);
        assert.deepStrictEqual([...UNKNOWN_SENTINELS].sort(), all.sort());
    });
});

describe("policy pack shape", () => {
    it('has unique kebab-case names, never "all", each with severity, description and remediation', () => {
        const names = policies.map((p) => p.name);
        assert.strictEqual(new Set(names).size, names.length);
        for (const p of policies) {
            assert.match(p.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
            assert.notStrictEqual(p.name, "all");
            assert.ok(p.severity, p.name);
            assert.match(p.description, / Fix: /, p.name);
            assert.ok(p.remediationSteps && p.remediationSteps.length > 20, p.name);
            assert.strictEqual(p.enforcementLevel, undefined, `${p.name} must take the pack/config level`);
            assert.ok(!p.configSchema?.properties.enforcementLevel, p.name);
            for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
                assert.notStrictEqual(schema.default, undefined, `${p.name}.${key} needs a default`);
            }
        }
    });

    it("publishes a catalog entry per policy, in the same order, with the scanner ids as tags", () => {
        assert.deepStrictEqual(
            policyCatalog.map((m) => m.name),
            policies.map((p) => p.name),
        );
        const rotation = policyCatalog.find((m) => m.name === "kms-key-rotation")!;
        assert.deepStrictEqual(
            [rotation.checkov, rotation.trivy, rotation.awsConfig],
            [["CKV_AWS_7"], ["AVD-AWS-0065"], ["CMK_BACKING_KEY_ROTATION_ENABLED"]],
        );
        const policy = policies.find((p) => p.name === "kms-key-rotation")!;
        assert.deepStrictEqual(policy.tags, [
            "encryption-at-rest",
            "checkov:CKV_AWS_7",
            "trivy:AVD-AWS-0065",
            "aws-config:CMK_BACKING_KEY_ROTATION_ENABLED",
        ]);
    });

    it("covers the four control families with both resource and stack policies", () => {
        const kinds = new Set(policyCatalog.map((m) => `${m.category}/${m.kind}`));
        for (const k of [
            "encryption-at-rest/resource",
            "encryption-at-rest/stack",
            "encryption-in-transit/resource",
            "encryption-in-transit/stack",
            "private-networking/resource",
            "private-networking/stack",
            "multi-az/stack",
        ]) {
            assert.ok(kinds.has(k), k);
        }
    });

    it("gives the root README a summary per area and per profile, and policy/README.md the full table", () => {
        const block = (file: string) => {
            const readme = readFileSync(file, "utf8");
            return readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END)).trim();
        };
        const root = block(ROOT_README);
        // List items, with their wrapped continuation lines joined back.
        const items = root
            .split(/\n(?=- )/)
            .map((item) => item.replace(/\n\s*/g, " ").trim())
            .filter((item) => item.startsWith("- "));
        // Every policy is named in its own area's item and in no other area's.
        for (const m of policyCatalog) {
            const areaItems = items.filter((i) => i.startsWith("- **"));
            const own = areaItems.find((i) => i.startsWith(`- **${m.category}**`))!;
            assert.ok(own.includes(`\`${m.name}\``), `${m.name} under ${m.category}`);
            assert.equal(areaItems.filter((i) => i.includes(`\`${m.name}\``)).length, 1, m.name);
        }
        // Each profile's line names exactly the policies whose level differs from the pack's default.
        const levels = profileLevels();
        for (const profile of Object.keys(levels)) {
            const line = items.find((l) => l.startsWith(`- Profile \`${profile}\``))!;
            assert.ok(line, profile);
            for (const m of policyCatalog) {
                const differs = levels[profile][m.name] !== packEnforcementLevel;
                assert.equal(line.includes(`\`${m.name}\``), differs, `${profile}: ${m.name}`);
            }
        }
        const full = block(POLICY_README).split("\n");
        const columns = full[0]
            .replace(/^\||\|$/g, "")
            .split("|")
            .map((c) => c.trim());
        assert.deepEqual(columns.slice(0, 3), ["Policy", "Kind", "Checks"]);
        assert.ok(columns.includes("Checkov") && columns.includes("AWS Config"));
        assert.equal(full.length - 2, policyCatalog.length);
        assert.notEqual(tableFor(ROOT_README), renderPolicyTable(policyCatalog, profileLevels(), packEnforcementLevel));
    });

    for (const file of READMES) {
        it(`keeps ${path.relative(path.resolve(__dirname, ".."), file)}'s policy table in step with the catalog and the policy profiles`, () => {
            const readme = readFileSync(file, "utf8");
            const block = readme.slice(readme.indexOf(TABLE_START) + TABLE_START.length, readme.indexOf(TABLE_END));
            // Compare cells, not spacing: Prettier re-pads markdown tables.
            const cells = (text: string) =>
                text
                    .trim()
                    .split("\n")
                    .map((line) =>
                        line
                            .trim()
                            .replace(/^\||\|$/g, "")
                            .split(/(?<!\\)\|/)
                            .map((c) => c.trim().replace(/^:?-+:?$/, "---")),
                    );
            const expected = tableFor(file);
            assert.deepStrictEqual(
                cells(block),
                cells(expected),
                `${file} is stale: run node -r ./tools/register.js policy/scripts/render-readme.ts`,
            );
        });
    }
});
