/**
 * `npm run bench`: measures the offline plan, the product's main job on a machine with no cloud.
 * Reports wall time and peak memory for a cold CLI run per stack and mode, and warm in-process runs.
 * Numbers are reported, never asserted: they depend on the machine.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { planStack } from "./plan/plan";
import { listStacks } from "./plan/project";

const ROOT = path.resolve(__dirname, "..");

const TIME = "/usr/bin/time";

/** One cold CLI run, as a user types it; peak RSS from GNU time when the machine has it. */
function cold(stack: string, update: boolean): { ms: number; rssMb: number; code: number | null } {
    const args = ["-r", path.join(ROOT, "tools/register.js"), path.join(ROOT, "tools/plan/cli.ts"), stack, "--json"];
    if (update) args.push("--update");
    const withTime = fs.existsSync(TIME);
    const started = process.hrtime.bigint();
    const r = withTime
        ? spawnSync(TIME, ["-f", "RSS %M", process.execPath, ...args], {
              cwd: ROOT,
              encoding: "utf8",
              maxBuffer: 1 << 28,
          })
        : spawnSync(process.execPath, args, { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 28 });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const rss = /RSS (\d+)/.exec(r.stderr ?? "");
    return { ms, rssMb: rss ? Number(rss[1]) / 1024 : NaN, code: r.status };
}

async function main(): Promise<void> {
    const rows: string[] = [
        "| stack | mode | resources | cold CLI (s) | cold peak RSS (MB) | warm in-process (s) | exit |",
        "|---|---|---|---|---|---|---|",
    ];
    for (const stack of listStacks(ROOT)) {
        for (const update of [false, true]) {
            const mode = update ? "update" : "preview";
            const c = cold(stack, update);
            const started = process.hrtime.bigint();
            const warm = await planStack({ stack, mode });
            const warmS = Number(process.hrtime.bigint() - started) / 1e9;
            rows.push(
                `| ${stack} | ${mode} | ${warm.resources.length} | ${(c.ms / 1000).toFixed(2)} | ${c.rssMb.toFixed(0)} | ${warmS.toFixed(2)} | ${c.code} |`,
            );
        }
    }
    process.stdout.write(`${rows.join("\n")}\n`);
}

main().catch((e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
});
