import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { MAX_STACK_NAME_LENGTH, RESERVED_STACK_NAMES, stackNameProblem } from "../stacks/stack-name";
import { ciStacks } from "../tools/plan/ci-stacks";
import { UsageError, listStacks } from "../tools/plan/project";
import { projectWith, runCli } from "./helpers/cli";
import { problems } from "./helpers/settings";

const ROOT = path.resolve(__dirname, "..");
const region = { "aws:region": "eu-west-1" };

describe("stack names", () => {
    it("accepts every committed stack's name, and short lowercase names with single hyphens", () => {
        const names = [...listStacks(ROOT), "qa", "stage-2", "a", "0", "a".repeat(MAX_STACK_NAME_LENGTH)];
        assert.ok(listStacks(ROOT).length > 0);
        for (const name of names) assert.equal(stackNameProblem(name), undefined, name);
    });

    it("derives the length limit from the longest physical name: the access-log bucket within S3's 63", () => {
        // aws-platform-<stack>-app-alb-logs-<12 digits>: 13 + 14 + 12 characters besides the stack's.
        assert.equal(MAX_STACK_NAME_LENGTH, 63 - 13 - 14 - 12);
        const name = "a".repeat(MAX_STACK_NAME_LENGTH + 1);
        assert.equal(
            stackNameProblem(name),
            `is ${name.length} characters long; it makes the load balancer's access-log bucket ` +
                `aws-platform-${name}-app-alb-logs-<account id> (64 > 63); expected 1-24 lowercase letters, digits ` +
                "and single hyphens, starting and ending with a letter or digit",
        );
    });

    it("refuses what Pulumi refuses, naming its rule", () => {
        for (const name of ["", "a b", "a/b", "ü", "a".repeat(101)]) {
            assert.match(stackNameProblem(name) ?? "", /^is not a Pulumi stack name \(1-100 letters, digits/, name);
        }
    });

    it("refuses Pulumi stack names the AWS names built from them cannot take", () => {
        for (const name of ["Dev", "my_stack", "a.b", "-a", "a-", "a--b"]) {
            assert.match(
                stackNameProblem(name) ?? "",
                /^is a Pulumi stack name but not one this program can use: it goes into the Aurora cluster identifier and S3 bucket names/,
                name,
            );
        }
    });

    it("reserves preview, the GitHub environment of the pull-request preview job", () => {
        assert.deepEqual(Object.keys(RESERVED_STACK_NAMES), ["preview"]);
        assert.match(stackNameProblem("preview") ?? "", /^is reserved: each stack deploys in the GitHub environment/);
        // The workflow deploys each stack in the environment named after it and runs previews in `preview`.
        const workflow = fs.readFileSync(path.join(ROOT, ".github", "workflows", "ci.yml"), "utf8");
        assert.equal((workflow.match(/^ {4}environment: \$\{\{ matrix\.stack\.stack \}\}$/gm) ?? []).length, 2);
        assert.equal((workflow.match(/^ {4}environment: preview$/gm) ?? []).length, 1);
    });

    it("is reported by the settings with every other problem, naming the stack", () => {
        assert.deepEqual(problems({ ...region, "aws-platform:nope": 1 }, "preview").length, 2);
        const found = problems({ ...region, "aws-platform:nope": 1 }, "my_stack");
        assert.equal(found.length, 2);
        assert.match(found[0], /^stack: "my_stack" is a Pulumi stack name but not one this program can use/);
        assert.match(found[1], /^aws-platform:nope: /);
    });
});

describe("plan command: stack names", () => {
    const stackFile = path.join(ROOT, "Pulumi.dev.yaml");

    it("exits 2 without a stack trace for a stack named preview, saying why", async () => {
        const r = await runCli(["preview", "--dir", projectWith("preview", stackFile)]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /^error: invalid configuration for this stack:\n {2}stack: "preview" is reserved: /);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
        assert.equal(r.stdout, "");
    });

    it("exits 2 for a name Pulumi refuses, before looking for its file", async () => {
        const r = await runCli(["a b"]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /^error: stack "a b" is not a Pulumi stack name/);
        assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
});

describe("ci-stacks: the workflow's stack list refuses a stack the program would refuse", () => {
    it("names each such stack file, so no matrix or deployment environment is made for it", () => {
        const dir = projectWith("preview", path.join(ROOT, "Pulumi.dev.yaml"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.my_stack.yaml"));
        fs.copyFileSync(path.join(ROOT, "Pulumi.dev.yaml"), path.join(dir, "Pulumi.fine.yaml"));
        assert.throws(
            () => ciStacks(dir),
            (e: unknown) =>
                e instanceof UsageError &&
                /^Pulumi\.my_stack\.yaml: stack "my_stack" is a Pulumi stack name but not one this program can use/.test(
                    e.message,
                ) &&
                /\nPulumi\.preview\.yaml: stack "preview" is reserved: /.test(e.message) &&
                !e.message.includes("fine"),
        );
        fs.rmSync(path.join(dir, "Pulumi.my_stack.yaml"));
        fs.rmSync(path.join(dir, "Pulumi.preview.yaml"));
        assert.deepEqual(
            ciStacks(dir).stacks.map((s) => s.stack),
            ["fine"],
        );
    });
});
