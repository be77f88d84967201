import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import type { AuroraClusterArgs } from "../components/auroraCluster";
import { auroraProblems } from "../components/aurora/validate";
import type { FargateServiceArgs } from "../components/fargateService";
import { describeMemoryOptions } from "../components/fargate/sizes";
import { fargateProblems, usesDatabase } from "../components/fargate/validate";
import { accountBucketName } from "../components/s3/bucket";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-4000-8000-000000000000";

describe("AuroraCluster argument checks (pure)", () => {
    const valid: AuroraClusterArgs = {
        clusterIdentifier: "shop-prod",
        vpcId: "vpc-1",
        subnetIds: ["subnet-a", "subnet-b"],
        availabilityZones: ["eu-west-1a", "eu-west-1b"],
        kmsKeyArn: KEY,
    };

    it("accepts the defaults", () => {
        assert.deepEqual(auroraProblems("db", valid), []);
    });

    it("reports every problem at once, each naming the component and the value", () => {
        const problems = auroraProblems("db", {
            ...valid,
            clusterIdentifier: "Shop--prod-",
            subnetIds: ["subnet-a"],
            engineVersion: "16",
            instanceClass: "db.serverless",
        });
        assert.equal(problems.length, 4, problems.join("\n"));
        assert.match(problems[0], /^AuroraCluster db: clusterIdentifier "Shop--prod-" is not valid/);
        assert.match(problems[1], /^AuroraCluster db: 1 subnet\(s\); a DB subnet group needs at least 2 AZs$/);
        assert.match(problems[2], /^AuroraCluster db: engineVersion "16" is not <major>\.<minor>$/);
        assert.match(problems[3], /^AuroraCluster db: instanceClass db\.serverless needs a serverless capacity range$/);
    });

    it("accepts db.serverless with a capacity range, and rejects identifiers over 60 characters", () => {
        const serverless = { ...valid, instanceClass: "db.serverless", serverless: { minCapacity: 0, maxCapacity: 4 } };
        assert.deepEqual(auroraProblems("db", serverless), []);
        assert.equal(auroraProblems("db", { ...valid, clusterIdentifier: `a${"b".repeat(59)}` }).length, 0);
        assert.equal(auroraProblems("db", { ...valid, clusterIdentifier: `a${"b".repeat(60)}` }).length, 1);
    });
});

describe("FargateService argument checks (pure)", () => {
    const web = { image: "nginx:1", cpu: 256, memory: 512, port: 8080, routing: { priority: 10 } };
    const valid: FargateServiceArgs = {
        vpcId: "vpc-1",
        privateSubnetIds: ["subnet-a", "subnet-b"],
        kmsKeyArn: KEY,
        services: { web },
        region: "eu-west-1",
        namePrefix: "shop-prod",
    };

    it("accepts a web service with an image, a Fargate size and routing", () => {
        assert.deepEqual(fargateProblems("app", valid), []);
    });

    it("reports every problem of every service at once", () => {
        const problems = fargateProblems("app", {
            ...valid,
            privateSubnetIds: ["subnet-a"],
            services: {
                web,
                api: { ...web, build: { context: "apps/api" }, cpu: 256, memory: 4096 },
                "a-very-long-worker-name": {
                    image: "worker:1",
                    cpu: 512,
                    memory: 1024,
                    capacity: { fargateSpot: { weight: 1 } },
                    secrets: { TOKEN: "missing", DB: "database:host" },
                },
            },
        });
        assert.deepEqual(problems, [
            "FargateService app: privateSubnetIds has 1; at least 2 AZs are required",
            "FargateService app: service api: set exactly one of image and build",
            `FargateService app: service api: cpu 256 / memory 4096 is not a Fargate size; ${describeMemoryOptions(256)}`,
            "FargateService app: service api: routing priority 10 is used twice",
            'FargateService app: service a-very-long-worker-name: "app-a-very-long-worker-name" is longer than 24 characters',
            "FargateService app: service a-very-long-worker-name: secret missing is not in secretArns",
            "FargateService app: service a-very-long-worker-name: database:host is not a database secret key",
            "FargateService app: service a-very-long-worker-name: database access needs databaseSecurityGroupId",
        ]);
    });

    it("requires what creates a service's IAM database user, so the service can wait for it", () => {
        const iam = {
            ...valid,
            databaseSecurityGroupId: "sg-db",
            databaseClusterResourceId: "cluster-ABC",
            services: { web: { ...web, databaseIamUser: "web_app" } },
        };
        assert.deepEqual(fargateProblems("app", iam), [
            "FargateService app: service web: databaseIamUser needs databaseUsersReady, which creates the user before the service",
        ]);
    });

    it("requires every bucket a service lists to be one it is given", () => {
        const bucket = { name: "b-videos", arn: "arn:aws:s3:::b-videos", kmsKeyArn: KEY };
        const withBuckets = (buckets?: FargateServiceArgs["buckets"]) => ({
            ...valid,
            buckets,
            services: { web: { ...web, buckets: { videos: "read-write" as const, thumbs: "read" as const } } },
        });
        assert.deepEqual(fargateProblems("app", withBuckets({ videos: bucket, thumbs: bucket })), []);
        assert.deepEqual(fargateProblems("app", withBuckets({ videos: bucket })), [
            "FargateService app: service web: bucket thumbs is not in buckets",
        ]);
        assert.equal(fargateProblems("app", withBuckets(undefined)).length, 2);
    });

    it("requires the VPC endpoints, and no ECS Exec, for a service without internet egress", () => {
        const closed = (extra: Partial<FargateServiceArgs>, exec = false) => ({
            ...valid,
            ...extra,
            services: { web: { ...web, internetEgress: false, enableExecuteCommand: exec } },
        });
        const vpcEndpoints = { securityGroupId: "sg-e", s3PrefixListId: "pl-1" };
        assert.deepEqual(fargateProblems("app", closed({ vpcEndpoints })), []);
        assert.deepEqual(fargateProblems("app", closed({}, true)), [
            "FargateService app: service web: internetEgress false needs vpcEndpoints",
            "FargateService app: service web: enableExecuteCommand needs internetEgress (ssmmessages has no endpoint here)",
        ]);
    });

    it("counts a service as a database client when it reads the master secret or connects with IAM", () => {
        assert.equal(usesDatabase({ ...web }), false);
        assert.equal(usesDatabase({ ...web, secrets: { PASSWORD: "database:password" } }), true);
        assert.equal(usesDatabase({ ...web, databaseIamUser: "app" }), true);
        assert.equal(usesDatabase({ ...web, databaseIamUser: "app", databaseAccess: false }), false);
    });
});

describe("account-qualified bucket names (pure)", () => {
    it("appends the account id in lowercase, up to S3's 63 characters", async () => {
        const stem = `Shop-${"a".repeat(45)}`; // 50 + "-" + 12 = 63
        const name = await new Promise<string>((resolve) =>
            accountBucketName("Owner x", stem, "123456789012").apply(resolve),
        );
        assert.equal(name, `shop-${"a".repeat(45)}-123456789012`);
        assert.equal(name.length, 63);
    });

    it("refuses a longer stem at once with a RunError naming the owner, the name and the limit", () => {
        assert.throws(
            () => accountBucketName("Owner x", "s".repeat(51), "123456789012"),
            (e: unknown) =>
                e instanceof pulumi.RunError &&
                e.message ===
                    `Owner x: the bucket name ${"s".repeat(51)}-<account id> would be 64 characters; S3 allows 63, so shorten the project's or the stack's name`,
        );
    });
});
