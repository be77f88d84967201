import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { projectLinkedTo, tempProject } from "./helpers/cli";

const ROOT = path.resolve(__dirname, "..");

function run(tool: "cost" | "diagram", args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
        execFile(
            process.execPath,
            ["-r", path.join(ROOT, "tools", "register.js"), path.join(ROOT, "tools", tool, "cli.ts"), ...args],
            { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) =>
                resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
        );
    });
}

describe("npm run cost and npm run diagram, as a user runs them", () => {
    it("cost: bad usage and unknown assumptions exit 2 with every problem named", async () => {
        const usage = await run("cost", ["dev", "--bogus"]);
        assert.equal(usage.code, 2);
        assert.match(usage.stderr, /unknown option --bogus/);
        const assume = await run("cost", ["dev", "--assume", "nope=1", "--assume", "hoursPerMonth=x"]);
        assert.equal(assume.code, 2);
        assert.match(assume.stderr, /--assume nope: not a known assumption/);
        assert.match(assume.stderr, /--assume hoursPerMonth=x: expected a number >= 0/);
    });

    it("cost: a stack in a region without price data fails before the program runs, naming the file to add", async () => {
        const dev = fs
            .readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")
            .replace(/aws:region: \S+/, "aws:region: eu-north-1");
        const file = path.join(tempProject(), "Pulumi.north.yaml");
        fs.writeFileSync(file, dev);
        const dir = projectLinkedTo({ "Pulumi.north.yaml": file });
        const r = await run("cost", ["north", "--dir", dir]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /no price data for region eu-north-1: add .*tools\/cost\/prices\/eu-north-1\.json/);
    });

    it("cost --json prints the itemised estimate with its assumptions; diagram writes the Mermaid file and the SVG", async () => {
        const cost = await run("cost", ["dev", "--json", "--assume", "natGbPerGateway=100"]);
        assert.equal(cost.code, 0, cost.stderr);
        const estimate = JSON.parse(cost.stdout);
        assert.equal(estimate.stack, "dev");
        assert.equal(estimate.assumptions.natGbPerGateway.value, 100);
        const nat = estimate.lines.find((l: { item: string }) => l.item === "NAT data processed");
        assert.equal(nat.quantity, 100);
        assert.ok(estimate.total > 0);
        const out = tempProject();
        const diagram = await run("diagram", ["dev", "--out", out]);
        assert.equal(diagram.code, 0, diagram.stderr);
        assert.match(fs.readFileSync(path.join(out, "architecture-dev.mmd"), "utf8"), /^%% .*\nflowchart LR\n/);
        assert.match(fs.readFileSync(path.join(out, "architecture-dev.svg"), "utf8"), /<svg /);
    });
});
