/**
 * Every option of every exported `*Args` interface in components/ carries TSDoc that gives its default, or says that
 * it is required. Read with the TypeScript compiler's parser, so that a new option without documentation fails here.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

const COMPONENTS = path.resolve(__dirname, "..", "components");

function sourceFiles(dir: string): string[] {
    return fs
        .readdirSync(dir, { withFileTypes: true })
        .flatMap((e) =>
            e.isDirectory()
                ? sourceFiles(path.join(dir, e.name))
                : e.name.endsWith(".ts")
                  ? [path.join(dir, e.name)]
                  : [],
        );
}

/** `Interface.option` of every option whose TSDoc is missing or names neither a default nor that it is required. */
export function undocumentedOptions(file: string): string[] {
    const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const found: string[] = [];
    for (const node of src.statements) {
        if (!ts.isInterfaceDeclaration(node) || !/Args$/.test(node.name.text)) continue;
        if (!node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
        for (const member of node.members) {
            const doc = ts
                .getJSDocCommentsAndTags(member)
                .map((d) => d.getText())
                .join(" ");
            if (!/\b(defaults?|required)\b/i.test(doc)) found.push(`${node.name.text}.${member.name?.getText(src)}`);
        }
    }
    return found;
}

describe("component Args documentation", () => {
    const files = sourceFiles(COMPONENTS);

    it("finds the Args interfaces it checks", () => {
        const withArgs = files.filter((f) => /export interface \w+Args\b/.test(fs.readFileSync(f, "utf8")));
        assert.ok(withArgs.length >= 8, `only ${withArgs.length} files with Args interfaces`);
    });

    it("gives every option a default or says it is required", () => {
        const missing = files.flatMap((f) =>
            undocumentedOptions(f).map((o) => `${path.relative(COMPONENTS, f)}: ${o}`),
        );
        assert.deepEqual(missing, []);
    });

    it("notices an option without one", () => {
        const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "args-docs-")), "x.ts");
        fs.writeFileSync(
            tmp,
            "export interface XArgs {\n    /** Documented. Default 1. */\n    a?: number;\n    b: string;\n}\n",
        );
        assert.deepEqual(undocumentedOptions(tmp), ["XArgs.b"]);
    });
});
