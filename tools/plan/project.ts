import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

/** Raised for problems with the command line or the project files: the CLI exits 2. */
export class UsageError extends Error {}

export interface ProjectFile {
    name: string;
    /** Path of the program (a directory or a file), relative to Pulumi.yaml. Default: Pulumi.yaml's directory. */
    main?: string;
    config?: Record<
        string,
        { type?: string; description?: string; default?: unknown; value?: unknown; secret?: boolean }
    >;
}

export function readProject(dir: string): ProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) throw new UsageError(`no Pulumi.yaml in ${dir}`);
    return YAML.parse(fs.readFileSync(file, "utf8")) as ProjectFile;
}

/** Where a project's program runs from, as the Pulumi CLI decides it. */
export interface ProgramLocation {
    /** The working directory the program runs in: build contexts and other relative paths resolve from here. */
    pwd: string;
    /** The module to load: the package's entry point (package.json `main`, else index.ts or index.js), or a file. */
    entry: string;
}

/**
 * The program of the project in `dir`, as the Pulumi CLI finds it (pkg/engine/project.go, getPwdMain): `main` is
 * relative to Pulumi.yaml (or absolute) and may point outside the project, a directory runs there with its
 * package's entry point, a file runs in its own directory. So a project directory of its own (a stack file and a
 * Pulumi.yaml whose `main` names this repository) runs this repository's program with the repository as its working
 * directory.
 */
export function programLocation(dir: string, project: ProjectFile = readProject(dir)): ProgramLocation {
    if (project.main !== undefined && typeof project.main !== "string") {
        throw new UsageError(`Pulumi.yaml in ${dir}: main is not a path`);
    }
    const main = project.main === undefined || project.main === "" ? dir : path.resolve(dir, project.main);
    if (!fs.existsSync(main)) {
        throw new UsageError(`Pulumi.yaml in ${dir}: project 'main' could not be read: ${main} does not exist`);
    }
    if (!fs.statSync(main).isDirectory()) return { pwd: path.dirname(main), entry: main };
    const manifest = path.join(main, "package.json");
    const declared = fs.existsSync(manifest)
        ? (JSON.parse(fs.readFileSync(manifest, "utf8")) as { main?: unknown }).main
        : undefined;
    const candidates = [...(typeof declared === "string" ? [declared] : []), "index.ts", "index.js"];
    const entry = candidates.map((c) => path.join(main, c)).find((f) => fs.existsSync(f));
    if (!entry) throw new UsageError(`Pulumi.yaml in ${dir}: no entry point in ${main} (package.json main, index.ts)`);
    return { pwd: main, entry };
}

/** Stack names that have a `Pulumi.<stack>.yaml` in the project directory. */
export function listStacks(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

export interface StackConfig {
    /** Config values as YAML gave them (objects stay objects), project defaults filled in. */
    raw: Record<string, unknown>;
    /** Keys whose values are secret (`secure:` in the stack file, or `secret: true` in Pulumi.yaml). */
    secretKeys: string[];
}

/** What the offline tools see instead of a whole config value that only the Pulumi CLI can decrypt. */
export const SECURE_VALUE = "[secure value: decrypted only by the Pulumi CLI]";

/**
 * What they see instead of an encrypted value inside a structured one (`pulumi config set --secret --path`). It is
 * shaped as an https URL because monitoring.httpsEndpoints is the one place the settings accept a secret, so such a
 * stack still plans; a secret anywhere else is refused by the settings whatever it holds. It has no dot, so it is
 * neither a real host name nor one of the placeholder domains.
 */
export const NESTED_SECURE_VALUE = "https://secure-value/decrypted-only-by-the-pulumi-cli";

/** A stack file's encrypted value: a map with the single key `secure`. */
function isSecure(value: unknown): boolean {
    return (
        value !== null &&
        typeof value === "object" &&
        !Array.isArray(value) &&
        Object.keys(value).length === 1 &&
        "secure" in value
    );
}

/** `value` with every encrypted leaf replaced by NESTED_SECURE_VALUE, and whether there was one. */
function withoutNestedSecure(value: unknown): { value: unknown; secret: boolean } {
    if (isSecure(value)) return { value: NESTED_SECURE_VALUE, secret: true };
    if (Array.isArray(value)) {
        const items = value.map(withoutNestedSecure);
        return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value).map(([k, v]) => [k, withoutNestedSecure(v)] as const);
        return {
            value: Object.fromEntries(entries.map(([k, v]) => [k, v.value])),
            secret: entries.some(([, v]) => v.secret),
        };
    }
    return { value, secret: false };
}

