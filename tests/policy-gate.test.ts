import { strict as assert } from "assert";
import * as path from "path";
import { PlanDocument } from "../tools/plan/render";
import { CliResult, pool, projectLinkedTo, runCliInProcess } from "./helpers/cli";

const FIXTURE = path.join(__dirname, "fixtures", "misconfigured", "Pulumi.prod-single-writer.yaml");

describe("the policy gate: a stack config allows but the pack forbids fails the plan with exit 1", () => {
    const runs: Record<string, CliResult> = {};
    before(async () => {
        const dir = projectLinkedTo({ "Pulumi.prod-single-writer.yaml": FIXTURE });
        const [preview, update, text] = await pool([
            () => runCliInProcess(["prod-single-writer", "--dir", dir, "--json"]),
            () => runCliInProcess(["prod-single-writer", "--dir", dir, "--json", "--update"]),
            () => runCliInProcess(["prod-single-writer", "--dir", dir]),
        ]);
        Object.assign(runs, { preview, update, text });
    });

    for (const mode of ["preview", "update"] as const) {
        it(`${mode}: exits 1 with the Multi-AZ violations mandatory under the default production profile`, () => {
            const r = runs[mode];
            assert.equal(r.code, 1, r.stderr);
            const doc = JSON.parse(r.stdout) as PlanDocument;
            assert.equal(doc.policyConfig, "policy/config/production.json");
            const mandatory = doc.violations!.filter((v) => v.enforcementLevel === "mandatory");
            const aurora = mandatory.find((v) => v.policy === "aurora-multi-az");
            assert.ok(aurora, JSON.stringify(doc.violations, null, 1));
            assert.match(aurora.message, /has 1 instance\(s\); at least 2 are required/);
            assert.ok(aurora.urn!.endsWith("aws:rds/cluster:Cluster::database-cluster"));
            const nat = mandatory.filter((v) => v.policy === "nat-gateway-per-az");
            assert.ok(
                nat.some((v) => /eu-west-1b/.test(v.message)) && nat.some((v) => /eu-west-1c/.test(v.message)),
                JSON.stringify(nat),
            );
            assert.deepEqual([...new Set(mandatory.map((v) => v.policy))].sort(), [
                "aurora-multi-az",
                "nat-gateway-per-az",
            ]);
        });
    }

    it("prints each violation with its level, policy and resource, mandatory first", () => {
        const out = runs.text.stdout;
        assert.equal(runs.text.code, 1);
        const first = out.indexOf("[mandatory]");
        assert.ok(first > 0);
        assert.ok(!out.slice(0, first).includes("[advisory]"), "advisory violations come after mandatory ones");
        assert.match(out, /\[mandatory\] aurora-multi-az database-cluster \(aws:rds\/cluster:Cluster\)/);
    });
});
