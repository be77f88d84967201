/**
 * `npm run diagram -- <stack> [--dir <project dir>] [--out <directory>]`: runs the stack's program offline and
 * writes its architecture as `architecture-<stack>.mmd` (Mermaid) and `architecture-<stack>.svg` (Graphviz) in
 * docs/ (or --out), both drawn from the plan's resource graph.
 *
 * Exit codes: 0 written; 2 bad usage or invalid config; 3 the program itself failed.
 */
import { mkdirSync, writeFileSync } from "fs";
import * as path from "path";
import { parseSettings } from "../../stacks/settings";
import { parseCli, printUsage, runMain, stackArgProblem, UsageError } from "../cli-common";
import { readStackConfig } from "../plan/project";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

const USAGE =
    "usage: npm run diagram -- <stack> [--dir <project dir>] [--out <directory>]\n" +
    "  stack      a stack with a Pulumi.<stack>.yaml file\n" +
    "  --dir      the project directory holding Pulumi.yaml (default: this repository)\n" +
    "  --out      where to write architecture-<stack>.mmd and .svg (default: docs/ of the project directory)\n" +
    "  -h, --help print this help";

const SPEC = {
    usage: USAGE,
    options: {
        dir: { type: "string", takes: "a directory" },
        out: { type: "string", takes: "a directory" },
    },
    positionals: { min: 1, max: 1, what: "stack name" },
} as const;

interface Args {
    stack: string;
    dir?: string;
    out?: string;
    help: boolean;
}

export function parseDiagramArgs(argv: readonly string[]): Args {
    const { help, values, positionals } = parseCli(argv, SPEC);
    const stack = positionals[0] ?? "";
    const badStack = help ? undefined : stackArgProblem(stack);
    if (badStack) throw new UsageError(`${badStack}\n${USAGE}`);
    const { dir, out } = values;
    return { stack, dir: dir && path.resolve(dir), out: out && path.resolve(out), help };
}

async function main(): Promise<number> {
    const args = parseDiagramArgs(process.argv.slice(2));
    if (args.help) return printUsage(USAGE);
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

if (require.main === module) runMain(main);
