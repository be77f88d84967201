import { strict as assert } from "assert";
import { execFile, execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { policyConfigOf } from "../tools/policy-config";
import { LAST_PROFILE, ciStacks, githubOutputs } from "../tools/plan/ci-stacks";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { pool, projectWith, tempProject } from "./helpers/cli";
import { planOf } from "./helpers/plan";

const ROOT = path.resolve(__dirname, "..");
const WORKFLOW_DIR = path.join(ROOT, ".github", "workflows");
const WORKFLOW_FILES = fs.existsSync(WORKFLOW_DIR)
    ? fs
          .readdirSync(WORKFLOW_DIR)
          .filter((f) => /\.ya?ml$/.test(f))
          .map((f) => path.join(WORKFLOW_DIR, f))
    : [];

interface Step {
    id?: string;
    name?: string;
    uses?: string;
    run?: string;
    if?: string;
    shell?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
}
interface Defaults {
    run?: { shell?: string };
}
interface Job {
    if?: string;
    needs?: string | string[];
    permissions?: Record<string, string> | string;
    environment?: string | { name: string };
    concurrency?: { group: string; "cancel-in-progress"?: boolean | string };
    strategy?: { matrix?: Record<string, unknown> };
    env?: Record<string, unknown>;
    defaults?: Defaults;
    steps?: Step[];
}
interface Workflow {
    on: Record<string, unknown> | string | string[];
    permissions?: Record<string, string> | string;
    defaults?: Defaults;
    env?: Record<string, string>;
    jobs: Record<string, Job>;
}

const workflows = WORKFLOW_FILES.map((file) => ({ file, text: fs.readFileSync(file, "utf8") })).map((w) => ({
    ...w,
    doc: YAML.parse(w.text) as Workflow,
}));
const jobs = workflows.flatMap((w) => Object.entries(w.doc.jobs).map(([id, job]) => ({ workflow: w, id, job })));
const action = (step: Step) => step.uses?.split("@")[0];
const stepsUsing = (job: Job, name: string) => (job.steps ?? []).filter((s) => action(s) === name);
const needs = (job: Job) => (typeof job.needs === "string" ? [job.needs] : (job.needs ?? []));
const flat = (s: string | undefined) => (s ?? "").replace(/\s+/g, " ");

const environmentOf = (job: Job) => (typeof job.environment === "object" ? job.environment.name : job.environment);
/** Steps that install the dependencies (`npm ci` with or without flags). */
const isNpmCi = (s: Step) => /^npm ci\b/.test(s.run ?? "");

/** Jobs that run a Pulumi command (`preview`, `up`) through pulumi/actions. */
const pulumiJobs = (command: string) =>
    jobs.filter((j) => stepsUsing(j.job, "pulumi/actions").some((s) => s.with?.command === command));

/** The guard that keeps a job to pushes on main, or to pull requests from this repository (never a fork's). */
const PUSH_TO_MAIN = /github\.event_name == 'push' && github\.ref == 'refs\/heads\/main'/;
const SAME_REPO_PR = /github\.event\.pull_request\.head\.repo\.full_name == github\.repository/;

/** What a stub `gh` answers: its standard output, its error text and its exit code. */
interface GhAnswer {
    stdout?: string;
    stderr?: string;
    code?: number;
}

/** A step's script run as GitHub runs it with `shell: bash`, with `gh` replaced by a stub that records its calls. */
function runStep(step: Step, env: Record<string, string>, gh: GhAnswer) {
    const dir = tempProject();
    fs.mkdirSync(path.join(dir, "bin"));
    fs.writeFileSync(
        path.join(dir, "bin", "gh"),
        [
            "#!/usr/bin/env bash",
            `{ printf '%s\\037' "$@"; echo; } >>"${dir}/gh-calls"`,
            `printf '%s' "$GH_STUB_STDOUT"`,
            `[ -z "$GH_STUB_STDERR" ] || echo "$GH_STUB_STDERR" >&2`,
            `exit "$GH_STUB_CODE"`,
        ].join("\n"),
        { mode: 0o755 },
    );
    fs.writeFileSync(path.join(dir, "github-output"), "");
    fs.writeFileSync(path.join(dir, "gh-calls"), "");
    const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run ?? ""], {
        encoding: "utf8",
        env: {
            PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
            GITHUB_OUTPUT: path.join(dir, "github-output"),
            RUNNER_TEMP: dir,
            GH_STUB_STDOUT: gh.stdout ?? "",
            GH_STUB_STDERR: gh.stderr ?? "",
            GH_STUB_CODE: String(gh.code ?? 0),
            ...env,
        },
    });
    const outputs = Object.fromEntries(
        fs
            .readFileSync(path.join(dir, "github-output"), "utf8")
            .split("\n")
            .filter(Boolean)
            .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const calls = fs
        .readFileSync(path.join(dir, "gh-calls"), "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split("\x1f").slice(0, -1));
    return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr, outputs, calls };
}

