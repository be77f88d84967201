/**
 * The diagram as Mermaid (rendered by GitHub in Markdown) and as a Graphviz DOT graph (rendered to SVG by Graphviz
 * compiled to WebAssembly), both from the same model, so they can never disagree.
 */
import { Diagram, DiagramGroup, DiagramNode, EdgeKind } from "./model";

/** Mermaid labels are quoted strings: quotes and angle brackets are written as entities. */
const mermaidText = (s: string) => s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");

const SHAPES: Record<string, [string, string]> = {
    db: ["[(", ")]"],
    dbi: ["[(", ")]"],
    cache: ["[(", ")]"],
    bucket: ["[(", ")]"],
    ecr: ["[(", ")]"],
    viewer: ["((", "))"],
    key: ["{{", "}}"],
    secret: ["{{", "}}"],
    waf: ["{{", "}}"],
};

const MERMAID_ARROWS: Record<EdgeKind, string> = {
    request: "==>",
    data: "-->",
    secret: "-.->",
    key: "-.->",
    monitoring: "-.->",
    network: "-->",
};

function children<T extends { group: string | null } | DiagramGroup>(
    items: T[],
    parent: string | null,
    key: (t: T) => string | null,
) {
    return items.filter((i) => key(i) === parent);
}

export function toMermaid(d: Diagram): string {
    const out = [
        `%% Architecture of stack ${d.title}, generated from the offline plan by tools/diagram: do not edit.`,
        "flowchart LR",
    ];
    const nodeLine = (n: DiagramNode, pad: string) => {
        const [open, close] = SHAPES[n.kind] ?? ["[", "]"];
        return `${pad}${n.id}${open}"${mermaidText(n.label)}"${close}`;
    };
    const walk = (parent: string | null, depth: number) => {
        const pad = "    ".repeat(depth);
        for (const n of children(d.nodes, parent, (x) => x.group)) out.push(nodeLine(n, pad));
        for (const g of children(d.groups, parent, (x) => x.parent)) {
            out.push(`${pad}subgraph ${g.id}["${mermaidText(g.label)}"]`);
            walk(g.id, depth + 1);
            out.push(`${pad}end`);
        }
    };
    walk(null, 1);
    for (const e of d.edges) {
        const label = e.label ? `|"${mermaidText(e.label)}"|` : "";
        out.push(`    ${e.from} ${MERMAID_ARROWS[e.kind]}${label} ${e.to}`);
    }
    out.push(
        "    classDef key fill:#fff4d6,stroke:#b8860b",
        "    classDef data fill:#e8f0fe,stroke:#3b6fd8",
        "    classDef monitor fill:#fde8e8,stroke:#c0392b",
        "    classDef other fill:#eeeeee,stroke:#888888,stroke-dasharray:3 3",
    );
    const classOf: Record<string, string> = {
        key: "key",
        secret: "key",
        db: "data",
        dbi: "data",
        cache: "data",
        bucket: "data",
        alarms: "monitor",
        topic: "monitor",
        sub: "monitor",
        dash: "monitor",
        budget: "monitor",
        other: "other",
        component: "other",
    };
    for (const cls of ["key", "data", "monitor", "other"]) {
        const ids = d.nodes.filter((n) => classOf[n.kind] === cls).map((n) => n.id);
        if (ids.length > 0) out.push(`    class ${ids.join(",")} ${cls}`);
    }
    return `${out.join("\n")}\n`;
}

const dotText = (s: string) => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

const DOT_SHAPES: Record<string, string> = {
    db: "cylinder",
    dbi: "cylinder",
    cache: "cylinder",
    bucket: "cylinder",
    ecr: "cylinder",
    viewer: "circle",
    key: "hexagon",
    secret: "hexagon",
    waf: "hexagon",
    other: "note",
    component: "component",
};

const DOT_EDGES: Record<EdgeKind, string> = {
    request: 'penwidth=2, color="#1f4e99"',
    data: 'color="#3b6fd8"',
    secret: 'style=dashed, color="#b8860b"',
    key: 'style=dotted, color="#b8860b"',
    monitoring: 'style=dashed, color="#c0392b"',
    network: 'color="#666666"',
};

export function toDot(d: Diagram): string {
    const out = [
        `// Architecture of stack ${d.title}, generated from the offline plan by tools/diagram: do not edit.`,
        "digraph architecture {",
        `    label="${dotText(`Stack ${d.title}`)}"; labelloc=t; rankdir=LR; compound=true; newrank=true;`,
        '    fontname="Helvetica"; node [shape=box, style="rounded", fontname="Helvetica", fontsize=10];',
        '    edge [fontname="Helvetica", fontsize=9];',
    ];
    const walk = (parent: string | null, depth: number) => {
        const pad = "    ".repeat(depth);
        for (const n of children(d.nodes, parent, (x) => x.group)) {
            out.push(`${pad}"${n.id}" [label="${dotText(n.label)}", shape=${DOT_SHAPES[n.kind] ?? "box"}];`);
        }
        for (const g of children(d.groups, parent, (x) => x.parent)) {
            out.push(`${pad}subgraph "cluster_${g.id}" {`);
            out.push(`${pad}    label="${dotText(g.label)}"; style="rounded"; color="#999999";`);
            walk(g.id, depth + 1);
            out.push(`${pad}}`);
        }
    };
    walk(null, 1);
    for (const e of d.edges) {
        const label = e.label ? `label="${dotText(e.label)}", ` : "";
        out.push(`    "${e.from}" -> "${e.to}" [${label}${DOT_EDGES[e.kind]}];`);
    }
    out.push("}");
    return `${out.join("\n")}\n`;
}
