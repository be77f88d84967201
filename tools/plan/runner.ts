import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import type * as aliasproto from "@pulumi/pulumi/proto/alias_pb";
import { OFFLINE_PLAN, findPlaceholders, placeholderIssues } from "../../stacks/placeholders";
import { parseSettings } from "../../stacks/settings";
import { autoName, fakeCreate, hasFake, uuid } from "./fakes";
import { display } from "./render";
import { answerInvoke } from "./invokes";
import { programLocation, readProject, readStackConfig, toConfigStrings } from "./project";
import { PlanMode, PlannedResource, SECRET_SIG, SPECIAL_SIG_KEY } from "./types";

// Runtime internals the SDK keeps out of its typings (@internal) but the mock runtime needs.
/* eslint-disable @typescript-eslint/no-require-imports */
const settingsRt = require("@pulumi/pulumi/runtime/settings") as {
    setMockOptions(monitor: unknown, project: string, stack: string, preview: boolean): void;
    waitForRPCs(): Promise<void>;
};
const stateRt = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };
/* eslint-enable @typescript-eslint/no-require-imports */

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export interface RunOptions {
    stack: string;
    /** `preview` (default) as `pulumi preview` sees a new stack; `update` as `pulumi up` does. */
    mode?: PlanMode;
    /** Project directory holding Pulumi.yaml and the stack files. Default: this repository. */
    dir?: string;
    /** Raw config to use instead of the stack file (keys namespaced, values as YAML would give them). */
    config?: Record<string, unknown>;
    /** Config keys whose values are secret; only with `config`. */
    secretKeys?: string[];
    /** A program to run instead of the project's index.ts (component tests use this). */
    program?: () => unknown;
}

export interface RunResult {
    stack: string;
    mode: PlanMode;
    /** The stack's region (`aws:region`). */
    region: string;
    /** The stack's policy profile (`aws-platform:policyProfile`). */
    policyProfile: string;
    resources: PlannedResource[];
    /** The stack's outputs in wire form. */
    outputs: Record<string, unknown>;
    /** Config values a real deployment refuses (placeholders) but the offline plan accepts. */
    warnings: PlanWarning[];
}

/** A config value the offline plan accepts but `pulumi preview` and `pulumi up` refuse. */
export interface PlanWarning {
    key: string;
    value: string;
    message: string;
}

/** The program failed while running (after config validation): a resource AWS would reject, a failed apply. */
export class ProgramError extends Error {
    constructor(public readonly errors: string[]) {
        super(`the program failed:\n${errors.map((e) => `  ${e}`).join("\n")}`);
    }
}

type Callback = (err: Error | null, resp?: unknown) => void;

/**
 * A mock resource monitor that answers like the engine and records every registration request with its
 * parent, dependencies and property dependencies, which the stock mock monitor drops (pulumi/pulumi#8342).
 */
class RecordingMonitor extends MockMonitor {
    public readonly recorded: PlannedResource[] = [];
    public readonly errors: string[] = [];
    private readonly byUrn = new Map<string, PlannedResource>();

    constructor(
        private readonly mode: PlanMode,
        private readonly region: string,
        /** The stack's config as strings, from which the engine configures default providers. */
        private readonly config: Record<string, string>,
    ) {
        // An invoke runs in its provider's region (a us-east-1 provider's getRegion answers us-east-1), as the real
        // provider plugin does. The lookup is bound after super(), which may not reference `this`.
        const regionOf: { provider?: (ref: string | undefined) => string } = {};
        super({
            call: (args) =>
                answerInvoke(args.token, args.inputs as Record<string, unknown>, {
                    region: regionOf.provider?.(args.provider) ?? region,
                }),
            newResource: () => {
                throw new Error("the offline plan does not read existing resources (.get)");
            },
        });
        regionOf.provider = (ref) => this.regionOfProvider(ref);
    }

    /** The region a provider reference (`<urn>::<id>`) is configured for; the stack's region for the default one. */
    private regionOfProvider(ref: string | undefined): string {
        if (!ref) return this.region;
        const urn = ref.slice(0, ref.lastIndexOf("::"));
        const configured = this.byUrn.get(urn)?.inputs.region;
        return typeof configured === "string" && configured !== "" ? configured : this.region;
    }

    async invoke(req: resproto.ResourceInvokeRequest, callback: Callback): Promise<void> {
        await super.invoke(req, (err, resp) => {
            if (err) this.errors.push(`invoke ${req.getTok()}: ${err.message}`);
            callback(err, resp);
        });
    }

