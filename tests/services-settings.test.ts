import { strict as assert } from "assert";
import { describeMemoryOptions, isFargateSize, memoryOptions } from "../components/fargate/sizes";
import { formatIssue } from "../stacks/common";
import { parseSettings } from "../stacks/settings";
import { PROJECT_DIR } from "../tools/plan/runner";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { policies } from "../policy/policies";
import { loadBalancerSchema } from "../stacks/services";
import { ALB_TLS_POLICIES, DEFAULT_ALB_TLS_POLICY } from "../policy/albTlsPolicies";
import { named, runIsolated } from "./helpers/plan";
import { issuesOf as settingsIssues } from "./helpers/settings";

const KEY = "aws-platform:services";

/** The dev stack's config with the services section replaced. */
function withServices(services: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const { raw } = readStackConfig(PROJECT_DIR, "dev");
    return { ...raw, [KEY]: services, ...extra };
}

/** Every issue of a config, with its key and the line the CLI prints. */
const issuesOf = (raw: Record<string, unknown>) =>
    settingsIssues(raw).map((i) => ({ key: i.key, text: formatIssue(i) }));

const web = {
    image: "public.ecr.aws/nginx/nginx:1.27",
    cpu: 256,
    memory: 512,
    port: 8080,
    routing: { priority: 10, pathPatterns: ["/*"] },
};

