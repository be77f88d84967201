/**
 * `npm run plan -- [stack] [--update] [--format human|json|markdown] [--diff <plan.json>] [--dir <project dir>]`:
 * runs the program for a stack under Pulumi's mock runtime, with no credentials and no network, and evaluates the
 * policy pack against the result. Without a stack, plans every `Pulumi.<stack>.yaml` of the project directory.
 *
 * Exit codes: 0 ok; 1 mandatory policy violations; 2 bad usage or invalid config; 3 the program failed. For every
 * stack, the worst of them (3 > 2 > 1 > 0).
 */
import * as path from "path";
import { parseSettings } from "../../stacks/settings";
import { failure, parseCli, printUsage, runMain, stackArgProblem, UsageError, write } from "../cli-common";
import { ProgramLocation, listStacks, programLocation, readProject, readStackConfig } from "./project";
import type { PlanDiff } from "./diff";
import type { PlanResult } from "./plan";
import type { PlanDocument } from "./render";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const FORMATS = ["human", "json", "markdown"] as const;
type Format = (typeof FORMATS)[number];

const USAGE =
    "usage: npm run plan -- [stack] [--update] [--format human|json|markdown] [--diff <plan.json>] [--dir <project dir>]\n" +
    "  stack      a stack with a Pulumi.<stack>.yaml file; without one, every stack of the project directory is\n" +
    "             planned: one summary line each (human), a JSON object keyed by stack name (json: each with its\n" +
    "             exitCode and its plan or error), or each stack's summary (markdown), and the exit code is the\n" +
    "             worst of theirs (3 > 2 > 1 > 0)\n" +
    "  --update   resolve outputs as `pulumi up` would (default: preview, as `pulumi preview` sees a new stack)\n" +
    "  --format   human (default): the resource tree, counts and policy verdict;\n" +
    "             json: one JSON document: resources, outputs, policy violations, warnings and secret digests;\n" +
    "             markdown: a summary for pull-request comments and CI job summaries\n" +
    "  --json     the same as --format json\n" +
    "  --diff     also list what changed since an earlier plan of the same stack written by --format json\n" +
    "  --dir      the project directory holding Pulumi.yaml and the stack files; its main names the program\n" +
    "             (default: this repository)\n" +
    "  -h, --help print this help\n" +
    "exit codes: 0 ok; 1 mandatory policy violations; 2 bad usage or invalid config; 3 the program failed";

const SPEC = {
    usage: USAGE,
    options: {
        update: { type: "boolean" },
        json: { type: "boolean" },
        format: { type: "string", takes: `one of ${FORMATS.join(", ")}` },
        diff: { type: "string", takes: "an earlier plan's JSON file" },
        dir: { type: "string", takes: "a directory" },
    },
    positionals: { min: 0, max: 1, what: "stack name (or none for every stack)" },
} as const;

interface Args {
    /** The stack; undefined for every stack of the project directory. */
    stack?: string;
    update: boolean;
    format: Format;
    /** The earlier plan: resolved, and as the user wrote it (for the report). */
    diff?: string;
    diffShown?: string;
    dir?: string;
    help: boolean;
}

export function parsePlanArgs(argv: readonly string[]): Args {
    const { help, values, positionals } = parseCli(argv, SPEC);
    const { format, diff, dir } = values;
    const stack = positionals[0];
    const problems: string[] = [];
    if (format !== undefined && !(FORMATS as readonly string[]).includes(format)) {
        problems.push(`--format ${format} is not a format; expected one of ${FORMATS.join(", ")}`);
    } else if (format !== undefined && format !== "json" && values.json) {
        problems.push(`--json and --format ${format} disagree; give one of them`);
    }
    // Pulumi's rule, before the name becomes a file name; the settings add what the program needs of it.
    const badStack = stack === undefined ? undefined : stackArgProblem(stack);
    if (badStack) problems.push(badStack);
    if (stack === undefined && diff !== undefined) {
        problems.push("--diff compares one stack's plan with its earlier one; give the stack's name");
    }
    if (!help && problems.length > 0) throw new UsageError(`${problems.join("\n")}\n${USAGE}`);
    return {
        stack,
        update: values.update,
        format: values.json ? "json" : ((format as Format | undefined) ?? "human"),
        diff: diff && path.resolve(diff),
        diffShown: diff,
        dir: dir && path.resolve(dir),
        help,
    };
}

/** One stack's plan, or why there is none, with the exit code it alone would give. */
interface StackOutcome {
    stack: string;
    code: number;
    result?: PlanResult;
    doc?: PlanDocument;
    diff?: PlanDiff;
    /** The failure's message, as the single-stack command prints it. */
    error?: string;
}

/** Validates, then plans, one stack. Config and usage problems throw; so does a program that fails. */
async function planOne(args: Args, stack: string): Promise<StackOutcome> {
    const dir = args.dir ?? PROJECT_ROOT;
    const project = readProject(dir);
    const { raw, secretKeys } = readStackConfig(dir, stack, project);
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
    parseSettings(raw, stack, secretKeys);
    if (noProgram) throw noProgram;
    const { diffPlans, readPlanFile } = await import("./diff");
    // A bad earlier plan is a usage error too, found before the program runs.
    const earlier = args.diff ? readPlanFile(args.diff) : undefined;
    const { planStack } = await import("./plan");
    const { planDocument } = await import("./render");
    const result = await planStack({ stack, mode: args.update ? "update" : "preview", dir: args.dir });
    const mandatory = result.violations.filter((v) => v.enforcementLevel === "mandatory");
    const doc = planDocument(result);
    const diff = earlier && diffPlans(earlier, doc, args.diffShown);
    return { stack, code: mandatory.length > 0 ? 1 : 0, result, doc, diff };
}

