/**
 * Resource counts for a reviewer: how many resources each top-level component brings, and how many of each type.
 * Both tables count every resource of the plan exactly once, so each adds up to the plan's total.
 */
import type { PlanDocument } from "./render";

type Resource = Pick<PlanDocument["resources"][number], "urn" | "type" | "name" | "parent" | "provider">;

export interface Count {
    /** A component (`type name`), or a resource type. */
    label: string;
    count: number;
}

export interface ResourceCounts {
    total: number;
    /**
     * Each component directly under the stack, with everything beneath it (itself included); resources in no
     * component (the stack, providers) under {@link OUTSIDE_COMPONENTS}.
     */
    byComponent: Count[];
    byType: Count[];
}

/** What a resource outside every component is counted under: the stack itself and the providers. */
export const OUTSIDE_COMPONENTS = "(outside components: the stack and providers)";

const STACK_TYPE = "pulumi:pulumi:Stack";

const byCountThenLabel = (a: Count, b: Count) => b.count - a.count || a.label.localeCompare(b.label);

export function resourceCounts(resources: readonly Resource[]): ResourceCounts {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const root = resources.find((r) => r.type === STACK_TYPE && !r.parent);
    /** The ancestor of `r` whose parent is the stack (the resource itself if it is one), or undefined. */
    const topLevel = (r: Resource): Resource | undefined => {
        let current: Resource | undefined = r;
        const seen = new Set<string>();
        while (current && current.parent && current.parent !== root?.urn && !seen.has(current.urn)) {
            seen.add(current.urn);
            current = byUrn.get(current.parent);
        }
        return current && current.parent && current.parent === root?.urn ? current : undefined;
    };
    // Components are the resources with no provider that are not providers themselves.
    const isComponent = (r: Resource) => !r.provider && !r.type.startsWith("pulumi:providers:");
    const components = new Map<string, number>();
    const types = new Map<string, number>();
    for (const r of resources) {
        const top = topLevel(r);
        const label = top && isComponent(top) ? `${top.type} ${top.name}` : OUTSIDE_COMPONENTS;
        components.set(label, (components.get(label) ?? 0) + 1);
        types.set(r.type, (types.get(r.type) ?? 0) + 1);
    }
    const list = (m: Map<string, number>) => [...m].map(([label, count]) => ({ label, count })).sort(byCountThenLabel);
    return { total: resources.length, byComponent: list(components), byType: list(types) };
}

/** The counts as plain text: two right-aligned columns under each heading. */
export function renderCounts(counts: ResourceCounts): string {
    const width = String(counts.total).length;
    const rows = (list: Count[]) => list.map((c) => `  ${String(c.count).padStart(width)}  ${c.label}`).join("\n");
    return (
        `${counts.total} resources\n\nBy component:\n${rows(counts.byComponent)}\n\n` +
        `By type (${counts.byType.length} types):\n${rows(counts.byType)}`
    );
}
