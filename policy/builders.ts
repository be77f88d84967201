/**
 * The policy builders: a policy is declared once, as data plus a `check`, and `resourcePolicy`/`stackPolicy` turn
 * it into both the CrossGuard policy the engine runs and the metadata the README table is rendered from.
 */
import type {
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";

import { ResourceGraph } from "./graph";
import type { TypeGroup } from "./tokens";

/** The control family a policy belongs to (also the README grouping). */
export type PolicyCategory =
    | "encryption-at-rest"
    | "encryption-in-transit"
    | "private-networking"
    | "data-protection"
    | "multi-az"
    | "edge-protection"
    | "monitoring";

/** One configurable setting of a policy, as documented in the catalog. */
export interface PolicySetting {
    name: string;
    type: string;
    default: unknown;
    description: string;
}

/** Structured description of a policy, the source of the README table. */
export interface PolicyMetadata {
    name: string;
    kind: "resource" | "stack";
    category: PolicyCategory;
    severity: Severity;
    /** What the policy requires, in one sentence. */
    summary: string;
    /** What an engineer changes to comply. */
    remediation: string;
    /** Resource types the policy inspects. */
    resourceTypes: string[];
    settings: PolicySetting[];
    checkov: string[];
    trivy: string[];
    awsConfig: string[];
}

interface Scanners {
    checkov?: string[];
    trivy?: string[];
    awsConfig?: string[];
}

export interface CommonDef extends Scanners {
    name: string;
    category: PolicyCategory;
    severity: Severity;
    summary: string;
    remediation: string;
    types: TypeGroup;
    configSchema?: PolicyConfigSchema;
}

export type Report = (message: string) => void;
export type Settings = Record<string, unknown>;

/**
 * Defers a read of an unknown value until the policy has reported everything it could decide. A policy that
 * walks many resources (or many origins, behaviors, rules) would otherwise drop every decidable violation
 * after the first unknown; deferred, the throw (the engine's advisory) comes last and the findings stay.
 */
export type Later = (read: () => unknown) => void;

export interface ResourceDef extends CommonDef {
    check: (
        props: Record<string, unknown>,
        report: Report,
        settings: Settings,
        later: Later,
        args: ResourceValidationArgs,
    ) => void;
}

export interface StackDef extends CommonDef {
    check: (
        graph: ResourceGraph,
        report: ReportViolation,
        settings: Settings,
        later: Later,
        args: StackValidationArgs,
    ) => void;
}

export interface Built {
    policy: ResourceValidationPolicy | StackValidationPolicy;
    meta: PolicyMetadata;
}

/**
 * Settings with the schema defaults filled in. The CLI already merges defaults before `configure`, but a
 * policy called without config (unit tests, a pack run by an old CLI) must still see them.
 */
function settingsOf(schema: PolicyConfigSchema | undefined, getConfig: () => object): Settings {
    const defaults: Settings = {};
    for (const [key, prop] of Object.entries(schema?.properties ?? {})) {
        if (prop.default !== undefined) {
            defaults[key] = prop.default;
        }
    }
    return { ...defaults, ...(getConfig() as Settings) };
}

/** The fields the engine reads that every policy shares, whatever it validates. */
type PolicyFields = Pick<
    ResourceValidationPolicy,
    "name" | "description" | "severity" | "remediationSteps" | "tags"
> & {
    configSchema?: PolicyConfigSchema;
};

function common(def: CommonDef, kind: "resource" | "stack"): { fields: PolicyFields; meta: PolicyMetadata } {
    const settings = Object.entries(def.configSchema?.properties ?? {}).map(([name, s]) => ({
        name,
        type: String(s.type ?? "any"),
        default: s.default,
        description: s.description ?? "",
    }));
    return {
        fields: {
            name: def.name,
            description: `${def.summary} Fix: ${def.remediation}`,
            severity: def.severity,
            remediationSteps: def.remediation,
            tags: tags(def),
            ...(def.configSchema ? { configSchema: def.configSchema } : {}),
        },
        meta: {
            name: def.name,
            kind,
            category: def.category,
            severity: def.severity,
            summary: def.summary,
            remediation: def.remediation,
            resourceTypes: [...def.types],
            settings,
            checkov: def.checkov ?? [],
            trivy: def.trivy ?? [],
            awsConfig: def.awsConfig ?? [],
        },
    };
}

function tags(def: CommonDef): string[] {
    return [
        def.category,
        ...(def.checkov ?? []).map((id) => `checkov:${id}`),
        ...(def.trivy ?? []).map((id) => `trivy:${id}`),
        ...(def.awsConfig ?? []).map((id) => `aws-config:${id}`),
    ];
}

export function resourcePolicy(def: ResourceDef): Built {
    const { fields, meta } = common(def, "resource");
    const validate: ResourceValidation = (args, reportViolation) => {
        if (!def.types.includes(args.type)) {
            // Same reason text validateResourceOfType uses, so the engine's not-applicable list reads alike.
            args.notApplicable(`Policy only applies to resources of type '${def.types.join("' or '")}'`);
        }
        const deferred: (() => unknown)[] = [];
        def.check(
            args.props,
            (m) => reportViolation(m),
            settingsOf(def.configSchema, () => args.getConfig()),
            (read) => deferred.push(read),
            args,
        );
        deferred.forEach((read) => read());
    };
    if (def.types.length === 1) {
        // Lets the engine (and the offline evaluator) skip other types without calling the policy.
        Object.assign(validate, { __pulumiType: def.types[0] });
    }
    return { meta, policy: { ...fields, validateResource: validate } };
}

export function stackPolicy(def: StackDef): Built {
    const { fields, meta } = common(def, "stack");
    return {
        meta,
        policy: {
            ...fields,
            validateStack: (args, reportViolation) => {
                const deferred: (() => unknown)[] = [];
                def.check(
                    new ResourceGraph(args.resources),
                    reportViolation,
                    settingsOf(def.configSchema, () => args.getConfig()),
                    (read) => deferred.push(read),
                    args,
                );
                deferred.forEach((read) => read());
            },
        },
    };
}
