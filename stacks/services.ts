import { z } from "zod";
import { ConfigIssue } from "./common";
import type { SecretsSettings } from "./secrets";

// Owned by the FargateService work (issue 5): schema for `aws-platform:services`.
export const servicesSchema = z.strictObject({});

export type ServicesSettings = z.output<typeof servicesSchema>;

/**
 * Cross-field and cross-section checks; `secrets` is undefined when that section itself failed to parse.
 * Keys are full config keys (`aws-platform:services.<path>`).
 */
export function checkServices(_s: ServicesSettings, _secrets: SecretsSettings | undefined): ConfigIssue[] {
    return [];
}
