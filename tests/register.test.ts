import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as vm from "vm";
import * as swc from "@swc/core";
import * as ts from "typescript";
import { tempProject } from "./helpers/cli";

const ROOT = path.resolve(__dirname, "..");
const REGISTER = path.join(ROOT, "tools", "register.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { swcOptions } = require(REGISTER) as { swcOptions: swc.Options };

const tsconfig = ts.parseJsonConfigFileContent(
    ts.readConfigFile(path.join(ROOT, "tsconfig.json"), ts.sys.readFile).config,
    ts.sys,
    ROOT,
);

/** Runs CommonJS code with a require that answers from `modules`, and returns its exports. */
function evaluate(code: string, modules: Record<string, unknown>): Record<string, unknown> {
    const module = { exports: {} as Record<string, unknown> };
    const require = (id: string) => {
        if (!(id in modules)) throw new Error(`unexpected require ${id}`);
        return modules[id];
    };
    vm.runInNewContext(`(function (exports, require, module) {${code}\n})`)(module.exports, require, module);
    return module.exports;
}

/** This environment without the variables that point Node.js's compile cache elsewhere or turn it off. */
function withoutCompileCacheSettings(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    delete env.NODE_COMPILE_CACHE;
    delete env.NODE_DISABLE_COMPILE_CACHE;
    return env;
}

describe("the TypeScript launcher (tools/register.js)", () => {
    it("emits what tsconfig.json asks for: the same target and module system, with import interop", () => {
        const { target, module, esModuleInterop } = tsconfig.options;
        assert.equal(swcOptions.jsc?.target, ts.ScriptTarget[target!].toLowerCase());
        assert.equal(module, ts.ModuleKind.CommonJS);
        assert.equal(swcOptions.module?.type, "commonjs");
        assert.equal(esModuleInterop, true);
        const interop = swcOptions.module as { noInterop?: boolean; importInterop?: string };
        assert.ok(interop.noInterop !== true && interop.importInterop !== "none", JSON.stringify(interop));
    });

    it("runs code the way TypeScript's own transpiler does (imports, class fields, enums, type-only imports)", () => {
        const source = [
            'import def from "cjs";',
            'import * as star from "cjs";',
            'import { named } from "esm";',
            'import type { Missing } from "types-only";',
            "export enum Level { Advisory = 1, Mandatory }",
            "class Base { constructor() { (this as any).seen = (this as any).field; } }",
            "export class Child extends Base {",
            "    field = 1;",
            "    constructor(private readonly extra: number) { super(); }",
            "    sum(): number { return this.field + this.extra; }",
            "}",
            "const m: Missing | undefined = undefined;",
            "export const result = { def, starDefault: (star as any).default, named, level: Level.Mandatory, m,",
            "    child: new Child(2).sum(), seen: (new Child(0) as any).seen, name: Child.name };",
        ].join("\n");
        const modules = { cjs: { fromCjs: true }, esm: { __esModule: true, named: "n", default: "d" } };
        const bySwc = evaluate(swc.transformSync(source, { ...swcOptions, filename: "sample.ts" }).code, modules);
        const byTs = evaluate(ts.transpileModule(source, { compilerOptions: tsconfig.options }).outputText, modules);
        assert.deepEqual(
            JSON.parse(JSON.stringify(bySwc.result)),
            JSON.parse(JSON.stringify(byTs.result)),
            "SWC and TypeScript disagree",
        );
        assert.equal((bySwc.result as { child: number }).child, 3);
    });

    it("puts off loading what @pulumi/pulumi loads eagerly and a plan never uses until it is used, and it works", function () {
        this.timeout(60_000);
        const script = `
            const loaded = (p) => Object.keys(require.cache).some((k) => k.includes(p));
            const deferred = ["/node_modules/typescript/", "/@npmcli/arborist/", "/normalize-package-data/",
                "/@pulumi/pulumi/automation/"];
            const pulumi = require("@pulumi/pulumi");
            const before = deferred.map(loaded);
            (async () => {
                const fn = await pulumi.runtime.serializeFunction(function () { return 6 * 7; });
                const paths = await pulumi.runtime.computeCodePaths();
                const workspace = typeof pulumi.automation.LocalWorkspace.create;
                const after = deferred.map(loaded);
                console.log(JSON.stringify({ before, after, text: fn.text, paths: [...paths.keys()], workspace }));
            })();`;
        const out = execFileSync(process.execPath, ["-r", REGISTER, "-e", script], {
            cwd: ROOT,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "ignore"],
        });
        const r = JSON.parse(out) as {
            before: boolean[];
            after: boolean[];
            text: string;
            paths: string[];
            workspace: string;
        };
        assert.deepEqual(r.before, [false, false, false, false], "loaded with @pulumi/pulumi");
        assert.deepEqual(r.after, [true, true, true, true], "not loaded when used");
        assert.equal(r.workspace, "function", "the Automation API works through its stand-in");
        assert.match(r.text, /return 6 \* 7/);
        // The program's production dependencies, which a serialised function would ship with it.
        assert.ok(r.paths.includes(path.join("node_modules", "yaml")), r.paths.join("\n"));
    });

    it("loads an AWS provider namespace on first use, registering its resource modules before any resource", () => {
        const script = `
            const loaded = (p) => Object.keys(require.cache).some((k) => k.endsWith(p));
            const pulumi = require("@pulumi/pulumi");
            const aws = require("@pulumi/aws");
            const before = [loaded("/@pulumi/aws/ec2/index.js"), loaded("/@pulumi/aws/utilities.js")];
            const Vpc = aws.ec2.Vpc;
            const after = loaded("/@pulumi/aws/ec2/index.js");
            console.log(JSON.stringify({ before, after, vpc: Vpc.__pulumiType, kms: loaded("/@pulumi/aws/kms/index.js") }));`;
        const out = execFileSync(process.execPath, ["-r", REGISTER, "-e", script], { cwd: ROOT, encoding: "utf8" });
        assert.deepEqual(JSON.parse(out), {
            before: [false, true],
            after: true,
            vpc: "aws:ec2/vpc:Vpc",
            kms: false,
        });
    });

    it("transpiles a changed file again: its cache is keyed by content, never by name or time alone", () => {
        const file = path.join(tempProject(), "changing.ts");
        const valueAfterWriting = (text: string) => {
            fs.writeFileSync(file, text);
            return execFileSync(process.execPath, ["-r", REGISTER, "-p", `require(${JSON.stringify(file)}).v`], {
                encoding: "utf8",
            }).trim();
        };
        assert.equal(valueAfterWriting("export const v: number = 1;\n"), "1");
        assert.equal(valueAfterWriting("export const v: number = 2;\n"), "2");
        assert.equal(valueAfterWriting("export const v: number = 1;\n"), "1");
    });

    it("keeps its caches inside the project (node_modules/.cache), not in a machine-wide place", () => {
        const dir = execFileSync(
            process.execPath,
            ["-r", REGISTER, "-p", "require('module').getCompileCacheDir?.() ?? 'no compile cache in this Node.js'"],
            { cwd: ROOT, encoding: "utf8", env: withoutCompileCacheSettings() },
        ).trim();
        // Node.js keeps one subdirectory per version and CPU there.
        assert.ok(dir.startsWith(path.join(ROOT, "node_modules", ".cache", "node-compile-cache") + path.sep), dir);
        const transpiled = path.join(ROOT, "node_modules", ".cache", "ts-transpiled");
        const marker = `${Date.now()}${process.pid}`;
        const file = path.join(tempProject(), "fresh.ts");
        fs.writeFileSync(file, `export const made: number = ${marker};\n`);
        execFileSync(process.execPath, ["-r", REGISTER, "-e", `require(${JSON.stringify(file)})`]);
        const holding = fs
            .readdirSync(transpiled)
            .filter((f) => fs.readFileSync(path.join(transpiled, f), "utf8").includes(`made = ${marker}`));
        assert.equal(holding.length, 1, `the transpiled file is not in ${transpiled}`);
    });
});
