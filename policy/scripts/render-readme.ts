/**
 * Regenerates the policy table in README.md and policy/README.md from the policy catalog and the policy profiles
 * (policy/config/<profile>.json), one column per profile:
 *   node -r ./tools/register.js policy/scripts/render-readme.ts
 */
import { readFileSync, writeFileSync } from "fs";
import * as path from "path";

import { POLICY_CONFIG_DIR, listPolicyProfiles } from "../../stacks/policy-profiles";
import { loadPolicyConfig, resolvePolicyConfig } from "../../tools/plan/policy-eval";
import { renderPolicySummary, renderPolicyTable, replaceTable, type StackLevels } from "../catalog";
import { packEnforcementLevel } from "../pack";
import { policies, policyCatalog } from "../policies";

/** Effective level per policy for every policy profile (profile → policy → level). */
export function profileLevels(dir: string = POLICY_CONFIG_DIR): StackLevels {
    const levels: StackLevels = {};
    for (const profile of listPolicyProfiles(dir)) {
        const resolved = resolvePolicyConfig(policies, loadPolicyConfig(profile, dir));
        levels[profile] = Object.fromEntries(
            policies.map((p) => [p.name, resolved[p.name].enforcementLevel ?? packEnforcementLevel]),
        );
    }
    return levels;
}

/** The root README, which carries the short summary; policy/README.md carries the full table. */
export const ROOT_README = path.resolve(__dirname, "../../README.md");
export const POLICY_README = path.resolve(__dirname, "../README.md");

/** What a README carries: the short summary in the root README, the full table in policy/README.md. */
export function tableFor(readmePath: string): string {
    return path.resolve(readmePath) === ROOT_README
        ? renderPolicySummary(policyCatalog, profileLevels(), packEnforcementLevel)
        : renderPolicyTable(policyCatalog, profileLevels(), packEnforcementLevel);
}

/** The README with its table regenerated. */
export function renderedReadme(readmePath: string): string {
    return replaceTable(readFileSync(readmePath, "utf8"), tableFor(readmePath));
}

/** The READMEs that carry a generated table. */
export const READMES = [ROOT_README, POLICY_README];

if (require.main === module) {
    for (const readme of READMES) {
        writeFileSync(readme, renderedReadme(readme));
        console.log(`updated ${readme}`);
    }
}