describe("CI/CD workflows: the files", () => {
    it("exist, with one job that lists the stacks and a preview job and deploy jobs", () => {
        assert.ok(workflows.length > 0, "no workflow in .github/workflows");
        assert.ok(pulumiJobs("preview").length === 1, "one pulumi preview job");
        assert.ok(pulumiJobs("up").length >= 1, "pulumi up jobs");
    });

    for (const w of workflows) {
        it(`${path.relative(ROOT, w.file)} passes the workflow schema (action-validator, offline)`, async () => {
            const bin = path.join(ROOT, "node_modules", ".bin", "action-validator");
            const r = await new Promise<{ code: number; out: string }>((resolve) =>
                execFile(bin, [w.file], { cwd: ROOT }, (error, stdout, stderr) =>
                    resolve({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
                ),
            );
            assert.equal(r.code, 0, r.out);
        });

        it(`${path.relative(ROOT, w.file)}: every run script is valid bash`, () => {
            for (const { id, job } of jobs.filter((j) => j.workflow === w)) {
                for (const step of job.steps ?? []) {
                    if (!step.run) continue;
                    // Expressions are replaced before the shell sees the script; any word stands in for them.
                    const script = step.run.replace(/\$\{\{[^}]*\}\}/g, "EXPR");
                    assert.doesNotThrow(
                        () => execFileSync("bash", ["-n", "-c", script], { stdio: "pipe" }),
                        `${id}: ${step.name ?? step.run.slice(0, 40)}`,
                    );
                }
            }
        });

        it(`${path.relative(ROOT, w.file)}: every run script with a pipe fails when any command in it fails`, () => {
            for (const { id, job } of jobs.filter((j) => j.workflow === w)) {
                for (const step of job.steps ?? []) {
                    if (!step.run?.includes("|")) continue;
                    // GitHub runs a named `bash` as `bash --noprofile --norc -eo pipefail {0}`, but a step with no
                    // shell as `bash -e {0}`, where `a | b` succeeds when `a` fails.
                    const shell = step.shell ?? job.defaults?.run?.shell ?? w.doc.defaults?.run?.shell;
                    const what = `${id}: "${step.name ?? step.run.slice(0, 40)}"`;
                    assert.ok(
                        shell === "bash" || /^\s*set\s+-\w*o\s+pipefail\b/m.test(step.run),
                        `${what} pipes without pipefail (shell: ${shell ?? "none"})`,
                    );
                }
            }
        });
    }

    it("the schema validator can fail: it refuses a job with a misspelled key", () => {
        const dir = tempProject();
        const bad = path.join(dir, "bad.yml");
        fs.writeFileSync(bad, "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    step:\n      - run: echo\n");
        const bin = path.join(ROOT, "node_modules", ".bin", "action-validator");
        assert.throws(() => execFileSync(bin, [bad], { stdio: "pipe" }));
    });
});

describe("CI/CD workflows: hygiene", () => {
    it("pins every action to a full commit SHA, with its version in a comment", () => {
        for (const w of workflows) {
            const lines = w.text.split("\n").filter((l) => /^\s*(-\s+)?uses:/.test(l));
            assert.ok(lines.length > 0);
            for (const line of lines) {
                if (/uses:\s+\.\//.test(line)) continue; // a workflow or action of this repository
                assert.match(line, /uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
            }
        }
    });

    it("grants nothing at the top and only what each job needs", () => {
        for (const w of workflows) assert.deepEqual(w.doc.permissions, {}, `${w.file}: top-level permissions`);
        for (const { id, job } of jobs) {
            assert.ok(job.permissions !== undefined && typeof job.permissions === "object", `${id} sets permissions`);
            const perms = job.permissions as Record<string, string>;
            const usesOidc = stepsUsing(job, "aws-actions/configure-aws-credentials").length > 0;
            const comments = stepsUsing(job, "pulumi/actions").some((s) => s.with?.["comment-on-pr"] === true);
            assert.equal(perms["id-token"] === "write", usesOidc, `${id}: id-token: write exactly where OIDC is used`);
            assert.equal(perms["pull-requests"] === "write", comments, `${id}: pull-requests: write only to comment`);
            for (const [scope, level] of Object.entries(perms)) {
                if (scope === "id-token" || scope === "pull-requests") continue;
                assert.equal(level, "read", `${id}: ${scope}: ${level}`);
            }
        }
    });

    it("never uses long-lived AWS keys", () => {
        for (const w of workflows) {
            assert.doesNotMatch(
                w.text,
                /aws-access-key-id|aws-secret-access-key|AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/,
            );
        }
        // The preview and the deployments assume roles: there are such steps to check.
        assert.ok(
            jobs.filter(({ job }) => stepsUsing(job, "aws-actions/configure-aws-credentials").length > 0).length >= 2,
        );
        for (const { id, job } of jobs) {
            for (const s of stepsUsing(job, "aws-actions/configure-aws-credentials")) {
                assert.match(String(s.with?.["role-to-assume"]), /vars\.AWS_(PREVIEW|DEPLOY)_ROLE_ARN|env\.ROLE/, id);
            }
        }
    });

    it("takes Node.js from .nvmrc, which exists and names a version package.json's engines allows", () => {
        const nvmrc = fs.readFileSync(path.join(ROOT, ".nvmrc"), "utf8").trim();
        assert.match(nvmrc, /^v?\d+\.\d+\.\d+$/);
        const engines = (
            JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { engines: { node: string } }
        ).engines.node;
        const floor = /^>=\s*(\d+)\.(\d+)/.exec(engines.split("||")[0].trim().replace(/^\^/, ">="));
        assert.ok(floor, `package.json engines.node has no lower bound: ${engines}`);
        assert.ok(compareVersions(nvmrc.replace(/^v/, ""), `${floor[1]}.${floor[2]}.0`) >= 0, `${nvmrc} vs ${engines}`);
        assert.ok(
            jobs.some(({ job }) => stepsUsing(job, "actions/setup-node").length > 0),
            "a job sets up Node.js",
        );
        for (const { id, job } of jobs) {
            for (const s of stepsUsing(job, "actions/setup-node"))
                assert.equal(s.with?.["node-version-file"], ".nvmrc", id);
        }
    });

    it("pins the Pulumi CLI at or above Pulumi.yaml's minimum and the @pulumi/pulumi SDK in use", () => {
        assert.ok(
            workflows.some((x) => /pulumi\/actions@/.test(x.text)),
            "a workflow runs the Pulumi CLI",
        );
        for (const w of workflows.filter((x) => /pulumi\/actions@/.test(x.text))) {
            const version = String(w.doc.env?.PULUMI_VERSION ?? "");
            assert.match(version, /^\d+\.\d+\.\d+$/, "an exact CLI version");
            const sdk = (
                JSON.parse(
                    fs.readFileSync(path.join(ROOT, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8"),
                ) as { version: string }
            ).version;
            assert.ok(compareVersions(version, sdk) >= 0, `CLI ${version} is older than the SDK ${sdk}`);
            const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as {
                requiredPulumiVersion?: string;
            };
            const floor = /^>=\s*(\d+\.\d+\.\d+)/.exec(project.requiredPulumiVersion ?? "");
            assert.ok(floor, `Pulumi.yaml's requiredPulumiVersion is not ">=x.y.z": ${project.requiredPulumiVersion}`);
            assert.ok(compareVersions(version, floor[1]) >= 0, `CLI ${version} below ${floor[1]}`);
            assert.ok(jobs.some((j) => j.workflow === w && stepsUsing(j.job, "pulumi/actions").length > 0));
            for (const { id, job } of jobs.filter((j) => j.workflow === w)) {
                for (const s of stepsUsing(job, "pulumi/actions"))
                    assert.equal(s.with?.["pulumi-version"], "${{ env.PULUMI_VERSION }}", id);
            }
        }
    });
});

describe("CI/CD workflows: what runs where", () => {
    it("plans every stack offline in both modes on every pull request and push, from a derived stack list", () => {
        for (const w of workflows) {
            const on = w.doc.on as Record<string, unknown>;
            assert.ok("pull_request" in on && "push" in on, "runs on pull requests and pushes");
        }
        const plan = jobs.find((j) =>
            (j.job.steps ?? []).some((s) => /npm run -s plan -- .*--format json/.test(s.run ?? "")),
        );
        assert.ok(plan, "a job runs the offline plan");
        assert.equal(plan.job.if, undefined, "the offline plan runs on every event");
        assert.equal(plan.job.strategy?.matrix?.stack, "${{ fromJSON(needs.stacks.outputs.stacks) }}");
        assert.deepEqual(plan.job.strategy?.matrix?.mode, ["preview", "update"]);
        const list = jobs.find((j) => j.id === needs(plan.job)[0])!;
        assert.ok((list.job.steps ?? []).some((s) => /npm run -s ci-stacks .*GITHUB_OUTPUT/.test(s.run ?? "")));
        const steps = plan.job.steps ?? [];
        assert.ok(
            steps.some((s) => /--format markdown.*>>\s*"\$GITHUB_STEP_SUMMARY"/.test(s.run ?? "")),
            "summary",
        );
        assert.ok(
            steps.some((s) => /--diff "base-plan\//.test(s.run ?? "")),
            "diff against the base plan",
        );
        const upload = stepsUsing(plan.job, "actions/upload-artifact")[0];
        assert.ok(upload && upload.if === "always()", "the JSON plan is uploaded even when the gate fails");
        const gate = steps.find((s) => s.name === "Policy gate");
        assert.ok(gate && /1\).*exit 1/.test(flat(gate.run)), "a mandatory violation (exit 1) fails the job");
        assert.equal(Object.keys(plan.job.permissions as object).includes("id-token"), false);
        const npmTest = jobs.find((j) => (j.job.steps ?? []).some((s) => s.run === "npm test"));
        assert.ok(npmTest, "a job runs npm test");
        const runs = (npmTest.job.steps ?? []).map((s) => s.run).filter(Boolean);
        assert.deepEqual(runs, ["npm ci", "npm test"]);
    });

    it("previews every stack on pull requests with the policy pack, the resolver's config and a PR comment", () => {
        const [{ job, id }] = pulumiJobs("preview");
        assert.equal(job.strategy?.matrix?.stack, "${{ fromJSON(needs.stacks.outputs.stacks) }}");
        const steps = job.steps ?? [];
        const preview = steps.find((s) => action(s) === "pulumi/actions" && s.with?.command === "preview")!;
        assert.equal(preview.with?.policyPacks, "policy");
        const ref = /^\$\{\{ steps\.([\w-]+)\.outputs\.file \}\}$/.exec(String(preview.with?.policyPackConfigs));
        assert.ok(ref, `${id}: policyPackConfigs comes from a step`);
        const resolver = steps.find((s) => s.id === ref[1]);
        assert.match(resolver?.run ?? "", /npm run -s policy-config -- "\$STACK"/);
        assert.equal(preview.with?.["comment-on-pr"], true);
        const creds = stepsUsing(job, "aws-actions/configure-aws-credentials")[0];
        assert.equal(creds.with?.["role-to-assume"], "${{ vars.AWS_PREVIEW_ROLE_ARN }}");
        assert.equal(creds.with?.["aws-region"], "${{ matrix.stack.region }}");
        const order = (pred: (s: Step) => boolean) => steps.findIndex(pred);
        assert.ok(order(isNpmCi) >= 0 && order(isNpmCi) < order((s) => s === preview), "npm ci before pulumi/actions");
        assert.ok(order((s) => s === creds) < order((s) => s === preview));
    });

    it("previews only in an environment whose reviewers approve each run, where the secrets live", () => {
        const [{ job, id }] = pulumiJobs("preview");
        const environment = environmentOf(job);
        assert.equal(environment, "preview", `${id}: the environment the preview role trusts`);
        // A repository secret reaches any workflow that any branch adds; an environment's only the jobs it approves.
        for (const j of jobs) {
            if (/secrets\.\w+/.test(JSON.stringify({ env: j.job.env, steps: j.job.steps })))
                assert.ok(environmentOf(j.job), `${j.id} reads secrets outside an environment`);
        }
        // The job runs only when a check found that environment with required reviewers.
        const gate = /needs\.([\w-]+)\.outputs\.(\w+) == 'true'/.exec(flat(job.if));
        assert.ok(gate, `${id} waits for the check`);
        const check = jobs.find((j) => j.id === gate[1])!;
        assert.ok(needs(job).includes(check.id));
        assert.equal((check.job.permissions as Record<string, string>).actions, "read", "to read the environment");
        const step = (check.job.steps ?? []).find((s) => s.run?.includes(`${gate[2]}=true`))!;
        assert.equal(step.env?.ENVIRONMENT, environment, "the check looks up the preview job's environment");
        const base = { GITHUB_REPOSITORY: "octo/platform", ENVIRONMENT: environment, FROM_FORK: "false" };
        const lookup = [["api", `repos/octo/platform/environments/${environment}`]];
        const reviewers = { type: "required_reviewers", reviewers: [{ type: "Team", reviewer: { slug: "platform" } }] };
        const cases: { what: string; fork?: boolean; gh: GhAnswer; available: string; notice?: RegExp }[] = [
            { what: "a fork's pull request", fork: true, gh: {}, available: "false", notice: /comes from a fork/ },
            {
                what: "no such environment",
                gh: { code: 1, stdout: '{"message":"Not Found"}', stderr: "gh: Not Found (HTTP 404)" },
                available: "false",
                notice: /has no environment preview/,
            },
            {
                what: "an environment without reviewers",
                gh: { stdout: JSON.stringify({ name: environment, protection_rules: [{ type: "wait_timer" }] }) },
                available: "false",
                notice: /no required reviewers/,
            },
            {
                what: "required reviewers",
                gh: {
                    stdout: JSON.stringify({
                        name: environment,
                        protection_rules: [{ type: "wait_timer" }, reviewers],
                    }),
                },
                available: "true",
            },
        ];
        for (const c of cases) {
            const r = runStep(step, { ...base, FROM_FORK: String(!!c.fork) }, c.gh);
            assert.equal(r.code, 0, `${c.what}: ${r.stderr}`);
            assert.equal(r.outputs[gate[2]], c.available, c.what);
            assert.deepEqual(r.calls, c.fork ? [] : lookup, c.what);
            if (c.notice)
                assert.match(r.stdout, new RegExp(`^::notice title=pulumi preview skipped::.*${c.notice.source}`, "m"));
        }
        // Anything but "not found" is an error, never a silent skip.
        const denied = runStep(step, base, {
            code: 1,
            stderr: "gh: Resource not accessible by integration (HTTP 403)",
        });
        assert.notEqual(denied.code, 0);
        assert.equal(denied.outputs[gate[2]], undefined);
    });

    it("installs without install scripts wherever an OIDC token is live", () => {
        const oidc = jobs.filter((j) => (j.job.permissions as Record<string, string>)["id-token"] === "write");
        assert.ok(oidc.length > 0);
        for (const { id, job } of oidc) {
            const installs = (job.steps ?? []).filter(isNpmCi);
            assert.ok(installs.length > 0, `${id} installs the dependencies`);
            for (const s of installs) assert.equal(s.run, "npm ci --ignore-scripts", id);
        }
        // The packages whose install scripts those jobs skip, each checked to be unneeded there: a new one must be
        // checked the same way (run `npm ci --ignore-scripts`, then `npm test` and `npm run plan`) and added here.
        const unneeded: Record<string, string> = {
            "node_modules/@swc/core": "validates the native binary, which ships as an optional dependency",
            "node_modules/protobufjs": "only warns about a dependent's version scheme",
            "node_modules/@pulumi/docker-build": "installs a Pulumi plugin, which the CLI installs itself",
            "node_modules/docker-classic": "installs a Pulumi plugin, which the CLI installs itself",
        };
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
            packages: Record<string, { hasInstallScript?: boolean }>;
        };
        const scripted = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript);
        for (const [name] of scripted) assert.ok(name in unneeded, `${name} has an install script nobody checked`);
    });

    it("deploys on main only, development-profile stacks before production ones, per-stack environment and lock", () => {
        const deploys = pulumiJobs("up");
        assert.equal(deploys.length, 2, "one wave of stacks, then the production wave");
        const waves = new Map(deploys.map((d) => [String(d.job.strategy?.matrix?.stack), d]));
        const first = waves.get("${{ fromJSON(needs.stacks.outputs.first) }}");
        const last = waves.get("${{ fromJSON(needs.stacks.outputs.last) }}");
        assert.ok(first && last, [...waves.keys()].join(", "));
        assert.ok(needs(last.job).includes(first.id), "the production wave waits for the first");
        assert.match(
            flat(last.job.if),
            /needs\.deploy-first\.result == 'success' \|\| needs\.deploy-first\.result == 'skipped'/,
        );
        for (const { id, job } of deploys) {
            assert.match(flat(job.if), PUSH_TO_MAIN, `${id} runs on pushes to main only`);
            for (const gate of ["test", "plan"]) assert.ok(needs(job).includes(gate), `${id} waits for ${gate}`);
            assert.equal(job.environment, "${{ matrix.stack.stack }}", `${id}: the stack's environment`);
            assert.equal(job.concurrency?.group, "deploy-${{ matrix.stack.stack }}", `${id}: a lock per stack`);
            assert.equal(
                job.concurrency?.["cancel-in-progress"],
                false,
                `${id}: a running deployment is never cancelled`,
            );
            const steps = job.steps ?? [];
            const up = steps.findIndex((s) => action(s) === "pulumi/actions" && s.with?.command === "up");
            const install = steps.findIndex(isNpmCi);
            assert.ok(install >= 0 && install < up, `${id}: npm ci first`);
            assert.equal(steps[up].with?.policyPacks, "policy");
            assert.equal(steps[up].with?.policyPackConfigs, "${{ steps.policy.outputs.file }}");
            assert.match(steps.find((s) => s.id === "policy")?.run ?? "", /npm run -s policy-config -- "\$STACK"/);
            const creds = stepsUsing(job, "aws-actions/configure-aws-credentials")[0];
            assert.equal(creds.with?.["aws-region"], "${{ matrix.stack.region }}");
        }
        // The same lock as any other job that could change the stack: none but these two run `pulumi up`.
        assert.equal(new Set(deploys.map((d) => d.job.concurrency?.group)).size, 1);
    });

    it("deploys a commit only while it is the head of main, so an older run never deploys over a newer one", () => {
        for (const { id, job } of pulumiJobs("up")) {
            const [head, ...rest] = job.steps ?? [];
            const flag = /^\s*echo "(\w+)=true" >>"\$GITHUB_OUTPUT"$/m.exec(head.run ?? "");
            assert.ok(head.id && flag, `${id}: the first step says whether the run's commit is the head of main`);
            // Every later step, `pulumi up` above all, runs only when it is.
            const deploy = `steps.${head.id}.outputs.${flag[1]} == 'true'`;
            const up = rest.find((s) => action(s) === "pulumi/actions" && s.with?.command === "up");
            assert.equal(up?.if, deploy, `${id}: pulumi up is conditioned on the check`);
            for (const s of rest) assert.equal(s.if, deploy, `${id}: ${s.name ?? s.uses ?? s.run}`);
            assert.equal(head.env?.GH_TOKEN, "${{ github.token }}");
            assert.equal((job.permissions as Record<string, string>).contents, "read", "to read main's head");
            const [older, newer] = ["1".repeat(40), "2".repeat(40)];
            const env = { GITHUB_SHA: older, GITHUB_REPOSITORY: "octo/platform", STACK: "any" };
            const current = runStep(head, env, { stdout: older });
            assert.equal(current.code, 0, current.stderr);
            assert.equal(current.outputs[flag[1]], "true");
            assert.deepEqual(current.calls, [["api", "repos/octo/platform/commits/main", "--jq", ".sha"]]);
            const superseded = runStep(head, env, { stdout: newer });
            assert.equal(superseded.code, 0, superseded.stderr);
            assert.equal(superseded.outputs[flag[1]], "false");
            assert.match(superseded.stdout, new RegExp(`^::notice .*${older}.*${newer}`, "m"));
            // Without an answer the job fails: it neither deploys nor passes silently.
            const failed = runStep(head, env, { code: 1, stderr: "gh: Bad credentials (HTTP 401)" });
            assert.notEqual(failed.code, 0);
            assert.equal(failed.outputs[flag[1]], undefined);
        }
    });

    it("gives fork pull requests no way to credentials: no privileged trigger, every credentialed job guarded", () => {
        for (const w of workflows) {
            const on = w.doc.on as Record<string, unknown>;
            for (const privileged of ["pull_request_target", "workflow_run"])
                assert.ok(!(privileged in on), `${w.file} runs on ${privileged}, which hands forks the base's secrets`);
        }
        for (const { id, job } of jobs) {
            const perms = job.permissions as Record<string, string>;
            const usesSecrets = /secrets\.\w+/.test(JSON.stringify({ env: job.env, steps: job.steps }));
            if (perms["id-token"] === "write" || usesSecrets) {
                const guard = flat(job.if);
                assert.ok(
                    PUSH_TO_MAIN.test(guard) || SAME_REPO_PR.test(guard),
                    `${id} holds credentials without a guard: ${guard}`,
                );
            }
        }
    });

    it("names no stack: wherever a stack could be named, it comes from the stack list", () => {
        // Only the places that select a stack are read, never the rest of the text, so a stack file of any valid
        // name (test, main, preview, up...) leaves this test as it is.
        const LIST = /^\$\{\{ fromJSON\(needs\.stacks\.outputs\.(stacks|first|last)\) \}\}$/;
        const STACK = "${{ matrix.stack.stack }}";
        const [preview] = pulumiJobs("preview");
        for (const { id, job } of jobs) {
            const matrix = job.strategy?.matrix ?? {};
            if ("stack" in matrix) assert.match(String(matrix.stack), LIST, `${id}: matrix.stack`);
            for (const k of ["include", "exclude"]) assert.ok(!(k in matrix), `${id}: matrix.${k} can name stacks`);
            const environment = environmentOf(job);
            // The preview environment is the one every stack's preview shares; every other is a stack's own.
            if (environment !== undefined && job !== preview.job)
                assert.equal(environment, STACK, `${id}: environment`);
            if (job.env?.STACK !== undefined) assert.equal(job.env.STACK, STACK, `${id}: env.STACK`);
            if (job.env?.STACK_NAME !== undefined) {
                const name = String(job.env.STACK_NAME);
                assert.ok(name.endsWith(`|| matrix.stack.stack }}`) || name === STACK, `${id}: env.STACK_NAME ${name}`);
                // Its only literals are the organisation's format and the empty string.
                for (const [literal] of name.matchAll(/'[^']*'/g))
                    assert.match(literal, /^'(\{0\}\/\{1\})?'$/, `${id}: env.STACK_NAME ${literal}`);
            }
            for (const step of job.steps ?? []) {
                const where = `${id}: ${step.name ?? step.uses ?? step.run?.slice(0, 40)}`;
                if (step.with?.["stack-name"] !== undefined)
                    assert.ok(["${{ env.STACK_NAME }}", STACK].includes(String(step.with["stack-name"])), where);
                const script = step.run ?? "";
                // The stack a command is given: pulumi's --stack/-s and `stack select`, and the project's commands.
                const selectors = new RegExp(
                    String.raw`(?:--stack[= ]|pulumi\b[^\n|;&]*?\s-s\s+|pulumi stack (?:select|init|rm)\s+|` +
                        String.raw`npm run -s (?:plan|policy-config) -- )("[^"]*"|'[^']*'|[^\s;|&)]+)`,
                    "g",
                );
                for (const [, arg] of script.matchAll(selectors))
                    assert.match(arg, /^"\$\{?STACK(_NAME)?\}?"$/, `${where}: selects ${arg}`);
                // Nothing branches on a stack's name.
                assert.doesNotMatch(script, /\$\{?STACK(_NAME)?\}?"?\s*(==?|!=)\s|case "?\$\{?STACK/, where);
                assert.doesNotMatch(flat(step.if), /(matrix\.stack\.stack|env\.STACK(_NAME)?)\s*[!=]=/, where);
            }
            assert.doesNotMatch(flat(job.if), /(matrix\.stack\.stack|env\.STACK(_NAME)?)\s*[!=]=/, id);
        }
    });
});

describe("CI/CD workflows: the stack list (npm run -s ci-stacks)", () => {
    it("lists every stack file with its region and policy profile, and orders production last", () => {
        const lists = ciStacks(ROOT);
        assert.deepEqual(
            lists.stacks.map((s) => s.stack),
            listStacks(ROOT),
        );
        for (const s of lists.stacks) {
            assert.equal(s.region, readStackConfig(ROOT, s.stack).raw["aws:region"]);
            assert.equal(s.profile, policyConfigOf(ROOT, s.stack).profile);
        }
        assert.deepEqual(
            lists.last.map((s) => s.stack),
            lists.stacks.filter((s) => s.profile === LAST_PROFILE).map((s) => s.stack),
        );
        assert.deepEqual(
            [...lists.first, ...lists.last].map((s) => s.stack).sort(),
            lists.stacks.map((s) => s.stack).sort(),
        );
    });

    it("takes a new stack file as it is: its profile alone decides its wave", () => {
        const base = path.join(ROOT, `Pulumi.${listStacks(ROOT)[0]}.yaml`);
        const doc = YAML.parse(fs.readFileSync(base, "utf8"));
        const dir = projectWith("staging", base);
        for (const [stack, profile] of [
            ["canary", "development"],
            ["staging", undefined],
        ] as const) {
            const config = { ...doc.config, "aws:region": "eu-central-1" };
            if (profile) config["aws-platform:policyProfile"] = profile;
            else delete config["aws-platform:policyProfile"];
            fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), YAML.stringify({ config }));
        }
        const lists = ciStacks(dir);
        assert.deepEqual(lists.first, [{ stack: "canary", region: "eu-central-1", profile: "development" }]);
        // No profile: the default, production, which deploys last.
        assert.deepEqual(lists.last, [{ stack: "staging", region: "eu-central-1", profile: "production" }]);
    });

    it("prints one GitHub output line per list, whose JSON the workflow's fromJSON reads", async () => {
        const [out] = await pool([
            () =>
                new Promise<string>((resolve, reject) =>
                    execFile(
                        process.execPath,
                        [
                            "-r",
                            path.join(ROOT, "tools", "register.js"),
                            path.join(ROOT, "tools", "plan", "ci-stacks.ts"),
                        ],
                        { cwd: ROOT },
                        (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)),
                    ),
                ),
        ]);
        assert.equal(out, githubOutputs(ciStacks(ROOT)));
        const lines = out.trimEnd().split("\n");
        assert.deepEqual(
            lines.map((l) => l.split("=")[0]),
            ["stacks", "first", "last"],
        );
        for (const l of lines) assert.ok(Array.isArray(JSON.parse(l.slice(l.indexOf("=") + 1))));
        const scripts = (
            JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
        ).scripts;
        assert.match(scripts["ci-stacks"], /tools\/plan\/ci-stacks\.ts/);
    });
});

describe("CI/CD workflows: the roles in docs/ci-cd.md", () => {
    const guide = fs.readFileSync(path.join(ROOT, "docs", "ci-cd.md"), "utf8");
    const SUB = "token.actions.githubusercontent.com:sub";

    it("trusts the preview role for the preview job's environment alone, never for every pull request", () => {
        const [{ job }] = pulumiJobs("preview");
        const at = guide.indexOf("Trust policy of the **preview role**");
        assert.ok(at >= 0, "the guide gives the preview role's trust policy");
        const trust = JSON.parse(/```json\n([\s\S]*?)```/.exec(guide.slice(at))![1]) as {
            Statement: { Condition: Record<string, Record<string, string | string[]>> }[];
        };
        const subjects = trust.Statement.flatMap((st) => Object.values(st.Condition).flatMap((c) => c[SUB] ?? []));
        assert.deepEqual(subjects, [`repo:<OWNER>/<REPO>:environment:${environmentOf(job)}`]);
        // The pull_request subject is what any branch's workflow gets, approved or not.
        for (const [, block] of guide.matchAll(/```json\n([\s\S]*?)```/g)) assert.doesNotMatch(block, /:pull_request"/);
    });

    it("gives the preview role reads only", () => {
        const actions = [...section(guide, "#### What the preview role may do").matchAll(/`([a-z0-9-]+):(\w+\*?)`/g)];
        assert.ok(actions.length > 0);
        // Decrypt reads the state's secrets with a self-managed backend's key; nothing else may change or create.
        for (const [, service, name] of actions)
            assert.match(name, /^(Describe|Get|List)|^Decrypt$/, `${service}:${name}`);
    });

    it("lists for the deploy role every service the stacks use and what AWS checks on the caller", async () => {
        const text = section(guide, "#### What the deploy role may do");
        const needed = new Map<string, string>();
        const need = (why: string, ...items: string[]) => items.forEach((i) => needed.set(i, why));
        for (const stack of listStacks(ROOT)) {
            const { resources } = await planOf(stack, "update");
            for (const r of resources.filter((x) => x.custom && x.type.startsWith("aws:"))) {
                const why = `${stack}: ${r.type} ${r.name}`;
                need(why, `${iamPrefix(r.type)}:`);
                // Roles are handed to the service that assumes them.
                if (r.type === "aws:iam/role:Role")
                    need(why, "iam:PassRole", ...trustedServices(r.inputs.assumeRolePolicy));
                // The first use of these in an account creates a service-linked role in the caller's name.
                const linked = serviceLinkedRole(r.type, r.inputs);
                if (linked) need(why, "iam:CreateServiceLinkedRole", linked);
                // RDS, Secrets Manager, ECR and ElastiCache create KMS grants or data keys as the caller, and the key
                // policy leaves that caller's rights to IAM.
                if (r.type === "aws:kms/key:Key") need(why, ...KEY_USE.map((a) => `kms:${a}`));
                if (r.type === "aws:lambda/invocation:Invocation") need(why, "lambda:InvokeFunction");
                const delivers =
                    r.type === "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration" ||
                    (r.type === "aws:elasticache/replicationGroup:ReplicationGroup" &&
                        ((r.inputs.logDeliveryConfigurations as unknown[] | undefined) ?? []).length > 0);
                if (delivers) need(why, ...LOG_DELIVERY.map((a) => `logs:${a}`));
                if (r.type === "aws:cloudwatch/logDeliverySource:LogDeliverySource")
                    need(
                        why,
                        "logs:PutDeliverySource",
                        "logs:CreateDelivery",
                        "cloudfront:AllowVendedLogDeliveryForResource",
                    );
            }
        }
        for (const [item, why] of needed)
            assert.ok(text.includes(`\`${item}`), `the deploy role lacks ${item} (${why})`);
    });
});

/** The text under a Markdown heading, up to the next heading. */
function section(text: string, heading: string): string {
    const at = text.indexOf(`\n${heading}\n`);
    assert.ok(at >= 0, `no section ${heading}`);
    const rest = text.slice(at + heading.length + 2);
    const next = rest.search(/\n#{1,4} /);
    return next < 0 ? rest : rest.slice(0, next);
}

/** What the deployer needs on each stack key for the services that use it in the deployer's name. */
const KEY_USE = ["CreateGrant", "RetireGrant", "DescribeKey", "Decrypt", "GenerateDataKey*", "Encrypt"];

/** The services a role's trust policy (JSON) lets assume it. */
function trustedServices(policy: unknown): string[] {
    const doc = JSON.parse(String(policy)) as { Statement: { Principal: { Service?: string | string[] } }[] };
    return doc.Statement.flatMap((st) => st.Principal.Service ?? []);
}

/** The log-delivery actions AWS checks on the caller for ElastiCache and WAF logs sent to CloudWatch Logs. */
const LOG_DELIVERY = [
    "CreateLogDelivery",
    "GetLogDelivery",
    "UpdateLogDelivery",
    "DeleteLogDelivery",
    "ListLogDeliveries",
    "PutResourcePolicy",
    "DescribeResourcePolicies",
    "DescribeLogGroups",
];

/** IAM service prefixes of the @pulumi/aws modules the program uses; a new module must be added to be documented. */
const IAM_PREFIXES: Record<string, string> = {
    acm: "acm",
    appautoscaling: "application-autoscaling",
    budgets: "budgets",
    cloudfront: "cloudfront",
    ec2: "ec2",
    ecr: "ecr",
    ecs: "ecs",
    elasticache: "elasticache",
    iam: "iam",
    kms: "kms",
    lambda: "lambda",
    lb: "elasticloadbalancing",
    rds: "rds",
    route53: "route53",
    s3: "s3",
    secretsmanager: "secretsmanager",
    sns: "sns",
    vpc: "ec2",
    wafv2: "wafv2",
};

/** The IAM prefix of a resource type token `aws:<module>/<member>:<Type>`. */
function iamPrefix(type: string): string {
    const [, module, member] = /^aws:([^/]+)\/([^:]+):/.exec(type) ?? [];
    // @pulumi/aws's cloudwatch module holds three services.
    if (module === "cloudwatch") return /^log/.test(member) ? "logs" : /^event/.test(member) ? "events" : "cloudwatch";
    assert.ok(IAM_PREFIXES[module], `no IAM prefix known for ${type}: add its module to IAM_PREFIXES`);
    return IAM_PREFIXES[module];
}

/** The service whose service-linked role the first resource of this type in an account creates, if any. */
function serviceLinkedRole(type: string, inputs: Record<string, unknown>): string | undefined {
    const linked: Record<string, string> = {
        "aws:elasticache/replicationGroup:ReplicationGroup": "elasticache.amazonaws.com",
        "aws:rds/cluster:Cluster": "rds.amazonaws.com",
        "aws:ecs/cluster:Cluster": "ecs.amazonaws.com",
        "aws:lb/loadBalancer:LoadBalancer": "elasticloadbalancing.amazonaws.com",
        "aws:cloudfront/vpcOrigin:VpcOrigin": "vpcorigin.cloudfront.amazonaws.com",
    };
    if (type === "aws:appautoscaling/target:Target")
        return `${String(inputs.serviceNamespace)}.application-autoscaling.amazonaws.com`;
    return linked[type];
}

/** -1, 0 or 1 as `a` is older than, the same as or newer than `b` (plain x.y.z versions). */
function compareVersions(a: string, b: string): number {
    const pa = a.split(".").map(Number);
    const pb = b.split(".").map(Number);
    for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
    return 0;
}
