import { strict as assert } from "assert";
import { problems } from "./helpers/settings";

/**
 * Lists whose repeats AWS would refuse or silently merge, and values the earlier checks let through: each is one
 * error naming the key, the value (unless it may carry a token) and what is expected, reported with every other
 * problem of the stack.
 */
const region = { "aws:region": "eu-west-1" };
const web = (extra: Record<string, unknown>) => ({
    image: "public.ecr.aws/nginx/nginx:1.27",
    cpu: 256,
    memory: 512,
    port: 8080,
    routing: { priority: 10, pathPatterns: ["/*"] },
    ...extra,
});
const services = (app: Record<string, unknown>) => ({ ...region, "aws-platform:services": { apps: { w: app } } });
const W = "aws-platform:services.apps.w";

describe("settings: repeated list entries and empty commands", () => {
    it("refuses a path pattern or host name a listener rule lists twice (host names in any case)", () => {
        const found = problems(
            services(
                web({
                    routing: {
                        priority: 10,
                        pathPatterns: ["/api/*", "/api/*"],
                        hostHeaders: ["api.example.org", "API.example.org"],
                    },
                }),
            ),
        );
        assert.deepEqual(found, [
            `${W}.routing.pathPatterns[1]: "/api/*" is listed twice`,
            `${W}.routing.hostHeaders[1]: "API.example.org" is listed twice`,
        ]);
        assert.deepEqual(problems(services(web({ routing: { priority: 10, pathPatterns: ["/api/*", "/v2/*"] } }))), []);
    });

    it("refuses a managed policy attached twice to one task role", () => {
        const arn = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
        assert.deepEqual(problems(services(web({ taskRole: { managedPolicyArns: [arn, arn] } }))), [
            `${W}.taskRole.managedPolicyArns[1]: "${arn}" is listed twice; list each policy once (one attachment per role and policy)`,
        ]);
    });

    it("refuses a command whose first entry, the program, is empty, and accepts empty arguments after it", () => {
        assert.deepEqual(problems(services(web({ command: ["", "serve"] }))), [
            `${W}.command: ["","serve"] starts with an empty entry; expected the program to run first`,
        ]);
        assert.deepEqual(problems(services(web({ command: ["serve", ""] }))), []);
    });

    it("refuses an HTTPS endpoint subscribed twice, naming both positions but not the URL", () => {
        const url = "https://events.example.org/integration/abc123";
        const found = problems({
            ...region,
            "aws-platform:monitoring": { httpsEndpoints: [url, "https://other.example.org/x", url] },
        });
        assert.deepEqual(found, [
            "aws-platform:monitoring.httpsEndpoints[2]: is the same endpoint as httpsEndpoints[0]; list each endpoint " +
                "once (SNS keeps one subscription per topic and endpoint)",
        ]);
        assert.ok(!found.join("\n").includes("abc123"), "the URL may carry a token");
    });

    it("refuses a CORS origin listed twice", () => {
        const origin = "https://app.example.org";
        assert.deepEqual(
            problems({
                ...region,
                "aws-platform:buckets": { up: { cors: { allowedOrigins: [origin, origin], allowedMethods: ["PUT"] } } },
            }),
            [`aws-platform:buckets.up.cors.allowedOrigins: ["${origin}","${origin}"] lists an origin twice`],
        );
    });

    it("reports every one of them at once, with the other problems of the stack", () => {
        const found = problems({
            ...region,
            "aws-platform:monitoring": { httpsEndpoints: ["https://a.example.org", "https://a.example.org"] },
            "aws-platform:services": {
                apps: {
                    w: web({
                        routing: { priority: 10, pathPatterns: ["/a/*", "/a/*"] },
                        taskRole: {
                            managedPolicyArns: [
                                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                            ],
                        },
                    }),
                },
            },
            "aws-platform:network": { azCount: 9 },
        });
        assert.deepEqual(
            found.map((p) => p.split(":").slice(0, 2).join(":").split(" ")[0]),
            [
                "aws-platform:network.azCount",
                `${W}.routing.pathPatterns[1]`,
                `${W}.taskRole.managedPolicyArns[1]`,
                "aws-platform:monitoring.httpsEndpoints[1]",
            ],
        );
    });

    it("refuses a CORS header listed twice, in any case", () => {
        assert.deepEqual(
            problems({
                ...region,
                "aws-platform:buckets": {
                    up: {
                        cors: {
                            allowedOrigins: ["https://app.example.org"],
                            allowedHeaders: ["Content-Type", "content-type"],
                            exposeHeaders: ["ETag", "ETag"],
                        },
                    },
                },
            }),
            [
                'aws-platform:buckets.up.cors.allowedHeaders: ["Content-Type","content-type"] lists a header twice (header names ignore case)',
                'aws-platform:buckets.up.cors.exposeHeaders: ["ETag","ETag"] lists a header twice (header names ignore case)',
            ],
        );
    });
});

describe("settings: tags the platform sets, and numbers YAML allows but AWS does not", () => {
    it("refuses the tags the platform sets on every resource, whose value would be ignored, and accepts others", () => {
        const why =
            "is set by the platform on every resource (project, stack, managed-by, cost-scope), so a value here " +
            "would be ignored; choose another key";
        assert.deepEqual(
            problems({ ...region, "aws-platform:tags": { stack: "other", "cost-scope": "x", team: "x" } }),
            [
                `aws-platform:tags.stack: "stack" is not a valid key: ${why}`,
                `aws-platform:tags.cost-scope: "cost-scope" is not a valid key: ${why}`,
            ],
        );
        // AWS tag keys are case-sensitive: another key.
        assert.deepEqual(problems({ ...region, "aws-platform:tags": { Stack: "x" } }), []);
    });

    it("names .inf and .nan (YAML numbers with no JSON spelling) as written, and says they are not finite", () => {
        assert.deepEqual(
            problems({
                ...region,
                "aws-platform:monitoring": {
                    thresholds: { auroraCpu: Infinity, ecsCpu: NaN },
                    budget: { monthlyLimitUsd: -Infinity },
                },
            }),
            [
                "aws-platform:monitoring.thresholds.auroraCpu: .inf is not a finite number; expected number",
                "aws-platform:monitoring.thresholds.ecsCpu: .nan is not a finite number; expected number",
                "aws-platform:monitoring.budget.monthlyLimitUsd: -.inf is not a finite number; expected number",
            ],
        );
    });
});
