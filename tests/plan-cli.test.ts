import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { findPlaceholders } from "../stacks/placeholders";
import { PlanDocument } from "../tools/plan/render";
import { NESTED_SECURE_VALUE, listStacks } from "../tools/plan/project";
import { CliResult, pool, projectLinkedTo, projectWith, runCli, runCliInProcess, tempProject } from "./helpers/cli";
import { planOf } from "./helpers/plan";
import { planDocument } from "../tools/plan/render";

const ROOT = path.resolve(__dirname, "..");

/** Runs a shell command line in the repository, as a user's terminal would. */
function sh(command: string): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(
            "bash",
            ["-o", "pipefail", "-c", command],
            { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => {
                resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
            },
        );
    });
}

/** A temporary stack file with this content. */
function stackFile(content: string): string {
    const file = path.join(tempProject(), "stack.yaml");
    fs.writeFileSync(file, content);
    return file;
}

describe("plan command: output reaches the reader whole", () => {
    it("pipes the JSON of the largest stack through a real OS pipe into a process that parses all of it", async () => {
        // The largest plan document among the committed stacks: the one most likely to outgrow a pipe's buffer.
        const sizes = await Promise.all(
            listStacks(ROOT).map(async (stack) => {
                const plan = await planOf(stack, "preview");
                return {
                    stack,
                    size: JSON.stringify(planDocument(plan), null, 2).length,
                    count: plan.resources.length,
                };
            }),
        );
        const largest = sizes.sort((a, b) => b.size - a.size)[0];
        assert.ok(
            largest.size > 128 * 1024,
            `the ${largest.stack} plan is ${largest.size} bytes: too small to test this`,
        );
        const r = await sh(
            `node -r ./tools/register.js tools/plan/cli.ts ${largest.stack} --json | ` +
                `node -e 'const d = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(d.resources.length)'`,
        );
        assert.equal(r.code, 0, r.stderr);
        assert.equal(Number(r.stdout.trim()), largest.count);
    });

    it("prints the usage for -h and --help and exits 0", async () => {
        const [short, long] = await pool([() => runCli(["-h"]), () => runCli(["prod", "--help"])]);
        for (const r of [short, long]) {
            assert.equal(r.code, 0, r.stderr);
            assert.match(r.stdout, /^usage: npm run plan -- \[stack\]/);
            assert.match(r.stdout, /-h, --help/);
        }
    });

    it("exits 2 for an unknown short option", async () => {
        const r = await runCliInProcess(["dev", "-x"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown option -x/);
    });
});

describe("plan command: a stack file needs a config: block and nothing a stack file cannot have", () => {
    const cases: [string, string, RegExp[]][] = [
        [
            "a misspelled config: block",
            "confg:\n  aws:region: eu-west-1\n",
            [
                /Pulumi\.bad\.yaml: "confg" is not a stack file key; expected one of config, secretsprovider, encryptedkey, encryptionsalt, environment/,
                /Pulumi\.bad\.yaml has no config: block/,
            ],
        ],
        ["an empty file", "", [/Pulumi\.bad\.yaml is empty; expected a config: block with at least aws:region/]],
        ["no config: block", "secretsprovider: passphrase\n", [/Pulumi\.bad\.yaml has no config: block/]],
        ["a config: that is a list", "config:\n  - aws:region\n", [/Pulumi\.bad\.yaml: config is not a map/]],
    ];
    for (const [what, content, expected] of cases) {
        it(`exits 2 for ${what}, naming it`, async () => {
            const r = await runCliInProcess(["bad", "--dir", projectWith("bad", stackFile(content))]);
            assert.equal(r.code, 2, r.stderr);
            assert.equal(r.stdout, "");
            for (const e of expected) assert.match(r.stderr, e);
        });
    }

    it("accepts every key a Pulumi stack file may have", async () => {
        const content = "secretsprovider: passphrase\nencryptionsalt: v1:abc\nconfig:\n  aws:region: eu-west-1\n";
        const dir = projectLinkedTo({ "Pulumi.ok.yaml": stackFile(content) });
        const r = await runCliInProcess(["ok", "--dir", dir, "--json"]);
        assert.equal(r.code, 0, r.stderr);
    });
});

describe("a new stack is only a new Pulumi.<stack>.yaml", () => {
    // Stacks that exist nowhere in the repository: one that sets only its region, one dev-like in another region.
    const dev = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
        config: Record<string, unknown>;
    };
    const sandbox = { config: { ...dev.config, "aws:region": "eu-central-1" } };
    const files = {
        "Pulumi.qa.yaml": stackFile("config:\n  aws:region: ap-southeast-2\n"),
        "Pulumi.sandbox.yaml": stackFile(YAML.stringify(sandbox)),
    };
    const runs: Record<string, CliResult> = {};
    let dir: string;
    before(async () => {
        dir = projectLinkedTo(files);
        const [qa, sandboxRun, qaText, config] = await pool([
            () => runCliInProcess(["qa", "--dir", dir, "--json"]),
            () => runCliInProcess(["sandbox", "--dir", dir, "--json"]),
            () => runCliInProcess(["qa", "--dir", dir]),
            () =>
                new Promise<CliResult>((resolve) =>
                    execFile(
                        process.execPath,
                        ["-r", "./tools/register.js", "tools/policy-config.ts", "sandbox", "--dir", dir],
                        { cwd: ROOT },
                        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
                    ),
                ),
        ]);
        Object.assign(runs, { qa, sandbox: sandboxRun, qaText, config });
    });

    it("plans a stack that sets only aws:region with the secure defaults under the production profile", () => {
        const r = runs.qa;
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as PlanDocument;
        assert.equal(doc.region, "ap-southeast-2");
        assert.equal(doc.policyConfig, "policy/config/production.json");
        assert.deepEqual(doc.violations, []);
        // No services: no cluster, no load balancer, and no output that would be undefined.
        assert.equal(doc.resources.filter((x) => x.type === "aws:ecs/cluster:Cluster").length, 0);
        assert.ok(!/Undefined value/.test(r.stderr), r.stderr);
        assert.deepEqual(
            Object.entries(doc.outputs as Record<string, unknown>).filter(([, v]) => v === undefined || v === null),
            [],
        );
        assert.ok(!("clusterName" in (doc.outputs as object)));
    });

    it("says which policy file it applied, in the human output too, with no runtime warnings", () => {
        assert.equal(runs.qaText.code, 0, runs.qaText.stderr);
        assert.match(runs.qaText.stdout, /^Policy pack config: policy\/config\/production\.json$/m);
        assert.equal(runs.qaText.stderr, "");
    });

    it("plans a dev-like stack in another region under the profile it names, with no file of its own", () => {
        const r = runs.sandbox;
        assert.equal(r.code, 0, r.stderr);
        const doc = JSON.parse(r.stdout) as PlanDocument;
        assert.equal(doc.policyConfig, `policy/config/${dev.config["aws-platform:policyProfile"]}.json`);
        const azs = doc.resources
            .filter((x) => x.type === "aws:ec2/subnet:Subnet")
            .map((x) => (x.inputs as { availabilityZone: string }).availabilityZone);
        assert.ok(azs.length > 0 && azs.every((az) => az.startsWith("eu-central-1")), azs.join(", "));
        assert.equal(doc.violations!.filter((v) => v.enforcementLevel === "mandatory").length, 0);
    });

    it("npm run policy-config prints the file CI passes as --policy-pack-config", () => {
        assert.equal(runs.config.code, 0, runs.config.stderr);
        assert.equal(runs.config.stdout, `policy/config/${dev.config["aws-platform:policyProfile"]}.json\n`);
    });
});

