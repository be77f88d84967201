/**
 * The architecture as a graph, derived from a plan's resources and their property dependencies, never drawn by
 * hand. Nodes are the resources a reader needs (the request path, data stores, secrets and keys, the monitoring
 * path); resources that only wire those together (routes, rules, policies) give the edges and are not drawn;
 * a resource of a type this module does not know is drawn generically, counted per component, never dropped.
 * Groups are the components, and for resources inside a VPC the VPC, its subnet tiers and their AZs.
 */
import { PlanResource } from "../cost/model";
import { NodeSpec } from "./kinds";

export type EdgeKind = "request" | "data" | "secret" | "key" | "monitoring" | "network";

export interface DiagramGroup {
    id: string;
    label: string;
    parent: string | null;
    kind: "component" | "vpc" | "tier" | "az" | "outside";
}

export interface DiagramNode {
    id: string;
    label: string;
    kind: string;
    group: string | null;
    /** The URNs this node stands for (several for an aggregated node such as a set of alarms). */
    urns: string[];
}

export interface DiagramEdge {
    from: string;
    to: string;
    kind: EdgeKind;
    label?: string;
}

export interface Diagram {
    title: string;
    groups: DiagramGroup[];
    nodes: DiagramNode[];
    edges: DiagramEdge[];
}

export interface DiagramInput {
    stack: string;
    region: string;
    resources: PlanResource[];
}

export const slug = (s: string) => s.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "") || "x";

/** Relations between the plan's resources, by URN. */
export class Graph {
    readonly byUrn: Map<string, PlanResource>;
    private readonly dependents = new Map<string, PlanResource[]>();

    constructor(readonly input: DiagramInput) {
        this.byUrn = new Map(input.resources.map((r) => [r.urn, r]));
        for (const r of input.resources) {
            for (const dep of new Set(Object.values(r.propertyDependencies).flat())) {
                this.dependents.set(dep, [...(this.dependents.get(dep) ?? []), r]);
            }
        }
    }

    /** Resources a property of `r` came from (any property when none is given), of one type if given. */
    deps(r: PlanResource, property?: string, type?: string): PlanResource[] {
        const urns = property ? (r.propertyDependencies[property] ?? []) : Object.values(r.propertyDependencies).flat();
        return [...new Set(urns)]
            .map((u) => this.byUrn.get(u))
            .filter((d): d is PlanResource => d !== undefined && (!type || d.type === type));
    }

    /** Resources that reference `r` through a property (any property when none is given). */
    referencing(r: PlanResource, type?: string, property?: string): PlanResource[] {
        return (this.dependents.get(r.urn) ?? []).filter(
            (d) =>
                (!type || d.type === type) && (!property || (d.propertyDependencies[property] ?? []).includes(r.urn)),
        );
    }

    ofType(type: string): PlanResource[] {
        return this.input.resources.filter((r) => r.type === type);
    }

    /** The nearest component ancestor (not a provider or the stack), if any. */
    componentOf(r: PlanResource): PlanResource | undefined {
        let p = r.parent ? this.byUrn.get(r.parent) : undefined;
        while (p) {
            if (isComponent(p)) return p;
            p = p.parent ? this.byUrn.get(p.parent) : undefined;
        }
        return undefined;
    }
}

export const isComponent = (r: PlanResource) => r.provider === null && !r.type.startsWith("pulumi:");
export const isCustom = (r: PlanResource) => r.provider !== null && !r.type.startsWith("pulumi:");

export const SUBNET = "aws:ec2/subnet:Subnet";
export const VPC = "aws:ec2/vpc:Vpc";

export function tagOf(r: PlanResource, tag: string): string | undefined {
    const tags = (r.inputs as Record<string, unknown>)?.tags as Record<string, unknown> | undefined;
    const v = tags?.[tag];
    return typeof v === "string" ? v : undefined;
}

export function inputOf(r: PlanResource, key: string): unknown {
    return (r.inputs as Record<string, unknown> | null)?.[key];
}

/** Where a resource sits in the network: its subnets (directly or through a subnet group) and its VPC. */
export function placement(g: Graph, r: PlanResource): { subnets: PlanResource[]; vpc?: PlanResource } {
    const subnets = new Map<string, PlanResource>();
    for (const d of g.deps(r)) {
        if (d.type === SUBNET) subnets.set(d.urn, d);
        else if (/subnetGroup:SubnetGroup$/.test(d.type))
            g.deps(d, undefined, SUBNET).forEach((s) => subnets.set(s.urn, s));
    }
    const list = [...subnets.values()];
    const vpc = list.length > 0 ? g.deps(list[0], "vpcId", VPC)[0] : g.deps(r, "vpcId", VPC)[0];
    return { subnets: list, vpc };
}

export interface ModelParts {
    g: Graph;
    groups: Map<string, DiagramGroup>;
    nodes: Map<string, DiagramNode>;
    /** The node that stands for a URN (resources drawn as themselves or folded into an aggregate). */
    nodeOf: Map<string, string>;
    edges: DiagramEdge[];
}

export function addGroup(parts: ModelParts, group: DiagramGroup): string {
    if (!parts.groups.has(group.id)) parts.groups.set(group.id, group);
    return group.id;
}

export function addNode(parts: ModelParts, node: DiagramNode): void {
    const existing = parts.nodes.get(node.id);
    if (existing) {
        existing.urns.push(...node.urns);
    } else {
        parts.nodes.set(node.id, node);
    }
    for (const u of node.urns) parts.nodeOf.set(u, node.id);
}

export function addEdge(
    parts: ModelParts,
    from: string | undefined,
    to: string | undefined,
    kind: EdgeKind,
    label?: string,
) {
    if (!from || !to || from === to) return;
    if (parts.edges.some((e) => e.from === from && e.to === to && e.kind === kind && e.label === label)) return;
    parts.edges.push({ from, to, kind, ...(label ? { label } : {}) });
}

/** The group a node inside a VPC goes in: its tier, and its AZ when it sits in one AZ only. */
export function networkGroup(parts: ModelParts, r: PlanResource, spec: NodeSpec): string | null {
    const { subnets, vpc } = placement(parts.g, r);
    if (!vpc) return null;
    const cidr = inputOf(vpc, "cidrBlock");
    const owner = parts.g.componentOf(vpc);
    const vpcId = addGroup(parts, {
        id: `vpc_${slug(vpc.name)}`,
        label: `VPC ${typeof cidr === "string" ? cidr : vpc.name}${owner ? ` (${owner.type.split(":").pop()} ${owner.name})` : ""}`,
        parent: null,
        kind: "vpc",
    });
    const tiers = [...new Set(subnets.map((s) => tagOf(s, "tier") ?? "subnets"))];
    if (tiers.length !== 1) return vpcId;
    const tierId = addGroup(parts, {
        id: `${vpcId}_${slug(tiers[0])}`,
        label: `${tiers[0]} tier`,
        parent: vpcId,
        kind: "tier",
    });
    const own = inputOf(r, "availabilityZone");
    const azs =
        typeof own === "string" ? [own] : [...new Set(subnets.map((s) => String(inputOf(s, "availabilityZone"))))];
    if (azs.length !== 1 || spec.spansTier) return tierId;
    return addGroup(parts, { id: `${tierId}_${slug(azs[0])}`, label: azs[0], parent: tierId, kind: "az" });
}