    async registerResource(req: resproto.RegisterResourceRequest, callback: Callback): Promise<void> {
        try {
            const type = req.getType();
            const name = req.getName();
            const parent = req.getParent() || undefined;
            const custom = req.getCustom();
            const urn = urnOf(parent, type, name);
            const aliases = this.aliasesOf(req, type, name, parent);
            const inputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
            const first = this.byUrn.get(urn);
            // The engine refuses a second registration of a URN ("Duplicate resource URN"); the mock monitor does not.
            if (first)
                throw new Error(
                    duplicateUrnMessage(urn, first, this.recorded.indexOf(first), inputs, this.recorded.length),
                );
            const propertyDependencies: Record<string, string[]> = {};
            req.getPropertydependenciesMap().forEach((deps, key) => {
                propertyDependencies[key] = deps.getUrnsList();
            });

            const nameError = custom ? autoName(type, urn, name, inputs) : undefined;
            if (nameError) throw new Error(nameError);

            let id = "";
            let outputs: Record<string, unknown> = { ...inputs };
            // Remote components (awsx) have no children under mocks; the engine would return their outputs.
            const remote = !custom && req.getRemote() && hasFake(type);
            if ((custom || remote) && (this.mode === "update" || type.startsWith("pulumi:providers:"))) {
                // ARNs and ids carry the region the resource lands in: its own `region` input, else its provider's.
                const where =
                    typeof inputs.region === "string" && inputs.region !== ""
                        ? inputs.region
                        : this.regionOfProvider(req.getProvider());
                const created = fakeCreate(type, name, urn, inputs, where, partitionOf(where));
                id = custom ? created.id : "";
                outputs = { ...created.outputs, ...inputs };
                // Computed outputs win over echoed inputs only where the provider computes them.
                for (const [k, v] of Object.entries(created.outputs ?? {})) if (inputs[k] === undefined) outputs[k] = v;
            }
            for (const key of req.getAdditionalsecretoutputsList()) {
                const v = outputs[key];
                if (v !== undefined && !isSecret(v)) outputs[key] = { [SPECIAL_SIG_KEY]: SECRET_SIG, value: v };
            }
            if (type.startsWith("pulumi:providers:") && this.mode === "preview") id = uuid(urn);

            const record: PlannedResource = {
                urn,
                type,
                name,
                parent,
                custom,
                dependencies: req.getDependenciesList(),
                propertyDependencies,
                inputs,
                outputs,
                protect: req.getProtect() === true,
                retainOnDelete: req.getRetainondelete() === true,
                deleteBeforeReplace: req.getDeletebeforereplace() === true,
                ignoreChanges: req.getIgnorechangesList(),
                ...replaceAndTimeouts(req),
                provider: custom && !type.startsWith("pulumi:providers:") ? this.providerOf(req) : undefined,
                ...(aliases.length > 0 ? { aliases } : {}),
            };
            this.recorded.push(record);
            this.byUrn.set(urn, record);
            (this as unknown as { resources: Map<string, unknown> }).resources.set(urn, {
                urn,
                id: id || null,
                state: outputs,
            });

            const response = new resproto.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(id);
            response.setObject(
                structproto.Struct.fromJavaScript(outputs as Record<string, structproto.JavaScriptValue>),
            );
            callback(null, response);
        } catch (err) {
            this.errors.push((err as Error).message);
            callback(err as Error, undefined);
        }
    }

    /**
     * The URNs a registration also answers to, resolved as the engine does (step_generator.go
     * `collapseAliasToUrn` and `generateAliases`): a spec's empty fields default to the resource's own name,
     * type, project and stack, and its parent to the resource's parent; a resource whose parent has aliases
     * inherits one alias per parent alias. The engine uses only the parent alias that matched the old state,
     * which a plan cannot know, so every candidate is listed.
     */
    private aliasesOf(
        req: resproto.RegisterResourceRequest,
        type: string,
        name: string,
        parent: string | undefined,
    ): string[] {
        const parentAliases = (p: string | undefined) => (p ? (this.byUrn.get(p)?.aliases ?? []) : []);
        const own: string[] = [...req.getAliasurnsList()];
        for (const alias of req.getAliasesList() as aliasproto.Alias[]) {
            const spec = alias.getSpec();
            if (!spec) {
                own.push(alias.getUrn());
                continue;
            }
            const aliasName = spec.getName() || name;
            const aliasType = spec.getType() || type;
            const stack = spec.getStack() || pulumi.getStack();
            const project = spec.getProject() || pulumi.getProject();
            const aliasParent = spec.getNoparent() ? undefined : spec.getParenturn() || parent;
            for (const p of [aliasParent, ...parentAliases(aliasParent)]) {
                own.push(urnOf(p, aliasType, aliasName, stack, project));
            }
        }
        const all = new Set(own);
        const parentName = parent ? parent.split("::")[3] : "";
        for (const parentAlias of parentAliases(parent)) {
            // A child named `<parent>-x` follows its parent's old name (the engine's inheritedChildAlias).
            const inherit = (childType: string, childName: string) => {
                const aliasName = childName.startsWith(parentName)
                    ? parentAlias.split("::")[3] + childName.slice(parentName.length)
                    : childName;
                return urnOf(parentAlias, childType, aliasName);
            };
            all.add(inherit(type, name));
            for (const u of own) {
                const qualified = u.split("::")[2].split("$");
                all.add(inherit(qualified[qualified.length - 1], u.split("::")[3]));
            }
        }
        all.delete(urnOf(parent, type, name));
        return [...all];
    }

