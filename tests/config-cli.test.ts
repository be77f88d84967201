import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { listStacks } from "../tools/plan/project";
import { CliResult, pool, projectWith, runCli, runCliInProcess, tempProject } from "./helpers/cli";

const ROOT = path.resolve(__dirname, "..");

const FIXTURES = path.join(__dirname, "fixtures", "bad-config");

describe("plan command: malformed stack configs exit 2 and name their keys", () => {
    const fixtures = fs.readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml"));
    const results = new Map<string, CliResult>();
    // The first few run as a user runs them, each in its own process (its exit code, its stderr with no stack trace);
    // the rest run in this process through the same command and exit path, at a fraction of a process's cost.
    const ownProcess = new Set(fixtures.slice(0, 3));

    before(async () => {
        const runs = await pool(
            fixtures.map((f) => () => {
                const args = ["bad", "--dir", projectWith("bad", path.join(FIXTURES, f))];
                return ownProcess.has(f) ? runCli(args) : runCliInProcess(args);
            }),
        );
        fixtures.forEach((f, i) => results.set(f, runs[i]));
    });

    it("has at least a dozen malformed configs", () => {
        assert.ok(fixtures.length >= 12, `${fixtures.length} fixtures`);
    });

    for (const file of fixtures) {
        const expected = /^# expect: (.+)$/m.exec(fs.readFileSync(path.join(FIXTURES, file), "utf8"))![1].split(" ");
        const how = ownProcess.has(file) ? " (in its own process)" : "";
        it(`${file}: exits 2 naming ${expected.join(", ")}${how}`, () => {
            const r = results.get(file)!;
            assert.equal(r.code, 2, `exit code ${r.code}\n${r.stderr}`);
            assert.equal(r.stdout, "", "nothing is planned");
            for (const key of expected) {
                assert.ok(
                    r.stderr.split("\n").some((l) => l.trim().startsWith(`${key}:`)),
                    `no line names ${key}:\n${r.stderr}`,
                );
            }
            assert.ok(!/\n\s+at .+:\d+:\d+/.test(r.stderr), `stack trace shown:\n${r.stderr}`);
        });
    }

    it("exits 2 for an unknown stack, naming the stacks that exist", async () => {
        const r = await runCliInProcess(["no-such-stack"]);
        assert.equal(r.code, 2);
        assert.ok(
            r.stderr.includes(`no stack file Pulumi.no-such-stack.yaml; stacks here: ${listStacks(ROOT).join(", ")}\n`),
            r.stderr,
        );
    });

    it("exits 2 for an unknown option", async () => {
        const r = await runCliInProcess(["dev", "--upgrade"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /unknown option --upgrade/);
    });

    it("exits 2 for a stack file that is not YAML", async () => {
        const bad = path.join(tempProject(), "x.yaml");
        fs.writeFileSync(bad, "config:\n  aws:region: [unclosed\n");
        const r = await runCliInProcess(["bad", "--dir", projectWith("bad", bad)]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /Pulumi.bad.yaml is not valid YAML/);
    });
});
