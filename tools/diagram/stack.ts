/** The diagram of a stack: its program run offline as `pulumi up` sees it, then drawn. */
import { planDocument } from "../plan/render";
import { RunResult, runProgram } from "../plan/runner";
import { buildDiagram } from "./build";
import { Diagram } from "./model";
import { toDot, toMermaid } from "./render";
import { renderSvg } from "./svg";

export function diagramOf(run: RunResult): Diagram {
    const doc = planDocument(run);
    return buildDiagram({ stack: doc.stack, region: doc.region, resources: doc.resources });
}

export interface DiagramFiles {
    mermaid: string;
    dot: string;
    svg: string;
}

export async function diagramFiles(d: Diagram): Promise<DiagramFiles> {
    const dot = toDot(d);
    return { mermaid: toMermaid(d), dot, svg: await renderSvg(dot) };
}

export async function diagramStack(stack: string, dir?: string): Promise<DiagramFiles> {
    return diagramFiles(diagramOf(await runProgram({ stack, mode: "update", dir })));
}
