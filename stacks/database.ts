import { z } from "zod";
import { ConfigIssue } from "./common";

// Owned by the AuroraCluster work (issue 4): schema for `aws-platform:database`.
export const databaseSchema = z.strictObject({});

export type DatabaseSettings = z.output<typeof databaseSchema>;

/** Cross-field checks on the parsed section; keys are full config keys (`aws-platform:database.<path>`). */
export function checkDatabase(_d: DatabaseSettings): ConfigIssue[] {
    return [];
}
