import { strict as assert } from "assert";
import { ecrRepositoryOf } from "../components/fargate/ecrImage";

describe("ecrRepositoryOf (pure)", () => {
    const digest = `sha256:${"ab12".repeat(16)}`;

    for (const [image, arn] of [
        ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1.4.2", "arn:aws:ecr:eu-west-1:123456789012:repository/web"],
        [
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/billing-api",
            "arn:aws:ecr:eu-west-1:123456789012:repository/team/billing-api",
        ],
        [
            `210987654321.dkr.ecr.us-east-2.amazonaws.com/ns/app_v2@${digest}`,
            "arn:aws:ecr:us-east-2:210987654321:repository/ns/app_v2",
        ],
        [
            `123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2024.05-rc1@${digest}`,
            "arn:aws:ecr:eu-west-1:123456789012:repository/web",
        ],
        [
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/web:1",
            "arn:aws-cn:ecr:cn-north-1:123456789012:repository/web",
        ],
        [
            "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/web:1",
            "arn:aws-us-gov:ecr:us-gov-west-1:123456789012:repository/web",
        ],
    ]) {
        it(`reads ${image} as ${arn}`, () => {
            assert.strictEqual(ecrRepositoryOf(image)?.arn, arn);
        });
    }

    it("returns the account and region, so a cross-account repository can be told apart", () => {
        assert.deepStrictEqual(ecrRepositoryOf("210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/base:3"), {
            accountId: "210987654321",
            region: "eu-west-1",
            partition: "aws",
            name: "shared/base",
            arn: "arn:aws:ecr:eu-west-1:210987654321:repository/shared/base",
        });
    });

    for (const image of [
        "public.ecr.aws/nginx/nginx:1.27",
        "nginx:1.27",
        "library/nginx",
        "docker.io/library/node:20-alpine",
        "ghcr.io/org/app:1",
        "registry.example.com/123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:1",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.example/web:1",
        "12345678901.dkr.ecr.eu-west-1.amazonaws.com/web:1",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/Web:1",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:-bad",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/",
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web@sha256:short",
    ]) {
        it(`gives nothing for ${image}`, () => {
            assert.strictEqual(ecrRepositoryOf(image), undefined);
        });
    }
});
