import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");
const README = path.join(ROOT, "README.md");

/** The Markdown files a reader is pointed at from the README: the README itself and docs/. */
function markdownFiles(): string[] {
    const docs = fs
        .readdirSync(path.join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => path.join(ROOT, "docs", f));
    return [README, ...docs];
}

/** Lines outside fenced code blocks: prose, lists and tables. */
function textLines(file: string): { line: number; text: string }[] {
    let fenced = false;
    const out: { line: number; text: string }[] = [];
    fs.readFileSync(file, "utf8")
        .split("\n")
        .forEach((text, i) => {
            if (/^\s*```/.test(text)) fenced = !fenced;
            else if (!fenced) out.push({ line: i + 1, text });
        });
    return out;
}

describe("README.md and docs/: a newcomer's reading", () => {
    it("keeps README.md under 20 KB, so it reads in one sitting", () => {
        const size = fs.statSync(README).size;
        assert.ok(size < 20 * 1024, `README.md is ${size} bytes`);
    });

    it("has no README line, and no line of prose elsewhere in docs/, wider than 120 characters outside code", () => {
        // A table too wide for the README moves to its own page, where it may stay a table.
        const wide = markdownFiles().flatMap((file) =>
            textLines(file)
                .filter(({ text }) => text.length > 120 && !/^<!--/.test(text))
                .filter(({ text }) => file === README || !text.startsWith("|"))
                .map(({ line, text }) => `${path.relative(ROOT, file)}:${line} (${text.length})`),
        );
        assert.deepEqual(wide, []);
    });

    it("links only to files that exist", () => {
        const broken: string[] = [];
        for (const file of markdownFiles()) {
            for (const { line, text } of textLines(file)) {
                for (const m of text.matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
                    const target = m[1];
                    if (/^[a-z]+:/.test(target)) continue;
                    if (!fs.existsSync(path.resolve(path.dirname(file), target))) {
                        broken.push(`${path.relative(ROOT, file)}:${line} → ${target}`);
                    }
                }
            }
        }
        assert.deepEqual(broken, []);
    });
});
