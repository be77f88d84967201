/**
 * The regions the platform plans for and the Availability Zones a new account sees in each, kept as data in
 * regions.json (with its date and sources). The settings check `aws:region` and `network.azCount` against it, and the
 * offline plan answers `aws.getAvailabilityZones` from it.
 */
import table from "./regions.json";
import { ConfigIssue } from "./common";

export interface RegionInfo {
    /** AWS's name for the region, e.g. "Europe (Ireland)". */
    name: string;
    /** The Availability Zone names a new account sees, in order. */
    azs: string[];
    /** Why the count differs from what AWS lists, when it does. */
    note?: string;
}

const REGIONS = table.regions as Record<string, RegionInfo>;

/** The date the table was last checked against AWS's documentation. */
export const REGIONS_AS_OF: string = table.asOf;

/** What `aws:region` is, for the config reference. */
export const REGION_DESCRIPTION =
    "The stack's region: every resource is created there, and AZ names, endpoints and ARNs derive from it. The " +
    "region decides how many Availability Zones network.azCount may span: the zones a new account sees there.";

/** How to add a region that is missing, for error messages. */
export const HOW_TO_ADD_REGION: string = table.howToAdd;

/** The table's entry for a region, or undefined when the platform does not know it. */
export function regionInfo(region: string): RegionInfo | undefined {
    return Object.prototype.hasOwnProperty.call(REGIONS, region) ? REGIONS[region] : undefined;
}

/** Every region in the table, sorted. */
export function knownRegions(): string[] {
    return Object.keys(REGIONS).sort();
}

/** `aws:region`: required, and in the table. */
export function checkRegion(region: unknown): ConfigIssue[] {
    if (region === undefined) {
        return [
            {
                key: "aws:region",
                message: 'is required; set it with `pulumi config set aws:region <region>`, e.g. "eu-west-1"',
            },
        ];
    }
    if (typeof region !== "string" || !regionInfo(region)) {
        return [
            {
                key: "aws:region",
                value: region,
                message:
                    `is not a region the platform knows (stacks/regions.json, checked ${REGIONS_AS_OF}); expected one of ` +
                    `${knownRegions().join(", ")}. To add a region, ${HOW_TO_ADD_REGION}`,
            },
        ];
    }
    return [];
}

/** `network.azCount` against the AZs the region offers a new account. `explicit` says whether the stack set it. */
export function checkAzCount(region: string, azCount: number, explicit: boolean): ConfigIssue[] {
    const info = regionInfo(region);
    if (!info || azCount <= info.azs.length) return [];
    const set = explicit ? "" : ` (the default; set aws-platform:network.azCount to at most ${info.azs.length})`;
    return [
        {
            key: "aws-platform:network.azCount",
            value: azCount,
            message:
                `is more than the ${info.azs.length} Availability Zones ${region} offers a new account ` +
                `(${info.azs.join(", ")}; stacks/regions.json, checked ${REGIONS_AS_OF})${set}`,
        },
    ];
}