describe("policy-config command", () => {
    const run = (args: string[]) =>
        new Promise<CliResult>((resolve) =>
            execFile(
                process.execPath,
                ["-r", "./tools/register.js", "tools/policy-config.ts", ...args],
                { cwd: ROOT },
                (error, stdout, stderr) =>
                    resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
            ),
        );

    it("prints each committed stack's profile file, as its config names it", async () => {
        for (const stack of listStacks(ROOT)) {
            const config = (
                YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
                    config: Record<string, unknown>;
                }
            ).config;
            const r = await run([stack]);
            assert.equal(r.code, 0, r.stderr);
            assert.equal(r.stdout, `policy/config/${config["aws-platform:policyProfile"] ?? "production"}.json\n`);
        }
    });

    it("exits 2 naming the key for a profile that does not exist, and for a missing stack", async () => {
        const bad = projectWith(
            "bad",
            stackFile("config:\n  aws:region: eu-west-1\n  aws-platform:policyProfile: strict\n"),
        );
        const [r, missing] = await pool([() => run(["bad", "--dir", bad]), () => run(["nope"])]);
        assert.equal(r.code, 2);
        assert.match(
            r.stderr,
            /aws-platform:policyProfile: "strict" names no policy profile; expected one of development, production/,
        );
        assert.equal(missing.code, 2);
        assert.match(missing.stderr, /no stack file Pulumi\.nope\.yaml/);
    });
});

