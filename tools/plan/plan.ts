import * as path from "path";
import { POLICY_CONFIG_DIR, policyProfileFile } from "../../stacks/policy-profiles";
import { evaluateStack } from "./policy-eval";
import { PROJECT_DIR, RunOptions, RunResult, runProgram } from "./runner";
import { Violation } from "./types";

export interface PlanResult extends RunResult {
    violations: Violation[];
    /** The `--policy-pack-config` file the pack was evaluated with, relative to the repository. */
    policyConfig: string;
}

/**
 * Runs a stack's program offline and evaluates the policy pack on what it registered, with the stack's policy
 * profile (`policy/config/<profile>.json`, from `aws-platform:policyProfile`). Resource policies see each resource's
 * inputs; stack policies see the whole graph.
 */
export async function planStack(opts: RunOptions): Promise<PlanResult> {
    const run = await runProgram(opts);
    const violations = evaluateStack(run.policyProfile, run.resources, {
        mode: run.mode,
        configDir: POLICY_CONFIG_DIR,
    });
    const policyConfig = path.relative(PROJECT_DIR, policyProfileFile(run.policyProfile)).split(path.sep).join("/");
    return { ...run, violations, policyConfig };
}
