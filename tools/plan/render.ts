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

export interface PlanDocument {
    stack: string;
    mode: string;
    resources: {
        urn: string;
        type: string;
        name: string;
        parent: string | null;
        dependencies: string[];
        propertyDependencies: Record<string, string[]>;
        inputs: unknown;
        protect: boolean;
    }[];
    outputs: unknown;
    violations?: Violation[];
}

export function planDocument(
    stack: string,
    mode: string,
    resources: PlannedResource[],
    outputs: Record<string, unknown>,
    violations?: Violation[],
): PlanDocument {
    return {
        stack,
        mode,
        resources: resources.map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            parent: r.parent ?? null,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            inputs: display(r.inputs),
            protect: r.protect,
        })),
        outputs: display(outputs),
        ...(violations ? { violations } : {}),
    };
}

/** The resources as a tree under the stack: `type name`, children indented under their parent. */
export function renderTree(resources: PlannedResource[]): string {
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
            lines.push(`${prefix}${branch}${r.type}  ${r.name}${r.protect ? "  [protected]" : ""}`);
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
        return `  [${v.enforcementLevel}] ${v.policy}${where}\n      ${v.message.replace(/\n/g, "\n      ")}`;
    });
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    return `Policy violations (${mandatory} mandatory, ${violations.length - mandatory} advisory):\n${lines.join("\n")}`;
}
