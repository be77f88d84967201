import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { policyCatalog } from "../policy/policies";
import { POLICY_CONFIG_DIR } from "../stacks/policy-profiles";
import { defOf, schemaAt, unwrap } from "../stacks/schema";
import { SECTIONS } from "../stacks/settings";
import { PlanDiff, diffPlans, readPlanFile, renderDiff } from "../tools/plan/diff";
import { POLICY_CONFIG_HINTS, configHints } from "../tools/plan/hints";
import { cell, code, renderMarkdown } from "../tools/plan/markdown";
import { evaluateStack } from "../tools/plan/policy-eval";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { PlanDocument, planDocument, renderHuman } from "../tools/plan/render";
import { digest } from "../tools/plan/secret-digests";
import { OUTSIDE_COMPONENTS, resourceCounts } from "../tools/plan/summary";
import { PlanMode, SECRET_SIG, SPECIAL_SIG_KEY, Violation } from "../tools/plan/types";
import { CliResult, pool, projectLinkedTo, runCliInProcess, tempProject } from "./helpers/cli";
import { ofType, plain, planOf, UNKNOWN } from "./helpers/plan";

const ROOT = path.resolve(__dirname, "..");
const STACKS = listStacks(ROOT);
const MISCONFIGURED = path.join(__dirname, "fixtures", "misconfigured", "Pulumi.prod-single-writer.yaml");

/** The plan document and violations of a stack as the CLI builds them, computed in this process. */
async function documentOf(stack: string, mode: PlanMode = "preview") {
    const run = await planOf(stack, mode);
    const violations = evaluateStack(run.policyProfile, run.resources, { mode, configDir: POLICY_CONFIG_DIR });
    const plan = { ...run, violations, policyConfig: `policy/config/${run.policyProfile}.json` };
    return { run, plan, doc: planDocument(plan) };
}

/** The rows of the Markdown table under `heading` (header and separator left out), split into cells. */
function tableRows(markdown: string, heading: RegExp): string[][] {
    const lines = markdown.split("\n");
    const start = lines.findIndex((l) => heading.test(l));
    assert.ok(start >= 0, `no heading ${heading}`);
    const first = lines.findIndex((l, i) => i > start && l.startsWith("|"));
    const rows: string[][] = [];
    for (let i = first + 2; i < lines.length && lines[i].startsWith("|"); i++) {
        rows.push(
            lines[i]
                .slice(2, -2)
                .split(/(?<!\\) \| /)
                .map((c) => c.trim()),
        );
    }
    return rows;
}

/** The text of an inline code span. */
const uncode = (text: string) => text.replace(/^`+ ?| ?`+$/g, "").replace(/\\\|/g, "|");

