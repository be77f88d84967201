import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

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
