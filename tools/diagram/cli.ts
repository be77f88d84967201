/**
 * `npm run diagram -- <stack> [--dir <project dir>] [--out <directory>]`: runs the stack's program offline and
 * writes its architecture as `architecture-<stack>.mmd` (Mermaid) and `architecture-<stack>.svg` (Graphviz) in
 * docs/ (or --out), both drawn from the plan's resource graph.
 *
 * Exit codes: 0 written; 2 bad usage or invalid config; 3 the program itself failed.
 */
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { ConfigError, formatIssue } from "../../stacks/common";
import { parseSettings } from "../../stacks/settings";
import { UsageError, readStackConfig } from "../plan/project";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const USAGE =
    "usage: npm run diagram -- <stack> [--dir <project dir>] [--out <directory>]\n" +
    "  stack      a stack with a Pulumi.<stack>.yaml file\n" +
    "  --dir      the project directory holding Pulumi.yaml (default: this repository)\n" +
    "  --out      where to write architecture-<stack>.mmd and .svg (default: docs/ of the project directory)\n" +
    "  -h, --help print this help";

interface Args {
    stack: string;
    dir?: string;
    out?: string;
    help: boolean;
}

function option(argv: string[], flag: string): { value?: string; rest: string[] } {
    const at = argv.indexOf(flag);
    if (at < 0) return { rest: argv };
    const value = argv[at + 1];
    if (!value || value.startsWith("-")) throw new UsageError(`${flag} needs a directory\n${USAGE}`);
    return { value, rest: [...argv.slice(0, at), ...argv.slice(at + 2)] };
}

export function parseArgs(argv: string[]): Args {
    const dir = option(argv, "--dir");
    const out = option(dir.rest, "--out");
    const positional = out.rest.filter((a) => !a.startsWith("-"));
    const flags = out.rest.filter((a) => a.startsWith("-"));
    const help = flags.some((f) => f === "-h" || f === "--help");
    const unknown = flags.filter((f) => !["--help", "-h"].includes(f));
    if (!help && unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(", ")}\n${USAGE}`);
    if (!help && positional.length !== 1) {
        throw new UsageError(`expected one stack name, got ${positional.join(", ") || "none"}\n${USAGE}`);
    }
    const stack = positional[0] ?? "";
    if (!help && !/^[A-Za-z0-9_.-]+$/.test(stack)) throw new UsageError(`"${stack}" is not a stack name\n${USAGE}`);
    return { stack, dir: dir.value && path.resolve(dir.value), out: out.value && path.resolve(out.value), help };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    if (args.help) {
        process.stdout.write(`${USAGE}\n`);
        return 0;
    }
    const root = args.dir ?? PROJECT_ROOT;
    const { raw, secretKeys } = readStackConfig(root, args.stack);
    parseSettings(raw, args.stack, secretKeys);
    const { diagramStack } = await import("./stack");
    const files = await diagramStack(args.stack, args.dir);
    const out = args.out ?? path.join(root, "docs");
    mkdirSync(out, { recursive: true });
    for (const [ext, text] of [
        ["mmd", files.mermaid],
        ["svg", files.svg],
    ] as const) {
        const file = path.join(out, `architecture-${args.stack}.${ext}`);
        writeFileSync(file, text);
        process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
    }
    return 0;
}

function failure(e: unknown): { code: number; text: string } {
    if (e instanceof ConfigError) {
        const lines = e.issues.map((i) => `  ${formatIssue(i)}`).join("\n");
        return { code: 2, text: `error: invalid configuration for this stack:\n${lines}\n` };
    }
    if (e instanceof UsageError) return { code: 2, text: `error: ${e.message}\n` };
    return { code: 3, text: `error: ${(e as Error)?.message ?? String(e)}\n` };
}

if (require.main === module) {
    main()
        .catch((e: unknown) => {
            const { code, text } = failure(e);
            process.stderr.write(text);
            return code;
        })
        .then(
            (code) => process.exit(code),
            () => process.exit(3),
        );
}
