/**
 * `npm run bench [-- --runs N] [--no-cdk] [--out file]`: measures the offline plan, the product's main job on a
 * machine with no cloud, and writes the result with the machine's facts to docs/performance.md.
 *
 * - Per stack and mode: `npm run -s plan -- <stack>` as a user types it, cold (a new process) N times, median and
 *   range of wall time and peak memory; the first run of a fresh clone (no compile or transpile cache yet); and a
 *   warm run inside this process.
 * - The ratio of a cold `plan prod` to `cdk synth` of the same platform in AWS CDK v2, from
 *   ../shared/bench/cdk-peer/compare.sh (installs the CDK app into a temporary directory once, about 30 s).
 *
 * Numbers are reported, never asserted: they depend on the machine and on what else it is running.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as prettier from "prettier";
import { planStack } from "./plan/plan";
import { failedWith, parseCli, printUsage, runMain, UsageError } from "./cli-common";
import { listStacks } from "./plan/project";
import { wrap } from "./cost/docs";

const ROOT = path.resolve(__dirname, "..");
const TIME = "/usr/bin/time";
const COMPARE = path.resolve(ROOT, "..", "shared", "bench", "cdk-peer", "compare.sh");

interface Run {
    s: number;
    rssMb: number;
    code: number | null;
}

/** One cold `npm run -s plan`, with the peak RSS of its largest process (the plan's node) from GNU time. */
function cold(stack: string, update: boolean, env: NodeJS.ProcessEnv = process.env): Run {
    const cmd = ["npm", "run", "-s", "plan", "--", stack, ...(update ? ["--update"] : [])];
    const started = process.hrtime.bigint();
    const r = fs.existsSync(TIME)
        ? spawnSync(TIME, ["-f", "RSS %M", ...cmd], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28, env })
        : spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28, env });
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    const rss = /RSS (\d+)\s*$/.exec(r.stderr ?? "");
    return { s, rssMb: rss ? Number(rss[1]) / 1024 : NaN, code: r.status };
}

/** A run as on a fresh clone: the launcher's transpile cache and V8's compile cache start empty. */
function firstRun(stack: string, update: boolean): Run {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cache-"));
    try {
        return cold(stack, update, { ...process.env, REGISTER_CACHE_DIR: empty });
    } finally {
        fs.rmSync(empty, { recursive: true, force: true });
    }
}