describe("plan command: placeholders plan offline, with a warning naming each key and value", () => {
    const dev = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as {
        config: Record<string, Record<string, unknown>>;
    };
    const services = dev.config["aws-platform:services"] as {
        loadBalancer?: Record<string, unknown>;
        apps: Record<string, { routing?: Record<string, unknown> }>;
    };
    const [web] = Object.entries(services.apps).find(([, a]) => a.routing)!;
    const cert = "arn:aws:acm:eu-west-1:111122223333:certificate/00000000-0000-4000-8000-000000000000";
    const config = {
        ...dev.config,
        // A load-balancer certificate needs a domain whose origin host name it covers (stacks/edge.ts).
        "aws-platform:edge": {
            ...dev.config["aws-platform:edge"],
            domain: { siteName: "www.shop.org", hostedZoneId: "Z1PA6795UKMFR9", zoneName: "shop.org" },
        },
        "aws-platform:services": {
            ...services,
            loadBalancer: { ...services.loadBalancer, certificateArn: cert },
            apps: {
                ...services.apps,
                [web]: {
                    ...services.apps[web],
                    routing: { ...services.apps[web].routing, hostHeaders: ["app.example.com"] },
                },
            },
        },
    };
    const injected = [
        { key: "aws-platform:services.loadBalancer.certificateArn", value: cert },
        { key: `aws-platform:services.apps.${web}.routing.hostHeaders[0]`, value: "app.example.com" },
    ];
    // The committed stack's own sample values (such as an example on-call address) are reported too.
    const byKey = (a: { key: string }, b: { key: string }) => a.key.localeCompare(b.key);
    const expected = [...findPlaceholders(dev.config).map(({ key, value }) => ({ key, value })), ...injected].sort(
        byKey,
    );
    const runs: Record<string, CliResult> = {};
    before(async () => {
        const dir = projectLinkedTo({ "Pulumi.demo.yaml": stackFile(YAML.stringify({ config })) });
        const [json, text] = await pool([
            () => runCliInProcess(["demo", "--dir", dir, "--json"]),
            () => runCliInProcess(["demo", "--dir", dir]),
        ]);
        Object.assign(runs, { json, text });
    });

    it("lists them in the JSON document's warnings and still plans (exit 0)", () => {
        assert.equal(runs.json.code, 0, runs.json.stderr);
        const doc = JSON.parse(runs.json.stdout) as PlanDocument;
        assert.deepEqual(doc.warnings.map((w) => ({ key: w.key, value: w.value })).sort(byKey), expected);
        const message = (key: string) => doc.warnings.find((w) => w.key === key)!.message;
        assert.match(message(injected[0].key), /111122223333 is an example account id.*all-zero UUID/);
        assert.match(message(injected[1].key), /app\.example\.com is under example\.com, reserved for examples/);
    });

    it("prints them on stderr in the human output, keeping stdout for the plan", () => {
        assert.equal(runs.text.code, 0, runs.text.stderr);
        const lines = runs.text.stderr.trim().split("\n").sort();
        assert.equal(lines.length, expected.length, runs.text.stderr);
        expected.forEach((e, i) =>
            assert.ok(lines[i].startsWith(`warning: ${e.key}: ${JSON.stringify(e.value)} is a placeholder`)),
        );
        assert.ok(!runs.text.stdout.includes("warning:"));
    });
});

