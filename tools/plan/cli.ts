/**
 * `npm run plan -- [stack] [--update] [--json]`: runs the program for a stack under Pulumi's mock
 * runtime, with no credentials and no network, and evaluates the policy pack against the result.
 *
 * Exit codes: 0 ok; 1 mandatory policy violations; 2 bad usage or invalid config; 3 the program failed.
 */
import { ConfigError, formatIssue } from "../../stacks/common";
import { planStack } from "./plan";
import { UsageError } from "./project";
import { planDocument, renderTree, renderViolations } from "./render";
import { ProgramError } from "./runner";

const USAGE = "usage: npm run plan -- [stack] [--update] [--json]   (stack defaults to dev)";

function parseArgs(argv: string[]): { stack: string; update: boolean; json: boolean } {
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
    return { stack, update: flags.includes("--update"), json: flags.includes("--json") };
}

async function main(): Promise<number> {
    const args = parseArgs(process.argv.slice(2));
    const result = await planStack({ stack: args.stack, mode: args.update ? "update" : "preview" });
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

main().then(
    (code) => process.exit(code),
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
        if (e instanceof ProgramError) {
            process.stderr.write(`error: ${e.message}\n`);
            process.exit(3);
        }
        process.stderr.write(`error: ${(e as Error)?.message ?? String(e)}\n`);
        process.exit(3);
    },
);
