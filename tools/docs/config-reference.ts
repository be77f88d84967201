/**
 * `npm run docs` writes docs/configuration.md, the config reference, from the settings schemas themselves: every
 * section registered in stacks/settings.ts, every key at every depth, its type, default, allowed values and the
 * description its schema carries (`.describe()` / `.meta()`). A test fails when the file is stale, so the reference
 * cannot drift from what the settings accept.
 */
import { writeFileSync } from "fs";
import * as path from "path";
import * as prettier from "prettier";
import { z } from "zod";
import {
    REGION_DESCRIPTION,
    REGIONS_AS_OF,
    HOW_TO_ADD_REGION,
    knownRegions,
    regionInfo,
} from "../../stacks/aws-regions";
import { PROJECT } from "../../stacks/common";
import { defOf, unwrap } from "../../stacks/schema";
import { SECTIONS } from "../../stacks/settings";
import { failedWith, noArguments, printUsage, runMain, write } from "../cli-common";

export const REFERENCE_FILE = path.resolve(__dirname, "..", "..", "docs", "configuration.md");

/** Width the page is written for: prose is wrapped to it, and a table is used only when it fits. */
export const WIDTH = 120;

const code = (v: unknown) => `\`${typeof v === "string" ? v : JSON.stringify(v)}\``;

/** zod's `.int()` adds these bounds; they say nothing a reader needs. */
const isSafeBound = (v: unknown) => v === Number.MAX_SAFE_INTEGER || v === Number.MIN_SAFE_INTEGER;

function range(min: unknown, max: unknown, unit = ""): string {
    const lo = typeof min === "number" && Number.isFinite(min) && !isSafeBound(min) ? min : undefined;
    const hi = typeof max === "number" && Number.isFinite(max) && !isSafeBound(max) ? max : undefined;
    if (lo !== undefined && hi !== undefined) return `${lo} to ${hi}${unit}`;
    if (lo === 1 && unit) return "not empty";
    if (lo !== undefined) return `at least ${lo}${unit}`;
    if (hi !== undefined) return `at most ${hi}${unit}`;
    return "";
}

/** A short type name, and the allowed values or range when the schema states them. */
export function describeType(schema: z.ZodType): { type: string; allowed?: string } {
    const { schema: inner, meta } = unwrap(schema);
    const def = defOf(inner);
    const bounds = inner as unknown as Record<string, unknown>;
    let type: string;
    let allowed: string | undefined;
    switch (def.type) {
        case "string":
            type = "string";
            allowed = range(bounds.minLength, bounds.maxLength, " characters") || undefined;
            break;
        case "number":
            type = bounds.isInt ? "integer" : "number";
            allowed = range(bounds.minValue, bounds.maxValue) || undefined;
            break;
        case "boolean":
            type = "boolean";
            break;
        case "enum":
            type = "string";
            allowed = `one of ${Object.values(def.entries ?? {})
                .map(code)
                .join(", ")}`;
            break;
        case "array": {
            const element = describeType(def.element!);
            type = `list of ${element.type === "object" ? "objects" : element.type}`;
            const items = (def.checks ?? []).map((c) => c._zod.def).find((c) => c.check === "min_length");
            const min = items ? Number(items.minimum) : 0;
            allowed = element.allowed ?? (min > 0 ? `at least ${min} item${min === 1 ? "" : "s"}` : undefined);
            break;
        }
        case "record": {
            const value = describeType(def.valueType!);
            type = `map of name to ${value.type === "object" ? "object" : value.type}`;
            break;
        }
        case "union":
            type = (def.options ?? []).map((o) => describeType(o).type).join(" or ");
            break;
        case "object":
            type = "object";
            break;
        default:
            type = def.type;
    }
    return { type: meta.typeName ?? type, allowed: meta.allowed ?? allowed };
}

/** The object schema whose keys are listed under a key (objects, lists of objects, maps of objects). */
function childrenOf(schema: z.ZodType): { prefix: string; shape: Record<string, z.ZodType> } | undefined {
    const def = defOf(unwrap(schema).schema);
    if (def.type === "object") return { prefix: "", shape: def.shape! };
    const inner = def.type === "array" ? def.element : def.type === "record" ? def.valueType : undefined;
    if (!inner) return undefined;
    const innerDef = defOf(unwrap(inner).schema);
    if (innerDef.type !== "object") return undefined;
    return { prefix: def.type === "array" ? "[]" : ".<name>", shape: innerDef.shape! };
}

function defaultText(schema: z.ZodType): string {
    const u = unwrap(schema);
    if (u.hasDefault && u.defaultValue !== undefined) return `default ${code(u.defaultValue)}`;
    if (u.hasDefault) return "default: each key's default";
    return u.optional ? "optional" : "required";
}

/** One list item per key, nested keys indented under their parent; missing descriptions are collected. */
function keyList(shape: Record<string, z.ZodType>, at: string, depth: number, missing: string[]): string[] {
    const lines: string[] = [];
    const indent = "  ".repeat(depth);
    for (const [key, schema] of Object.entries(shape)) {
        const { type, allowed } = describeType(schema);
        const description = unwrap(schema).meta.description;
        if (!description) missing.push(`${at}.${key}`);
        const facts = [type, defaultText(schema), ...(allowed ? [allowed] : [])].join("; ");
        lines.push(`${indent}- ${code(key)} (${facts}): ${description ?? ""}`);
        const children = childrenOf(schema);
        if (children) lines.push(...keyList(children.shape, `${at}.${key}${children.prefix}`, depth + 1, missing));
    }
    return lines;
}

