/**
 * Regenerates the policy table in README.md and policy/README.md from the policy catalog and the per-stack configs:
 *   node -r ts-node/register/transpile-only policy/scripts/render-readme.ts
 */
import { readdirSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";

import { defaultPolicyConfigDir, loadPolicyConfig, resolvePolicyConfig } from "../../tools/plan/policy-eval";
import { renderPolicyTable, replaceTable, type StackLevels } from "../catalog";
import { packEnforcementLevel } from "../pack";
import { policies, policyCatalog } from "../policies";

/** Effective level per policy for every stack that has a config file. */
export function stackLevels(dir: string = defaultPolicyConfigDir): StackLevels {
    const levels: StackLevels = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".json"))) {
        const stack = path.basename(file, ".json");
        const resolved = resolvePolicyConfig(policies, loadPolicyConfig(stack, dir));
        levels[stack] = Object.fromEntries(
            policies.map((p) => [p.name, resolved[p.name].enforcementLevel ?? packEnforcementLevel]),
        );
    }
    return levels;
}

/** The README with its table regenerated. */
export function renderedReadme(readmePath: string): string {
    const table = renderPolicyTable(policyCatalog, stackLevels(), packEnforcementLevel);
    return replaceTable(readFileSync(readmePath, "utf8"), table);
}

/** The READMEs that carry the generated table. */
export const READMES = [path.resolve(__dirname, "../../README.md"), path.resolve(__dirname, "../README.md")];

if (require.main === module) {
    for (const readme of READMES) {
        writeFileSync(readme, renderedReadme(readme));
        console.log(`updated ${readme}`);
    }
}
