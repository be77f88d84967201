import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { engineVersionProblems, runningEngineVersion } from "../components/aurora/engineVersion";
import { AuroraCluster } from "../components/auroraCluster";

describe("engine version against the running cluster (pure)", () => {
    it("accepts anything for a cluster that does not exist yet", () => {
        assert.deepEqual(engineVersionProblems("17.4", undefined, true), []);
        assert.deepEqual(engineVersionProblems("13.9", undefined, false), []);
    });

    it("accepts AWS's own minor upgrades while they are on, and the same version either way", () => {
        assert.deepEqual(engineVersionProblems("16.6", "16.8", true), []);
        assert.deepEqual(engineVersionProblems("16.8", "16.8", true), []);
        assert.deepEqual(engineVersionProblems("16.8", "16.8", false), []);
    });

    it("refuses a major upgrade hidden by automatic minor upgrades, and says how to apply it", () => {
        const [p] = engineVersionProblems("17.4", "16.8", true);
        assert.match(p, /^engineVersion 17\.4 is a major upgrade from the running 16\.8/);
        assert.match(p, /autoMinorVersionUpgrade: false in the same update/);
        assert.match(p, /parameter group family/);
        assert.match(engineVersionProblems("16.9", "16.8", true)[0], /is an upgrade from the running 16\.8/);
    });

    it("accepts an explicit major or minor upgrade with automatic minor upgrades off", () => {
        assert.deepEqual(engineVersionProblems("17.4", "16.8", false), []);
        assert.deepEqual(engineVersionProblems("16.9", "16.8", false), []);
    });

    it("refuses every downgrade RDS would refuse", () => {
        assert.match(
            engineVersionProblems("16.6", "17.4", true)[0],
            /^engineVersion 16\.6 is older than the running 17\.4, and RDS cannot downgrade; set engineVersion to 17\.4 or a later version of that major$/,
        );
        assert.match(engineVersionProblems("16.6", "16.8", false)[0], /set engineVersion to 16\.8$/);
    });
});

/** Own mocks: a cluster named `platform-t` exists and runs `running`; every resource echoes its inputs. */
async function mockRunning(
    running: string | undefined,
    registered: { type: string; inputs: Record<string, unknown> }[],
) {
    await pulumi.runtime.setMocks(
        {
            newResource: (a) => {
                registered.push({ type: a.type, inputs: a.inputs });
                const extra: Record<string, unknown> =
                    a.type === "aws:rds/cluster:Cluster"
                        ? { masterUserSecrets: [{ secretArn: "arn:aws:secretsmanager:eu-west-1:1:secret:x" }] }
                        : a.type === "random:index/randomId:RandomId"
                          ? { hex: "0a1b2c3d" }
                          : {};
                return { id: `${a.name}-id`, state: { ...a.inputs, arn: `arn:${a.name}`, name: a.name, ...extra } };
            },
            call: (a) => {
                switch (a.token) {
                    case "aws:rds/getClusters:getClusters":
                        return { id: "x", clusterIdentifiers: running ? ["platform-t"] : [] };
                    case "aws:rds/getCluster:getCluster":
                        return { id: "platform-t", clusterIdentifier: "platform-t", engineVersion: running };
                    case "aws:index/getCallerIdentity:getCallerIdentity":
                        return { id: "1", accountId: "123456789012", arn: "a", userId: "u" };
                    case "aws:index/getPartition:getPartition":
                        return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com" };
                    default:
                        throw new Error(`unexpected invoke ${a.token}`);
                }
            },
        },
        "aws-platform",
        "engine-test",
        false,
    );
}

const promiseOf = <T>(o: pulumi.Output<T>) => (o as unknown as { promise(): Promise<T> }).promise();

describe("AuroraCluster against a running cluster (own mocks)", () => {
    it("reads the running version, and none for a new stack", async () => {
        await mockRunning("16.8", []);
        const parent = new pulumi.ComponentResource("test:index:Parent", "p");
        assert.equal(await promiseOf(runningEngineVersion(parent, "platform-t")), "16.8");
        assert.equal(await promiseOf(runningEngineVersion(parent, "other")), undefined);
        await mockRunning(undefined, []);
        assert.equal(await promiseOf(runningEngineVersion(parent, "platform-t")), undefined);
    });

    const cluster = (engineVersion: string, autoMinorVersionUpgrade: boolean) =>
        new AuroraCluster("db", {
            clusterIdentifier: "platform-t",
            vpcId: "vpc-1",
            subnetIds: ["subnet-a", "subnet-b"],
            availabilityZones: ["eu-west-1a", "eu-west-1b"],
            kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
            readers: 1,
            engineVersion,
            autoMinorVersionUpgrade,
        });

    it("upgrades the major with a parameter group of the new family when automatic minor upgrades are off", async () => {
        const registered: { type: string; inputs: Record<string, unknown> }[] = [];
        await mockRunning("16.8", registered);
        const db = cluster("17.4", false);
        await promiseOf(db.clusterArn);
        const of = (type: string) => registered.filter((r) => r.type === type).map((r) => r.inputs);
        assert.deepEqual(
            of("aws:rds/clusterParameterGroup:ClusterParameterGroup").map((p) => p.family),
            ["aurora-postgresql17"],
        );
        const [c] = of("aws:rds/cluster:Cluster");
        assert.equal(c.engineVersion, "17.4");
        assert.equal(c.allowMajorVersionUpgrade, true);
        assert.equal(c.dbClusterParameterGroupName, "db-params");
    });

    it("fails before registering a parameter group when the major upgrade would be hidden", async () => {
        const registered: { type: string; inputs: Record<string, unknown> }[] = [];
        await mockRunning("16.8", registered);
        const failures: string[] = [];
        const onRejection = (e: unknown) => failures.push(String((e as Error)?.message ?? e));
        process.on("unhandledRejection", onRejection);
        try {
            const db = cluster("17.4", true);
            await assert.rejects(promiseOf(db.writerEndpoint), /is a major upgrade from the running 16\.8/);
            await new Promise((resolve) => setTimeout(resolve, 100));
        } finally {
            process.off("unhandledRejection", onRejection);
        }
        assert.deepEqual(
            registered.filter((r) => /clusterParameterGroup|rds\/cluster:/.test(r.type)),
            [],
            "neither the new-family group nor the cluster reached the engine",
        );
    });

    it("keeps the running version's family when AWS moved the minor", async () => {
        const registered: { type: string; inputs: Record<string, unknown> }[] = [];
        await mockRunning("16.8", registered);
        await promiseOf(cluster("16.6", true).clusterArn);
        const [p] = registered.filter((r) => r.type === "aws:rds/clusterParameterGroup:ClusterParameterGroup");
        assert.equal(p.inputs.family, "aurora-postgresql16");
    });
});
