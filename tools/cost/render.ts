/** The estimate as text for a terminal: lines grouped by component and resource, then what is not in the total. */
import { CostEstimate, CostLine } from "./model";

export const usd = (n: number) =>
    `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A unit price with as many decimals as it needs ($0.048, $0.00356, $0.0000133334). */
export const unitUsd = (n: number) => `$${Number(n.toPrecision(6))}`;

const qty = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 4 });

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
    const out = new Map<string, T[]>();
    for (const item of items) {
        const k = key(item);
        out.set(k, [...(out.get(k) ?? []), item]);
    }
    return out;
}

const sum = (lines: CostLine[]) => lines.reduce((s, l) => s + l.monthly, 0);

function lineText(l: CostLine): string {
    const mark = l.confirmed ? " " : "*";
    const left = `      ${l.item}`;
    const calc = `${qty(l.quantity)} ${l.unit} × ${unitUsd(l.unitPrice)}${mark}`;
    const money = usd(l.monthly).padStart(12);
    const note = l.note ? `\n        (${l.note})` : "";
    return `${left.padEnd(78)} ${calc.padEnd(30)}${money}${note}`;
}

export function renderEstimate(e: CostEstimate): string {
    const out: string[] = [];
    const dates = e.priceFiles.map((f) => `${f.file} ${f.asOf}`).join(", ");
    out.push(`Monthly cost estimate for stack ${e.stack} (${e.region}), ${e.currency}; price files: ${dates}`);
    out.push("");
    const byComponent = groupBy(e.lines, (l) => l.component);
    for (const [component, lines] of [...byComponent.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
        out.push(`${component.padEnd(121)}${usd(sum(lines)).padStart(12)}`);
        for (const [, rl] of groupBy(lines, (l) => l.urn)) {
            const elsewhere = rl[0].region !== e.region ? `  [${rl[0].region}]` : "";
            out.push(`  ${rl[0].type} ${rl[0].name}${elsewhere}`);
            out.push(...rl.map(lineText));
        }
    }
    out.push("");
    out.push(`${"Total of the priced lines".padEnd(121)}${usd(e.total).padStart(12)}`);
    out.push("* a price the price file marks as not confirmed from a dated source");
    if (e.unpriced.length > 0) {
        out.push("");
        out.push(`Not priced, not in the total (${e.unpriced.length}):`);
        for (const u of e.unpriced) out.push(`  ${u.type} ${u.name}: ${u.reason}`);
    }
    const freeCount = e.free.reduce((s, f) => s + f.count, 0);
    out.push("");
    out.push(`No charge of their own (${freeCount} resources):`);
    for (const f of e.free) out.push(`  ${f.count} × ${f.type}: ${f.reason}`);
    if (e.warnings.length > 0) {
        out.push("");
        out.push("Warnings:");
        for (const w of e.warnings) out.push(`  ${w}`);
    }
    out.push("");
    out.push("Assumptions (override with --assume name=value):");
    for (const [name, a] of Object.entries(e.assumptions)) {
        out.push(`  ${name} = ${qty(a.value)} ${a.unit}: ${a.description}`);
    }
    return `${out.join("\n")}\n`;
}