describe("services settings", () => {
    it("accepts every committed stack's services and fills in the defaults it does not set", () => {
        for (const stack of listStacks(PROJECT_DIR)) {
            const { raw } = readStackConfig(PROJECT_DIR, stack);
            const given = (raw[KEY] ?? {}) as {
                cluster?: { containerInsights?: string };
                apps?: Record<string, { desiredCount?: number; architecture?: string }>;
            };
            const s = parseSettings(raw, stack).services;
            assert.deepStrictEqual(Object.keys(s.apps), Object.keys(given.apps ?? {}), stack);
            assert.strictEqual(s.cluster.containerInsights, given.cluster?.containerInsights ?? "enhanced");
            for (const [name, app] of Object.entries(s.apps)) {
                assert.ok(isFargateSize(app.cpu, app.memory), `${stack}: ${name}`);
                assert.strictEqual(app.desiredCount, given.apps![name].desiredCount ?? 2, `${stack}: ${name}`);
                assert.strictEqual(app.architecture, given.apps![name].architecture ?? "ARM64", `${stack}: ${name}`);
            }
        }
    });

    it("applies defaults to a minimal web service", () => {
        const s = parseSettings(withServices({ apps: { web } }), "t").services;
        const app = s.apps.web;
        assert.strictEqual(app.architecture, "ARM64");
        assert.strictEqual(app.desiredCount, 2);
        assert.deepStrictEqual(app.capacity, { fargate: { weight: 1, base: 0 }, fargateSpot: { weight: 0, base: 0 } });
        assert.deepStrictEqual(app.deployment, { minimumHealthyPercent: 100, maximumPercent: 200 });
        assert.strictEqual(app.enableExecuteCommand, false);
        assert.strictEqual(s.loadBalancer.internal, true);
        assert.strictEqual(s.loadBalancer.deletionProtection, true);
        assert.strictEqual(s.loadBalancer.sslPolicy, "ELBSecurityPolicy-TLS13-1-2-2021-06");
    });

    it("knows the Fargate CPU/memory combinations", () => {
        assert.deepStrictEqual(memoryOptions(256), [512, 1024, 2048]);
        assert.deepStrictEqual(memoryOptions(512), [1024, 2048, 3072, 4096]);
        assert.strictEqual(memoryOptions(1024).length, 7);
        assert.ok(isFargateSize(2048, 16384) && !isFargateSize(2048, 17408));
        assert.ok(isFargateSize(4096, 30720) && !isFargateSize(4096, 31744));
        assert.ok(isFargateSize(8192, 20480) && !isFargateSize(8192, 17408));
        assert.ok(isFargateSize(16384, 122880) && !isFargateSize(16384, 36864));
        assert.ok(!isFargateSize(256, 1536) && !isFargateSize(300, 512));
        assert.match(describeMemoryOptions(300), /cpu must be one of/);
    });

    it("reports every problem at once, each with its key, value and expectation", () => {
        const issues = issuesOf(
            withServices({
                loadBalancer: { internal: false },
                apps: {
                    web: {
                        ...web,
                        cpu: 512,
                        memory: 512, // not a Fargate pair
                        routing: { priority: 10, pathPatterns: ["api/*"] },
                        healthCheck: { path: "healthz", timeoutSeconds: 20, intervalSeconds: 10 },
                        desiredCount: 7,
                        autoscaling: { minCount: 5, maxCount: 3 },
                        capacity: { fargateSpot: { weight: 1 } }, // Spot with the ARM64 default
                        environment: { DB_PASSWORD: "hunter2", "1BAD": "x" },
                        secrets: { SIGNING_KEY: "no-such-secret", DB_HOST: "database:host" },
                        user: "root",
                        taskRole: { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess", "not-an-arn"] },
                    },
                    extra: { ...web, routing: { priority: 50, pathPatterns: ["/e"] }, shell: true },
                    api: { ...web, port: 0, routing: { priority: 10, pathPatterns: ["/api/*"] } },
                    big: { ...web, port: 70000, routing: undefined, cpu: 16384, memory: 36864 },
                    jobs: {
                        image: "public.ecr.aws/docker/library/node:latest",
                        cpu: 256,
                        memory: 512,
                        desiredCount: 0,
                        routing: { priority: 20, pathPatterns: ["/jobs"] },
                        autoscaling: { minCount: 1, maxCount: 2, requestsPerTarget: 10 },
                    },
                    Bad_Name: { ...web, routing: { priority: 30, pathPatterns: ["/x"] } },
                    built: { build: { context: "apps/does-not-exist" }, cpu: 256, memory: 512 },
                    both: { image: "nginx:1.27", build: { context: "apps/hello" }, cpu: 256, memory: 512 },
                    nohost: { ...web, routing: { priority: 40 } },
                    norouting: { image: "nginx:1.27", cpu: 256, memory: 512, port: 80 },
                    oddcpu: { image: "nginx:1.27", cpu: 300, memory: 512 },
                    many: { ...web, routing: { priority: 60, pathPatterns: ["/a", "/b", "/c", "/d"] } },
                    iam: { image: "nginx:1.27", cpu: 256, memory: 512, databaseIamUser: "rds_admin" },
                    noaccess: {
                        image: "nginx:1.27",
                        cpu: 256,
                        memory: 512,
                        databaseIamUser: "jobs",
                        databaseAccess: false,
                    },
                },
            }),
        );
        const keys = issues.map((i) => i.key);
        const expect = (key: string, pattern?: RegExp) => {
            const found = issues.filter((i) => i.key === `${KEY}.${key}`);
            assert.ok(found.length > 0, `expected an issue at ${key}; got:\n${issues.map((i) => i.text).join("\n")}`);
            if (pattern)
                assert.ok(
                    found.some((i) => pattern.test(i.text)),
                    `${key}: ${found.map((i) => i.text).join(" | ")}`,
                );
        };
        expect("loadBalancer.internal", /always internal/);
        expect("apps.web.memory", /^aws-platform:services\.apps\.web\.memory: 512 is not a Fargate size with cpu 512/);
        expect(
            "apps.oddcpu.cpu",
            /^aws-platform:services\.apps\.oddcpu\.cpu: 300 is not a Fargate CPU size; cpu must be one of 256, 512/,
        );
        assert.ok(!keys.includes(`${KEY}.apps.oddcpu.memory`), "memory cannot be judged without a valid cpu");
        expect("apps.many.routing.pathPatterns", /has 4 values; AWS allows at most 3 per condition/);
        expect(
            "apps.iam.databaseIamUser",
            /^aws-platform:services\.apps\.iam\.databaseIamUser: "rds_admin" is reserved/,
        );
        expect("apps.noaccess.databaseAccess", /is false but the service connects as databaseIamUser/);
        expect("apps.web.routing.pathPatterns[0]", /must start with "\/"/);
        expect("apps.web.healthCheck.path", /must start with "\/"/);
        expect("apps.web.healthCheck.timeoutSeconds", /less than intervalSeconds/);
        expect("apps.web.autoscaling.minCount", /greater than maxCount/);
        expect("apps.web.desiredCount", /outside autoscaling/);
        assert.ok(!keys.includes(`${KEY}.apps.web.architecture`), "ARM64 runs on Fargate Spot");
        expect("apps.web.environment.DB_PASSWORD", /move it to secrets/);
        expect("apps.web.environment.1BAD", /not a valid environment variable name/);
        expect("apps.web.secrets.SIGNING_KEY", /names no secret.*app-signing-key/);
        expect("apps.web.secrets.DB_HOST", /not a key of the database master secret/);
        expect("apps.web.user", /root/);
        expect("apps.web.taskRole.managedPolicyArns[0]", /administrator/);
        expect("apps.web.taskRole.managedPolicyArns[1]", /not an IAM policy ARN/);
        expect("apps.extra.shell", /not a known setting/);
        expect("apps.api.port", /too small/);
        expect("apps.big.port", /too big/);
        expect("apps.jobs.desiredCount", /too small/);
        expect("apps.Bad_Name", /not a valid name/);
        expect("apps.built.build.context", /not a directory/);
        expect("apps.both", /exactly one of/);
        expect("apps.nohost.routing", /at least one pathPatterns or hostHeaders/);
        expect("apps.norouting.routing", /required for a service with a port/);
        assert.ok(new Set(keys).size >= 24, "all problems in one error");
        // No secret value is ever echoed back.
        assert.ok(!issues.some((i) => i.text.includes("hunter2")), "plaintext credential values are not printed");
    });

    it("refuses environment values that carry a credential, naming the key and never the value", () => {
        const environment = {
            DATABASE_URL: "postgres://admin:Sup3rS3cret@db.internal:5432/app",
            SENTRY_DSN: "https://0123456789abcdef@o1.ingest.sentry.io/42",
            AUTH: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig",
            UPSTREAM_AUTHORIZATION: `Basic ${Buffer.from("svc:Sup3rS3cret").toString("base64")}`,
            AWS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
            // Plain values that only look alike stay allowed.
            HOMEPAGE: "https://shop.org/@team",
            PLAN: "Basic tier",
            MAIL_FROM: "ops@shop.org",
        };
        const issues = issuesOf(withServices({ apps: { web: { ...web, environment } } }));
        const use =
            "plaintext environment is visible in the task definition, so use the service's secrets: instead (an " +
            "aws-platform:secrets.appSecrets name, generated and kept in Secrets Manager, or database:username / " +
            "database:password)";
        assert.deepStrictEqual(
            issues.map((i) => i.text),
            [
                `${KEY}.apps.web.environment.DATABASE_URL: holds a URL with a user or password in it; ${use}`,
                `${KEY}.apps.web.environment.SENTRY_DSN: holds a URL with a user or password in it; ${use}`,
                `${KEY}.apps.web.environment.AUTH: holds a Bearer token; ${use}`,
                `${KEY}.apps.web.environment.UPSTREAM_AUTHORIZATION: holds a Basic authorization (user and password); ${use}`,
                `${KEY}.apps.web.environment.AWS_KEY_ID: holds an AWS access key id; ${use}`,
            ],
        );
        for (const secret of ["Sup3rS3cret", "0123456789abcdef", "eyJhbGciOiJIUzI1NiJ9", "AKIAIOSFODNN7EXAMPLE"]) {
            assert.ok(!issues.some((i) => i.text.includes(secret)), `${secret} is echoed`);
        }
    });

    it("rejects a desiredCount below autoscaling minCount as well as above maxCount", () => {
        const below = issuesOf(
            withServices({ apps: { web: { ...web, desiredCount: 2, autoscaling: { minCount: 3, maxCount: 6 } } } }),
        );
        assert.deepStrictEqual(
            below.map((i) => i.text),
            [`${KEY}.apps.web.desiredCount: 2 is outside autoscaling minCount-maxCount (3-6)`],
        );
        const above = issuesOf(
            withServices({ apps: { web: { ...web, desiredCount: 7, autoscaling: { minCount: 3, maxCount: 6 } } } }),
        );
        assert.deepStrictEqual(
            above.map((i) => i.text),
            [`${KEY}.apps.web.desiredCount: 7 is outside autoscaling minCount-maxCount (3-6)`],
        );
        const inside = issuesOf(
            withServices({ apps: { web: { ...web, desiredCount: 3, autoscaling: { minCount: 3, maxCount: 6 } } } }),
        );
        assert.deepStrictEqual(inside, []);
    });

    it("rejects unknown keys in every part of the section", () => {
        const top = issuesOf(withServices({ colour: "blue" }));
        assert.deepStrictEqual(
            top.map((i) => i.text),
            [`${KEY}.colour: is not a known setting; expected one of cluster, loadBalancer, apps`],
        );
        const issues = issuesOf(withServices({ cluster: { insights: true }, loadBalancer: { tls: 1 } }));
        for (const key of ["cluster.insights", "loadBalancer.tls"]) {
            assert.ok(
                issues.some((i) => i.key === `${KEY}.${key}` && /not a known setting/.test(i.text)),
                `${key}: ${issues.map((i) => i.text).join(" | ")}`,
            );
        }
    });

    it("checks workers, image pins and priorities", () => {
        const issues = issuesOf(
            withServices({
                apps: {
                    jobs: {
                        image: "public.ecr.aws/docker/library/node:latest",
                        cpu: 256,
                        memory: 512,
                        routing: { priority: 20, pathPatterns: ["/jobs"] },
                        healthCheck: { path: "/healthz" },
                        autoscaling: { minCount: 2, maxCount: 4, requestsPerTarget: 10 },
                        deployment: { minimumHealthyPercent: 100, maximumPercent: 100 },
                        databaseAccess: false,
                        secrets: { DATABASE_PASSWORD: "database:password" },
                        environment: { DATABASE_HOST: "x" },
                        ecr: { keepImages: 5 },
                    },
                    untagged: { image: "nginx", cpu: 256, memory: 512 },
                    a: { ...web, routing: { priority: 5, pathPatterns: ["/a/*"] } },
                    b: { ...web, routing: { priority: 5, hostHeaders: ["b.example.com"] } },
                },
            }),
        );
        const has = (key: string, pattern: RegExp) =>
            assert.ok(
                issues.some((i) => i.key === `${KEY}.${key}` && pattern.test(i.text)),
                `${key} ${pattern}; got:\n${issues.map((i) => i.text).join("\n")}`,
            );
        has("apps.jobs.image", /no fixed version/);
        has("apps.untagged.image", /no fixed version/);
        has("apps.jobs.routing", /worker/);
        has("apps.jobs.healthCheck", /worker/);
        has("apps.jobs.autoscaling.requestsPerTarget", /worker/);
        has("apps.jobs.deployment.maximumPercent", /greater than minimumHealthyPercent/);
        has("apps.jobs.databaseAccess", /database credentials/);
        has("apps.jobs.ecr", /only to services with build/);
        has("apps.b.routing.priority", /also used by apps\.a/);
    });

    it("accepts a worker, a build and database secrets without complaint", () => {
        const issues = issuesOf(
            withServices({
                apps: {
                    worker: {
                        build: { context: "apps/hello" },
                        command: ["node", "worker.js"],
                        cpu: 256,
                        memory: 512,
                        architecture: "X86_64",
                        capacity: { fargate: { weight: 0 }, fargateSpot: { weight: 1, base: 1 } },
                        secrets: { DATABASE_PASSWORD: "database:password", KEY: "app-signing-key" },
                        scratchPaths: ["/tmp", "/var/cache/app"],
                        user: "1000:1000",
                    },
                },
            }),
        );
        assert.deepStrictEqual(issues, []);
    });

    it("keeps the database variables, libpq's included, to the platform for services with database access only", () => {
        const env = { PGHOST: "h", PGPORT: "1", PGDATABASE: "d", DATABASE_READER_HOST: "r", PGUSER: "app" };
        const issues = issuesOf(
            withServices({
                apps: {
                    db: { ...web, databaseAccess: true, environment: env },
                    nodb: { ...web, routing: { priority: 20, pathPatterns: ["/x/*"] }, environment: env },
                },
            }),
        );
        assert.deepStrictEqual(
            issues.map((i) => i.key),
            ["PGHOST", "PGPORT", "PGDATABASE", "DATABASE_READER_HOST"].map((v) => `${KEY}.apps.db.environment.${v}`),
        );
        assert.ok(issues.every((i) => / is set by the platform for services with database access$/.test(i.text)));
    });

    it("accepts ARM64 (the default) on Fargate Spot, with a base there", () => {
        const issues = issuesOf(
            withServices({
                apps: {
                    web: { ...web, capacity: { fargate: { weight: 0 }, fargateSpot: { weight: 1, base: 1 } } },
                    worker: { image: "nginx:1.27", cpu: 256, memory: 512, capacity: { fargateSpot: { weight: 3 } } },
                },
            }),
        );
        assert.deepStrictEqual(issues, []);
    });

    it("checks the database can create IAM users when a service sets databaseIamUser, and only then", () => {
        const database = { engineVersion: "16.0", instanceClass: "db.t4g.medium", masterUsername: "owner" };
        const issues = issuesOf(
            withServices(
                {
                    apps: {
                        web: { ...web, databaseIamUser: "web_app" },
                        jobs: { image: "nginx:1.27", cpu: 256, memory: 512, databaseIamUser: "owner" },
                    },
                },
                { "aws-platform:database": database },
            ),
        );
        const at = (key: string) => issues.filter((i) => i.key === key).map((i) => i.text);
        assert.deepStrictEqual(at("aws-platform:database.engineVersion").length, 1);
        assert.match(at("aws-platform:database.engineVersion")[0], /"16\.0" has no RDS Data API.*16\.1\+/);
        assert.match(at("aws-platform:database.engineVersion")[0], /services\.apps\.web, services\.apps\.jobs/);
        assert.match(at("aws-platform:database.instanceClass")[0], /"db\.t4g\.medium" is a T class/);
        assert.deepStrictEqual(at(`${KEY}.apps.jobs.databaseIamUser`).length, 1);
        assert.match(at(`${KEY}.apps.jobs.databaseIamUser`)[0], /"owner" is database\.masterUsername/);
        assert.deepStrictEqual(at(`${KEY}.apps.web.databaseIamUser`), []);

        const withoutUsers = issuesOf(withServices({ apps: { web } }, { "aws-platform:database": database }));
        assert.deepStrictEqual(withoutUsers, [], "no Data API needed, nothing to report");
    });

    it("does not report unknown secrets when the secrets section itself is invalid", () => {
        const issues = issuesOf(
            withServices(
                { apps: { web: { ...web, secrets: { K: "whatever" } } } },
                { "aws-platform:secrets": { appSecrets: "nope" } },
            ),
        );
        assert.ok(issues.some((i) => i.key.startsWith("aws-platform:secrets")));
        assert.ok(!issues.some((i) => i.key === `${KEY}.apps.web.secrets.K`));
    });
});

describe("one list of TLS policies: the settings, the component and the policy pack agree", () => {
    const policy = policies.find((p) => p.name === "alb-listener-tls-policy")!;

    it("the schema offers exactly the pack's default allow-list, and defaults to the shared default", () => {
        const schema = loadBalancerSchema.shape.sslPolicy;
        assert.deepStrictEqual(schema.unwrap().options, [...ALB_TLS_POLICIES]);
        assert.deepStrictEqual(policy.configSchema!.properties.allowedSslPolicies.default, [...ALB_TLS_POLICIES]);
        assert.strictEqual(schema.parse(undefined), DEFAULT_ALB_TLS_POLICY);
        assert.ok((ALB_TLS_POLICIES as readonly string[]).includes(DEFAULT_ALB_TLS_POLICY));
    });

    it("the component's HTTPS listener defaults to the same policy when the caller gives none", async () => {
        const cert = "arn:aws:acm:eu-west-1:111122223333:certificate/11111111-2222-4333-8444-555555555555";
        const r = await runIsolated({
            stack: "t",
            config: { "aws:region": "eu-west-1" },
            program: async () => {
                const { FargateService } = await import("../components/fargateService");
                new FargateService("svc", {
                    vpcId: "vpc-0123",
                    privateSubnetIds: ["subnet-a", "subnet-b"],
                    kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-4333-8444-555555555555",
                    region: "eu-west-1",
                    namePrefix: "shop-t",
                    loadBalancer: { certificateArn: cert },
                    services: {
                        web: { image: "nginx:1.27", cpu: 256, memory: 512, port: 80, routing: { priority: 1 } },
                    },
                });
            },
        });
        assert.strictEqual(named(r, "svc-https", "aws:lb/listener:Listener").inputs.sslPolicy, DEFAULT_ALB_TLS_POLICY);
    });
});
