/**
 * What an AuroraCluster relies on, checked before any resource is registered. Pure: args in, problems out.
 */
import type { AuroraClusterArgs } from "../auroraCluster";
import { dataApiProblems } from "./dataApi";
import { checkIamUsersArgs } from "./iamUsers";

/** Aurora PostgreSQL version when none is given. */
export const DEFAULT_ENGINE_VERSION = "16.6";
/** Instance class when none is given: Graviton4, memory-optimised. */
export const DEFAULT_INSTANCE_CLASS = "db.r8g.large";

/** AWS's rule for cluster and instance identifiers: 1-63 letters, digits or hyphens, starting with a letter. */
const IDENTIFIER = /^[a-z][a-z0-9-]*$/;

/** The engine major of `<major>.<minor>`, or undefined when the version has another shape. */
export function engineMajor(engineVersion: string): string | undefined {
    return /^(\d+)\.\d+$/.exec(engineVersion)?.[1];
}

/** Every problem of `args`, each naming the component; empty when the args can be deployed. */
export function auroraProblems(name: string, args: AuroraClusterArgs): string[] {
    const problems: string[] = [];
    const id = args.clusterIdentifier;
    if (id.length > 60 || !IDENTIFIER.test(id) || id.endsWith("-") || id.includes("--")) {
        problems.push(
            `AuroraCluster ${name}: clusterIdentifier "${id}" is not valid; expected 1-60 lowercase letters, ` +
                "digits or single hyphens, starting with a letter and not ending with a hyphen",
        );
    }
    // A subnet group needs subnets in two AZs (AWS rejects one), and failover needs somewhere to go.
    if (args.subnetIds.length < 2) {
        problems.push(
            `AuroraCluster ${name}: ${args.subnetIds.length} subnet(s); a DB subnet group needs at least 2 AZs`,
        );
    }
    const engineVersion = args.engineVersion ?? DEFAULT_ENGINE_VERSION;
    if (!engineMajor(engineVersion)) {
        problems.push(`AuroraCluster ${name}: engineVersion "${engineVersion}" is not <major>.<minor>`);
    }
    if ((args.instanceClass ?? DEFAULT_INSTANCE_CLASS) === "db.serverless" && !args.serverless) {
        problems.push(`AuroraCluster ${name}: instanceClass db.serverless needs a serverless capacity range`);
    }
    if ((args.iamDatabaseUsers ?? []).length > 0) {
        // The users are created through the RDS Data API, which not every version and class offers.
        for (const p of dataApiProblems(engineVersion, args.instanceClass ?? DEFAULT_INSTANCE_CLASS)) {
            problems.push(`AuroraCluster ${name}: ${p}`);
        }
        problems.push(
            ...checkIamUsersArgs(name, {
                users: args.iamDatabaseUsers ?? [],
                databaseName: args.databaseName ?? "app",
                masterUsername: args.masterUsername ?? "dbadmin",
            }),
        );
    }
    return problems;
}
