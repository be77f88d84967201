/**
 * How the configured engine version meets the running cluster's: `engineVersionProblems` (pure: versions in,
 * problems out) and `runningEngineVersion`, which reads the running one.
 *
 * While automatic minor upgrades are on, the cluster's `engineVersion` is left alone by Pulumi (AWS moves past the
 * configured minor, and a rollback would be refused), but its cluster parameter group's family follows the
 * configured major. A major change under those conditions would attach an `aurora-postgresql<new>` group to a
 * cluster still on the old major, which RDS rejects, after the new group was created. So a major upgrade is an
 * explicit step: the new version together with `autoMinorVersionUpgrade: false`, which lets the cluster's version
 * change, and RDS then receives the version, the new family's group and AllowMajorVersionUpgrade in one
 * ModifyDBCluster call, as AWS requires ('Upgrading the Aurora PostgreSQL engine to a new major version').
 */

import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** `<major>.<minor>` as numbers, or undefined for another shape. */
function parse(version: string): { major: number; minor: number } | undefined {
    const m = /^(\d+)\.(\d+)$/.exec(version);
    return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/**
 * Why `configured` cannot be applied to a cluster running `running`, or an empty list. `running` is undefined for a
 * cluster that does not exist yet, and then anything goes. Messages name the setting and what to do.
 */
export function engineVersionProblems(configured: string, running: string | undefined, autoMinor: boolean): string[] {
    if (running === undefined) return [];
    const want = parse(configured);
    const have = parse(running);
    if (!want || !have) return [];
    const ahead = want.major !== have.major ? want.major > have.major : want.minor > have.minor;
    const behind = want.major !== have.major ? want.major < have.major : want.minor < have.minor;
    // Behind within the major is what automatic minor upgrades do; behind across majors, or with them off, would
    // be a downgrade.
    if (behind && (want.major < have.major || !autoMinor)) {
        return [
            `engineVersion ${configured} is older than the running ${running}, and RDS cannot downgrade; ` +
                `set engineVersion to ${running}${want.major < have.major ? " or a later version of that major" : ""}`,
        ];
    }
    if (ahead && autoMinor) {
        const major = want.major > have.major;
        return [
            `engineVersion ${configured} is ${major ? "a major" : "an"} upgrade from the running ${running}, which ` +
                "is left to AWS while autoMinorVersionUpgrade is on; apply it with autoMinorVersionUpgrade: false in " +
                `the same update${major ? " (otherwise the new parameter group family would not match the old major)" : ""}`,
        ];
    }
    return [];
}

/**
 * The engine version of the cluster named `id` as AWS reports it now, or undefined when no such cluster exists yet
 * (a new stack). Read at preview too, so a version that cannot be applied is refused before anything changes.
 */
export function runningEngineVersion(parent: pulumi.Resource, id: string): pulumi.Output<string | undefined> {
    return aws.rds
        .getClustersOutput({ filters: [{ name: "db-cluster-id", values: [id] }] }, { parent })
        .clusterIdentifiers.apply(async (ids) =>
            ids.includes(id)
                ? (await aws.rds.getCluster({ clusterIdentifier: id }, { parent })).engineVersion
                : undefined,
        );
}
