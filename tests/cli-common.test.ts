import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { CliSpec, OptionSpec, UsageError, parseCli } from "../tools/cli-common";
import { CliResult, pool } from "./helpers/cli";

const ROOT = path.resolve(__dirname, "..");
const REGISTER = path.join(ROOT, "tools", "register.js");

const SPEC = {
    usage: "usage: thing [stack] [--dir d] [--json] [--assume k=v ...]",
    options: {
        dir: { type: "string", takes: "a directory" },
        json: { type: "boolean" },
        assume: { type: "string", multiple: true, takes: "name=value" },
    },
    positionals: { min: 0, max: 1, what: "stack name" },
} satisfies CliSpec<Record<string, OptionSpec>>;

/** The UsageError's message for argv, or a failure when there is none. */
function usageError(argv: string[]): string {
    try {
        parseCli(argv, SPEC);
    } catch (e) {
        assert.ok(e instanceof UsageError, String(e));
        return e.message;
    }
    assert.fail(`no usage error for ${JSON.stringify(argv)}`);
}

describe("the shared argument parser (tools/cli-common.ts)", () => {
    it("reads flags, inline values, repeated values and the positional", () => {
        const p = parseCli(["dev", "--dir=/tmp/x", "--json", "--assume", "a=1", "--assume=b=2"], SPEC);
        assert.deepEqual(p, {
            help: false,
            values: { dir: "/tmp/x", json: true, assume: ["a=1", "b=2"] },
            positionals: ["dev"],
        });
        assert.deepEqual(parseCli([], SPEC), {
            help: false,
            values: { dir: undefined, json: false, assume: [] },
            positionals: [],
        });
    });

    it("takes -h and --help anywhere, and then reports nothing else", () => {
        for (const argv of [["-h"], ["--help"], ["dev", "--nope", "-h"], ["a", "b", "--help"]]) {
            assert.equal(parseCli(argv, SPEC).help, true, argv.join(" "));
        }
    });

    it("names every unknown flag as given, long, short or inline, all at once, and ends with the usage", () => {
        assert.equal(
            usageError(["--nope", "-x", "--other=1", "dev"]),
            `unknown option --nope\nunknown option -x\nunknown option --other\n${SPEC.usage}`,
        );
    });

    it("refuses a missing value, a flag as a value, a value for a boolean and a flag given twice", () => {
        assert.equal(usageError(["--dir"]), `--dir needs a directory\n${SPEC.usage}`);
        assert.equal(usageError(["--dir", "--json"]), `--dir needs a directory\n${SPEC.usage}`);
        assert.equal(usageError(["--dir", "--bad"]), `--dir needs a directory\nunknown option --bad\n${SPEC.usage}`);
        assert.equal(usageError(["--json=yes"]), `--json takes no value\n${SPEC.usage}`);
        assert.equal(usageError(["--dir", "a", "--dir=b"]), `--dir given twice\n${SPEC.usage}`);
        // Written inline, a value may start with '-'.
        assert.equal(parseCli(["--dir=-odd"], SPEC).values.dir, "-odd");
    });

    it("counts positional arguments, and takes one after -- even when it looks like a flag", () => {
        assert.equal(usageError(["a", "b"]), `expected 0 to 1 stack name, got "a", "b"\n${SPEC.usage}`);
        assert.deepEqual(parseCli(["--", "-odd"], SPEC).positionals, ["-odd"]);
        const none = { ...SPEC, positionals: { min: 0, max: 0, what: "arguments" } };
        assert.throws(
            () => parseCli(["x"], none),
            (e: unknown) => e instanceof UsageError && e.message === `takes no arguments, got "x"\n${SPEC.usage}`,
        );
    });
});

/** Runs a tool as npm runs it. */
function tool(file: string, args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", REGISTER, path.join(ROOT, file), ...args],
            { cwd: ROOT },
            (e, stdout, stderr) => resolve({ code: e ? (typeof e.code === "number" ? e.code : 1) : 0, stdout, stderr }),
        );
    });
}

describe("every command in tools/ parses its arguments the same way", () => {
    // Each command with a valid first argument (if it needs one), and the start of its usage.
    const commands: [string, string[], RegExp][] = [
        ["tools/plan/cli.ts", ["dev"], /^usage: npm run plan -- \[stack\]/],
        ["tools/cost/cli.ts", ["dev"], /^usage: npm run cost -- <stack>/],
        ["tools/diagram/cli.ts", ["dev"], /^usage: npm run diagram -- <stack>/],
        ["tools/policy-config.ts", ["dev"], /^usage: npm run -s policy-config -- <stack>/],
        ["tools/plan/ci-stacks.ts", [], /^usage: npm run -s ci-stacks/],
        ["tools/docs/config-reference.ts", [], /^usage: npm run docs /],
        ["tools/docs/alarms-reference.ts", [], /^usage: npm run docs /],
        ["tools/cost/docs.ts", [], /^usage: npm run docs:cost /],
        ["tools/diagram/docs.ts", [], /^usage: npm run docs:diagram /],
        ["tools/bench.ts", [], /^usage: npm run bench /],
        ["tools/snapshot-urns.ts", [], /^usage: node -r \.\/tools\/register\.js tools\/snapshot-urns\.ts/],
    ];
    const results = new Map<string, { help: CliResult; short: CliResult; unknown: CliResult }>();
    before(async function () {
        this.timeout(120_000);
        const runs = await pool(
            commands.flatMap(([file, first]) => [
                () => tool(file, ["--help"]),
                () => tool(file, [...first, "-h"]),
                () => tool(file, [...first, "--no-such-flag"]),
            ]),
        );
        commands.forEach(([file], i) =>
            results.set(file, { help: runs[3 * i], short: runs[3 * i + 1], unknown: runs[3 * i + 2] }),
        );
    });

    for (const [file, , usage] of commands) {
        it(`${file}: -h and --help print the usage (exit 0); an unknown flag exits 2 naming it, with no stack trace`, () => {
            const { help, short, unknown } = results.get(file)!;
            for (const r of [help, short]) {
                assert.equal(r.code, 0, r.stderr);
                assert.match(r.stdout, usage);
                assert.match(r.stdout, /-h, --help +print this help/);
            }
            assert.equal(unknown.code, 2, unknown.stderr);
            assert.match(unknown.stderr, /^error: unknown option --no-such-flag\nusage: /);
            assert.doesNotMatch(unknown.stderr, /\n\s+at /);
            assert.equal(unknown.stdout, "");
        });
    }
});
