import { strict as assert } from "assert";
import * as path from "path";
import * as aws from "@pulumi/aws";
import { answerInvoke } from "../tools/plan/invokes";
import { listStacks } from "../tools/plan/project";
import { PlanDocument } from "../tools/plan/render";
import { ProgramError } from "../tools/plan/runner";
import { UNKNOWN, named, runIsolated } from "./helpers/plan";
import { pool, runCli } from "./helpers/cli";

const ROOT = path.resolve(__dirname, "..");
const config = { "aws:region": "ap-southeast-2" };

describe("offline plan runner", () => {
    describe("invokes", () => {
        it("derives AZs, region and partition from the stack's region", () => {
            const azs = answerInvoke(
                "aws:index/getAvailabilityZones:getAvailabilityZones",
                {},
                { region: "eu-north-1" },
            );
            assert.deepEqual((azs.names as string[]).slice(0, 3), ["eu-north-1a", "eu-north-1b", "eu-north-1c"]);
            assert.equal(
                answerInvoke("aws:index/getRegion:getRegion", {}, { region: "eu-north-1" }).region,
                "eu-north-1",
            );
            assert.equal(
                answerInvoke("aws:index/getPartition:getPartition", {}, { region: "cn-north-1" }).partition,
                "aws-cn",
            );
            const elb = answerInvoke("aws:elb/getServiceAccount:getServiceAccount", {}, { region: "eu-west-1" });
            assert.equal(elb.arn, "arn:aws:iam::156460612806:root");
        });

        it("renders IAM policy documents as the provider does", () => {
            const doc = answerInvoke(
                "aws:iam/getPolicyDocument:getPolicyDocument",
                {
                    statements: [
                        {
                            actions: ["s3:GetObject"],
                            resources: ["arn:aws:s3:::b/*"],
                            principals: [{ type: "Service", identifiers: ["logs.amazonaws.com"] }],
                            conditions: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
                            effect: "Deny",
                        },
                    ],
                },
                { region: "eu-west-1" },
            );
            assert.deepEqual(JSON.parse(doc.json as string), {
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Deny",
                        Principal: { Service: "logs.amazonaws.com" },
                        Action: "s3:GetObject",
                        Resource: "arn:aws:s3:::b/*",
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                ],
            });
        });

        it("fails loudly on an invoke it does not know, never answering {}", async () => {
            assert.throws(
                () => answerInvoke("aws:ec2/getAmi:getAmi", {}, { region: "eu-west-1" }),
                /no answer for invoke aws:ec2\/getAmi:getAmi/,
            );
            await assert.rejects(
                runIsolated({
                    stack: "t",
                    config,
                    program: () => ({ ami: aws.ec2.getAmiOutput({ owners: ["amazon"] }).id }),
                }),
                (e: unknown) =>
                    e instanceof ProgramError && /no answer for invoke aws:ec2\/getAmi:getAmi/.test(e.message),
            );
        });
    });

    describe("preview and update semantics", () => {
        const program = () => {
            const vpc = new aws.ec2.Vpc("v", { cidrBlock: "10.0.0.0/16" });
            vpc.id.apply((id) => new aws.ec2.Subnet("created-in-apply", { vpcId: id, cidrBlock: "10.0.1.0/24" }));
            new aws.ec2.Subnet("s", { vpcId: vpc.id, cidrBlock: "10.0.0.0/24" }, { protect: true });
            const key = new aws.kms.Key("k", {});
            return { keyArn: key.arn, cidr: vpc.cidrBlock };
        };

        it("preview: outputs of new resources are unknown unless they echo an input, and apply does not run on them", async () => {
            const r = await runIsolated({ stack: "t", config, program, mode: "preview" });
            const subnet = named(r, "s");
            assert.equal(subnet.inputs.vpcId, UNKNOWN);
            assert.deepEqual(subnet.propertyDependencies.vpcId, [named(r, "v").urn]);
            assert.ok(subnet.dependencies.includes(named(r, "v").urn));
            assert.equal(subnet.protect, true);
            assert.equal(r.resources.filter((x) => x.name === "created-in-apply").length, 0);
            assert.equal(r.outputs.keyArn, UNKNOWN);
            assert.equal(r.outputs.cidr, "10.0.0.0/16", "an echoed input is known at preview");
        });

        it("update: every output resolves to a realistic value for its type", async () => {
            const r = await runIsolated({ stack: "t", config, program, mode: "update" });
            assert.match(named(r, "s").inputs.vpcId as string, /^vpc-[0-9a-f]{17}$/);
            assert.equal(r.resources.filter((x) => x.name === "created-in-apply").length, 1);
            assert.match(r.outputs.keyArn as string, /^arn:aws:kms:ap-southeast-2:123456789012:key\/[0-9a-f-]{36}$/);
        });

        it("auto-names like the provider and fails a name AWS would reject", async () => {
            const ok = await runIsolated({
                stack: "t",
                config,
                program: () => new aws.lb.TargetGroup("web", { port: 80, protocol: "HTTP", targetType: "ip" }),
            });
            assert.match(named(ok, "web").inputs.name as string, /^web-[0-9a-f]{7}$/);
            await assert.rejects(
                runIsolated({
                    stack: "t",
                    config,
                    program: () =>
                        new aws.lb.TargetGroup("a-very-long-target-group-name", { port: 80, protocol: "HTTP" }),
                }),
                /name "a-very-long-target-group-name-[0-9a-f]{7}" is 37 characters; AWS allows at most 32/,
            );
        });
    });

    describe("the plan command on every stack file", () => {
        const stacks = listStacks(ROOT);
        const runs = new Map<string, { code: number; stdout: string; stderr: string }>();
        before(async () => {
            const jobs = stacks.flatMap((s) =>
                [[s], [s, "--update"]].map((a) => ({ key: a.join(" "), args: [...a, "--json"] })),
            );
            const results = await pool(jobs.map((j) => () => runCli(j.args)));
            jobs.forEach((j, i) => runs.set(j.key, results[i]));
        });

        for (const stack of stacks) {
            for (const update of [false, true]) {
                const key = update ? `${stack} --update` : stack;
                it(`npm run plan -- ${key} --json: exit 0 and one JSON document with the graph`, () => {
                    const r = runs.get(key)!;
                    assert.equal(r.code, 0, r.stderr);
                    const doc = JSON.parse(r.stdout) as PlanDocument;
                    assert.equal(doc.stack, stack);
                    assert.equal(doc.mode, update ? "update" : "preview");
                    assert.ok(Array.isArray(doc.violations));
                    const urns = new Set(doc.resources.map((x) => x.urn));
                    for (const res of doc.resources) {
                        assert.deepEqual(Object.keys(res), [
                            "urn",
                            "type",
                            "name",
                            "parent",
                            "dependencies",
                            "propertyDependencies",
                            "inputs",
                            "protect",
                        ]);
                        if (res.type !== "pulumi:pulumi:Stack")
                            assert.ok(res.parent && urns.has(res.parent), `${res.name} has no parent`);
                        for (const d of [...res.dependencies, ...Object.values(res.propertyDependencies).flat()])
                            assert.ok(urns.has(d));
                    }
                    const vpc = doc.resources.find((x) => x.type === "aws:ec2/vpc:Vpc")!;
                    assert.ok(vpc.parent!.endsWith("aws-platform:index:Network::network"));
                    // Every policy decides on this stack even at preview: none is downgraded to "can't run".
                    assert.deepEqual(
                        doc.violations!.filter((v) => /can't run policy/.test(v.message)),
                        [],
                        "a policy could not decide at preview",
                    );
                    assert.deepEqual(
                        doc.violations!.filter((v) => v.enforcementLevel === "mandatory"),
                        [],
                    );
                    const text = JSON.stringify(doc.resources);
                    assert.equal(text.includes("[unknown]"), !update, "unknowns appear in preview only");
                    assert.ok(text.includes("[secret]"));
                });
            }
        }
    });
});
