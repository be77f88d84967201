/**
 * Records the URN and type of every resource a stack registers, in both plan modes, into
 * `tests/fixtures/urns/<stack>.json`. tests/urns.test.ts then fails when a recorded URN is no longer registered
 * and no registered resource lists it in its `aliases`: in a real `pulumi up` that resource would be deleted and
 * created again (a new database, a new load balancer), not moved.
 *
 * Usage: node -r ./tools/register.js tools/snapshot-urns.ts [stack...]
 * With no stack, refreshes every stack that already has a snapshot. Refresh only after removing a resource on
 * purpose; adding resources never needs it, and a rename needs an alias, not a new snapshot.
 */
import * as fs from "fs";
import * as path from "path";
import { failedWith, parseCli, printUsage, runMain, stackArgProblem, UsageError } from "./cli-common";
import { PROJECT_DIR, RunResult, runProgram } from "./plan/runner";
import type { PlanMode } from "./plan/types";

export const SNAPSHOT_DIR = path.join(PROJECT_DIR, "tests", "fixtures", "urns");
export const MODES: PlanMode[] = ["preview", "update"];

/** A stack's recorded URNs: URN → resource type, sorted by URN. */
export interface UrnSnapshot {
    stack: string;
    resources: Record<string, string>;
}

/** URN → type of every resource of one or more runs of the same stack. */
export function snapshotOf(stack: string, runs: RunResult[]): UrnSnapshot {
    const all = runs.flatMap((r) => r.resources.map((x) => [x.urn, x.type] as const));
    return { stack, resources: Object.fromEntries(all.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
}

/**
 * The recorded URNs a run no longer answers to: neither registered (with the recorded type) nor listed in the
 * `aliases` of a registered resource. Each one is a delete-and-recreate in a real update.
 */
export function uncoveredUrns(snapshot: UrnSnapshot, run: RunResult): string[] {
    const registered = new Map(run.resources.map((r) => [r.urn, r.type]));
    const aliased = new Set(run.resources.flatMap((r) => r.aliases ?? []));
    return Object.entries(snapshot.resources)
        .filter(([urn, type]) => registered.get(urn) !== type && !aliased.has(urn))
        .map(([urn]) => urn);
}

export function readSnapshot(file: string): UrnSnapshot {
    return JSON.parse(fs.readFileSync(file, "utf8")) as UrnSnapshot;
}

/** The snapshot files, one per stack. */
export function snapshotFiles(): string[] {
    if (!fs.existsSync(SNAPSHOT_DIR)) return [];
    return fs
        .readdirSync(SNAPSHOT_DIR)
        .filter((f) => f.endsWith(".json"))
        .sort()
        .map((f) => path.join(SNAPSHOT_DIR, f));
}

const USAGE =
    "usage: node -r ./tools/register.js tools/snapshot-urns.ts [stack...]\n" +
    "  stack      a stack whose URNs to record (default: every stack that already has a snapshot)\n" +
    "  -h, --help print this help";

async function main(): Promise<number> {
    const { help, positionals } = parseCli(process.argv.slice(2), {
        usage: USAGE,
        options: {},
        positionals: { min: 0, max: Infinity, what: "stack names" },
    });
    if (help) return printUsage(USAGE);
    const bad = positionals.map(stackArgProblem).filter((p) => p !== undefined);
    if (bad.length > 0) throw new UsageError(`${bad.join("\n")}\n${USAGE}`);
    const stacks = positionals.length > 0 ? positionals : snapshotFiles().map((f) => path.basename(f, ".json"));
    if (stacks.length === 0) throw new Error("no stack given and no snapshot to refresh");
    fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
    for (const stack of stacks) {
        const runs: RunResult[] = [];
        for (const mode of MODES) runs.push(await runProgram({ stack, mode }));
        const snapshot = snapshotOf(stack, runs);
        const file = path.join(SNAPSHOT_DIR, `${stack}.json`);
        const before = fs.existsSync(file) ? Object.keys(readSnapshot(file).resources) : [];
        const removed = before.filter((urn) => !(urn in snapshot.resources));
        fs.writeFileSync(file, `${JSON.stringify(snapshot, null, 2)}\n`);
        process.stdout.write(`${path.relative(PROJECT_DIR, file)}: ${Object.keys(snapshot.resources).length} URNs\n`);
        for (const urn of removed) process.stdout.write(`  no longer recorded: ${urn}\n`);
    }
    return 0;
}

if (require.main === module) runMain(main, failedWith(1));