describe("plan review aids: the policy → config-key hints", () => {
    const policyNames = new Set(policyCatalog.map((m) => m.name));

    for (const rule of POLICY_CONFIG_HINTS) {
        it(`${rule.policy} → ${rule.key}: the policy exists and the key is a setting at every level`, () => {
            assert.ok(policyNames.has(rule.policy), `${rule.policy} is not a policy of the pack`);
            const [namespace, rest] = rule.key.split(":");
            assert.equal(namespace, "aws-platform");
            const [section, ...keyPath] = rest.split(".");
            let schema = SECTIONS[section as keyof typeof SECTIONS] as Parameters<typeof schemaAt>[0];
            assert.ok(schema, `${section} is not a config section`);
            for (const key of keyPath) {
                const def = defOf(unwrap(schema!).schema);
                // A map takes any name, so the hint must say "<name>" there; an object only its declared keys.
                if (def.type === "record") assert.equal(key, "<name>", `${rule.key}: ${key} stands in a map`);
                else assert.equal(def.type, "object", `${rule.key}: ${key} is under a ${def.type}`);
                schema = schemaAt(schema, [key]);
                assert.ok(schema, `${rule.key}: ${key} is not a setting`);
            }
        });
    }

    it("suggests values the settings accept, from the minimum the violation states", () => {
        const of = (policy: string, message: string) => configHints({ policy, enforcementLevel: "mandatory", message });
        const nat = of("nat-gateway-per-az", "AZ eu-west-1b hosts private subnet(s) a but no NAT gateway.");
        assert.deepEqual(nat, [{ key: "aws-platform:network.natGateways", value: "perAz" }]);
        const natSchema = schemaAt(SECTIONS.network, ["natGateways"])!;
        assert.ok(natSchema.safeParse(nat[0].value).success);
        const tls = of("alb-listener-tls-policy", "sslPolicy 'ELBSecurityPolicy-2016-08' is not in the allow-list: x.");
        assert.ok(schemaAt(SECTIONS.services, ["loadBalancer", "sslPolicy"])!.safeParse(tls[0].value).success);
        const aurora = of("aurora-multi-az", "Cluster 'c' has 1 instance(s); at least 3 are required for failover.");
        assert.deepEqual(aurora, [{ key: "aws-platform:database.readers", value: "2 or more" }]);
        const spread = of("load-balancer-multi-az", "LoadBalancer 'x' spans fewer than 3 AZs (eu-west-1a).");
        assert.deepEqual(spread, [{ key: "aws-platform:network.azCount", value: "3 or more" }]);
        // A violation only code can fix gets no hint, and neither does another message of a hinted policy.
        assert.deepEqual(of("rds-not-publicly-accessible", "publiclyAccessible is true."), []);
        assert.deepEqual(of("nat-gateway-per-az", "Private subnet 'p' in a routes through a NAT gateway in b."), []);
    });

    describe("on the real violations of a dev-like stack (one NAT gateway, one writer) under the production profile", () => {
        let human: CliResult;
        let markdown: CliResult;
        before(async () => {
            const dir = projectLinkedTo({ "Pulumi.single.yaml": MISCONFIGURED });
            [human, markdown] = await pool([
                () => runCliInProcess(["single", "--dir", dir]),
                () => runCliInProcess(["single", "--dir", dir, "--format", "markdown"]),
            ]);
        });

        it("human output: the violation line is followed by the key that fixes it", () => {
            assert.equal(human.code, 1, human.stderr);
            const natAt = human.stdout.indexOf("[mandatory] nat-gateway-per-az");
            const auroraAt = human.stdout.indexOf("[mandatory] aurora-multi-az");
            assert.ok(natAt > 0 && auroraAt > 0, human.stdout.slice(-3000));
            const block = (from: number) => human.stdout.slice(from).split(/\n {2}\[/)[0];
            assert.match(block(natAt), /\n {6}Fix in the stack's config: aws-platform:network\.natGateways: perAz/);
            assert.match(block(auroraAt), /\n {6}Fix in the stack's config: aws-platform:database\.readers: 1 or more/);
        });

        it("markdown: one table row per violation, each with its hint, under the policy config applied", () => {
            assert.equal(markdown.code, 1, markdown.stderr);
            assert.match(markdown.stdout, /Policy pack config applied: `policy\/config\/production\.json`/);
            assert.match(markdown.stdout, /❌ \*\*\d+ mandatory\*\*/);
            const rows = tableRows(markdown.stdout, /^### Policies/);
            const nat = rows.filter((r) => r[1] === "`nat-gateway-per-az`");
            assert.ok(nat.length > 0);
            for (const r of nat) assert.equal(r[0], "**mandatory**");
            assert.ok(
                nat.some((r) => r[4] === "`aws-platform:network.natGateways: perAz`"),
                JSON.stringify(nat),
            );
        });
    });
});

describe("plan review aids: --format markdown for every stack", () => {
    for (const stack of STACKS) {
        describe(stack, () => {
            let doc: PlanDocument;
            let violations: Violation[];
            let md: string;
            before(async () => {
                const built = await documentOf(stack);
                doc = built.doc;
                violations = built.plan.violations;
                md = renderMarkdown(doc);
            });

            it("counts each resource once: by component and by type, both adding up to the plan's total", () => {
                const counts = resourceCounts(doc.resources);
                const sum = (rows: string[][]) => rows.reduce((n, r) => n + Number(r[1]), 0);
                const components = tableRows(md, /^### Resources: /);
                const types = tableRows(md, /^<details><summary>Resources by type/);
                assert.match(md, new RegExp(`^### Resources: ${doc.resources.length}$`, "m"));
                assert.equal(sum(components), doc.resources.length);
                assert.equal(sum(types), doc.resources.length);
                for (const [type, n] of types) {
                    assert.equal(Number(n), doc.resources.filter((r) => r.type === uncode(type)).length, type);
                }
                // Every component directly under the stack has a row with its whole subtree.
                const stackUrn = doc.resources.find((r) => r.type === "pulumi:pulumi:Stack")!.urn;
                const tops = doc.resources.filter(
                    (r) => r.parent === stackUrn && !r.provider && !/^pulumi:providers:/.test(r.type),
                );
                assert.ok(tops.length >= 4, "the program's components sit under the stack");
                for (const top of tops) {
                    const under = (urn: string): number =>
                        1 + doc.resources.filter((r) => r.parent === urn).reduce((n, r) => n + under(r.urn), 0);
                    const row = components.find((r) => uncode(r[0]) === `${top.type} ${top.name}`);
                    assert.ok(row, `${top.name} has no row`);
                    assert.equal(Number(row[1]), under(top.urn), top.name);
                }
                assert.ok(components.some((r) => uncode(r[0]) === OUTSIDE_COMPONENTS));
                assert.equal(counts.byComponent.length, components.length);
            });

            it("lists every violation in a row with its level and policy, under the config file applied", () => {
                assert.match(md, new RegExp(`Policy pack config applied: \`${doc.policyConfig}\``));
                const rows = violations.length > 0 ? tableRows(md, /^### Policies/) : [];
                assert.equal(rows.length, violations.length);
                violations.forEach((v, i) => {
                    assert.equal(rows[i][0], v.enforcementLevel === "mandatory" ? "**mandatory**" : "advisory");
                    assert.equal(rows[i][1], `\`${v.policy}\``);
                    assert.equal(
                        rows[i][4],
                        configHints(v)
                            .map((h) => `\`${h.key}: ${h.value}\``)
                            .join("<br>") || "–",
                    );
                });
                if (violations.length === 0) assert.match(md, /No violations\./);
            });

            it("shows every stack output, and the warnings", () => {
                const rows = tableRows(md, /^### Stack outputs/);
                const outputs = doc.outputs as Record<string, unknown>;
                assert.deepEqual(
                    rows.map((r) => uncode(r[0])),
                    Object.keys(outputs),
                );
                rows.forEach((r) => assert.equal(uncode(r[1]), JSON.stringify(outputs[uncode(r[0])])));
                for (const w of doc.warnings) assert.ok(md.includes(`\`${w.key}\``), w.key);
            });
        });
    }

    it("masks secrets: a secret output shows as [secret], and no generated secret value appears", async () => {
        for (const stack of STACKS) {
            const { run, doc } = await documentOf(stack, "update");
            const secret = { [SPECIAL_SIG_KEY]: SECRET_SIG, value: "hunter2-hunter2" };
            const withSecret = planDocument({ ...run, outputs: { ...run.outputs, token: secret } });
            const md = renderMarkdown(withSecret);
            assert.ok(!md.includes("hunter2"), "the secret output's value is printed");
            assert.ok(tableRows(md, /^### Stack outputs/).some((r) => r[0] === "`token`" && r[1] === '`"[secret]"`'));
            const values = ofType(run, "aws:secretsmanager/secretVersion:SecretVersion")
                .map((v) => plain(v.inputs.secretString))
                .filter((v): v is string => typeof v === "string" && v !== UNKNOWN);
            const configured = readStackConfig(ROOT, stack).raw["aws-platform:secrets"] as { appSecrets?: unknown[] };
            assert.equal(values.length, configured.appSecrets?.length ?? 0, "one generated value per app secret");
            const all = renderMarkdown(doc) + JSON.stringify(doc);
            for (const v of values) assert.ok(!all.includes(v), `a secret value of ${stack} is printed`);
        }
    });

    it("escapes what would break a table: pipes, newlines and HTML in messages, backticks in code", () => {
        assert.equal(cell("a | b\nc <d> & e"), "a \\| b<br>c &lt;d&gt; &amp; e");
        assert.equal(code("x ` y"), "``x ` y``");
        assert.equal(code("`edge"), "`` `edge ``");
        const doc: PlanDocument = {
            stack: "s",
            mode: "preview",
            region: "eu-west-1",
            policyConfig: "policy/config/p.json",
            resources: [],
            outputs: { "a|b": "x|y" },
            violations: [{ policy: "p|q", enforcementLevel: "advisory", message: "one | two\nthree" }],
            warnings: [],
        };
        const md = renderMarkdown(doc);
        const [row] = tableRows(md, /^### Policies/);
        assert.equal(row.length, 5, md);
        assert.equal(row[3], "one \\| two<br>three");
        const [out] = tableRows(md, /^### Stack outputs/);
        assert.deepEqual(out, ["`a\\|b`", '`"x\\|y"`']);
    });
});

/** A hand-made plan document: resources by name with their inputs, and the secret digests of the given paths. */
function handMade(
    stack: string,
    resources: Record<string, Record<string, unknown>>,
    secrets: Record<string, Record<string, string>> = {},
    outputs: Record<string, unknown> = {},
): PlanDocument {
    const urn = (name: string) => `urn:pulumi:${stack}::proj::aws:s3/bucket:Bucket::${name}`;
    return {
        stack,
        mode: "preview",
        region: "eu-west-1",
        resources: Object.entries(resources).map(([name, inputs]) => ({
            urn: urn(name),
            type: "aws:s3/bucket:Bucket",
            name,
            parent: null,
            provider: null,
            region: "eu-west-1",
            dependencies: [],
            propertyDependencies: {},
            inputs,
            protect: false,
        })),
        outputs,
        warnings: [],
        secretDigests: {
            inputs: Object.fromEntries(
                Object.entries(secrets).map(([name, paths]) => [
                    urn(name),
                    Object.fromEntries(Object.entries(paths).map(([p, v]) => [p, digest(urn(name), p, v)])),
                ]),
            ),
            outputs: {},
        },
    };
}

describe("plan review aids: --diff on hand-made pairs of plans", () => {
    it("lists resources added and removed, and nothing for an identical plan", () => {
        const before = handMade("s", { kept: { a: 1 }, gone: { a: 1 } });
        const after = handMade("s", { kept: { a: 1 }, fresh: { a: 1 } });
        const d = diffPlans(before, after);
        assert.deepEqual(
            d.added.map((r) => r.name),
            ["fresh"],
        );
        assert.deepEqual(
            d.removed.map((r) => r.name),
            ["gone"],
        );
        assert.deepEqual(d.changed, []);
        const same = diffPlans(before, before);
        assert.deepEqual([same.added, same.removed, same.changed, same.outputs], [[], [], [], []]);
        assert.match(renderDiff(same), /no resource or output changed/);
    });

    it("gives the changed input paths, nested in objects and lists, with the values", () => {
        const before = handMade("s", {
            b: {
                tags: { env: "dev", "kubernetes.io/role": "x" },
                rules: [{ days: 1 }, { days: 2 }],
                same: [1],
                drop: 5,
            },
        });
        const after = handMade("s", {
            b: {
                tags: { env: "prod", "kubernetes.io/role": "y" },
                rules: [{ days: 1 }, { days: 3 }, { days: 4 }],
                same: [1],
                add: true,
            },
        });
        const [changed] = diffPlans(before, after).changed;
        assert.deepEqual(
            changed.changes.map((c) => [c.path, c.kind, c.before, c.after]),
            [
                ["add", "added", undefined, true],
                ["drop", "removed", 5, undefined],
                ["rules[1].days", "changed", 2, 3],
                ["rules[2]", "added", undefined, { days: 4 }],
                ["tags.env", "changed", "dev", "prod"],
                ['tags["kubernetes.io/role"]', "changed", "x", "y"],
            ],
        );
        const text = renderDiff(diffPlans(before, after));
        assert.match(text, /~ aws:s3\/bucket:Bucket {2}b\n/);
        assert.match(text, /rules\[1\]\.days: 2 → 3/);
    });

    it("says that a secret changed, and nothing else about it; an unchanged secret is not listed", () => {
        const secretOld = "old-secret-value-1";
        const secretNew = "new-secret-value-2";
        const before = handMade(
            "s",
            { r: { password: "[secret]", nested: { token: "[secret]" }, plainKey: "a" } },
            { r: { password: secretOld, "nested.token": "same" } },
        );
        const after = handMade(
            "s",
            { r: { password: "[secret]", nested: { token: "[secret]" }, plainKey: "a" } },
            { r: { password: secretNew, "nested.token": "same" } },
        );
        const d = diffPlans(before, after);
        assert.deepEqual(d.changed[0].changes, [{ path: "password", kind: "changed", secret: true }]);
        const everything = renderDiff(d) + renderMarkdown(after, d) + JSON.stringify(d);
        assert.match(renderDiff(d), /password: \[secret\] changed/);
        for (const leak of [secretOld, secretNew, ...Object.values(after.secretDigests!.inputs).flatMap(Object.values)])
            assert.ok(!everything.includes(leak), `${leak} is printed`);
        // A secret that turns into a plain value (or back) is reported without either value.
        const unsealed = handMade(
            "s",
            { r: { password: "plain-now", nested: { token: "[secret]" }, plainKey: "a" } },
            { r: { "nested.token": "same" } },
        );
        const change = diffPlans(before, unsealed).changed[0].changes[0];
        assert.deepEqual(change, { path: "password", kind: "changed", secret: true });
    });

    it("notes a comparison across stacks or modes, and an earlier plan without digests", () => {
        const a = handMade("a", { r: {} });
        const b = { ...handMade("b", { r: {} }), mode: "update" };
        delete a.secretDigests;
        const d = diffPlans(a, b);
        assert.deepEqual(d.changed, [], "resources match by URN without the stack");
        assert.equal(d.notes.length, 3, d.notes.join("\n"));
    });

    it("refuses a file that is not a JSON plan, naming it and what is wrong", () => {
        const dir = tempProject();
        const bad = path.join(dir, "bad.json");
        fs.writeFileSync(bad, JSON.stringify({ stack: "s", resources: [{ urn: "u" }] }));
        assert.throws(
            () => readPlanFile(bad),
            /bad\.json is not a plan from --format json: it has no mode; resources\[0\] lacks/,
        );
        fs.writeFileSync(bad, "{");
        assert.throws(() => readPlanFile(bad), /bad\.json is not JSON/);
        assert.throws(() => readPlanFile(path.join(dir, "none.json")), /cannot read/);
    });
});

describe("plan review aids: --diff on a real stack", () => {
    const stack = STACKS[0];
    /** Whether the stack's own config declares an application secret (the change lengthens it, or adds one). */
    const hadAppSecret = () =>
        ((base["aws-platform:secrets"] as { appSecrets?: unknown[] } | undefined)?.appSecrets ?? []).length > 0;
    const runs: Record<string, CliResult> = {};
    let earlierFile: string;
    let base: Record<string, unknown>;
    before(async () => {
        const dir = tempProject();
        earlierFile = path.join(dir, "earlier.json");
        const first = await runCliInProcess([stack, "--update", "--format", "json"]);
        assert.ok(first.code === 0 || first.code === 1, first.stderr);
        fs.writeFileSync(earlierFile, first.stdout);
        // The same stack with a longer backup retention and a longer (or new) generated secret.
        const file = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
        base = readStackConfig(ROOT, stack).raw;
        const database = { ...(file.config["aws-platform:database"] ?? {}) };
        database.backupRetentionDays =
            ((base["aws-platform:database"] as { backupRetentionDays: number }).backupRetentionDays % 35) + 1;
        file.config["aws-platform:database"] = database;
        const secrets = { ...(file.config["aws-platform:secrets"] ?? {}) };
        const appSecrets = [...(secrets.appSecrets ?? [])];
        if (appSecrets.length === 0) appSecrets.push({ name: "review-secret", description: "Added by the diff test" });
        appSecrets[0] = { ...appSecrets[0], length: (appSecrets[0].length ?? 32) + 8 };
        file.config["aws-platform:secrets"] = { ...secrets, appSecrets };
        const modified = path.join(dir, `Pulumi.${stack}.yaml`);
        fs.writeFileSync(modified, YAML.stringify(file));
        const project = projectLinkedTo({ [`Pulumi.${stack}.yaml`]: modified });
        const [itself, changedJson, changedMd] = await pool([
            () => runCliInProcess([stack, "--update", "--diff", earlierFile]),
            () => runCliInProcess([stack, "--update", "--dir", project, "--format", "json", "--diff", earlierFile]),
            () => runCliInProcess([stack, "--update", "--dir", project, "--format", "markdown", "--diff", earlierFile]),
        ]);
        Object.assign(runs, { itself, changedJson, changedMd });
    });

    it("against itself: no change", () => {
        assert.ok([0, 1].includes(runs.itself.code), runs.itself.stderr);
        assert.match(
            runs.itself.stdout,
            /Changes since .*earlier\.json \(stack [^,]+, update\):\n {2}no resource or output changed\./,
        );
    });

    it("against a changed config: the changed input paths, the secret only as changed", () => {
        assert.ok([0, 1].includes(runs.changedJson.code), runs.changedJson.stderr);
        const doc = JSON.parse(runs.changedJson.stdout) as PlanDocument & { diff: PlanDiff };
        const retention = (base["aws-platform:database"] as { backupRetentionDays: number }).backupRetentionDays;
        const cluster = doc.diff.changed.find((r) => r.type === "aws:rds/cluster:Cluster");
        assert.ok(cluster, JSON.stringify(doc.diff, null, 1).slice(0, 3000));
        assert.deepEqual(cluster.changes, [
            { path: "backupRetentionPeriod", kind: "changed", before: retention, after: (retention % 35) + 1 },
        ]);
        const generator = [...doc.diff.changed, ...doc.diff.added].find(
            (r) => r.type === "random:index/randomPassword:RandomPassword",
        );
        assert.ok(generator, "the password generator changed or was added");
        const version = [...doc.diff.changed, ...doc.diff.added].find(
            (r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion",
        );
        assert.ok(version);
        // A stack that already had a generated secret changes its value; one that had none gets it added.
        if (hadAppSecret()) {
            assert.ok(doc.diff.changed.includes(version as never), "the secret's version changed");
            assert.ok("changes" in version);
            assert.deepEqual(version.changes, [{ path: "secretString", kind: "changed", secret: true }]);
        } else {
            assert.ok(doc.diff.added.includes(version as never), "the secret's version was added");
        }
        // Nothing else moved: the change is exactly what the config change implies.
        const touched = new Set(doc.diff.changed.map((r) => r.type));
        for (const t of touched)
            assert.ok(
                [
                    "aws:rds/cluster:Cluster",
                    "random:index/randomPassword:RandomPassword",
                    "aws:secretsmanager/secretVersion:SecretVersion",
                ].includes(t),
                `${t} changed`,
            );
    });

    it("markdown: the same changes in a table, secrets without values", () => {
        const md = runs.changedMd.stdout;
        const rows = tableRows(md, /^### Changes since/);
        const cluster = rows.find((r) => r[2] === "`aws:rds/cluster:Cluster`");
        assert.ok(cluster && /backupRetentionPeriod: \d+ → \d+/.test(cluster[3]), md.slice(0, 3000));
        const version = rows.find((r) => r[2] === "`aws:secretsmanager/secretVersion:SecretVersion`");
        assert.ok(version, md.slice(0, 3000));
        assert.equal(version[0], hadAppSecret() ? "changed" : "added");
        if (hadAppSecret()) assert.equal(version[3], "`secretString: [secret] changed`");
        assert.ok(!/sha256:/.test(md), "digests are for comparing, not for reading");
    });
});

describe("plan review aids: every format reaches a reader through a pipe whole", () => {
    const stack = STACKS[0];
    let earlier: PlanDocument;
    let earlierFile: string;
    before(async () => {
        // An earlier plan in which every string input differs and every resource had inputs it has lost: the diff
        // then runs to hundreds of lines and outgrows a pipe's 64 KiB buffer, where an early exit would cut it.
        const { doc } = await documentOf(stack);
        const mutate = (v: unknown): unknown => {
            if (typeof v === "string") return `${v}-earlier`;
            if (Array.isArray(v)) return v.map(mutate);
            if (v && typeof v === "object")
                return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mutate(x)]));
            return v;
        };
        const lost = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`retiredInput${i}`, `value ${i}`]));
        earlier = {
            ...doc,
            resources: doc.resources.map((r) => ({ ...r, inputs: { ...(mutate(r.inputs) as object), ...lost } })),
        };
        earlierFile = path.join(tempProject(), "earlier.json");
        fs.writeFileSync(earlierFile, JSON.stringify(earlier));
    });

    for (const format of ["human", "markdown"] as const) {
        it(`${format}: the piped output equals the rendering, byte for byte`, async () => {
            const { plan, doc } = await documentOf(stack);
            const diff = diffPlans(earlier, doc, earlierFile);
            const expected = `${format === "markdown" ? renderMarkdown(doc, diff) : renderHuman(plan, doc, diff)}\n`;
            assert.ok(expected.length > 96 * 1024, `only ${expected.length} bytes: too small to test a pipe`);
            const out = await new Promise<CliResult>((resolve) => {
                execFile(
                    "bash",
                    [
                        "-o",
                        "pipefail",
                        "-c",
                        `node -r ./tools/register.js tools/plan/cli.ts ${stack} --format ${format} --diff "${earlierFile}" | ` +
                            `node -e 'setTimeout(() => process.stdin.pipe(process.stdout), 500)'`,
                    ],
                    { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
                    (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
                );
            });
            assert.ok([0, 1].includes(out.code), out.stderr);
            assert.equal(out.stdout.length, expected.length);
            assert.equal(out.stdout, expected);
        });
    }
});
