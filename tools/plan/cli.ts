/**
 * `npm run plan -- [stack] [--update] [--format human|json|markdown] [--diff <plan.json>]`: runs the program for a
 * stack under Pulumi's mock runtime, with no credentials and no network, and evaluates the policy pack against the
 * result.
 *
 * Exit codes: 0 ok; 1 mandatory policy violations; 2 bad usage or invalid config; 3 the program failed.
 */
import * as path from "path";
import { ConfigError, formatIssue } from "../../stacks/common";
import { parseSettings } from "../../stacks/settings";
import { PULUMI_STACK_NAME, stackNameProblem } from "../../stacks/stack-name";
import { ProgramLocation, UsageError, programLocation, readProject, readStackConfig } from "./project";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const FORMATS = ["human", "json", "markdown"] as const;
type Format = (typeof FORMATS)[number];

const USAGE =
    "usage: npm run plan -- [stack] [--update] [--format human|json|markdown] [--diff <plan.json>] [--dir <project dir>]\n" +
    "  stack      a stack with a Pulumi.<stack>.yaml file (default: dev)\n" +
    "  --update   resolve outputs as `pulumi up` would (default: preview, as `pulumi preview` sees a new stack)\n" +
    "  --format   human (default): the resource tree, counts and policy verdict;\n" +
    "             json: one JSON document: resources, outputs, policy violations, warnings and secret digests;\n" +
    "             markdown: a summary for pull-request comments and CI job summaries\n" +
    "  --json     the same as --format json\n" +
    "  --diff     also list what changed since an earlier plan written by --format json\n" +
    "  --dir      the project directory holding Pulumi.yaml and the stack file; its main names the program\n" +
    "             (default: this repository)\n" +
    "  -h, --help print this help";

interface Args {
    stack: string;
    update: boolean;
    format: Format;
    /** The earlier plan: resolved, and as the user wrote it (for the report). */
    diff?: string;
    diffShown?: string;
    dir?: string;
    help: boolean;
}

/** Takes `--name value` or `--name=value` out of argv; undefined when absent. */
function takeOption(argv: string[], name: string, what: string): string | undefined {
    const at = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (at < 0) return undefined;
    const inline = argv[at].startsWith(`${name}=`);
    const value = inline ? argv[at].slice(name.length + 1) : argv[at + 1];
    if (!value || (!inline && value.startsWith("-"))) throw new UsageError(`${name} needs ${what}\n${USAGE}`);
    argv.splice(at, inline ? 1 : 2);
    if (argv.some((a) => a === name || a.startsWith(`${name}=`))) throw new UsageError(`${name} given twice\n${USAGE}`);
    return value;
}

function parseArgs(input: string[]): Args {
    const argv = [...input];
    const dir = takeOption(argv, "--dir", "a directory");
    const diff = takeOption(argv, "--diff", "an earlier plan's JSON file");
    const format = takeOption(argv, "--format", `one of ${FORMATS.join(", ")}`);
    const positional = argv.filter((a) => !a.startsWith("-"));
    const flags = argv.filter((a) => a.startsWith("-"));
    const help = flags.some((f) => f === "-h" || f === "--help");
    const unknown = flags.filter((f) => !["--update", "--json", "--help", "-h"].includes(f));
    if (!help && unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(", ")}\n${USAGE}`);
    if (!help && positional.length > 1)
        throw new UsageError(`expected at most one stack name, got ${positional.join(", ")}\n${USAGE}`);
    if (!help && format !== undefined && !(FORMATS as readonly string[]).includes(format))
        throw new UsageError(`--format ${format} is not a format; expected one of ${FORMATS.join(", ")}\n${USAGE}`);
    if (!help && format !== undefined && format !== "json" && flags.includes("--json"))
        throw new UsageError(`--json and --format ${format} disagree; give one of them\n${USAGE}`);
    const stack = positional[0] ?? "dev";
    // Pulumi's rule, before the name becomes a file name; the settings add what the program needs of it.
    if (!help && !PULUMI_STACK_NAME.test(stack)) {
        throw new UsageError(`stack "${stack}" ${stackNameProblem(stack)}\n${USAGE}`);
    }
    return {
        stack,
        update: flags.includes("--update"),
        format: flags.includes("--json") ? "json" : ((format as Format | undefined) ?? "human"),
        diff: diff && path.resolve(diff),
        diffShown: diff,
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
    const dir = args.dir ?? PROJECT_ROOT;
    const project = readProject(dir);
    const { raw, secretKeys } = readStackConfig(dir, args.stack, project);
    // Build contexts resolve from the program's working directory, as under the Pulumi CLI. A project without a
    // program still has its config checked first: every config problem is worth reporting before that one.
    let location: ProgramLocation | undefined;
    let noProgram: unknown;
    try {
        location = programLocation(dir, project);
        process.chdir(location.pwd);
    } catch (e) {
        noProgram = e;
    }
    // Validate first, before the Pulumi runtime is even loaded: a bad config answers in a fraction of the time.
    parseSettings(raw, args.stack, secretKeys);
    if (noProgram) throw noProgram;
    const { diffPlans, readPlanFile } = await import("./diff");
    // A bad earlier plan is a usage error too, found before the program runs.
    const earlier = args.diff ? readPlanFile(args.diff) : undefined;
    const { planStack } = await import("./plan");
    const { planDocument, renderHuman, renderWarnings } = await import("./render");
    const result = await planStack({ stack: args.stack, mode: args.update ? "update" : "preview", dir: args.dir });
    const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory");
    if (result.warnings.length > 0) await write(process.stderr, `${renderWarnings(result.warnings)}\n`);
    const doc = planDocument(result);
    const diff = earlier && diffPlans(earlier, doc, args.diffShown);
    if (args.format === "json") {
        await write(process.stdout, `${JSON.stringify(diff ? { ...doc, diff } : doc, null, 2)}\n`);
    } else if (args.format === "markdown") {
        const { renderMarkdown } = await import("./markdown");
        await write(process.stdout, `${renderMarkdown(doc, diff)}\n`);
    } else {
        await write(process.stdout, `${renderHuman(result, doc, diff)}\n`);
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
