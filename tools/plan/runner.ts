import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { parseSettings } from "../../stacks/settings";
import { autoName, fakeCreate, hasFake, uuid } from "./fakes";
import { answerInvoke } from "./invokes";
import { readProject, readStackConfig, toConfigStrings } from "./project";
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
    resources: PlannedResource[];
    /** The stack's outputs in wire form. */
    outputs: Record<string, unknown>;
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
    ) {
        super({
            call: (args) => answerInvoke(args.token, args.inputs as Record<string, unknown>, { region }),
            newResource: () => {
                throw new Error("the offline plan does not read existing resources (.get)");
            },
        });
    }

    private partition(): string {
        return this.region.startsWith("cn-") ? "aws-cn" : this.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
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
            const inputs = (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
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
                const created = fakeCreate(type, name, urn, inputs, this.region, this.partition());
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
                ignoreChanges: req.getIgnorechangesList(),
                provider: req.getProvider() || undefined,
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

    registerResourceOutputs(req: resproto.RegisterResourceOutputsRequest, callback: Callback): void {
        const record = this.byUrn.get(req.getUrn());
        if (record && !record.custom)
            record.outputs = (req.getOutputs()?.toJavaScript() ?? {}) as Record<string, unknown>;
        callback(null, {});
    }
}

/** The engine's URN scheme: the parent's qualified type is folded into the child's, except for the stack root. */
function urnOf(parent: string | undefined, type: string, name: string): string {
    const parentType = parent?.split("::")[2];
    const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
}

function isSecret(v: unknown): boolean {
    return v !== null && typeof v === "object" && (v as Record<string, unknown>)[SPECIAL_SIG_KEY] === SECRET_SIG;
}

/** Forgets the project's own modules so the next run registers its resources again. */
function forgetProjectModules(dir: string): void {
    for (const key of Object.keys(require.cache)) {
        if (
            key.startsWith(dir) &&
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
    running = true;
    const dir = opts.dir ?? PROJECT_DIR;
    const mode = opts.mode ?? "preview";
    const project = readProject(dir);
    const { raw, secretKeys } = opts.config
        ? { raw: opts.config, secretKeys: opts.secretKeys ?? [] }
        : readStackConfig(dir, opts.stack, project);

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
        // Validate before the runtime is touched, so a bad config registers nothing at all.
        const settings = parseSettings(raw, opts.stack);
        pulumi.runtime.setAllConfig(toConfigStrings(raw), secretKeys);
        const monitor = new RecordingMonitor(mode, settings.region);
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
        forgetProjectModules(dir);

        let failure: unknown;
        await pulumi.runtime
            .runInPulumiStack(async () => {
                // eslint-disable-next-line @typescript-eslint/no-require-imports
                const exported = opts.program ? await opts.program() : { ...require(path.join(dir, "index.ts")) };
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
        return { stack: opts.stack, mode, resources: monitor.recorded, outputs: stackRes?.outputs ?? {} };
    } finally {
        process.off("unhandledRejection", onUnhandled);
        errorClass.prepareStackTrace = prepareStackTrace;
        Error.stackTraceLimit = stackTraceLimit;
        running = false;
    }
}
