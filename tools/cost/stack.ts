/** The estimate of a stack: its program run offline as `pulumi up` sees it, then priced. */
import { planDocument } from "../plan/render";
import { RunResult, runProgram } from "../plan/runner";
import { Assumptions } from "./assumptions";
import { EstimateOptions, estimateCost } from "./estimate";
import { CostEstimate, CostInput } from "./model";

/** The plan fields the estimate reads, in the plan document's form (`npm run plan -- <stack> --update --json`). */
export function costInput(run: RunResult): CostInput {
    const doc = planDocument(run);
    return { stack: doc.stack, region: doc.region, resources: doc.resources };
}

export async function estimateStack(
    stack: string,
    opts: { dir?: string; assumptions?: Assumptions; pricesDir?: string } = {},
): Promise<CostEstimate> {
    const run = await runProgram({ stack, mode: "update", dir: opts.dir });
    const estimateOpts: EstimateOptions = { assumptions: opts.assumptions, pricesDir: opts.pricesDir };
    return estimateCost(costInput(run), estimateOpts);
}
