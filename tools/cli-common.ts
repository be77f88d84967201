/**
 * What every command in tools/ shares: one argument parser (Node's util.parseArgs, checked strictly here so that each
 * problem names the flag), `-h`/`--help`, and an exit that waits for the output and prints no stack trace.
 *
 * Exit codes across the tools: 2 for bad usage (an unknown flag, a missing value, a bad stack name or file).
 */
import { parseArgs } from "util";
import { ConfigError, formatIssue } from "../stacks/common";
import { PULUMI_STACK_NAME, stackNameProblem } from "../stacks/stack-name";
import { UsageError } from "./plan/project";

export { UsageError };

export interface OptionSpec {
    type: "string" | "boolean";
    /** A one-letter alias, e.g. `h` for `-h`. */
    short?: string;
    /** A string option that may be given more than once; its values are collected in order. */
    multiple?: boolean;
    /** What a string option takes, for the error when it is missing: "a directory". */
    takes?: string;
}

export interface CliSpec<O extends Record<string, OptionSpec>> {
    /** The help text: printed for -h/--help, and after every usage error. */
    usage: string;
    options: O;
    /** How many positional arguments the command takes, and what they are (for the error). */
    positionals: { min: number; max: number; what: string };
}

type ValueOf<S extends OptionSpec> = S["type"] extends "boolean"
    ? boolean
    : S["multiple"] extends true
      ? string[]
      : string | undefined;

export interface ParsedCli<O extends Record<string, OptionSpec>> {
    /** -h or --help was given: print the usage and nothing else (whatever else was given). */
    help: boolean;
    /** Booleans are false when absent, multiple strings empty, other strings undefined. */
    values: { [K in keyof O]: ValueOf<O[K]> };
    positionals: string[];
}

const HELP: OptionSpec = { type: "boolean", short: "h" };

/**
 * Parses `argv` against `spec`. Every problem is collected and thrown at once as a UsageError that ends with the
 * usage: an unknown flag (named as given), a value given to a flag that takes none, a missing value (a value that
 * starts with `-` counts as missing unless written `--flag=-value`), a flag given twice, the wrong number of
 * positional arguments.
 */
export function parseCli<O extends Record<string, OptionSpec>>(
    argv: readonly string[],
    spec: CliSpec<O>,
): ParsedCli<O> {
    const options: Record<string, OptionSpec> = { ...spec.options, help: HELP };
    const { tokens } = parseArgs({
        args: [...argv],
        options: Object.fromEntries(
            Object.entries(options).map(([name, o]) => [
                name,
                { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
            ]),
        ),
        allowPositionals: true,
        strict: false,
        tokens: true,
    });
    const problems: string[] = [];
    const values: Record<string, boolean | string | string[] | undefined> = {};
    for (const [name, o] of Object.entries(options))
        values[name] = o.type === "boolean" ? false : o.multiple ? [] : undefined;
    const positionals: string[] = [];
    for (const token of tokens) {
        if (token.kind === "positional") positionals.push(token.value);
        if (token.kind !== "option") continue;
        const o = Object.hasOwn(options, token.name) ? options[token.name] : undefined;
        if (!o) {
            problems.push(`unknown option ${token.rawName}`);
        } else if (o.type === "boolean") {
            if (token.value !== undefined) problems.push(`${token.rawName} takes no value`);
            values[token.name] = true;
        } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith("-"))) {
            problems.push(`${token.rawName} needs ${o.takes ?? "a value"}`);
            // A flag-like "value" is the next argument, still to be checked as one.
            if (token.value !== undefined) problems.push(...checkTaken(token.value, options));
        } else if (o.multiple) {
            (values[token.name] as string[]).push(token.value);
        } else if (values[token.name] !== undefined) {
            problems.push(`${token.rawName} given twice`);
        } else {
            values[token.name] = token.value;
        }
    }
    const help = values.help === true;
    delete values.help;
    const { min, max, what } = spec.positionals;
    if (positionals.length < min || positionals.length > max) {
        const got = positionals.map((p) => `"${p}"`).join(", ") || "none";
        const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
        problems.push(max === 0 ? `takes no ${what}, got ${got}` : `expected ${expected} ${what}, got ${got}`);
    }
    if (!help && problems.length > 0) throw new UsageError(`${problems.join("\n")}\n${spec.usage}`);
    return { help, values: values as ParsedCli<O>["values"], positionals };
}

