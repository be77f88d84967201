/**
 * `npm run -s policy-config -- <stack> [--dir <project dir>]` prints the `--policy-pack-config` file of a stack: the
 * policy profile its `aws-platform:policyProfile` names (default production). CI passes it to `pulumi preview` and
 * `pulumi up` next to `--policy-pack policy`, so the gate there is the one the offline plan applies.
 *
 * Exit codes: 0 printed; 2 bad usage, a missing stack file or a profile that does not exist.
 */
import * as path from "path";
import { PROJECT, formatIssue } from "../stacks/common";
import { DEFAULT_POLICY_PROFILE, checkPolicyProfile, policyProfileFile } from "../stacks/policy-profiles";
import { parseCli, printUsage, runMain, stackArgProblem, UsageError, write } from "./cli-common";
import { readStackConfig } from "./plan/project";

/** The stack's policy profile and the absolute path of its file. */
export function policyConfigOf(dir: string, stack: string): { profile: string; file: string } {
    const { raw } = readStackConfig(dir, stack);
    const profile = raw[`${PROJECT}:policyProfile`] ?? DEFAULT_POLICY_PROFILE;
    if (typeof profile !== "string") {
        throw new UsageError(`${PROJECT}:policyProfile: ${JSON.stringify(profile)} is not a profile name (a string)`);
    }
    const issues = checkPolicyProfile(profile);
    if (issues.length > 0) throw new UsageError(issues.map(formatIssue).join("\n"));
    return { profile, file: policyProfileFile(profile) };
}

const USAGE =
    "usage: npm run -s policy-config -- <stack> [--dir <project dir>]\n" +
    "  stack      a stack with a Pulumi.<stack>.yaml file\n" +
    "  --dir      the project directory holding the stack file (default: this repository)\n" +
    "  -h, --help print this help";

const SPEC = {
    usage: USAGE,
    options: { dir: { type: "string", takes: "a directory" } },
    positionals: { min: 1, max: 1, what: "stack name" },
} as const;

async function main(): Promise<number> {
    const { help, values, positionals } = parseCli(process.argv.slice(2), SPEC);
    if (help) return printUsage(USAGE);
    const badStack = stackArgProblem(positionals[0]);
    if (badStack) throw new UsageError(`${badStack}\n${USAGE}`);
    const { file } = policyConfigOf(path.resolve(values.dir ?? path.resolve(__dirname, "..")), positionals[0]);
    await write(process.stdout, `${path.relative(process.cwd(), file) || file}\n`);
    return 0;
}

if (require.main === module) runMain(main);
