/**
 * `--format markdown`: the plan as a reviewer reads it in a pull-request comment or a CI job summary (GitHub
 * Flavored Markdown): the policy verdict with the config file applied and the setting that fixes each violation,
 * the resource counts, the stack outputs (secrets masked), the warnings, and with `--diff` what changed.
 * It is rendered from the JSON document, so a saved `--format json` plan renders the same.
 */
import { PlanDiff, describeChange, isEmptyDiff } from "./diff";
import { configHints, formatHint } from "./hints";
import type { PlanDocument } from "./render";
import { resourceCounts } from "./summary";

/** Text for a table cell: a `|` would end the cell and a newline the row; `<` and `&` would start HTML. */
export function cell(text: string): string {
    return text
        .replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/\|/g, "\\|")
        .replace(/\r?\n/g, "<br>");
}

/** An inline code span that holds any text: fenced by more backticks than the text contains in a row. */
export function code(text: string): string {
    const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
    return `${fence}${pad}${text}${pad}${fence}`;
}

/** Code in a table cell: the pipe escape applies inside code spans too (GFM), newlines do not survive. */
function codeCell(text: string): string {
    return code(text.replace(/\r?\n/g, " ")).replace(/\|/g, "\\|");
}

function table(header: string[], rows: string[][]): string {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** The resource a violation names, as `name` (`type`), or the stack. */
function where(urn: string | undefined): string {
    if (!urn) return "(stack)";
    const parts = urn.split("::");
    return `${codeCell(parts[parts.length - 1])} (${codeCell(parts[2]?.split("$").pop() ?? "")})`;
}

function verdict(doc: PlanDocument): string {
    const violations = doc.violations ?? [];
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    const advisory = violations.length - mandatory;
    const config = doc.policyConfig ? ` with ${code(doc.policyConfig)}` : "";
    if (mandatory > 0) return `❌ **${mandatory} mandatory** and ${advisory} advisory policy violations${config}`;
    return `✅ no mandatory policy violation, ${advisory} advisory${config}`;
}

function policySection(doc: PlanDocument): string[] {
    const violations = doc.violations ?? [];
    const lines = [
        "### Policies",
        "",
        `Policy pack config applied: ${doc.policyConfig ? code(doc.policyConfig) : "none"}`,
        "",
    ];
    if (violations.length === 0) return [...lines, "No violations."];
    const rows = violations.map((v) => [
        v.enforcementLevel === "mandatory" ? "**mandatory**" : "advisory",
        codeCell(v.policy),
        where(v.urn),
        cell(v.message),
        configHints(v)
            .map((h) => codeCell(formatHint(h)))
            .join("<br>") || "–",
    ]);
    return [...lines, table(["Level", "Policy", "Resource", "Message", "Fix in the stack's config"], rows)];
}

function countSections(doc: PlanDocument): string[] {
    const counts = resourceCounts(doc.resources);
    return [
        `### Resources: ${counts.total}`,
        "",
        table(
            ["Component", "Resources"],
            counts.byComponent.map((c) => [codeCell(c.label), String(c.count)]),
        ),
        "",
        `<details><summary>Resources by type (${counts.byType.length} types)</summary>`,
        "",
        table(
            ["Type", "Resources"],
            counts.byType.map((c) => [codeCell(c.label), String(c.count)]),
        ),
        "",
        "</details>",
    ];
}

function outputSection(doc: PlanDocument): string[] {
    const outputs = Object.entries((doc.outputs ?? {}) as Record<string, unknown>);
    if (outputs.length === 0) return ["### Stack outputs", "", "None."];
    const rows = outputs.map(([k, v]) => [codeCell(k), codeCell(JSON.stringify(v) ?? "undefined")]);
    return ["### Stack outputs", "", "Secrets show as `[secret]`.", "", table(["Output", "Value"], rows)];
}

function warningSection(doc: PlanDocument): string[] {
    if (doc.warnings.length === 0) return [];
    return [
        "### Warnings",
        "",
        ...doc.warnings.map((w) => `- ${code(w.key)}: ${code(JSON.stringify(w.value))} ${cell(w.message)}`),
    ];
}

/** The diff section: a table of resources added, removed and changed, with the changed input paths. */
export function markdownDiff(diff: PlanDiff): string {
    const source = diff.earlier.file ? code(diff.earlier.file) : "the earlier plan";
    const lines = [`### Changes since ${source} (stack ${code(diff.earlier.stack)}, ${diff.earlier.mode})`, ""];
    lines.push(...diff.notes.map((n) => `> ${cell(n)}`), ...(diff.notes.length > 0 ? [""] : []));
    if (isEmptyDiff(diff)) return [...lines, "No resource or output changed."].join("\n");
    lines.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed.`, "");
    const rows = [
        ...diff.added.map((r) => ["added", codeCell(r.name), codeCell(r.type), "–"]),
        ...diff.removed.map((r) => ["removed", codeCell(r.name), codeCell(r.type), "–"]),
        ...diff.changed.map((r) => [
            "changed",
            codeCell(r.name),
            codeCell(r.type),
            r.changes.map((c) => codeCell(describeChange(c))).join("<br>"),
        ]),
    ];
    if (rows.length > 0) lines.push(table(["Change", "Resource", "Type", "Inputs"], rows));
    if (diff.outputs.length > 0) {
        lines.push(
            "",
            "Stack outputs:",
            "",
            ...diff.outputs.map((c) => `- ${code(describeChange(c).replace(/\r?\n/g, " "))}`),
        );
    }
    return lines.join("\n");
}

/** The whole plan as Markdown; `diff` adds the changes since an earlier plan. */
export function renderMarkdown(doc: PlanDocument, diff?: PlanDiff): string {
    const mode =
        doc.mode === "preview" ? "preview, as `pulumi preview` sees a new stack" : "update, as `pulumi up` sees it";
    const sections = [
        [`## Offline plan of ${code(doc.stack)}`, "", `${verdict(doc)}.`, "", `Region ${code(doc.region)}; ${mode}.`],
        policySection(doc),
        ...(diff ? [[markdownDiff(diff)]] : []),
        countSections(doc),
        outputSection(doc),
        warningSection(doc),
    ];
    return sections
        .filter((s) => s.length > 0)
        .map((s) => s.join("\n"))
        .join("\n\n");
}
