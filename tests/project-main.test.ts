/**
 * A project directory of its own whose Pulumi.yaml `main` names this repository (how examples/ are laid out): the
 * runner finds the program where the Pulumi CLI would (pkg/engine/project.go, getPwdMain), runs it with the
 * program's directory as the working directory, and reads the stack file and Pulumi.yaml from the project directory.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { UsageError, programLocation } from "../tools/plan/project";
import { runCliInProcess, tempProject } from "./helpers/cli";
import { named, runIsolated } from "./helpers/plan";

const ROOT = path.resolve(__dirname, "..");

/** A project directory with this Pulumi.yaml and stack files, outside the repository. */
function project(pulumiYaml: Record<string, unknown>, stacks: Record<string, unknown> = {}): string {
    const dir = tempProject();
    fs.writeFileSync(
        path.join(dir, "Pulumi.yaml"),
        YAML.stringify({ name: "aws-platform", runtime: "nodejs", ...pulumiYaml }),
    );
    for (const [stack, config] of Object.entries(stacks)) {
        fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify({ config }));
    }
    return dir;
}

/** A project directory whose main is this repository, by a relative path as examples/ use it. */
function linkedProject(stacks: Record<string, unknown>): string {
    const dir = project({}, stacks);
    const main = path.relative(dir, ROOT);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify({ name: "aws-platform", runtime: "nodejs", main }));
    return dir;
}

/** A web service built from a context relative to the program's working directory, as the repository's stacks are. */
const BUILT_HERE = {
    "aws:region": "eu-west-1",
    "aws-platform:policyProfile": "development",
    "aws-platform:services": {
        apps: {
            web: {
                build: { context: "apps/hello" },
                cpu: 256,
                memory: 512,
                port: 8080,
                routing: { priority: 100, pathPatterns: ["/*"] },
            },
        },
    },
};

describe("project main: a project directory that runs this repository's program", () => {
    describe("programLocation", () => {
        it("runs a project without main from its own directory, entry from package.json main", () => {
            assert.deepEqual(programLocation(ROOT), { pwd: ROOT, entry: path.join(ROOT, "index.ts") });
        });

        it("resolves a relative main directory from Pulumi.yaml's directory, and runs there", () => {
            const dir = project({});
            const relative = path.relative(dir, ROOT);
            assert.ok(relative.startsWith(".."), "main points outside the project directory, which the CLI allows");
            assert.deepEqual(programLocation(dir, { name: "aws-platform", main: relative }), {
                pwd: ROOT,
                entry: path.join(ROOT, "index.ts"),
            });
        });

        it("runs a main file in its own directory, and an absolute main as it is", () => {
            const dir = project({});
            assert.deepEqual(programLocation(dir, { name: "p", main: path.join(ROOT, "index.ts") }), {
                pwd: ROOT,
                entry: path.join(ROOT, "index.ts"),
            });
        });

        it("falls back to index.ts in a directory without a package.json main", () => {
            const dir = project({});
            fs.writeFileSync(path.join(dir, "index.ts"), "export {};\n");
            assert.deepEqual(programLocation(dir, { name: "p" }), { pwd: dir, entry: path.join(dir, "index.ts") });
        });

        it("refuses a main that does not exist, a directory with no entry point, and a main that is not a path", () => {
            const dir = project({});
            assert.throws(
                () => programLocation(dir, { name: "p", main: "../no-such-dir" }),
                (e: unknown) => e instanceof UsageError && /project 'main' could not be read/.test(e.message),
            );
            assert.throws(
                () => programLocation(dir, { name: "p" }),
                (e: unknown) => e instanceof UsageError && /no entry point in/.test(e.message),
            );
            assert.throws(
                () => programLocation(dir, { name: "p", main: 3 as unknown as string }),
                (e: unknown) => e instanceof UsageError && /main is not a path/.test(e.message),
            );
        });
    });

    describe("the runner", () => {
        it("runs the program main names, in its directory, with the stack file and config of the project directory", async () => {
            const dir = linkedProject({ elsewhere: BUILT_HERE });
            // Started from the project directory, where apps/hello does not exist, as `pulumi up` would be.
            const cwd = process.cwd();
            process.chdir(dir);
            let run;
            try {
                run = await runIsolated({ stack: "elsewhere", dir, mode: "preview" });
                assert.equal(process.cwd(), fs.realpathSync(dir), "the working directory is restored after the run");
            } finally {
                process.chdir(cwd);
            }
            assert.equal(run.stack, "elsewhere");
            // The build context apps/hello exists only in the repository: the settings found it from there.
            const image = named(run, "app-web", "awsx:ecr:Image");
            assert.equal(image.inputs.context, "apps/hello");
        });

        it("the CLI plans it and reports the program's absence only after the config", async () => {
            const dir = linkedProject({ elsewhere: BUILT_HERE });
            const ok = await runCliInProcess(["elsewhere", "--dir", dir]);
            assert.equal(ok.code, 0, ok.stderr);
            assert.match(ok.stdout, /awsx:ecr:Image {2}app-web/);

            const missing = project(
                { main: "../no-such-program" },
                { elsewhere: BUILT_HERE, bad: { "aws:region": 1 } },
            );
            const bad = await runCliInProcess(["bad", "--dir", missing]);
            assert.equal(bad.code, 2);
            assert.match(bad.stderr, /^error: invalid configuration for this stack:\n {2}aws:region: /);
            const noProgram = await runCliInProcess(["elsewhere", "--dir", missing]);
            assert.equal(noProgram.code, 2);
            assert.match(noProgram.stderr, /project 'main' could not be read/);
        });
    });
});
