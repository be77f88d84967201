/**
 * `npm run cost -- <stack> [--json] [--dir <project dir>] [--assume name=value ...]`: runs the stack's program
 * offline as `pulumi up` sees it and prices every resource it registers, line by line, with the assumptions.
 *
 * Exit codes: 0 estimated; 2 bad usage, invalid config, an unknown assumption or a region without price data;
 * 3 the program itself failed.
 */
import * as path from "path";
import { parseSettings } from "../../stacks/settings";
import { failure, parseCli, printUsage, runMain, stackArgProblem, UsageError, write } from "../cli-common";
import { readStackConfig } from "../plan/project";
import { AssumptionError, withOverrides } from "./assumptions";
import { MissingPricesError, readPriceFile } from "./prices";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const USAGE =
    "usage: npm run cost -- <stack> [--json] [--dir <project dir>] [--assume name=value ...]\n" +
    "  stack      a stack with a Pulumi.<stack>.yaml file\n" +
    "  --json     print one JSON document: lines, unpriced items, free resources, warnings, assumptions\n" +
    "  --dir      the project directory holding Pulumi.yaml (default: this repository)\n" +
    "  --assume   override one usage assumption (repeatable); the text output lists them all\n" +
    "  -h, --help print this help";

const SPEC = {
    usage: USAGE,
    options: {
        json: { type: "boolean" },
        dir: { type: "string", takes: "a directory" },
        assume: { type: "string", multiple: true, takes: "name=value" },
    },
    positionals: { min: 1, max: 1, what: "stack name" },
} as const;

interface Args {
    stack: string;
    json: boolean;
    dir?: string;
    assume: Record<string, string>;
    help: boolean;
}

export function parseCostArgs(argv: readonly string[]): Args {
    const { help, values, positionals } = parseCli(argv, SPEC);
    const problems: string[] = [];
    const assume: Record<string, string> = {};
    for (const a of values.assume) {
        const at = a.indexOf("=");
        if (at <= 0) problems.push(`--assume ${a}: expected name=value`);
        else assume[a.slice(0, at)] = a.slice(at + 1);
    }
    const stack = positionals[0] ?? "";
    const badStack = help ? undefined : stackArgProblem(stack);
    if (badStack) problems.push(badStack);
    if (!help && problems.length > 0) throw new UsageError(`${problems.join("\n")}\n${USAGE}`);
    return { stack, json: values.json, dir: values.dir && path.resolve(values.dir), assume, help };
}

async function main(): Promise<number> {
    const args = parseCostArgs(process.argv.slice(2));
    if (args.help) return printUsage(USAGE);
    const assumptions = withOverrides(args.assume);
    const { raw: config, secretKeys } = readStackConfig(args.dir ?? PROJECT_ROOT, args.stack);
    parseSettings(config, args.stack, secretKeys);
    // A region without price data fails before the program runs, not after.
    readPriceFile(String(config["aws:region"]));
    const { estimateStack } = await import("./stack");
    const estimate = await estimateStack(args.stack, { dir: args.dir, assumptions });
    const { renderEstimate } = await import("./render");
    await write(process.stdout, args.json ? `${JSON.stringify(estimate, null, 2)}\n` : renderEstimate(estimate));
    return 0;
}

/** Unknown assumptions and regions without price data are usage errors too. */
function costFailure(e: unknown): { code: number; text: string } {
    if (e instanceof AssumptionError) return { code: 2, text: `error: ${e.problems.join("\nerror: ")}\n` };
    if (e instanceof MissingPricesError) return { code: 2, text: `error: ${e.message}\n` };
    return failure(e);
}

if (require.main === module) runMain(main, costFailure);
