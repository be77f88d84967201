import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PlanDocument } from "../tools/plan/render";
import { CliResult, pool, projectLinkedTo, runCliInProcess, tempProject } from "./helpers/cli";

const ROOT = path.resolve(__dirname, "..");
const SINGLE_WRITER = path.join(__dirname, "fixtures", "misconfigured", "Pulumi.prod-single-writer.yaml");

/** A shell command line in the repository, with pipefail: the exit code is the first failing command's. */
function sh(command: string): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(
            "bash",
            ["-o", "pipefail", "-c", command],
            { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
            (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr }),
        );
    });
}

/** A project whose stand-in program fails for the stack named `broken` and registers nothing otherwise. */
function standInProject(stacks: Record<string, string>): string {
    const dir = tempProject();
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        'import * as pulumi from "@pulumi/pulumi";\n' +
            'if (pulumi.getStack() === "broken") throw new Error("the stand-in program fails on purpose");\n',
    );
    for (const [stack, text] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), text);
    return dir;
}

const REGION_ONLY = "config:\n  aws:region: eu-west-1\n";
const BAD = "config:\n  aws:region: eu-west-1\n  aws-platform:nope: 1\n";

describe("plan command without a stack: every stack of the project directory", () => {
    const runs: Record<string, CliResult> = {};
    const linked = () =>
        projectLinkedTo({
            "Pulumi.dev.yaml": path.join(ROOT, "Pulumi.dev.yaml"),
            "Pulumi.single.yaml": SINGLE_WRITER,
        });
    before(async () => {
        const gate = linked();
        const withBad = linked();
        fs.writeFileSync(path.join(withBad, "Pulumi.bad.yaml"), BAD);
        const failing = standInProject({ fine: REGION_ONLY, broken: REGION_ONLY, bad: BAD });
        const [repo, gateRun, badRun, failingRun, json] = await pool([
            () => runCliInProcess([]),
            () => runCliInProcess(["--dir", gate]),
            () => runCliInProcess(["--dir", withBad]),
            () => runCliInProcess(["--dir", failing]),
            () =>
                sh(
                    `node -r ./tools/register.js tools/plan/cli.ts --dir '${withBad}' --json | node -e '` +
                        'const d = JSON.parse(require("fs").readFileSync(0, "utf8")); ' +
                        "console.log(JSON.stringify(Object.entries(d).map(([k, v]) => " +
                        "[k, v.exitCode, v.plan ? v.plan.stack : null, v.plan ? v.plan.resources.length : v.error])))'",
                ),
        ]);
        Object.assign(runs, { repo, gateRun, badRun, failingRun, json });
    });

    it("plans each committed stack, one summary line each, in stack order, exit 0 when all pass", () => {
        const r = runs.repo;
        assert.equal(r.code, 0, r.stderr);
        const stacks = fs
            .readdirSync(ROOT)
            .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
            .filter((s): s is string => s !== undefined)
            .sort();
        assert.ok(stacks.length >= 2);
        const lines = r.stdout.trimEnd().split("\n");
        assert.deepEqual(
            lines.map((l) => l.split(":")[0]),
            stacks,
        );
        for (const line of lines)
            assert.match(
                line,
                /^[a-z0-9-]+: ok \(exit 0\): \d+ resources, 0 mandatory and \d+ advisory violation\(s\) under policy\/config\/\w+\.json$/,
            );
    });

    it("exits 1, the worst, when one stack fails the policy gate", () => {
        const r = runs.gateRun;
        assert.equal(r.code, 1, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.equal(lines.length, 2);
        assert.match(lines[0], /^dev: ok \(exit 0\): /);
        assert.match(lines[1], /^single: mandatory policy violations \(exit 1\): \d+ resources, [1-9]\d* mandatory/);
    });

    it("exits 2, above 1, for an invalid stack beside them, naming its key on stderr marked with its stack", () => {
        const r = runs.badRun;
        assert.equal(r.code, 2, r.stderr);
        assert.deepEqual(
            r.stdout
                .trimEnd()
                .split("\n")
                .map((l) => l.split(":")[0]),
            ["bad", "dev", "single"],
        );
        assert.match(
            r.stdout,
            /^bad: invalid configuration or usage \(exit 2\): aws-platform:nope: is not a known setting/,
        );
        assert.match(r.stderr, /^bad: {3}aws-platform:nope: is not a known setting/m);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
    });

    it("exits 3, above 2, when a stack's program fails", () => {
        const r = runs.failingRun;
        assert.equal(r.code, 3, r.stderr);
        const lines = r.stdout.trimEnd().split("\n");
        assert.match(lines[0], /^bad: invalid configuration or usage \(exit 2\): /);
        assert.match(lines[1], /^broken: the program failed \(exit 3\): /);
        assert.match(lines[2], /^fine: ok \(exit 0\): /);
        assert.match(r.stderr, /^broken: .*the stand-in program fails on purpose/m);
    });

    it("--json through a real pipe: one object keyed by stack, each with its exit code and plan or error", () => {
        const r = runs.json;
        // pipefail: the code is the plan's, the worst of the stacks'.
        assert.equal(r.code, 2, r.stderr);
        const entries = JSON.parse(r.stdout) as [string, number, string | null, number | string][];
        assert.deepEqual(
            entries.map(([stack, code, planned]) => [stack, code, planned]),
            [
                ["bad", 2, null],
                ["dev", 0, "dev"],
                ["single", 1, "single"],
            ],
        );
        assert.match(String(entries[0][3]), /aws-platform:nope: is not a known setting/);
        assert.ok((entries[1][3] as number) > 100, `dev plans ${entries[1][3]} resources`);
    });

    it("refuses --diff without a stack: an earlier plan is one stack's", async () => {
        const r = await runCliInProcess(["--diff", "earlier.json"]);
        assert.equal(r.code, 2);
        assert.match(
            r.stderr,
            /^error: --diff compares one stack's plan with its earlier one; give the stack's name\n/,
        );
    });
});

describe("plan command: each stack's JSON document in the all-stacks object is its single-stack document", () => {
    it("gives dev the same plan as `plan dev --json`", async () => {
        const dir = projectLinkedTo({ "Pulumi.dev.yaml": path.join(ROOT, "Pulumi.dev.yaml") });
        const [all, one] = await pool([
            () => runCliInProcess(["--dir", dir, "--json"]),
            () => runCliInProcess(["dev", "--dir", dir, "--json"]),
        ]);
        assert.equal(all.code, 0, all.stderr);
        assert.equal(one.code, 0, one.stderr);
        const doc = JSON.parse(one.stdout) as PlanDocument;
        assert.deepEqual(JSON.parse(all.stdout), { dev: { exitCode: 0, plan: doc } });
    });
});
