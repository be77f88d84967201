// @ts-check
/**
 * Runs the project's TypeScript in this process: `node -r ./tools/register.js tools/plan/cli.ts`, and mocha's
 * `require`. It keeps ts-node's transpile-only semantics (each .ts file is transpiled on require, types are not
 * checked: `npm test` type-checks once with tsc) and starts three to four times faster:
 *
 * - SWC (a native transpiler shipped inside @swc/core) replaces the TypeScript compiler, which took about a
 *   second to load and warm up before the first file was transpiled. Its output is kept by content hash in
 *   node_modules/.cache/ts-transpiled, so SWC itself loads only when a file has changed.
 * - V8's compile cache (Node.js >= 22) keeps the bytecode of every module, the project's own and the ~2,000 it
 *   loads from node_modules, keyed by each file's content, in node_modules/.cache/node-compile-cache.
 * - Modules that @pulumi/pulumi loads eagerly and the plan never uses (typescript, @npmcli/arborist and
 *   normalize-package-data for function serialisation, the Automation API: about half its load time) load on
 *   first use instead.
 *
 * The real Pulumi CLI does not use this file: it runs index.ts with its own ts-node (Pulumi.yaml
 * `runtime.options.typescript`). Without @swc/core's binary for this platform, TypeScript's transpiler runs instead.
 */
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const Module = require("module");
const path = require("path");

// REGISTER_CACHE_DIR moves both caches (the benchmark times a fresh clone's first run with an empty one).
const CACHE = process.env.REGISTER_CACHE_DIR || path.join(__dirname, "..", "node_modules", ".cache");

/**
 * SWC options matching tsconfig.json's emit (target ES2022, CommonJS, esModuleInterop); a test keeps them in step.
 * Source maps are inline but only read when asked for (`node --enable-source-maps`, or NODE_OPTIONS): mapping
 * every stack trace costs a plan about a third more time, and the Pulumi SDK reads a stack for every resource.
 * @type {import("@swc/core").Options}
 */
const swcOptions = {
    swcrc: false,
    configFile: false,
    sourceMaps: "inline",
    inlineSourcesContent: false,
    jsc: { parser: { syntax: "typescript" }, target: "es2022", keepClassNames: true },
    module: { type: "commonjs", strictMode: true },
};

const PULUMI_SDK = `${path.sep}@pulumi${path.sep}pulumi${path.sep}`;
const AWS_INDEX = `${path.sep}@pulumi${path.sep}aws${path.sep}index.js`;

/**
 * Modules to load on first use: `request` as the requiring module (whose path ends with or contains `from`) spells
 * it. `esModule: false` for a module that its requirer wraps with TypeScript's `__importDefault`, which must see a
 * plain CommonJS export to wrap it.
 * @type {{ request: string | RegExp; from: string; callable: boolean; esModule: boolean }[]}
 */
const LAZY = [
    { request: "@npmcli/arborist", from: PULUMI_SDK, callable: true, esModule: true },
    { request: "typescript", from: `${PULUMI_SDK}typescript-shim.js`, callable: false, esModule: true },
    // The Automation API (a tenth of the SDK's load time): exported by the SDK's index, never used by a program.
    { request: "./automation", from: `${PULUMI_SDK}index.js`, callable: false, esModule: true },
    // Reads package.json files for function serialisation only.
    {
        request: "normalize-package-data",
        from: `${PULUMI_SDK}runtime${path.sep}closure${path.sep}codePaths.js`,
        callable: true,
        esModule: false,
    },
    // The AWS provider's ~250 service namespaces, each registering its resource modules when loaded: a stack uses a
    // few dozen. A namespace loads (and registers) on first use, before any of its resources exists, so references to
    // those resources still deserialise. Its utilities and shared types load as before.
    { request: /^\.\/(?!utilities$|types$)[A-Za-z0-9]+$/, from: AWS_INDEX, callable: false, esModule: true },
];

/**
 * @param {string} request
 * @param {string | undefined} parent
 */
function lazyEntry(request, parent) {
    if (!parent) return undefined;
    return LAZY.find(
        (l) =>
            (typeof l.request === "string" ? l.request === request : l.request.test(request)) &&
            (l.from.endsWith(".js") ? parent.endsWith(l.from) : parent.includes(l.from)),
    );
}

