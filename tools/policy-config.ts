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
import { UsageError, readStackConfig } from "./plan/project";

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

function main(argv: string[]): number {
    const usage = "usage: npm run -s policy-config -- <stack> [--dir <project dir>]";
    const dirAt = argv.indexOf("--dir");
    const dir = dirAt >= 0 ? argv[dirAt + 1] : path.resolve(__dirname, "..");
    const rest = dirAt >= 0 ? [...argv.slice(0, dirAt), ...argv.slice(dirAt + 2)] : argv;
    if (rest.includes("-h") || rest.includes("--help")) {
        process.stdout.write(`${usage}\n`);
        return 0;
    }
    if (!dir || rest.length !== 1 || rest[0].startsWith("-")) throw new UsageError(usage);
    const { file } = policyConfigOf(path.resolve(dir), rest[0]);
    process.stdout.write(`${path.relative(process.cwd(), file) || file}\n`);
    return 0;
}

if (require.main === module) {
    let code: number;
    try {
        code = main(process.argv.slice(2));
    } catch (e) {
        process.stderr.write(`error: ${(e as Error).message}\n`);
        code = e instanceof UsageError ? 2 : 3;
    }
    // Set the code and let the process end by itself: output still queued for a pipe is written first.
    process.exitCode = code;
}
