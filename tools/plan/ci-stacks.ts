/**
 * `npm run -s ci-stacks [-- --dir <project dir>]`: the stacks of the project for the CI/CD workflow, as GitHub job
 * outputs (`name=<JSON>` lines, appended to `$GITHUB_OUTPUT`):
 *
 * - `stacks`: every `Pulumi.<stack>.yaml`, with its region and policy profile, for the plan and preview matrices;
 * - `first`: the stacks whose profile is not `production`, deployed first;
 * - `last`: the stacks on the `production` profile (the strictest gate), deployed only after every other stack.
 *
 * Everything is read from the stack files at run time, so a new stack is one new file and no workflow edit: its
 * profile alone decides when it deploys.
 */
import * as path from "path";
import { stackNameProblem } from "../../stacks/stack-name";
import { policyConfigOf } from "../policy-config";
import { parseCli, printUsage, runMain, write } from "../cli-common";
import { UsageError, listStacks, readStackConfig } from "./project";

/** The profile whose stacks deploy last: the default one, which makes every policy mandatory. */
export const LAST_PROFILE = "production";

export interface CiStack {
    stack: string;
    region: string;
    profile: string;
}

export interface CiStacks {
    stacks: CiStack[];
    first: CiStack[];
    last: CiStack[];
}

/** Every stack of the project with what the workflow needs; a stack file without a region is an error. */
export function ciStacks(dir: string): CiStacks {
    // A stack the program refuses to run for (such as preview, the pull-request preview's environment) would
    // otherwise reach the matrices and a deployment environment named after it.
    const badNames = listStacks(dir).flatMap((stack) => {
        const problem = stackNameProblem(stack);
        return problem ? [`Pulumi.${stack}.yaml: stack "${stack}" ${problem}`] : [];
    });
    if (badNames.length > 0) throw new UsageError(badNames.join("\n"));
    const stacks = listStacks(dir).map((stack): CiStack => {
        const region = readStackConfig(dir, stack).raw["aws:region"];
        if (typeof region !== "string" || region === "") {
            throw new UsageError(`Pulumi.${stack}.yaml: aws:region is not set; every stack needs its region`);
        }
        return { stack, region, profile: policyConfigOf(dir, stack).profile };
    });
    if (stacks.length === 0) throw new UsageError(`no Pulumi.<stack>.yaml in ${dir}`);
    return {
        stacks,
        first: stacks.filter((s) => s.profile !== LAST_PROFILE),
        last: stacks.filter((s) => s.profile === LAST_PROFILE),
    };
}

/** The job-output lines: one `name=<compact JSON>` per list. */
export function githubOutputs(lists: CiStacks): string {
    return (Object.keys(lists) as (keyof CiStacks)[]).map((k) => `${k}=${JSON.stringify(lists[k])}\n`).join("");
}

const USAGE =
    "usage: npm run -s ci-stacks [-- --dir <project dir>]\n" +
    "  --dir      the project directory holding the stack files (default: this repository)\n" +
    "  -h, --help print this help";

const SPEC = {
    usage: USAGE,
    options: { dir: { type: "string", takes: "a directory" } },
    positionals: { min: 0, max: 0, what: "arguments" },
} as const;

async function main(): Promise<number> {
    const { help, values } = parseCli(process.argv.slice(2), SPEC);
    if (help) return printUsage(USAGE);
    const dir = path.resolve(values.dir ?? path.resolve(__dirname, "..", ".."));
    await write(process.stdout, githubOutputs(ciStacks(dir)));
    return 0;
}

if (require.main === module) runMain(main);
