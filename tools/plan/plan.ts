import { evaluateStack } from "./policy-eval";
import * as path from "path";
import { PROJECT_DIR, RunOptions, RunResult, runProgram } from "./runner";
import { Violation } from "./types";

export interface PlanResult extends RunResult {
    violations: Violation[];
}

/**
 * Runs a stack's program offline and evaluates the policy pack on what it registered, with the stack's
 * policy config (`policy/config/<stack>.json`, or the pack's mandatory defaults when there is none).
 * Resource policies see each resource's inputs; stack policies see the whole graph.
 */
export async function planStack(opts: RunOptions): Promise<PlanResult> {
    const run = await runProgram(opts);
    const configDir = path.join(opts.dir ?? PROJECT_DIR, "policy", "config");
    const violations = evaluateStack(opts.stack, run.resources, { mode: run.mode, configDir });
    return { ...run, violations };
}
