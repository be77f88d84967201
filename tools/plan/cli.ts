/**
 * `npm run plan -- [stack] [--update] [--json]`: runs the program for a stack under Pulumi's mock
 * runtime, with no credentials and no network, and evaluates the policy pack against the result.
 *
 * Exit codes: 0 ok; 1 mandatory policy violations; 2 bad usage or invalid config; 3 the program failed.
 */
import * as path from "path";
import { ConfigError, formatIssue } from "../../stacks/common";
import { parseSettings } from "../../stacks/settings";
import { UsageError, readStackConfig } from "./project";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const USAGE =
    "usage: npm run plan -- [stack] [--update] [--json] [--dir <project dir>]\n" +
    "  stack      a stack with a Pulumi.<stack>.yaml file (default: dev)\n" +
    "  --update   resolve outputs as `pulumi up` would (default: preview, as `pulumi preview` sees a new stack)\n" +
    "  --json     print one JSON document: resources, outputs and policy violations\n" +
    "  --dir      the project directory holding Pulumi.yaml (default: this repository)";

function parseArgs(argv: string[]): { stack: string; update: boolean; json: boolean; dir?: string } {
    let dir: string | undefined;
    const dirAt = argv.indexOf("--dir");
    if (dirAt >= 0) {
        dir = argv[dirAt + 1];
        if (!dir || dir.startsWith("--")) throw new UsageError(`--dir needs a directory\n${USAGE}`);
        argv = [...argv.slice(0, dirAt), ...argv.slice(dirAt + 2)];
    }
    const positional = argv.filter((a) => !a.startsWith("--"));
    const flags = argv.filter((a) => a.startsWith("--"));
    const unknown = flags.filter((f) => !["--update", "--json", "--help"].includes(f));
    if (flags.includes("--help")) {
        process.stdout.write(`${USAGE}\n`);
        process.exit(0);
    }
    if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(", ")}\n${USAGE}`);
    if (positional.length > 1)
        throw new UsageError(`expected at most one stack name, got ${positional.join(", ")}\n${USAGE}`);
    const stack = positional[0] ?? "dev";
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`"${stack}" is not a stack name\n${USAGE}`);
    return { stack, update: flags.includes("--update"), json: flags.includes("--json"), dir: dir && path.resolve(dir) };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    // Validate first, before the Pulumi runtime is even loaded: a bad config answers in a fraction of the time.
    parseSettings(readStackConfig(args.dir ?? PROJECT_ROOT, args.stack).raw, args.stack);
    const { planStack } = await import("./plan");
    const { planDocument, renderTree, renderViolations } = await import("./render");
    const result = await planStack({ stack: args.stack, mode: args.update ? "update" : "preview", dir: args.dir });
    const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory");
    if (args.json) {
        const doc = planDocument(result.stack, result.mode, result.resources, result.outputs, result.violations);
        process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
        process.stdout.write(
            `Stack ${result.stack} (${result.mode === "preview" ? "preview: as `pulumi preview` sees a new stack" : "update: as `pulumi up` sees it"})\n\n` +
                `${renderTree(result.resources)}\n\n${result.resources.length} resources\n\n${renderViolations(result.violations)}\n`,
        );
    }
    return mandatory.length > 0 ? 1 : 0;
}

/** Exits once stdout and stderr are flushed: a pipe takes 64 KiB at a time, and exiting at once cuts the rest. */
function exitWhenFlushed(code: number): void {
    let pending = 2;
    const done = () => --pending === 0 && process.exit(code);
    process.stdout.write("", done);
    process.stderr.write("", done);
}

main().then(
    (code) => exitWhenFlushed(code),
    (e: unknown) => {
        if (e instanceof ConfigError) {
            process.stderr.write(
                `error: invalid configuration for this stack:\n${e.issues.map((i) => `  ${formatIssue(i)}`).join("\n")}\n`,
            );
            process.exit(2);
        }
        if (e instanceof UsageError) {
            process.stderr.write(`error: ${e.message}\n`);
            process.exit(2);
        }
        process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
        process.exit(3);
    },
);
