/**
 * `npm run cost -- <stack> [--json] [--dir <project dir>] [--assume name=value ...]`: runs the stack's program
 * offline as `pulumi up` sees it and prices every resource it registers, line by line, with the assumptions.
 *
 * Exit codes: 0 estimated; 2 bad usage, invalid config, an unknown assumption or a region without price data;
 * 3 the program itself failed.
 */
import * as path from "path";
import { ConfigError, formatIssue } from "../../stacks/common";
import { parseSettings } from "../../stacks/settings";
import { UsageError, readStackConfig } from "../plan/project";
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

interface Args {
    stack: string;
    json: boolean;
    dir?: string;
    assume: Record<string, string>;
    help: boolean;
}

function takeValues(argv: string[], flag: string): { values: string[]; rest: string[] } {
    const values: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] !== flag) {
            rest.push(argv[i]);
            continue;
        }
        const v = argv[i + 1];
        if (v === undefined || v.startsWith("-")) throw new UsageError(`${flag} needs a value\n${USAGE}`);
        values.push(v);
        i++;
    }
    return { values, rest };
}

export function parseArgs(argv: string[]): Args {
    const dirs = takeValues(argv, "--dir");
    const assumes = takeValues(dirs.rest, "--assume");
    const positional = assumes.rest.filter((a) => !a.startsWith("-"));
    const flags = assumes.rest.filter((a) => a.startsWith("-"));
    const help = flags.some((f) => f === "-h" || f === "--help");
    const unknown = flags.filter((f) => !["--json", "--help", "-h"].includes(f));
    if (!help && unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(", ")}\n${USAGE}`);
    if (!help && positional.length !== 1) {
        throw new UsageError(`expected one stack name, got ${positional.join(", ") || "none"}\n${USAGE}`);
    }
    if (dirs.values.length > 1) throw new UsageError(`--dir given more than once\n${USAGE}`);
    const assume: Record<string, string> = {};
    for (const a of assumes.values) {
        const at = a.indexOf("=");
        if (at <= 0) throw new UsageError(`--assume ${a}: expected name=value\n${USAGE}`);
        assume[a.slice(0, at)] = a.slice(at + 1);
    }
    const stack = positional[0] ?? "";
    if (!help && !/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`"${stack}" is not a stack name\n${USAGE}`);
    return { stack, json: flags.includes("--json"), dir: dirs.values[0] && path.resolve(dirs.values[0]), assume, help };
}

function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
    return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
        await write(process.stdout, `${USAGE}\n`);
        return 0;
    }
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

function failure(e: unknown): { code: number; text: string } {
    if (e instanceof ConfigError) {
        const lines = e.issues.map((i) => `  ${formatIssue(i)}`).join("\n");
        return { code: 2, text: `error: invalid configuration for this stack:\n${lines}\n` };
    }
    if (e instanceof AssumptionError) return { code: 2, text: `error: ${e.problems.join("\nerror: ")}\n` };
    if (e instanceof UsageError || e instanceof MissingPricesError) return { code: 2, text: `error: ${e.message}\n` };
    return { code: 3, text: `error: ${(e as Error)?.message ?? String(e)}\n` };
}

if (require.main === module) {
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
}
