import { strict as assert } from "assert";
import { findPlaceholders, placeholderIssues, placeholderReason } from "../stacks/placeholders";

describe("placeholder values (pure)", () => {
    it("recognises AWS documentation account ids, alone or inside an ARN", () => {
        for (const id of ["123456789012", "111122223333", "444455556666", "555555555555", "000000000000"]) {
            assert.match(placeholderReason(id) ?? "", new RegExp(`${id} is an example account id`), id);
            assert.ok(placeholderReason(`arn:aws:iam::${id}:role/x`), id);
        }
        assert.deepEqual(
            findPlaceholders({ "x:account": 111122223333 }).map((p) => p.key),
            ["x:account"],
        );
    });

    it("recognises all-zero UUIDs, whatever their version and variant digits", () => {
        for (const uuid of [
            "00000000-0000-0000-0000-000000000000",
            "00000000-0000-4000-8000-000000000000",
            "arn:aws:acm:eu-west-1:210987654321:certificate/00000000-0000-4000-a000-000000000000",
        ]) {
            assert.match(placeholderReason(uuid) ?? "", /all-zero UUID/, uuid);
        }
    });

    it("recognises names reserved for examples, tests and invalid or loopback names (RFC 2606, RFC 6761)", () => {
        const cases: Record<string, RegExp> = {
            "example.com": /example\.com is under example\.com/,
            "api.example.net": /under example\.net/,
            "*.shop.example.org": /under example\.org/,
            "https://app.example.com/login": /app\.example\.com/,
            "ops@example.com": /example\.com/,
            "service.example": /under \.example/,
            "db.internal.test": /under \.test/,
            "nothing.invalid": /under \.invalid/,
            "app.localhost": /under \.localhost/,
        };
        for (const [text, reason] of Object.entries(cases)) assert.match(placeholderReason(text) ?? "", reason, text);
    });

    it("leaves real values alone", () => {
        for (const text of [
            "arn:aws:acm:eu-west-1:210987654321:certificate/0f1e2d3c-4b5a-4687-9a0b-1c2d3e4f5a6b",
            "app.examples.com",
            "myexample.com",
            "example.com.au",
            "shop.testing.io",
            "spec.test.ts",
            "localhost",
            "http://localhost:4317",
            "public.ecr.aws/nginx/nginx:1.27",
            "16.6",
            "1234567890123",
            "",
        ]) {
            assert.equal(placeholderReason(text), undefined, text);
        }
    });

    it("names each placeholder by its full key path, at any depth", () => {
        const found = findPlaceholders({
            "aws:region": "eu-west-1",
            "aws-platform:services": {
                loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/x" },
                apps: { web: { routing: { hostHeaders: ["real.org", "app.example.com"] } } },
            },
        });
        assert.deepEqual(
            found.map((p) => [p.key, p.value]),
            [
                [
                    "aws-platform:services.loadBalancer.certificateArn",
                    "arn:aws:acm:eu-west-1:123456789012:certificate/x",
                ],
                ["aws-platform:services.apps.web.routing.hostHeaders[1]", "app.example.com"],
            ],
        );
    });

    it("never shows the value of a secret key", () => {
        const issues = placeholderIssues(findPlaceholders({ "app:token": "key-for-ops@example.com" }), ["app:token"]);
        assert.equal(issues.length, 1);
        assert.equal(issues[0].value, undefined);
        assert.ok(!issues[0].message.includes("example.com"), issues[0].message);
    });
});
