/** Builds the diagram model from a plan: nodes and groups first, then the edges the dependencies give. */
import { PlanResource } from "../cost/model";
import { AGGREGATED, HIDDEN, KINDS } from "./kinds";
import {
    Diagram,
    DiagramGroup,
    DiagramInput,
    Graph,
    ModelParts,
    SUBNET,
    VPC,
    addGroup,
    addNode,
    inputOf,
    isComponent,
    isCustom,
    networkGroup,
    placement,
    slug,
    tagOf,
} from "./model";
import { deriveEdges } from "./edges";

const short = (type: string) => type.split(":").pop() ?? type;

/** The group of a component, nested in its parent component's group. */
function groupOfComponent(parts: ModelParts, c: PlanResource | undefined): string | null {
    if (!c) return null;
    const parent = groupOfComponent(parts, parts.g.componentOf(c));
    return addGroup(parts, {
        id: `c_${slug(short(c.type))}_${slug(c.name)}`,
        label: `${short(c.type)} ${c.name}`,
        parent,
        kind: "component",
    });
}

const regionNote = (g: Graph, r: PlanResource) => (r.region && r.region !== g.input.region ? ` [${r.region}]` : "");

function addSubnet(parts: ModelParts, s: PlanResource): void {
    const vpc = parts.g.deps(s, "vpcId", VPC)[0];
    if (!vpc) return;
    const tier = tagOf(s, "tier") ?? "subnets";
    const az = String(inputOf(s, "availabilityZone") ?? "?");
    const group = networkGroup(
        parts,
        { ...s, propertyDependencies: { ...s.propertyDependencies, subnetId: [s.urn] } },
        {
            kind: "subnet",
            label: () => "",
        },
    );
    addNode(parts, {
        id: `subnet_${slug(s.name)}`,
        label: `${tier} subnet ${az} ${String(inputOf(s, "cidrBlock") ?? "")}`,
        kind: "subnet",
        group,
        urns: [s.urn],
    });
}

function addResourceNode(parts: ModelParts, r: PlanResource): void {
    const g = parts.g;
    const spec = KINDS[r.type];
    if (!spec) return;
    const inNetwork = !spec.outsideNetwork && placement(g, r).vpc !== undefined;
    const group = inNetwork ? networkGroup(parts, r, spec) : groupOfComponent(parts, g.componentOf(r));
    const owner = g.componentOf(r);
    const suffix = inNetwork && owner ? ` · ${short(owner.type)} ${owner.name}` : "";
    addNode(parts, {
        id: `${spec.kind}_${slug(r.name)}`,
        label: `${spec.label(r)}${regionNote(g, r)}${suffix}`,
        kind: spec.kind,
        group,
        urns: [r.urn],
    });
}

/** Alarms and log groups: one node per component and region, with the count. */
function addAggregate(parts: ModelParts, r: PlanResource): void {
    const g = parts.g;
    const what = AGGREGATED[r.type];
    const group = groupOfComponent(parts, g.componentOf(r));
    const region = r.region ?? g.input.region;
    const kind = what === "log groups" ? "logs" : "alarms";
    const id = `${kind}_${group ?? "stack"}_${slug(region)}`;
    const existing = parts.nodes.get(id);
    const n = (existing?.urns.length ?? 0) + 1;
    addNode(parts, { id, label: "", kind, group, urns: [r.urn] });
    const name = n === 1 ? what.replace(/s$/, "") : what;
    parts.nodes.get(id)!.label = `${n} ${name}${region !== g.input.region ? ` [${region}]` : ""}`;
}

/** Resources of types this module does not know: one generic node per component, listing the types. */
function addUnknown(parts: ModelParts, r: PlanResource, counts: Map<string, Map<string, number>>): void {
    const group = groupOfComponent(parts, parts.g.componentOf(r));
    const id = `other_${group ?? "stack"}`;
    addNode(parts, { id, label: "", kind: "other", group, urns: [r.urn] });
    const byType = counts.get(id) ?? new Map<string, number>();
    byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    counts.set(id, byType);
    parts.nodes.get(id)!.label = `other resources: ${[...byType.entries()]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([t, c]) => `${t} ×${c}`)
        .join(", ")}`;
}

export function buildDiagram(input: DiagramInput): Diagram {
    const g = new Graph(input);
    const parts: ModelParts = { g, groups: new Map(), nodes: new Map(), nodeOf: new Map(), edges: [] };
    const unknown = new Map<string, Map<string, number>>();
    const resources = [...input.resources].sort((a, b) => a.urn.localeCompare(b.urn));
    for (const r of resources) {
        if (r.type === SUBNET) addSubnet(parts, r);
        else if (KINDS[r.type] && (isCustom(r) || isComponent(r))) addResourceNode(parts, r);
        else if (!isCustom(r) || HIDDEN.has(r.type)) continue;
        else if (AGGREGATED[r.type]) addAggregate(parts, r);
        else addUnknown(parts, r, unknown);
    }
    // A component with nothing drawn in it (a type this module does not know, with no known children) still shows.
    for (const c of resources.filter((r) => isComponent(r) && !KINDS[r.type])) {
        const id = groupOfComponent(parts, c)!;
        const used =
            [...parts.nodes.values()].some((n) => n.group === id) ||
            [...parts.groups.values()].some((x) => x.parent === id);
        if (!used)
            addNode(parts, {
                id: `comp_${id}`,
                label: `component ${c.type} ${c.name}`,
                kind: "component",
                group: id,
                urns: [c.urn],
            });
    }
    deriveEdges(parts);
    return finish(input, parts);
}

function finish(input: DiagramInput, parts: ModelParts): Diagram {
    const groups: DiagramGroup[] = [...parts.groups.values()].sort((a, b) => a.id.localeCompare(b.id));
    const nodes = [...parts.nodes.values()].sort((a, b) => a.id.localeCompare(b.id));
    const edges = [...parts.edges].sort(
        (a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind),
    );
    return { title: `${input.stack} (${input.region})`, groups, nodes, edges };
}