async function printWarnings(outcome: StackOutcome, prefix: string): Promise<void> {
    const warnings = outcome.result?.warnings ?? [];
    if (warnings.length === 0) return;
    const { renderWarnings } = await import("./render");
    await write(process.stderr, `${prefix}${renderWarnings(warnings).replace(/\n/g, `\n${prefix}`)}\n`);
}

async function planSingle(args: Args, stack: string): Promise<number> {
    const outcome = await planOne(args, stack);
    const { result, doc, diff } = outcome;
    await printWarnings(outcome, "");
    if (args.format === "json") {
        await write(process.stdout, `${JSON.stringify(diff ? { ...doc, diff } : doc, null, 2)}\n`);
    } else if (args.format === "markdown") {
        const { renderMarkdown } = await import("./markdown");
        await write(process.stdout, `${renderMarkdown(doc!, diff)}\n`);
    } else {
        const { renderHuman } = await import("./render");
        await write(process.stdout, `${renderHuman(result!, doc!, diff)}\n`);
    }
    return outcome.code;
}

/** What each exit code means, for the summary line of a stack that has no plan. */
const NO_PLAN: Record<number, string> = {
    2: "invalid configuration or usage (exit 2)",
    3: "the program failed (exit 3)",
};

/** One line: the stack, its exit code and verdict, its resource and violation counts. */
export function summaryLine(outcome: StackOutcome): string {
    if (!outcome.doc || !outcome.result) {
        // The first problem, and how many more stderr lists.
        const lines = (outcome.error ?? "")
            .split("\n")
            .map((l) => l.replace(/^error: /, "").trim())
            .filter((l) => l !== "" && l !== "invalid configuration for this stack:" && !l.startsWith("usage: "));
        const more = lines.length > 1 ? ` (and ${lines.length - 1} more line(s) on stderr)` : "";
        return `${outcome.stack}: ${NO_PLAN[outcome.code] ?? `exit ${outcome.code}`}: ${lines[0] ?? "no message"}${more}`;
    }
    const violations = outcome.result.violations;
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const verdict = mandatory > 0 ? "mandatory policy violations (exit 1)" : "ok (exit 0)";
    return (
        `${outcome.stack}: ${verdict}: ${outcome.doc.resources.length} resources, ${mandatory} mandatory and ` +
        `${violations.length - mandatory} advisory violation(s) under ${outcome.result.policyConfig}`
    );
}

async function planAll(args: Args): Promise<number> {
    const dir = args.dir ?? PROJECT_ROOT;
    readProject(dir);
    const stacks = listStacks(dir);
    if (stacks.length === 0) throw new UsageError(`no Pulumi.<stack>.yaml in ${dir}`);
    const outcomes: StackOutcome[] = [];
    for (const stack of stacks) {
        let outcome: StackOutcome;
        try {
            outcome = await planOne(args, stack);
        } catch (e) {
            const { code, text } = failure(e);
            outcome = { stack, code, error: text };
            // The whole message on stderr, each line marked with its stack; stdout keeps one line per stack.
            await write(process.stderr, text.replace(/^(?=.)/gm, `${stack}: `));
        }
        await printWarnings(outcome, `${stack}: `);
        outcomes.push(outcome);
    }
    if (args.format === "json") {
        const byStack = Object.fromEntries(
            outcomes.map((o) => [
                o.stack,
                o.doc
                    ? { exitCode: o.code, plan: o.doc }
                    : { exitCode: o.code, error: o.error?.replace(/^error: /, "").trimEnd() },
            ]),
        );
        await write(process.stdout, `${JSON.stringify(byStack, null, 2)}\n`);
    } else if (args.format === "markdown") {
        const { renderMarkdown } = await import("./markdown");
        const parts = outcomes.map((o) =>
            o.doc ? renderMarkdown(o.doc) : `## Offline plan of \`${o.stack}\`\n\n${summaryLine(o)}`,
        );
        await write(process.stdout, `${parts.join("\n\n")}\n`);
    } else {
        await write(process.stdout, `${outcomes.map(summaryLine).join("\n")}\n`);
    }
    return Math.max(...outcomes.map((o) => o.code));
}

/**
 * The command on `argv` (the arguments after the script), writing to process.stdout and process.stderr and resolving
 * to its exit code; a failure throws, for `runCommand` (tools/cli-common.ts) to report. It changes the working
 * directory to the program's, as the Pulumi CLI runs a program, and leaves it there: the process exits after one
 * command (a caller that goes on, such as the tests, puts it back).
 */
export async function planCommand(argv: readonly string[]): Promise<number> {
    const args = parsePlanArgs(argv);
    if (args.help) return printUsage(USAGE);
    return args.stack === undefined ? planAll(args) : planSingle(args, args.stack);
}

if (require.main === module) runMain(() => planCommand(process.argv.slice(2)));