describe("plan command: encrypted (secure:) config values", () => {
    const region = "config:\n  aws:region: eu-west-1\n";
    const runs: Record<string, CliResult> = {};
    before(async () => {
        const dir = projectLinkedTo({
            // `pulumi config set --secret --path 'aws-platform:monitoring.httpsEndpoints[0]' <url>` writes this.
            "Pulumi.hook.yaml": stackFile(
                `${region}  aws-platform:monitoring:\n    httpsEndpoints:\n      - secure: v1:abc\n`,
            ),
            "Pulumi.secret.yaml": stackFile(
                `${region}  aws-platform:tags:\n    owner:\n      secure: v1:def\n` +
                    "  aws-platform:network:\n    secure: v1:ghi\n",
            ),
        });
        const [hook, secret] = await pool([
            () => runCliInProcess(["hook", "--dir", dir, "--json"]),
            () => runCliInProcess(["secret", "--dir", dir]),
        ]);
        Object.assign(runs, { hook, secret });
    });

    it("plans a secret HTTPS endpoint, the one value the program keeps secret, and never shows it", () => {
        assert.equal(runs.hook.code, 0, runs.hook.stderr);
        const doc = JSON.parse(runs.hook.stdout) as PlanDocument;
        const https = doc.resources.filter(
            (r) =>
                r.type === "aws:sns/topicSubscription:TopicSubscription" &&
                (r.inputs as { protocol: string }).protocol === "https",
        );
        assert.equal(https.length, 2, "one per alarm topic");
        for (const r of https) assert.equal((r.inputs as { endpoint: unknown }).endpoint, "[secret]", r.name);
        assert.ok(!runs.hook.stdout.includes(NESTED_SECURE_VALUE), "the placeholder is printed");
    });

    it("refuses every other secret by its key (exit 2), whole or nested, before anything is planned", () => {
        assert.equal(runs.secret.code, 2, runs.secret.stderr);
        assert.equal(runs.secret.stdout, "");
        const keys = runs.secret.stderr
            .split("\n")
            .filter((l) => l.startsWith("  "))
            .map((l) => l.trim().split(": ")[0]);
        assert.deepEqual(keys, ["aws-platform:tags", "aws-platform:network", "aws-platform:network"]);
        assert.match(runs.secret.stderr, /^ {2}aws-platform:tags: is secret .* secret values are generated/m);
    });
});

describe("plan command: a program that registers one URN twice exits 3", () => {
    it("names the URN and both registrations, as `pulumi up` would refuse it", async () => {
        const dir = tempProject();
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
        fs.writeFileSync(path.join(dir, "Pulumi.twice.yaml"), "config:\n  aws:region: eu-west-1\n");
        fs.writeFileSync(
            path.join(dir, "index.ts"),
            'import * as aws from "@pulumi/aws";\n' +
                'new aws.cloudwatch.LogGroup("logs", { retentionInDays: 7 });\n' +
                'new aws.cloudwatch.LogGroup("logs", { retentionInDays: 30 });\n',
        );
        const r = await runCliInProcess(["twice", "--dir", dir]);
        assert.equal(r.code, 3, r.stderr);
        assert.match(
            r.stderr,
            /Duplicate resource URN 'urn:pulumi:twice::aws-platform::aws:cloudwatch\/logGroup:LogGroup::logs'; try giving it a unique name/,
        );
        assert.match(
            r.stderr,
            /resource #\d+ with inputs \{[^}]*"retentionInDays":7[^}]*\}, and again as resource #\d+ with inputs \{[^}]*"retentionInDays":30/,
        );
    });
});
