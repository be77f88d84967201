import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runCommand } from "../../tools/cli-common";
import { planCommand } from "../../tools/plan/cli";
import { serialised } from "./plan";

const ROOT = path.resolve(__dirname, "..", "..");

/** Temporary project directories made by these helpers, removed when the test process exits. */
const made: string[] = [];
process.on("exit", () => {
    // rmSync unlinks symbolic links without following them, so the linked repository is never touched.
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aws-platform-"));
    made.push(dir);
    return dir;
}
const CLI = path.join(ROOT, "tools", "plan", "cli.ts");
/** The project's TypeScript launcher, as `npm run plan` uses it. */
const REGISTER = path.join(ROOT, "tools", "register.js");

export interface CliResult {
    code: number;
    stdout: string;
    stderr: string;
}

/** Runs the plan command as a user would, in its own process. */
export function runCli(args: string[]): Promise<CliResult> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", REGISTER, CLI, ...args],
            { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
                resolve({ code, stdout, stderr });
            },
        );
    });
}

/** A write that keeps the text in `sink` instead of handing it to the OS, and calls back as a stream would. */
function captureInto(sink: string[]): typeof process.stdout.write {
    return ((
        chunk: string | Uint8Array,
        encoding?: BufferEncoding | ((err?: Error | null) => void),
        callback?: (err?: Error | null) => void,
    ) => {
        sink.push(
            typeof chunk === "string"
                ? chunk
                : Buffer.from(chunk).toString(typeof encoding === "string" ? encoding : "utf8"),
        );
        const done = typeof encoding === "function" ? encoding : callback;
        if (done) process.nextTick(done);
        return true;
    }) as typeof process.stdout.write;
}

/**
 * Runs the plan command in this process, as its own process would run it from the repository (`runCommand`, the
 * exit path of `runMain` without the exit), and returns what it wrote to stdout and stderr (the Pulumi runtime's
 * console warnings included) with its exit code. It waits for every other run of the Pulumi runtime in this process
 * (the runtime is process-global), and puts the working directory back afterwards (the command moves to the program's).
 *
 * For tests of the command's output and exit code; what only a process shows (pipes, flushing before exit, stack
 * traces of an uncaught failure, module loading) is tested through {@link runCli}.
 */
export function runCliInProcess(args: string[]): Promise<CliResult> {
    return serialised(async () => {
        const cwd = process.cwd();
        const stdout: string[] = [];
        const stderr: string[] = [];
        const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
        process.stdout.write = captureInto(stdout);
        process.stderr.write = captureInto(stderr);
        try {
            process.chdir(ROOT);
            const code = await runCommand(() => planCommand(args));
            return { code, stdout: stdout.join(""), stderr: stderr.join("") };
        } finally {
            process.stdout.write = writes.stdout;
            process.stderr.write = writes.stderr;
            process.chdir(cwd);
        }
    });
}

/** A project directory with this repository's Pulumi.yaml and one stack file. */
export function projectWith(stack: string, stackFile: string): string {
    const dir = tempProject();
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(stackFile, path.join(dir, `Pulumi.${stack}.yaml`));
    return dir;
}

/** Runs tasks two at a time: the machines have two cores. */
export async function pool<T>(tasks: (() => Promise<T>)[], width = 2): Promise<T[]> {
    const results: T[] = new Array(tasks.length);
    let next = 0;
    await Promise.all(
        Array.from({ length: width }, async () => {
            while (next < tasks.length) {
                const i = next++;
                results[i] = await tasks[i]();
            }
        }),
    );
    return results;
}

/**
 * A project directory that runs this repository's program with other stack files (and policy configs):
 * the code is linked, `Pulumi.yaml` is copied, and the given files are laid beside it.
 */
export function projectLinkedTo(files: Record<string, string>): string {
    const dir = tempProject();
    for (const entry of ["index.ts", "components", "stacks", "apps", "node_modules", "package.json", "tsconfig.json"]) {
        if (fs.existsSync(path.join(ROOT, entry))) fs.symlinkSync(path.join(ROOT, entry), path.join(dir, entry));
    }
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const [relative, source] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, relative)), { recursive: true });
        fs.copyFileSync(source, path.join(dir, relative));
    }
    return dir;
}
