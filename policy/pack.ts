/**
 * Identity of the policy pack, shared by the pack entry (index.ts) and the offline evaluator so that the
 * offline messages (`... from policy pack 'aws-platform@v0.1.0' ...`) match what the engine prints.
 */
import { readFileSync } from "fs";
import * as path from "path";

import type { EnforcementLevel } from "@pulumi/policy";

/** Name the pack is published and reported under. */
export const packName = "aws-platform";

/**
 * Level of every policy that neither the policy nor the stack's config file overrides. Mandatory, so a
 * stack without a config file gets the full guard rails.
 */
export const packEnforcementLevel: EnforcementLevel = "mandatory";

/** Pack description, also used by PulumiPolicy.yaml readers. */
export const packDescription =
    "aws-platform guard rails: encryption at rest and in transit, private networking, Multi-AZ, edge protection.";

/**
 * The pack version. `PolicyPack` itself reads `./package.json` from the working directory (the CLI runs
 * the pack from `policy/`), so reading the same file here keeps the two in step.
 */
export const packVersion: string = (
    JSON.parse(readFileSync(path.join(__dirname, "package.json"), "utf8")) as { version: string }
).version;
