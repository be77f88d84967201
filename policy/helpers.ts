/**
 * Small value helpers shared by policies of several areas.
 */
import type { PolicyResource, ReportViolation } from "@pulumi/policy";
import type { Report, ResourceDef, Settings } from "./builders";
import { label, type ResourceGraph } from "./graph";
import { isSet, isUnknown, peek } from "./values";

/** AWS-managed keys (`alias/aws/<service>`) are not customer-managed: no key policy, no rotation control. */
export function isAwsManagedKeyRef(v: unknown): boolean {
    return typeof v === "string" && /(^|:)alias\/aws\//.test(v);
}

/** Requires a customer-managed key reference in `key`: present, and not an `alias/aws/...` managed key. */
export function requireCmk(props: Record<string, unknown>, key: string, report: Report, what: string): void {
    if (!isSet(props, key)) {
        report(`${key} is not set, so ${what} uses an AWS-owned or AWS-managed key.`);
    } else if (isAwsManagedKeyRef(peek(props, key))) {
        report(`${key} is '${String(peek(props, key))}', an AWS-managed key; use the platform's customer-managed key.`);
    }
}

/** Reads a nested path through the proxy, so an unknown on the way throws the engine's UnknownValueError. */
export function readPath(props: Record<string, unknown>, path: (string | number)[]): unknown {
    let cur: unknown = props;
    for (const key of path) {
        cur = (cur as Record<string | number, unknown>)[key];
    }
    return cur;
}

/**
 * A check that reports a boolean at `path` set to true. An unknown value on the way is read through the proxy,
 * so the engine reports its "can't run during preview" advisory instead of the policy passing silently.
 */
export function mustNotBeTrue(path: string[]): ResourceDef["check"] {
    return (props, report) => {
        let value: unknown = props;
        for (const key of path) {
            value = peek(value, key);
            if (isUnknown(value)) {
                readPath(props, path);
            }
        }
        if (value === true) {
            report(`${path.join(".")} is true.`);
        }
    };
}

export function settingNumber(settings: Settings, key: string): number {
    return Number(settings[key]);
}

export function asList(v: unknown): unknown[] {
    return Array.isArray(v) ? v : v === undefined ? [] : [v];
}

/**
 * Reports a subnet group whose subnets are not this stack's aws.ec2.Subnet resources (their tier is then unknown), or
 * that includes a public subnet. Shared by the RDS and ElastiCache subnet-group policies, which judge alike.
 */
export function reportPublicSubnets(
    graph: ResourceGraph,
    group: PolicyResource,
    subnets: PolicyResource[],
    report: ReportViolation,
): void {
    if (subnets.length === 0) {
        report(
            `${label(group)}: subnetIds do not come from aws.ec2.Subnet resources in this stack, so their tier cannot be verified.`,
            group.urn,
        );
        return;
    }
    const publicOnes = subnets.filter((s) => graph.tierOf(s) === "public");
    if (publicOnes.length > 0) {
        report(
            `${label(group)} includes public subnet(s) ${publicOnes.map((s) => `'${s.name}'`).join(", ")}.`,
            group.urn,
        );
    }
}
