import { PlanDiff, renderDiff } from "./diff";
import { configHints, formatHint } from "./hints";
import { SecretDigests, secretDigests } from "./secret-digests";
import { renderCounts, resourceCounts } from "./summary";
import { PlannedResource, RESOURCE_REF_SIG, SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN, Violation } from "./types";

/** Replaces wire markers with what a reader should see: `[unknown]`, `[secret]`, or a referenced resource's URN. */
export function display(value: unknown): unknown {
    if (value === UNKNOWN) return "[unknown]";
    if (Array.isArray(value)) return value.map(display);
    if (value !== null && typeof value === "object") {
        const obj = value as Record<string, unknown>;
        if (obj[SPECIAL_SIG_KEY] === SECRET_SIG) return "[secret]";
        if (obj[SPECIAL_SIG_KEY] === RESOURCE_REF_SIG) return obj.urn;
        return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, display(v)]));
    }
    return value;
}

/** A config value the offline plan accepted but a real deployment refuses. */
export interface PlanWarningEntry {
    key: string;
    value: string;
    message: string;
}

export interface PlanDocument {
    stack: string;
    mode: string;
    /** The stack's region (`aws:region`). */
    region: string;
    /** The `--policy-pack-config` file the pack was evaluated with. */
    policyConfig?: string;
    resources: {
        urn: string;
        type: string;
        name: string;
        parent: string | null;
        /** URN of the provider a custom resource uses; null for components, providers and the stack. */
        provider: string | null;
        /** For a provider, its region input; for a custom resource, the region it lands in; otherwise null. */
        region: string | null;
        dependencies: string[];
        propertyDependencies: Record<string, string[]>;
        inputs: unknown;
        protect: boolean;
    }[];
    outputs: unknown;
    violations?: Violation[];
    warnings: PlanWarningEntry[];
    /**
     * A digest per secret value (printed as `"[secret]"` above), so that `--diff` can tell a secret changed without
     * the document holding it. Absent in plans written before digests were recorded.
     */
    secretDigests?: SecretDigests;
}

/** The URN part of a provider reference (`<urn>::<id>`; URNs contain `::` themselves). */
export function providerUrn(ref: string | undefined): string | null {
    return ref ? ref.slice(0, ref.lastIndexOf("::")) : null;
}

function stringInput(r: PlannedResource | undefined, key: string): string | undefined {
    const v = r?.inputs[key];
    return typeof v === "string" && v !== UNKNOWN ? v : undefined;
}

/**
 * The region a resource lands in: a provider's own `region` input; for a custom resource its own `region` input
 * (AWS provider v7 takes one per resource), else its provider's. Null for components and the stack.
 */
export function regionOf(r: PlannedResource, byUrn: ReadonlyMap<string, PlannedResource>): string | null {
    if (r.type.startsWith("pulumi:providers:")) return stringInput(r, "region") ?? null;
    if (!r.custom) return null;
    const provider = byUrn.get(providerUrn(r.provider) ?? "");
    return stringInput(r, "region") ?? stringInput(provider, "region") ?? null;
}

export interface PlanDocumentInput {
    stack: string;
    mode: string;
    region: string;
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
    violations?: Violation[];
    warnings?: PlanWarningEntry[];
    policyConfig?: string;
}

export function planDocument(plan: PlanDocumentInput): PlanDocument {
    const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
    return {
        stack: plan.stack,
        mode: plan.mode,
        region: plan.region,
        ...(plan.policyConfig ? { policyConfig: plan.policyConfig } : {}),
        resources: plan.resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            provider: providerUrn(r.provider),
            region: regionOf(r, byUrn),
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            inputs: display(r.inputs),
            protect: r.protect,
        })),
        outputs: display(plan.outputs),
        ...(plan.violations ? { violations: plan.violations } : {}),
        warnings: plan.warnings ?? [],
        secretDigests: secretDigests(plan.resources, plan.outputs),
    };
}

/**
 * The resources as a tree under the stack: `type name`, children indented under their parent. Default providers,
 * which have no parent, come first; a resource in another region than the stack's is marked with that region.
 */
export function renderTree(resources: PlannedResource[], stackRegion?: string): string {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const children = new Map<string | undefined, PlannedResource[]>();
    for (const r of resources) {
        const list = children.get(r.parent) ?? [];
        list.push(r);
        children.set(r.parent, list);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, prefix: string) => {
        const list = children.get(parent) ?? [];
        list.forEach((r, i) => {
            const last = i === list.length - 1;
            const branch = parent === undefined ? "" : last ? "└─ " : "├─ ";
            const region = regionOf(r, byUrn);
            const elsewhere = stackRegion && region && region !== stackRegion ? `  [region ${region}]` : "";
            lines.push(`${prefix}${branch}${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}${elsewhere}`);
            walk(r.urn, parent === undefined ? "" : prefix + (last ? "   " : "│  "));
        });
    };
    walk(undefined, "");
    return lines.join("\n");
}

export function renderViolations(violations: Violation[]): string {
    if (violations.length === 0) return "Policies: no violations.";
    const lines = violations.map((v) => {
        const where = v.urn
            ? ` ${v.urn.split("::").slice(-1)[0]} (${v.urn.split("::")[2]?.split("$").pop()})`
            : " (stack)";
        // Where a setting fixes the violation, say which: the policy's own remediation speaks of resources.
        const fixes = configHints(v).map((h) => `\n      Fix in the stack's config: ${formatHint(h)}`);
        return `  [${v.enforcementLevel}] ${v.policy}${where}\n      ${v.message.replace(/\n/g, "\n      ")}${fixes.join("")}`;
    });
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    return `Policy violations (${mandatory} mandatory, ${violations.length - mandatory} advisory):\n${lines.join("\n")}`;
}

/** Warnings for stderr: each key, its value and why a real deployment refuses it. */
export function renderWarnings(warnings: PlanWarningEntry[]): string {
    return warnings.map((w) => `warning: ${w.key}: ${JSON.stringify(w.value)} ${w.message}`).join("\n");
}

/** The terminal output: the tree, the counts, the policy verdict with its config file, and the diff if asked for. */
export function renderHuman(
    plan: PlanDocumentInput & { violations: Violation[]; policyConfig: string },
    doc: PlanDocument,
    diff?: PlanDiff,
): string {
    const mode =
        plan.mode === "preview" ? "preview: as `pulumi preview` sees a new stack" : "update: as `pulumi up` sees it";
    return (
        `Stack ${plan.stack} (${mode}), region ${plan.region}\n\n` +
        `${renderTree(plan.resources, plan.region)}\n\n${renderCounts(resourceCounts(doc.resources))}\n\n` +
        `Policy pack config: ${plan.policyConfig}\n${renderViolations(plan.violations)}` +
        (diff ? `\n\n${renderDiff(diff)}` : "")
    );
}