    /**
     * The provider reference (`<urn>::<id>`) a custom resource uses: its explicit provider, or the default provider the
     * engine creates for its package and version (`pulumi:providers:<pkg>::default_<version>`), configured from the
     * stack's `<pkg>:*` config keys. The default provider is recorded once, before its first resource.
     */
    private providerOf(req: resproto.RegisterResourceRequest): string {
        const explicit = req.getProvider();
        if (explicit) return explicit;
        const pkg = req.getType().split(":")[0];
        const version = req.getVersion();
        const name = `default${version ? `_${version.replace(/[.+-]/g, "_")}` : ""}`;
        const urn = `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::pulumi:providers:${pkg}::${name}`;
        const id = uuid(urn);
        if (!this.byUrn.has(urn)) {
            const inputs: Record<string, unknown> = Object.fromEntries(
                Object.entries(this.config)
                    .filter(([k]) => k.startsWith(`${pkg}:`))
                    .map(([k, v]) => [k.slice(pkg.length + 1), v]),
            );
            if (version) inputs.version = version;
            const record: PlannedResource = {
                urn,
                type: `pulumi:providers:${pkg}`,
                name,
                custom: true,
                dependencies: [],
                propertyDependencies: {},
                inputs,
                outputs: { ...inputs },
                protect: false,
                ignoreChanges: [],
            };
            this.recorded.push(record);
            this.byUrn.set(urn, record);
        }
        return `${urn}::${id}`;
    }

    registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback): void {
        const record = this.byUrn.get(req.getUrn());
        if (record && !record.custom)
            record.outputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        callback(null, {});
    }
}

