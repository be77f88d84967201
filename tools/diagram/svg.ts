/**
 * SVG from DOT with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz): no system package, no browser, no
 * network. The package is an ES module; Node 20.19+ loads it from this CommonJS code with require().
 */
import { Graphviz } from "@hpcc-js/wasm-graphviz";

let loaded: Promise<Graphviz> | undefined;

export async function renderSvg(dot: string): Promise<string> {
    loaded ??= Graphviz.load();
    const graphviz = await loaded;
    return graphviz.dot(dot, "svg");
}

export async function graphvizVersion(): Promise<string> {
    loaded ??= Graphviz.load();
    return (await loaded).version();
}