function median(xs: number[]): number {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function planTable(runs: number): Promise<string[]> {
    const rows = [
        `| stack | mode | resources | cold, median of ${runs} (s) | cold range (s) | peak RSS, median (MB) | first run in a fresh clone (s) | warm in-process (s) | exit |`,
        "|---|---|---|---|---|---|---|---|---|",
    ];
    for (const stack of listStacks(ROOT)) {
        for (const update of [false, true]) {
            const first = firstRun(stack, update);
            const colds = Array.from({ length: runs }, () => cold(stack, update));
            const started = process.hrtime.bigint();
            const warm = await planStack({ stack, mode: update ? "update" : "preview" });
            const warmS = Number(process.hrtime.bigint() - started) / 1e9;
            const walls = colds.map((c) => c.s);
            const codes = [...new Set([first, ...colds].map((c) => c.code))].join(", ");
            rows.push(
                `| ${stack} | ${update ? "update" : "preview"} | ${warm.resources.length} | ${median(walls).toFixed(2)} | ` +
                    `${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)} | ` +
                    `${median(colds.map((c) => c.rssMb)).toFixed(0)} | ${first.s.toFixed(2)} | ${warmS.toFixed(2)} | ${codes} |`,
            );
            process.stderr.write(`${rows[rows.length - 1]}\n`);
        }
    }
    return rows;
}

/** compare.sh's three summary lines, or why there are none. */
function cdkRatio(runs: number): string[] {
    if (!fs.existsSync(COMPARE)) return [`(no CDK comparison: ${COMPARE} is not there)`];
    const r = spawnSync("bash", [COMPARE, String(runs)], { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 24 });
    if (r.status !== 0) return [`(the CDK comparison failed: ${(r.stderr || r.stdout).trim().split("\n").pop()})`];
    return r.stdout.trim().split("\n").slice(-3);
}

function machine(): string[] {
    const cpu = /^model name\s*:\s*(.+)$/m.exec(
        fs.existsSync("/proc/cpuinfo") ? fs.readFileSync("/proc/cpuinfo", "utf8") : "",
    );
    return [
        `- date: ${new Date().toISOString()}`,
        `- CPU: ${os.cpus().length} cores, ${cpu?.[1] ?? os.cpus()[0]?.model ?? "unknown"}`,
        `- memory: ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB; Node.js ${process.version}; ${os.type()} ${os.release()}`,
        `- load average when the run started (other work on the machine slows every figure): ${os
            .loadavg()
            .map((l) => l.toFixed(2))
            .join(", ")}`,
    ];
}

const USAGE =
    "usage: npm run bench [-- --runs N] [--no-cdk] [--out file]\n" +
    "  --runs     cold runs per stack and mode (default 5)\n" +
    "  --no-cdk   skip the comparison with `cdk synth`\n" +
    "  --out      the page to write (default docs/performance.md)\n" +
    "  -h, --help print this help";

const SPEC = {
    usage: USAGE,
    options: {
        runs: { type: "string", takes: "a number of runs" },
        "no-cdk": { type: "boolean" },
        out: { type: "string", takes: "a file" },
    },
    positionals: { min: 0, max: 0, what: "arguments" },
} as const;

async function main(): Promise<number> {
    const { help, values } = parseCli(process.argv.slice(2), SPEC);
    if (help) return printUsage(USAGE);
    const runs = Number(values.runs ?? 5);
    if (!Number.isInteger(runs) || runs < 1) {
        throw new UsageError(`--runs ${values.runs} is not a number of runs; expected a whole number from 1\n${USAGE}`);
    }
    const out = path.resolve(ROOT, values.out ?? "docs/performance.md");
    const facts = machine();
    const table = await planTable(runs);
    const ratio = values["no-cdk"] ? ["(CDK comparison skipped: --no-cdk)"] : cdkRatio(runs);
    const doc = [
        "# Performance of the offline plan",
        "",
        "Generated by `npm run bench` (tools/bench.ts); do not edit by hand. The numbers are measurements on the",
        "machine below, not guarantees: nothing asserts them.",
        "",
        ...facts,
        "",
        "## Cold plan per stack",
        "",
        "`npm run -s plan -- <stack> [--update]` in a new process each time, as a user runs it. The first run in a",
        "fresh clone fills the launcher's caches (node_modules/.cache); later runs read them back.",
        "",
        ...table,
        "",
        "## Against AWS CDK",
        "",
        "A cold `npm run -s plan -- prod` against `cdk synth` of the same platform in AWS CDK v2",
        "(`../shared/bench/cdk-peer/compare.sh`: alternating runs, medians):",
        "",
        "```text",
        ...ratio,
        "```",
        "",
    ].join("\n");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    // Formatted as the repository's Prettier check expects, so a fresh result never fails `npm test`.
    const formatted = await prettier.format(doc, { ...(await prettier.resolveConfig(out)), filepath: out });
    fs.writeFileSync(out, formatted);
    process.stdout.write(`${formatted}\nwritten to ${out}\n`);
    if (values.out === undefined) updateReadme(facts, ratio);
    return 0;
}

const README = path.join(ROOT, "README.md");
const README_START = "<!-- performance:start (generated by tools/bench.ts: npm run bench) -->";
const README_END = "<!-- performance:end -->";

/** The README's performance lines: the plan/CDK ratio with the date and the machine it was measured on. */
function updateReadme(facts: string[], ratio: string[]): void {
    const readme = fs.readFileSync(README, "utf8");
    const from = readme.indexOf(README_START);
    const to = readme.indexOf(README_END);
    if (from < 0 || to < from) return;
    const wall = /ratio plan\/cdk: wall ([\d.]+)/.exec(ratio.join("\n"))?.[1];
    const date = facts[0].replace("- date: ", "").slice(0, 10);
    const cpu = facts[1].replace("- CPU: ", "");
    const node = /Node\.js (v[\d.]+)/.exec(facts[2])?.[1] ?? process.version;
    const block = [
        wrap(
            wall
                ? `Cold \`npm run -s plan -- prod\` against \`cdk synth\` of the same platform: **${wall}× the wall ` +
                      `time** (${date}, ${cpu}, Node.js ${node}).`
                : `No plan/CDK ratio in the last run (${date}): ${ratio[0]}`,
        ),
        "",
        "```text",
        ...ratio,
        "```",
        "",
        "Figures per stack and mode, and the load the machine was under: [docs/performance.md](docs/performance.md).",
    ].join("\n");
    fs.writeFileSync(README, `${readme.slice(0, from + README_START.length)}\n\n${block}\n\n${readme.slice(to)}`);
}

if (require.main === module) runMain(main, failedWith(1));