function sectionText(name: string, schema: z.ZodType, missing: string[]): string {
    const key = `${PROJECT}:${name}`;
    const { meta } = unwrap(schema);
    if (!meta.description) missing.push(key);
    const children = childrenOf(schema);
    const head = [`## ${code(key)}`, "", meta.description ?? ""];
    if (!children) {
        const { type, allowed } = describeType(schema);
        return [...head, "", `Type: ${type}; ${defaultText(schema)}${allowed ? `; ${allowed}` : ""}.`].join("\n");
    }
    if (children.prefix === ".<name>") {
        const { type } = describeType(schema);
        head.push("", `Type: ${type}. Each entry, under \`${name}.<name>\`:`);
    }
    return [...head, "", ...keyList(children.shape, key, 0, missing)].join("\n");
}

/** A Markdown table when every row fits in the page width, otherwise a list. */
function tableOrList(header: string[], rows: string[][], asItem: (row: string[]) => string): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const tableWidth = widths.reduce((sum, w) => sum + w + 3, 1);
    if (tableWidth <= WIDTH) {
        const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
        return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
    }
    return rows.map((r) => `- ${asItem(r)}`).join("\n");
}

function regionSection(): string {
    const rows = knownRegions().map((code_) => {
        const info = regionInfo(code_)!;
        const letters = info.azs.map((az) => az.slice(code_.length)).join(", ");
        return [code(code_), info.name, `${info.azs.length} (${letters})`];
    });
    const notes = knownRegions()
        .filter((r) => regionInfo(r)!.note)
        .map((r) => `- ${code(r)}: ${regionInfo(r)!.note}`);
    return [
        `## ${code("aws:region")}`,
        "",
        REGION_DESCRIPTION,
        "",
        `Type: string; required; one of the regions in \`stacks/regions.json\` (checked ${REGIONS_AS_OF}). To add a ` +
            `region, ${HOW_TO_ADD_REGION}.`,
        "",
        tableOrList(["Region", "Name", "AZs a new account sees"], rows, (r) => `${r[0]}, ${r[1]}: ${r[2]}`),
        "",
        "Where a new account sees fewer zones than AWS lists:",
        "",
        ...notes,
    ].join("\n");
}

const INTRO = `# Configuration reference

<!-- Generated by tools/docs/config-reference.ts from the settings schemas: run \`npm run docs\`, do not edit. -->

A stack is one file, \`Pulumi.<stack>.yaml\`, whose \`config:\` block sets the keys below; a stack that sets only
\`aws:region\` gets the secure, highly available defaults. Project keys are namespaced (\`${PROJECT}:<key>\`) and,
except \`${PROJECT}:policyProfile\`, hold objects: edit them in the stack file, or set one value with
\`pulumi config set --path '${PROJECT}:network.azCount' 3\`. \`Pulumi.yaml\` declares every project key with its
defaults.

Every problem is reported at once, before any resource exists, naming the key, the value and what was expected.
Unknown keys are errors at every depth. Placeholder values (AWS documentation account ids such as 123456789012,
all-zero UUIDs, names under example.com, .example, .test, .invalid or .localhost) are refused by \`pulumi preview\`
and \`pulumi up\`; the offline plan accepts them with a warning.

Outside the project's namespace a stack sets only \`aws:region\` (and, if it likes, the engine's
\`pulumi:disable-default-providers\`). The program's AWS providers are explicit and read no other \`aws:*\` key, so
\`aws:profile\`, \`aws:allowedAccountIds\` and the like are refused rather than silently ignored, and credentials are
never config: the account and credentials come from the environment (\`AWS_PROFILE\` locally, OIDC in CI).`;

/** The reference as Markdown, before formatting. @throws when a key has no description. */
export function referenceMarkdown(registered: Record<string, z.ZodType> = SECTIONS): string {
    const missing: string[] = [];
    const sections = Object.entries(registered).map(([name, schema]) => sectionText(name, schema, missing));
    if (missing.length > 0) {
        throw new Error(`these settings have no description (add .describe() to their schema): ${missing.join(", ")}`);
    }
    return [INTRO, regionSection(), ...sections].join("\n\n") + "\n";
}

/** The reference as written to docs/configuration.md: Prettier-formatted, prose wrapped to the page width. */
export async function renderReference(registered: Record<string, z.ZodType> = SECTIONS): Promise<string> {
    const options = (await prettier.resolveConfig(REFERENCE_FILE)) ?? {};
    return prettier.format(referenceMarkdown(registered), {
        ...options,
        parser: "markdown",
        printWidth: WIDTH,
        proseWrap: "always",
    });
}

const USAGE =
    "usage: npm run docs (writes docs/configuration.md from the settings' schemas, then the alarm reference)\n  -h, --help print this help";

if (require.main === module) {
    runMain(async () => {
        if (noArguments(process.argv.slice(2), USAGE)) {
            return printUsage(USAGE);
        }
        const text = await renderReference();
        writeFileSync(REFERENCE_FILE, text);
        await write(process.stdout, `wrote ${path.relative(process.cwd(), REFERENCE_FILE)}\n`);
        return 0;
    }, failedWith(1));
}