/**
 * A stand-in for a module that loads it on first touch. `__esModule` answers `esModule` without loading: true, so
 * TypeScript's `__importStar` keeps the stand-in instead of copying the module's keys (which would load it at once);
 * false, so `__importDefault` wraps the stand-in as the default export.
 * @param {() => any} load
 * @param {boolean} callable
 * @param {boolean} esModule
 */
function lazyModule(load, callable, esModule) {
    /** @type {any} */
    let real;
    const get = () => (real ??= load());
    const target = callable ? function () {} : {};
    return new Proxy(target, {
        get: (_, key) => (key === "__esModule" && real === undefined ? esModule : Reflect.get(get(), key)),
        has: (_, key) => Reflect.has(get(), key),
        ownKeys: () => Reflect.ownKeys(get()),
        getOwnPropertyDescriptor: (_, key) => {
            const d = Reflect.getOwnPropertyDescriptor(get(), key);
            return d && { ...d, configurable: true };
        },
        apply: (_, self, args) => Reflect.apply(get(), self, args),
        construct: (_, args) => Reflect.construct(get(), args),
    });
}

function deferHeavyPackages() {
    // @ts-expect-error Module._load is internal but stable: require hooks (ts-node, proxyquire...) rely on it.
    const load = Module._load;
    // @ts-expect-error see above
    Module._load = function (request, parent, isMain) {
        const lazy = lazyEntry(request, parent?.filename);
        if (!lazy) return load.apply(this, arguments);
        return lazyModule(() => load.call(this, request, parent, isMain), lazy.callable, lazy.esModule);
    };
}

function enableCompileCache() {
    // Module.enableCompileCache exists from Node.js 22.1; NODE_DISABLE_COMPILE_CACHE=1 turns it off.
    const enable = /** @type {any} */ (Module).enableCompileCache;
    if (typeof enable === "function") enable(path.join(CACHE, "node-compile-cache"));
}

/**
 * SWC, or TypeScript's transpiler through ts-node when SWC has no binary for this platform (not cached: the
 * cache key names SWC's version).
 * @returns {{ transpile: (source: string, filename: string) => string, cacheable: boolean }}
 */
function loadTranspiler() {
    try {
        /** @type {typeof import("@swc/core")} */
        const swc = require("@swc/core");
        return {
            transpile: (source, filename) => swc.transformSync(source, { ...swcOptions, filename }).code,
            cacheable: true,
        };
    } catch {
        const service = require("ts-node").create({ transpileOnly: true });
        return { transpile: (source, filename) => service.compile(source, filename), cacheable: false };
    }
}

/** The installed SWC's version, read without loading its binary. */
function swcVersion() {
    try {
        return require("@swc/core/package.json").version;
    } catch {
        return "none";
    }
}

/**
 * Transpiles .ts files on require. Output is cached under a hash of SWC's version, the options, the path and the
 * source, so an unchanged file is read back and SWC (a 40 MB binary) loads only when some file has changed.
 */
function registerTypeScript() {
    const dir = path.join(CACHE, "ts-transpiled");
    const salt = `${swcVersion()} ${JSON.stringify(swcOptions)}`;
    /** @type {ReturnType<typeof loadTranspiler> | undefined} */
    let transpiler;
    const nodeModules = `${path.sep}node_modules${path.sep}`;
    const loadJs = require.extensions[".js"];
    require.extensions[".ts"] = function (module, filename) {
        // As ts-node: files under node_modules are not the project's to transpile.
        if (filename.includes(nodeModules)) return loadJs(module, filename);
        const source = fs.readFileSync(filename, "utf8");
        const cached = path.join(
            dir,
            `${crypto.createHash("sha256").update(`${salt}\0${filename}\0${source}`).digest("hex")}.js`,
        );
        let code;
        try {
            code = fs.readFileSync(cached, "utf8");
        } catch {
            transpiler ??= loadTranspiler();
            code = transpiler.transpile(source, filename);
            if (transpiler.cacheable) {
                // Written whole under a temporary name, then renamed: a parallel run never reads half a file.
                fs.mkdirSync(dir, { recursive: true });
                fs.writeFileSync(`${cached}.${process.pid}`, code);
                fs.renameSync(`${cached}.${process.pid}`, cached);
            }
        }
        // @ts-expect-error Module#_compile is how every require hook hands code to the loader.
        module._compile(code, filename);
    };
}

if (!require.extensions[".ts"]) {
    enableCompileCache();
    deferHeavyPackages();
    registerTypeScript();
}

module.exports = { swcOptions };
