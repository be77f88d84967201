import { strict as assert } from "assert";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as random from "@pulumi/random";
import { knownRegions, regionInfo } from "../stacks/aws-regions";
import { isOfflinePlan } from "../stacks/placeholders";
import { parseSettings } from "../stacks/settings";
import { answerInvoke } from "../tools/plan/invokes";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { PlanDocument, planDocument, renderTree } from "../tools/plan/render";
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

    describe("providers", () => {
        // A second AWS provider in us-east-1, as CloudFront certificates and WAF need, next to the stack's region.
        const program = () => {
            const useast1 = new aws.Provider("us-east-1", { region: "us-east-1" });
            new aws.s3.Bucket("edge-logs", {}, { provider: useast1 });
            new aws.s3.Bucket("local", {});
            new random.RandomId("suffix", { byteLength: 4 });
            new aws.s3.Bucket("pinned", { region: "ap-southeast-2" } as aws.s3.BucketArgs);
        };
        let doc: PlanDocument;
        let tree: string;
        before(async () => {
            const r = await runIsolated({ stack: "t", config: { "aws:region": "eu-west-1" }, program });
            doc = planDocument(r);
            tree = renderTree(r.resources, r.region);
        });
        const res = (name: string) => doc.resources.find((x) => x.name === name)!;

        it("gives every custom resource the URN of the provider it uses, and that provider is in the plan", () => {
            assert.equal(res("edge-logs").provider, res("us-east-1").urn);
            assert.match(res("local").provider!, /::pulumi:providers:aws::default_\d+_\d+_\d+$/);
            assert.match(res("suffix").provider!, /::pulumi:providers:random::default_\d+_\d+_\d+$/);
            for (const r of doc.resources.filter((x) => x.provider !== null)) {
                const provider = doc.resources.find((x) => x.urn === r.provider);
                assert.ok(provider, `${r.name}'s provider ${r.provider} is not in the plan`);
                assert.equal(provider.type, `pulumi:providers:${r.type.split(":")[0]}`);
            }
        });

        it("gives components, providers and the stack no provider", () => {
            const own = doc.resources.filter((x) => x.type.startsWith("pulumi:"));
            // The stack itself and the explicit providers at least.
            assert.ok(
                own.some((x) => x.type === "pulumi:pulumi:Stack") &&
                    own.some((x) => x.type.startsWith("pulumi:providers:")),
            );
            for (const r of own) assert.equal(r.provider, null);
        });

        it("configures the default AWS provider from the stack's aws:region, as the engine does", () => {
            const provider = doc.resources.find((x) => x.urn === res("local").provider)!;
            assert.equal((provider.inputs as { region: string }).region, "eu-west-1");
            assert.equal(provider.parent, null);
        });

        it("gives each provider's region and each resource's region", () => {
            assert.equal(res("us-east-1").region, "us-east-1");
            assert.equal(res("edge-logs").region, "us-east-1");
            assert.equal(res("local").region, "eu-west-1");
            assert.equal(res("pinned").region, "ap-southeast-2", "a resource's own region input wins");
            assert.equal(res("suffix").region, null, "random resources have no region");
        });

        it("marks, in the human output, exactly the resources outside the stack's region", () => {
            const marked = tree
                .split("\n")
                .filter((l) => /\[region /.test(l))
                .map((l) => l.replace(/^[\s│├└─]+/, ""));
            assert.deepEqual(marked.sort(), [
                "aws:s3/bucket:Bucket  edge-logs  [region us-east-1]",
                "aws:s3/bucket:Bucket  pinned  [region ap-southeast-2]",
                "pulumi:providers:aws  us-east-1  [region us-east-1]",
            ]);
        });
    });

    describe("invokes and created resources follow their provider's region", () => {
        let r: Awaited<ReturnType<typeof runIsolated>>;
        before(async () => {
            r = await runIsolated({
                stack: "t",
                config: { "aws:region": "eu-west-1" },
                mode: "update",
                program: () => {
                    const useast1 = new aws.Provider("us-east-1", { region: "us-east-1" });
                    return {
                        edgeRegion: aws.getRegionOutput({}, { provider: useast1 }).region,
                        stackRegion: aws.getRegionOutput({}).region,
                        edgeKeyArn: new aws.kms.Key("edge-key", {}, { provider: useast1 }).arn,
                        stackKeyArn: new aws.kms.Key("stack-key", {}).arn,
                    };
                },
            });
        });

        it("answers an invoke made through a us-east-1 provider for us-east-1, as that provider plugin would", () => {
            assert.equal(r.outputs.edgeRegion, "us-east-1");
            assert.equal(r.outputs.stackRegion, "eu-west-1");
        });

        it("gives a resource created through a us-east-1 provider a us-east-1 ARN", () => {
            assert.match(r.outputs.edgeKeyArn as string, /^arn:aws:kms:us-east-1:123456789012:key\//);
            assert.match(r.outputs.stackKeyArn as string, /^arn:aws:kms:eu-west-1:123456789012:key\//);
        });
    });

    describe("duplicate URNs", () => {
        it("fails the plan naming the URN and both registrations, as the engine refuses a second registration", async () => {
            await assert.rejects(
                runIsolated({
                    stack: "t",
                    config,
                    program: () => {
                        const vpc = new aws.ec2.Vpc("vpc", { cidrBlock: "10.0.0.0/16" });
                        new aws.ec2.SecurityGroup("app-alb", { vpcId: vpc.id, description: "load balancer" });
                        new aws.ec2.SecurityGroup("app-alb", { vpcId: vpc.id, description: "service alb" });
                    },
                }),
                (e: unknown) => {
                    assert.ok(e instanceof ProgramError, String(e));
                    assert.match(
                        e.message,
                        /Duplicate resource URN 'urn:pulumi:t::aws-platform::aws:ec2\/securityGroup:SecurityGroup::app-alb'/,
                    );
                    assert.match(
                        e.message,
                        /resource #\d+ with inputs \{.*"description":"load balancer".*\}, and again as resource #\d+ with inputs \{.*"description":"service alb"/,
                    );
                    return true;
                },
            );
        });

        it("accepts the same name for different types, or under different parents' types", async () => {
            const r = await runIsolated({
                stack: "t",
                config,
                program: () => {
                    new aws.cloudwatch.LogGroup("app", {});
                    new aws.ecr.Repository("app", {});
                },
            });
            assert.equal(r.resources.filter((x) => x.name === "app").length, 2);
        });
    });

    describe("availability zones", () => {
        it("answers each region with the zones a new account sees, from stacks/regions.json", () => {
            const azs = (region: string) =>
                answerInvoke("aws:index/getAvailabilityZones:getAvailabilityZones", {}, { region }).names;
            assert.deepEqual(azs("us-west-1"), ["us-west-1a", "us-west-1c"]);
            assert.deepEqual(azs("ap-northeast-1"), ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
            assert.deepEqual(azs("eu-west-1"), ["eu-west-1a", "eu-west-1b", "eu-west-1c"]);
            for (const region of knownRegions()) assert.deepEqual(azs(region), regionInfo(region)!.azs);
            assert.throws(
                () => azs("eu-west-9"),
                /eu-west-9 is not in stacks\/regions.json \(checked \d{4}-\d\d-\d\d\)/,
            );
        });
    });

    describe("the offline flag", () => {
        it("is set while the runner runs a program and never otherwise", async () => {
            let during: boolean | undefined;
            assert.equal(isOfflinePlan(), false);
            await runIsolated({ stack: "t", config, program: () => void (during = isOfflinePlan()) });
            assert.equal(during, true);
            assert.equal(isOfflinePlan(), false);
        });
    });

    describe("the plan command on every stack file", () => {
        const stacks = listStacks(ROOT);
        // One process per mode plans every stack (npm run plan -- --json [--update]); each stack's document in it is
        // its single-stack --json document, which the all-stacks tests check.
        const runs = new Map<string, { code: number; stdout: string; stderr: string }>();
        before(async () => {
            const [preview, update] = await pool([() => runCli(["--json"]), () => runCli(["--json", "--update"])]);
            for (const [r, suffix] of [
                [preview, ""],
                [update, " --update"],
            ] as const) {
                const all = JSON.parse(r.stdout) as Record<
                    string,
                    { exitCode: number; plan?: unknown; error?: string }
                >;
                assert.deepEqual(Object.keys(all).sort(), [...stacks].sort(), r.stderr);
                for (const [stack, one] of Object.entries(all)) {
                    runs.set(`${stack}${suffix}`, {
                        code: one.exitCode,
                        stdout: JSON.stringify(one.plan ?? null),
                        stderr: one.error ?? r.stderr,
                    });
                }
            }
        });

        for (const stack of stacks) {
            for (const update of [false, true]) {
                const key = update ? `${stack} --update` : stack;
                it(`npm run plan -- --json${update ? " --update" : ""}: ${stack} exits 0, with its document and graph`, () => {
                    const r = runs.get(key)!;
                    assert.equal(r.code, 0, r.stderr);
                    const doc = JSON.parse(r.stdout) as PlanDocument;
                    assert.equal(doc.stack, stack);
                    assert.equal(doc.mode, update ? "update" : "preview");
                    assert.ok(Array.isArray(doc.violations));
                    assert.equal(doc.region, readStackConfig(ROOT, stack).raw["aws:region"]);
                    const profile = readStackConfig(ROOT, stack).raw["aws-platform:policyProfile"];
                    assert.equal(doc.policyConfig, `policy/config/${profile}.json`);
                    const urns = new Set(doc.resources.map((x) => x.urn));
                    const byUrn = new Map(doc.resources.map((x) => [x.urn, x]));
                    for (const res of doc.resources) {
                        assert.deepEqual(Object.keys(res), [
                            "urn",
                            "type",
                            "name",
                            "parent",
                            "provider",
                            "region",
                            "dependencies",
                            "propertyDependencies",
                            "inputs",
                            "protect",
                        ]);
                        // Only the stack and the engine's default providers have no parent.
                        if (res.type !== "pulumi:pulumi:Stack" && !/^default(_|$)/.test(res.name))
                            assert.ok(res.parent && urns.has(res.parent), `${res.name} has no parent`);
                        for (const d of [...res.dependencies, ...Object.values(res.propertyDependencies).flat()])
                            assert.ok(urns.has(d));
                        const custom = res.type.includes("/") || res.type.startsWith("pulumi:providers:");
                        if (custom && !res.type.startsWith("pulumi:providers:")) {
                            // Every custom resource names a provider that is in the plan, and lands in that provider's
                            // region: the stack's, or us-east-1 for what CloudFront needs there.
                            const provider = byUrn.get(res.provider!);
                            assert.ok(provider?.type.startsWith("pulumi:providers:"), `${res.name} has no provider`);
                            assert.equal(provider!.type, `pulumi:providers:${res.type.split(":")[0]}`);
                            if (res.type.startsWith("aws:")) {
                                assert.equal(res.region, provider!.region, res.name);
                                assert.ok([doc.region, "us-east-1"].includes(res.region!), res.name);
                            }
                        } else {
                            assert.equal(res.provider, null, `${res.name} is not a custom resource`);
                        }
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
                    // Every generated application secret prints as "[secret]", never in clear; their number is the stack's.
                    const appSecrets = parseSettings(readStackConfig(ROOT, stack).raw, stack).secrets.appSecrets;
                    const versions = doc.resources.filter(
                        (x) => x.type === "aws:secretsmanager/secretVersion:SecretVersion",
                    );
                    assert.equal(versions.length, appSecrets.length);
                    for (const v of versions)
                        assert.equal((v.inputs as { secretString: unknown }).secretString, "[secret]", v.name);
                });
            }
        }
    });
});
