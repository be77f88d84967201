/**
 * Policy profiles: the `--policy-pack-config` files in policy/config, one per profile, chosen by a stack with
 * `aws-platform:policyProfile`. A new stack picks a profile instead of adding a file of its own.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ConfigIssue } from "./common";

/** Where the profiles live: the policy pack's config directory, next to the program. */
export const POLICY_CONFIG_DIR = path.resolve(__dirname, "..", "policy", "config");

/** The profile of a stack that does not choose one: the strictest, so forgetting the key never loosens a gate. */
export const DEFAULT_POLICY_PROFILE = "production";

const PROFILE_NAME = /^[a-z][a-z0-9-]*$/;

/** The profiles that exist, by file name (`<profile>.json`), sorted. */
export function listPolicyProfiles(dir: string = POLICY_CONFIG_DIR): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => path.basename(f, ".json"))
        .filter((p) => PROFILE_NAME.test(p))
        .sort();
}

/** The `--policy-pack-config` file of a profile. */
export function policyProfileFile(profile: string, dir: string = POLICY_CONFIG_DIR): string {
    return path.join(dir, `${profile}.json`);
}

export const policyProfileSchema = z
    .string()
    .default(DEFAULT_POLICY_PROFILE)
    .describe(
        "The policy profile whose enforcement levels and settings the policy pack applies to this stack: the file " +
            "policy/config/<profile>.json, passed to pulumi preview and up as --policy-pack-config. The default is " +
            "the strictest profile.",
    )
    .meta({ allowed: `a file name in policy/config: ${listPolicyProfiles().join(", ")}` });

/** The profile must name an existing file. */
export function checkPolicyProfile(profile: string, dir: string = POLICY_CONFIG_DIR): ConfigIssue[] {
    const profiles = listPolicyProfiles(dir);
    if (PROFILE_NAME.test(profile) && profiles.includes(profile)) return [];
    return [
        {
            key: "aws-platform:policyProfile",
            value: profile,
            message: `names no policy profile; expected one of ${profiles.join(", ") || "(none: policy/config is empty)"} (files in policy/config)`,
        },
    ];
}
