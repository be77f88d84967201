import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { MODES, UrnSnapshot, readSnapshot, snapshotFiles, snapshotOf, uncoveredUrns } from "../tools/snapshot-urns";
import { planOf, runIsolated } from "./helpers/plan";

describe("URNs: nothing recorded is deleted and recreated by the next pulumi up", () => {
    it("has a snapshot of dev and prod to guard", () => {
        const stacks = snapshotFiles().map((f) => path.basename(f, ".json"));
        for (const stack of ["dev", "prod"]) {
            assert.ok(stacks.includes(stack), `tests/fixtures/urns/${stack}.json is missing`);
        }
    });

    for (const file of snapshotFiles()) {
        const snapshot = readSnapshot(file);
        for (const mode of MODES) {
            it(`${snapshot.stack} (${mode}) still registers, or aliases, each of its ${Object.keys(snapshot.resources).length} recorded URNs`, async () => {
                const run = await planOf(snapshot.stack, mode);
                assert.deepEqual(
                    uncoveredUrns(snapshot, run),
                    [],
                    "these URNs are gone without an alias: rename back, or add `aliases` to the resource that replaces each one",
                );
            });
        }
    }
});

/** A component with one child named after it, as every component of the program names its children. */
class Box extends pulumi.ComponentResource {
    constructor(name: string, childOpts: pulumi.ComponentResourceOptions = {}, opts?: pulumi.ComponentResourceOptions) {
        super("test:index:Box", name, {}, opts);
        new pulumi.ComponentResource("test:index:Item", `${name}-item`, {}, { parent: this, ...childOpts });
        this.registerOutputs({});
    }
}

const config = { "aws:region": "eu-west-1" };
const run = (program: () => void) => runIsolated({ stack: "t", config, program });

describe("URNs: the plan runner resolves aliases as the engine does", () => {
    let old: UrnSnapshot;
    const urn = (qualifiedType: string, name: string) => `urn:pulumi:t::aws-platform::${qualifiedType}::${name}`;

    before(async () => {
        old = snapshotOf("t", [await run(() => new Box("old"))]);
        assert.deepEqual(Object.keys(old.resources).sort(), [
            urn("pulumi:pulumi:Stack", "aws-platform-t"),
            urn("test:index:Box$test:index:Item", "old-item"),
            urn("test:index:Box", "old"),
        ]);
    });

    it("reports a renamed component and its children when nothing aliases them", async () => {
        const r = await run(() => new Box("new"));
        assert.deepEqual(uncoveredUrns(old, r).sort(), [
            urn("test:index:Box$test:index:Item", "old-item"),
            urn("test:index:Box", "old"),
        ]);
    });

    it("accepts a rename aliased by name: the children follow their parent's old name", async () => {
        const r = await run(() => new Box("new", {}, { aliases: [{ name: "old" }] }));
        assert.deepEqual(uncoveredUrns(old, r), []);
    });

    it("accepts a rename aliased by the old URN itself", async () => {
        const r = await run(() => new Box("new", {}, { aliases: [urn("test:index:Box", "old")] }));
        assert.deepEqual(uncoveredUrns(old, r), []);
    });

    it("resolves a child's own alias under its parent: old name, old type", async () => {
        const aliases = await planAliases(
            () => new Box("old", { aliases: [{ name: "first" }, { type: "test:index:Part" }] }),
        );
        assert.deepEqual(aliases, {
            [urn("test:index:Box$test:index:Item", "old-item")]: [
                urn("test:index:Box$test:index:Item", "first"),
                urn("test:index:Box$test:index:Part", "old-item"),
            ],
        });
    });

    it("resolves an alias with no parent to a URN at the stack's root", async () => {
        const aliases = await planAliases(() => new Box("old", { aliases: [{ parent: undefined }] }));
        assert.deepEqual(aliases[urn("test:index:Box$test:index:Item", "old-item")], [
            urn("test:index:Item", "old-item"),
        ]);
    });
});

/** URN → recorded aliases of every resource that has some. */
async function planAliases(program: () => void): Promise<Record<string, string[]>> {
    const r = await run(program);
    return Object.fromEntries(r.resources.filter((x) => x.aliases).map((x) => [x.urn, x.aliases!]));
}
