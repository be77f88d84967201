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
    "  --json     print one JSON document: resources, outputs, policy violations and warnings\n" +
    "  --dir      the project directory holding Pulumi.yaml (default: this repository)\n" +
    "  -h, --help print this help";

interface Args {
    stack: string;
    update: boolean;
    json: boolean;
    dir?: string;
    help: boolean;
}

function parseArgs(argv: string[]): Args {
    let dir: string | undefined;
    const dirAt = argv.indexOf("--dir");
    if (dirAt >= 0) {
        dir = argv[dirAt + 1];
        if (!dir || dir.startsWith("-")) throw new UsageError(`--dir needs a directory\n${USAGE}`);
        argv = [...argv.slice(0, dirAt), ...argv.slice(dirAt + 2)];
    }
    const positional = argv.filter((a) => !a.startsWith("-"));
    const flags = argv.filter((a) => a.startsWith("-"));
    const help = flags.some((f) => f === "-h" || f === "--help");
    const unknown = flags.filter((f) => !["--update", "--json", "--help", "-h"].includes(f));
    if (!help && unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(", ")}\n${USAGE}`);
    if (!help && positional.length > 1)
        throw new UsageError(`expected at most one stack name, got ${positional.join(", ")}\n${USAGE}`);
    const stack = positional[0] ?? "dev";
    if (!help && !/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`"${stack}" is not a stack name\n${USAGE}`);
    return {
        stack,
        update: flags.includes("--update"),
        json: flags.includes("--json"),
        dir: dir && path.resolve(dir),
        help,
    };
}

/** Writes and resolves once the stream has handed the text to the OS (a pipe may take it in several chunks). */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
    return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
        await write(process.stdout, `${USAGE}\n`);
        return 0;
    }
    // Validate first, before the Pulumi runtime is even loaded: a bad config answers in a fraction of the time.
    parseSettings(readStackConfig(args.dir ?? PROJECT_ROOT, args.stack).raw, args.stack);
    const { planStack } = await import("./plan");
    const { planDocument, renderTree, renderViolations, renderWarnings } = await import("./render");
    const result = await planStack({ stack: args.stack, mode: args.update ? "update" : "preview", dir: args.dir });
    const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory");
    if (result.warnings.length > 0) await write(process.stderr, `${renderWarnings(result.warnings)}\n`);
    if (args.json) {
        await write(process.stdout, `${JSON.stringify(planDocument(result), null, 2)}\n`);
    } else {
        const mode =
            result.mode === "preview"
                ? "preview: as `pulumi preview` sees a new stack"
                : "update: as `pulumi up` sees it";
        await write(
            process.stdout,
            `Stack ${result.stack} (${mode}), region ${result.region}\n\n` +
                `${renderTree(result.resources, result.region)}\n\n${result.resources.length} resources\n\n` +
                `Policy pack config: ${result.policyConfig}\n${renderViolations(result.violations)}\n`,
        );
    }
    return mandatory.length > 0 ? 1 : 0;
}

/** The message and exit code of a failure: 2 for usage and config, 3 for a program that failed. */
function failure(e: unknown): { code: number; text: string } {
    if (e instanceof ConfigError) {
        const lines = e.issues.map((i) => `  ${formatIssue(i)}`).join("\n");
        return { code: 2, text: `error: invalid configuration for this stack:\n${lines}\n` };
    }
    if (e instanceof UsageError) return { code: 2, text: `error: ${e.message}\n` };
    return { code: 3, text: `error: ${(e as Error)?.message ?? String(e)}\n` };
}

// Every path waits for its output to be written before it exits: `process.exit` drops whatever a pipe has not taken
// yet, which cut `--json` off at 64 KiB when piped into another program.
main()
    .catch(async (e: unknown) => {
        const { code, text } = failure(e);
        await write(process.stderr, text);
        return code;
    })
    .then(
        (code) => process.exit(code),
        () => process.exit(3),
    );