/**
 * Reads a stack's config as the CLI would hand it to the program: the stack file's `config:` block, with
 * the project's declared defaults for keys the stack does not set. `secure:` values cannot be decrypted
 * without the CLI, so they are passed as an opaque placeholder (SECURE_VALUE, or NESTED_SECURE_VALUE inside a
 * structured value) and their top-level key is marked secret, as the CLI marks it.
 */
export function readStackConfig(dir: string, stack: string, project = readProject(dir)): StackConfig {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = listStacks(dir);
        throw new UsageError(`no stack file Pulumi.${stack}.yaml; stacks here: ${known.join(", ") || "none"}`);
    }
    let doc: unknown;
    try {
        doc = YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new UsageError(`Pulumi.${stack}.yaml is not valid YAML: ${(e as Error).message}`);
    }
    const config = stackFileConfig(`Pulumi.${stack}.yaml`, doc);
    const raw: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, decl] of Object.entries(project.config ?? {})) {
        const full = key.includes(":") ? key : `${project.name}:${key}`;
        const value = decl.value ?? decl.default;
        if (value !== undefined) raw[full] = value;
        if (decl.secret) secretKeys.push(full);
    }
    for (const [key, value] of Object.entries(config)) {
        const plain = isSecure(value) ? { value: SECURE_VALUE, secret: true } : withoutNestedSecure(value);
        raw[key] = plain.value;
        if (plain.secret && !secretKeys.includes(key)) secretKeys.push(key);
    }
    return { raw, secretKeys };
}

/** The keys a Pulumi stack file may have (the CLI's ProjectStack); anything else is a typo that would be ignored. */
export const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt", "environment"] as const;

/**
 * The `config:` block of a parsed stack file. A file without one, with a key a stack file cannot have (such as a
 * misspelled `confg:`), or whose `config:` is not a map is an error: silently planning with no config would hide it.
 */
export function stackFileConfig(fileName: string, doc: unknown): Record<string, unknown> {
    if (doc === null || doc === undefined) {
        throw new UsageError(`${fileName} is empty; expected a config: block with at least aws:region`);
    }
    if (typeof doc !== "object" || Array.isArray(doc)) {
        throw new UsageError(`${fileName} is not a map of stack file keys; expected ${STACK_FILE_KEYS.join(", ")}`);
    }
    const problems: string[] = [];
    for (const key of Object.keys(doc)) {
        if (!(STACK_FILE_KEYS as readonly string[]).includes(key)) {
            problems.push(
                `${fileName}: "${key}" is not a stack file key; expected one of ${STACK_FILE_KEYS.join(", ")}`,
            );
        }
    }
    const config = (doc as Record<string, unknown>).config;
    if (config === undefined || config === null) {
        problems.push(`${fileName} has no config: block; a stack needs at least config: { aws:region: <region> }`);
    } else if (typeof config !== "object" || Array.isArray(config)) {
        problems.push(`${fileName}: config is not a map of config keys to values`);
    }
    if (problems.length > 0) throw new UsageError(problems.join("\n"));
    return config as Record<string, unknown>;
}

/** Pulumi hands config to programs as strings; structured values travel as JSON. */
export function toConfigStrings(raw: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
}
