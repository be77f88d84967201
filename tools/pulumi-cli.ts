/**
 * The oldest Pulumi CLI that can deploy this project, derived from what Pulumi.yaml uses, and the check that
 * Pulumi.yaml's `requiredPulumiVersion` asks for at least that. The CLI enforces that field itself from 3.219.0
 * (pulumi/pulumi#21627); older CLIs ignore the key, and those older than the minimum already refuse Pulumi.yaml.
 */
import * as semver from "semver";

/** The parts of Pulumi.yaml that decide which CLI can run it. */
export interface ProjectRequirements {
    config?: Record<string, unknown>;
    requiredPulumiVersion?: unknown;
}

/** The first CLI release to accept each Pulumi.yaml feature, from pulumi/pulumi's changelog and sources. */
const FEATURES: { since: string; what: string; uses: (p: ProjectRequirements) => boolean }[] = [
    {
        since: "3.44.0",
        what: "typed project config in Pulumi.yaml (pulumi/pulumi#10832)",
        uses: (p) => declarations(p).some((d) => d.type !== undefined),
    },
    {
        // 3.186.0 added "object" to the schema but still rejected an object default or value.
        since: "3.187.0",
        what: "project config of `type: object` (pulumi/pulumi#20129, #20132)",
        uses: (p) => declarations(p).some((d) => d.type === "object"),
    },
];

function declarations(p: ProjectRequirements): { type?: unknown }[] {
    return Object.values(p.config ?? {}).filter(
        (d): d is { type?: unknown } => d !== null && typeof d === "object" && !Array.isArray(d),
    );
}

/** The oldest CLI that runs the project, and the features that need it (none: any Pulumi 3 CLI). */
export function minimumCli(project: ProjectRequirements): { version: string; because: string[] } {
    const used = FEATURES.filter((f) => f.uses(project));
    const version = used.map((f) => f.since).reduce((a, b) => (semver.gt(b, a) ? b : a), "3.0.0");
    return { version, because: used.filter((f) => f.since === version).map((f) => f.what) };
}

/**
 * Problems with the project's `requiredPulumiVersion`: absent, not a version range, or admitting a CLI older than
 * the features Pulumi.yaml uses need. Each names the field, the value and what is expected.
 */
export function checkRequiredPulumiVersion(project: ProjectRequirements): string[] {
    const { version, because } = minimumCli(project);
    const expected = `a range whose lowest version is at least ${version}, e.g. ">=${version}"`;
    const why = because.length > 0 ? ` (${because.join("; ")})` : "";
    const range = project.requiredPulumiVersion;
    if (range === undefined) return [`requiredPulumiVersion: is not set; expected ${expected}${why}`];
    if (typeof range !== "string" || semver.validRange(range) === null)
        return [`requiredPulumiVersion: ${JSON.stringify(range)} is not a version range; expected ${expected}`];
    const lowest = semver.minVersion(range)!;
    if (semver.lt(lowest, version))
        return [`requiredPulumiVersion: "${range}" admits ${lowest.version}; expected ${expected}${why}`];
    return [];
}
