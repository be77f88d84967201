import { strict as assert } from "assert";
import { z } from "zod";
import { isUnder, parseRepairing, REPAIR_ROUNDS, withoutFailingKeys } from "../stacks/repair";
import { readStackConfig } from "../tools/plan/project";
import { problems } from "./helpers/settings";

const ROOT = `${__dirname}/..`;

describe("settings repair: one bad key does not hide the stack's other problems", () => {
    const schema = z.strictObject({
        a: z.number().default(1),
        b: z.strictObject({ c: z.string(), d: z.number().default(0) }),
        list: z.array(z.number()).default([]),
    });

    it("removes the failing keys (and unknown ones) from a copy, cutting a list entry's path at its list", () => {
        const value = { a: "x", b: { c: "ok", d: "y", e: 1 }, list: [1, "two"] };
        const result = schema.safeParse(value);
        assert.ok(!result.success);
        const repaired = withoutFailingKeys(value, result.error.issues)!;
        assert.deepEqual(repaired.value, { b: { c: "ok" } });
        assert.deepEqual(repaired.removed.map((p) => p.join(".")).sort(), ["a", "b.d", "b.e", "list"]);
        assert.deepEqual(value, { a: "x", b: { c: "ok", d: "y", e: 1 }, list: [1, "two"] }, "the input is untouched");
    });

    it("gives up when the section itself is wrong", () => {
        const result = schema.safeParse("nope");
        assert.ok(!result.success);
        assert.equal(withoutFailingKeys("nope", result.error.issues), undefined);
    });

    it("parses again until a refinement hidden by a field's error has had its say, then returns the rest", () => {
        const refined = z
            .object({ min: z.number(), max: z.number(), name: z.string().default("n") })
            .refine((o) => o.min <= o.max, { message: "min above max", path: ["min"] });
        const outcome = parseRepairing(refined, { min: 5, max: 1, name: 3 });
        assert.equal(outcome.ok, false, "removing min leaves a required key missing, which is not reported");
        assert.deepEqual(
            outcome.failures.map((f) => f.issues.map((i) => `${i.path.join(".")}: ${i.message}`)),
            [["name: Invalid input: expected string, received number"], ["min: min above max"]],
        );
        const ok = parseRepairing(schema, { a: "x", b: { c: "ok" } });
        assert.equal(ok.ok, true);
        assert.deepEqual(ok.data, { a: 1, b: { c: "ok", d: 0 }, list: [] });
        assert.deepEqual(ok.removed, [["a"]]);
    });

    it("stops after a bounded number of rounds", () => {
        // Each round removes one key and the next refinement fails again, so only the bound ends it.
        const endless = z.record(z.string(), z.number()).superRefine((o, ctx) => {
            const first = Object.keys(o)[0];
            if (first) ctx.addIssue({ code: "custom", message: "no", path: [first] });
        });
        const value = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, i]));
        const outcome = parseRepairing(endless, value);
        assert.equal(outcome.ok, false);
        assert.equal(outcome.failures.length, REPAIR_ROUNDS + 1);
    });

    it("knows which keys lie inside a removed one", () => {
        assert.ok(isUnder("p:db.readers", ["p:db.readers"]));
        assert.ok(isUnder("p:svc.apps.web.cpu", ["p:svc.apps.web"]));
        assert.ok(isUnder("p:list[2]", ["p:list"]));
        assert.ok(!isUnder("p:db.readersMax", ["p:db.readers"]));
    });

    it("still reports a cross-section rule when another key of the section failed its schema", () => {
        const { raw } = readStackConfig(ROOT, "dev");
        const services = raw["aws-platform:services"] as { apps: Record<string, { databaseIamUser?: string }> };
        const iamUsers = Object.entries(services.apps).filter(([, a]) => a.databaseIamUser);
        assert.ok(iamUsers.length > 0, "the dev stack's services log in with IAM database users");
        const database = { instanceClass: "db.t4g.medium", readers: -1 };
        assert.deepEqual(problems({ ...raw, "aws-platform:database": database }), [
            "aws-platform:database.readers: -1 is too small; expected >= 0",
            'aws-platform:database.instanceClass: instanceClass "db.t4g.medium" is a T class, which the RDS Data API ' +
                "does not support; use db.serverless or an R/M class (needed because " +
                `${iamUsers.map(([name]) => `services.apps.${name}`).join(", ")} set databaseIamUser)`,
        ]);
    });

    it("does not report a removed key twice when a later check also looks at it", () => {
        const { raw } = readStackConfig(ROOT, "dev");
        const found = problems({ ...raw, "aws-platform:database": { readers: "two" } });
        assert.deepEqual(
            found.filter((p) => p.startsWith("aws-platform:database.readers")),
            ['aws-platform:database.readers: "two" has the wrong type: expected number'],
        );
    });
});