/** The option a flag-like argument names, if it names none: `--dir --nope` has two problems. */
function checkTaken(arg: string, options: Record<string, OptionSpec>): string[] {
    const name = arg.startsWith("--") ? arg.slice(2).split("=")[0] : arg.length === 2 ? arg.slice(1) : undefined;
    const known = Object.entries(options).some(([n, o]) => n === name || o.short === name);
    return known ? [] : [`unknown option ${arg.split("=")[0]}`];
}

/**
 * Why a stack argument cannot even be looked for (Pulumi's rule, checked before the name becomes a file name), or
 * undefined; what the program needs of the name beyond that is the settings' to report, with the config's problems.
 */
export function stackArgProblem(stack: string): string | undefined {
    return PULUMI_STACK_NAME.test(stack) ? undefined : `stack "${stack}" ${stackNameProblem(stack)}`;
}

/** Writes and resolves once the stream has handed the text to the OS (a pipe may take it in several chunks). */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
    return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

/** The message and exit code of a failure: 2 for usage and config, 3 for anything else (the program failed). */
export function failure(e: unknown): { code: number; text: string } {
    if (e instanceof ConfigError) {
        const lines = e.issues.map((i) => `  ${formatIssue(i)}`).join("\n");
        return { code: 2, text: `error: invalid configuration for this stack:\n${lines}\n` };
    }
    if (e instanceof UsageError) return { code: 2, text: `error: ${e.message}\n` };
    return { code: 3, text: `error: ${(e as Error)?.message ?? String(e)}\n` };
}

/** Classifies a failure as {@link failure} does, but with `code` for one that is not about usage or config. */
export function failedWith(code: number): (e: unknown) => { code: number; text: string } {
    return (e) => {
        const classified = failure(e);
        return e instanceof UsageError || e instanceof ConfigError ? classified : { ...classified, code };
    };
}

/** Prints a command's usage for -h/--help and gives the exit code that goes with it. */
export async function printUsage(usage: string): Promise<number> {
    await write(process.stdout, `${usage}\n`);
    return 0;
}

/**
 * The whole command line of a command that takes no argument but -h/--help: true when help was asked for.
 * @throws UsageError naming each flag or argument it does not take.
 */
export function noArguments(argv: readonly string[], usage: string): boolean {
    return parseCli(argv, { usage, options: {}, positionals: { min: 0, max: 0, what: "arguments" } }).help;
}

/**
 * Runs a command's `main` and resolves to its exit code once stdout and stderr have handed everything to the OS. A
 * failure prints one `error:` message, never a stack trace, with the code `classify` gives it (default
 * {@link failure}). The tests run commands in process through this, exactly as {@link runMain} runs them.
 */
export async function runCommand(
    main: () => Promise<number> | number,
    classify: (e: unknown) => { code: number; text: string } = failure,
): Promise<number> {
    let code: number;
    try {
        code = await main();
    } catch (e) {
        const classified = classify(e);
        await write(process.stderr, classified.text);
        code = classified.code;
    }
    await Promise.all([write(process.stdout, ""), write(process.stderr, "")]);
    return code;
}

/**
 * Runs a command's `main` through {@link runCommand} and exits with its code: `process.exit` drops whatever a pipe
 * has not taken yet, so it waits for the output first.
 */
export function runMain(
    main: () => Promise<number> | number,
    classify: (e: unknown) => { code: number; text: string } = failure,
): void {
    runCommand(main, classify).then(
        (code) => process.exit(code),
        () => process.exit(3),
    );
}