function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** The engine's URN scheme: the parent's qualified type is folded into the child's, except for the stack root. */
function urnOf(
    parent: string | undefined,
    type: string,
    name: string,
    stack = pulumi.getStack(),
    project = pulumi.getProject(),
): string {
    const parentType = parent?.split("::")[2];
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** A short, secret-free summary of a registration's inputs, to tell two registrations of one URN apart. */
function inputSummary(inputs: Record<string, unknown>): string {
    const text = JSON.stringify(display(inputs));
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** The engine's message for a duplicate URN, naming both registrations by their order and inputs. */
function duplicateUrnMessage(
    urn: string,
    first: PlannedResource,
    firstIndex: number,
    inputs: Record<string, unknown>,
    index: number,
): string {
    return (
        `Duplicate resource URN '${urn}'; try giving it a unique name. It was registered as resource #${firstIndex + 1} ` +
        `with inputs ${inputSummary(first.inputs)}, and again as resource #${index + 1} with inputs ${inputSummary(inputs)}`
    );
}

/** The `replaceOnChanges` and `customTimeouts` of a registration, only when it sets them. */
function replaceAndTimeouts(
    req: resproto.RegisterResourceRequest,
): Pick<PlannedResource, "replaceOnChanges" | "customTimeouts"> {
    const replaceOnChanges = req.getReplaceonchangesList();
    const t = req.getCustomtimeouts();
    const timeouts = t
        ? Object.fromEntries(
              Object.entries({ create: t.getCreate(), update: t.getUpdate(), delete: t.getDelete() }).filter(
                  ([, v]) => v !== "",
              ),
          )
        : {};
    return {
        ...(replaceOnChanges.length > 0 ? { replaceOnChanges } : {}),
        ...(Object.keys(timeouts).length > 0 ? { customTimeouts: timeouts } : {}),
    };
}

function isSecret(v: unknown): boolean {
    return v !== null && typeof v === "object" && (v as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG;
}

/**
 * Forgets the project's own modules so the next run registers its resources again. Node caches a module under its
 * real path, so a program reached through a symbolic link (a project directory linking this repository's code) is
 * forgotten under the directory its entry really lives in too.
 */
function forgetProjectModules(dir: string, entry?: string): void {
    const roots = [dir, ...(entry && fs.existsSync(entry) ? [path.dirname(fs.realpathSync(entry))] : [])];
    for (const key of Object.keys(require.cache)) {
        if (
            roots.some((root) => key.startsWith(root)) &&
            !key.includes(`${path.sep}node_modules${path.sep}`) &&
            !key.includes(`${path.sep}tools${path.sep}`)
        ) {
            delete require.cache[key];
        }
    }
}

let running = false;

/**
 * Runs the program for one stack under the mock runtime, with no network or cloud call, and returns every
 * resource it registered. Config is validated first, exactly as the program itself does.
 *
 * @throws ConfigError (invalid config), UsageError (missing files), ProgramError (the program failed).
 */
export async function runProgram(opts: RunOptions): Promise<RunResult> {
    if (running) throw new Error("runProgram: one run at a time (the Pulumi runtime is process-global)");
    const dir = opts.dir ?? PROJECT_DIR;
    const mode = opts.mode ?? "preview";
    const project = readProject(dir);
    const { raw, secretKeys } = opts.config
        ? { raw: opts.config, secretKeys: opts.secretKeys ?? [] }
        : readStackConfig(dir, opts.stack, project);
    // A custom program runs in the project directory; the project's own runs where the Pulumi CLI would run it.
    const program = opts.program ? { pwd: dir, entry: undefined } : programLocation(dir, project);
    running = true;
    const cwd = process.cwd();

    // The SDK reads `new Error().stack` for every promise and resource; ts-node's source-map support makes each
    // read parse source maps, which costs ~40% of a plan. Plan errors never show stacks, so use V8's formatter.
    const errorClass = Error as { prepareStackTrace?: unknown };
    const prepareStackTrace = errorClass.prepareStackTrace;
    errorClass.prepareStackTrace = undefined;
    // Even unmapped, capturing those stacks (kept only to debug leaked promises) cost a quarter of a plan's CPU.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const unhandled: string[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason instanceof Error ? reason.message : String(reason));
    process.on("unhandledRejection", onUnhandled);
    try {
        // The program runs where the Pulumi CLI would run it: build contexts resolve from there.
        process.chdir(program.pwd);
        // Validate before the runtime is touched, so a bad config registers nothing at all.
        const settings = parseSettings(raw, opts.stack, secretKeys);
        // A real deployment refuses these (loadSettings); the offline plan plans them and says so.
        const warnings = placeholderIssues(findPlaceholders(raw), secretKeys).map((i) => ({
            key: i.key,
            value: i.value === undefined ? "[secret]" : String(i.value),
            message: i.message,
        }));
        const configStrings = toConfigStrings(raw);
        pulumi.runtime.setAllConfig(configStrings, secretKeys);
        const monitor = new RecordingMonitor(mode, settings.region, configStrings);
        settingsRt.setMockOptions(monitor, project.name, opts.stack, mode === "preview");
        const store = stateRt.getStore();
        Object.assign(store, {
            supportsSecrets: true,
            supportsResourceReferences: true,
            supportsOutputValues: false,
            supportsDeletedWith: true,
            supportsAliasSpecs: true,
            supportsTransforms: false,
            supportsInvokeTransforms: false,
        });
        forgetProjectModules(program.pwd, program.entry);

        let failure: unknown;
        // Placeholders are accepted only here: loadSettings refuses them unless this flag is set.
        (globalThis as Record<symbol, unknown>)[OFFLINE_PLAN] = true;
        await pulumi.runtime
            .runInPulumiStack(async () => {
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                const exported = opts.program ? await opts.program() : { ...require(program.entry!) };
                return exported as Record<string, unknown>;
            })
            .catch((e: unknown) => {
                failure = e;
            });
        await settingsRt.waitForRPCs();
        // Let rejected registrations surface as unhandled rejections before deciding.
        await new Promise((resolve) => setImmediate(resolve));

        if (failure instanceof pulumi.RunError) throw failure;
        const errors = [
            ...new Set([
                ...monitor.errors,
                ...unhandled,
                ...(failure ? [(failure as Error).message ?? String(failure)] : []),
            ]),
        ];
        if (errors.length > 0) throw new ProgramError(errors);
        const stackRes = monitor.recorded.find((r) => r.type === "pulumi:pulumi:Stack");
        return {
            stack: opts.stack,
            mode,
            region: settings.region,
            policyProfile: settings.policyProfile,
            resources: monitor.recorded,
            outputs: stackRes?.outputs ?? {},
            warnings,
        };
    } finally {
        process.chdir(cwd);
        delete (globalThis as Record<symbol, unknown>)[OFFLINE_PLAN];
        process.off("unhandledRejection", onUnhandled);
        errorClass.prepareStackTrace = prepareStackTrace;
        Error.stackTraceLimit = stackTraceLimit;
        running = false;
    }
}
