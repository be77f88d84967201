/**
 * The ElastiCache policies, compliant and violating, through the offline evaluator: props are wire-form inputs in
 * `unknownCheckingProxy`, and values that come from resources created in the same update are unknown in preview, so
 * a policy that read one by mistake would show up as an advisory instead of the exact `policy:level` expected here.
 */
import { strict as assert } from "assert";

import { T } from "../policy/tokens";
import { loadPolicyConfig } from "../tools/plan/policy-pack-config";
import type { PlanMode } from "../tools/plan/types";
import { UNKNOWN } from "../tools/plan/types";
import { PlanBuilder, platformStack, runPolicy, single, summary } from "./helpers/graph-fixtures";

const KEY = "arn:aws:kms:eu-west-1:123456789012:key/1111";
const CANT_RUN = /^can't run policy '[a-z0-9-]+' from policy pack 'aws-platform@v0\.1\.0' during preview: /;
const GROUP = T.elasticacheReplicationGroup[0];
const PRODUCTION = loadPolicyConfig("production");

/** The cache as the Cache component builds it, added to the compliant platform stack. */
function withCache(
    options: { mode?: PlanMode; group?: Record<string, unknown>; tier?: string; azs?: string[] } = {},
): PlanBuilder {
    const azs = options.azs ?? ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
    const p = platformStack({ mode: options.mode, azs });
    const subnets = azs.map((az) => p.get(`${options.tier ?? "isolated"}-${az.slice(-1)}`));
    const subnetGroup = p.add(T.elasticacheSubnetGroup[0], "cache-subnets", {
        name: "cache-subnets-1234567",
        subnetIds: subnets.map((s) => p.out(s)),
    });
    const sg = p.add(T.securityGroup[0], "cache-sg", { vpcId: p.out(p.get("vpc")), description: "cache" });
    const users = p.add("aws:elasticache/userGroup:UserGroup", "cache-users", { engine: "valkey", userGroupId: "g" });
    p.add(GROUP, "cache-group", {
        engine: "valkey",
        engineVersion: "8.2",
        atRestEncryptionEnabled: true,
        kmsKeyId: p.out(p.get("cmk"), "arn"),
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        userGroupIds: [p.out(users, "userGroupId")],
        subnetGroupName: p.known(subnetGroup, "cache-subnets-1234567"),
        securityGroupIds: [p.out(sg)],
        clusterMode: "disabled",
        numCacheClusters: 3,
        multiAzEnabled: true,
        automaticFailoverEnabled: true,
        ...options.group,
    });
    return p;
}

/** Only the ElastiCache policies' violations (the platform stack itself is compliant). */
function cacheViolations(p: PlanBuilder, config = PRODUCTION) {
    return [
        "elasticache-encrypted-cmk",
        "elasticache-in-transit-encryption",
        "elasticache-subnet-group-non-public",
        "elasticache-multi-az",
    ].flatMap((name) => runPolicy(name, p, config));
}

describe("ElastiCache policies", () => {
    for (const mode of ["preview", "update"] as const) {
        it(`pass the cache as the component builds it, under the production profile (${mode})`, () => {
            assert.deepStrictEqual(cacheViolations(withCache({ mode })), []);
        });
    }

    describe("elasticache-encrypted-cmk", () => {
        const run = (inputs: Record<string, unknown>) => runPolicy("elasticache-encrypted-cmk", single(GROUP, inputs));

        it("accepts encryption with a CMK, known or unknown at preview", () => {
            assert.deepStrictEqual(run({ atRestEncryptionEnabled: true, kmsKeyId: KEY }), []);
            assert.deepStrictEqual(run({ atRestEncryptionEnabled: true, kmsKeyId: UNKNOWN }), []);
            assert.deepStrictEqual(run({ engine: "valkey", kmsKeyId: KEY }), [], "valkey encrypts unless told not to");
        });
        it("rejects a group unencrypted at rest, even when kmsKeyId is unknown", () => {
            const v = run({ atRestEncryptionEnabled: false, kmsKeyId: UNKNOWN });
            assert.deepStrictEqual(summary(v), ["elasticache-encrypted-cmk:mandatory"]);
            assert.match(v[0].message, /atRestEncryptionEnabled is false/);
            assert.deepStrictEqual(summary(run({ engine: "redis", kmsKeyId: KEY })), [
                "elasticache-encrypted-cmk:mandatory",
            ]);
            assert.match(run({})[0].message, /a redis replication group is then unencrypted at rest/);
        });
        it("rejects the AWS-owned or AWS-managed key", () => {
            assert.match(run({ atRestEncryptionEnabled: true })[0].message, /kmsKeyId is not set/);
            assert.match(
                run({ atRestEncryptionEnabled: true, kmsKeyId: "alias/aws/elasticache" })[0].message,
                /AWS-managed key/,
            );
        });
        it("reports the engine's advisory when the flag itself is unknown", () => {
            const v = run({ atRestEncryptionEnabled: UNKNOWN, kmsKeyId: KEY });
            assert.deepStrictEqual(summary(v), ["elasticache-encrypted-cmk:advisory"]);
            assert.match(v[0].message, CANT_RUN);
        });
    });

    describe("elasticache-in-transit-encryption", () => {
        const run = (inputs: Record<string, unknown>) =>
            runPolicy("elasticache-in-transit-encryption", single(GROUP, inputs));

        it("accepts TLS required, explicitly or by the API's default", () => {
            assert.deepStrictEqual(run({ transitEncryptionEnabled: true, transitEncryptionMode: "required" }), []);
            assert.deepStrictEqual(run({ transitEncryptionEnabled: true }), []);
        });
        it("rejects plain text and the preferred (migration) mode", () => {
            assert.match(run({})[0].message, /transitEncryptionEnabled is not set \(false\)/);
            assert.match(run({ transitEncryptionEnabled: false })[0].message, /transitEncryptionEnabled is false/);
            const preferred = run({ transitEncryptionEnabled: true, transitEncryptionMode: "preferred" });
            assert.deepStrictEqual(summary(preferred), ["elasticache-in-transit-encryption:mandatory"]);
            assert.match(preferred[0].message, /'preferred': plain-text connections are still accepted/);
        });
        it("is advisory only when a deciding value is unknown", () => {
            assert.deepStrictEqual(summary(run({ transitEncryptionEnabled: UNKNOWN })), [
                "elasticache-in-transit-encryption:advisory",
            ]);
            assert.deepStrictEqual(summary(run({ transitEncryptionEnabled: true, transitEncryptionMode: UNKNOWN })), [
                "elasticache-in-transit-encryption:advisory",
            ]);
        });
    });

    describe("elasticache-subnet-group-non-public", () => {
        const run = (p: PlanBuilder) => runPolicy("elasticache-subnet-group-non-public", p);

        it("rejects a subnet group with public subnets, although their ids are unknown at preview", () => {
            const v = run(withCache({ tier: "public" }));
            assert.deepStrictEqual(summary(v), ["elasticache-subnet-group-non-public:mandatory"]);
            assert.match(v[0].message, /includes public subnet\(s\) 'public-a', 'public-b', 'public-c'/);
        });
        it("accepts private subnets (a route out through NAT, no public address)", () => {
            assert.deepStrictEqual(run(withCache({ tier: "private" })), []);
        });
        it("rejects subnets and subnet groups it cannot verify, and a group in the default subnet group", () => {
            const literal = withCache().patch("cache-subnets", { subnetIds: ["subnet-123", "subnet-456"] });
            assert.match(run(literal)[0].message, /subnetIds do not come from aws\.ec2\.Subnet resources/);
            const external = withCache().patch("cache-group", { subnetGroupName: "someone-elses-group" });
            assert.match(run(external)[0].message, /does not come from an aws\.elasticache\.SubnetGroup in this stack/);
            const none = withCache().patch("cache-group", { subnetGroupName: undefined });
            assert.match(run(none)[0].message, /has no subnetGroupName and lands in the default VPC/);
        });
    });

    describe("elasticache-multi-az", () => {
        const run = (p: PlanBuilder, config = PRODUCTION) => runPolicy("elasticache-multi-az", p, config);
        const messages = (p: PlanBuilder, config = PRODUCTION) =>
            run(p, config).map((v) => `${v.enforcementLevel}: ${v.message.split("\n").pop()}`);

        it("is asked for by the production profile only; the default and development leave a single node alone", () => {
            assert.deepStrictEqual(PRODUCTION["elasticache-multi-az"], { requireMultiAz: true, minAzCount: 3 });
            const oneNode = withCache({
                group: { numCacheClusters: 1, multiAzEnabled: false, automaticFailoverEnabled: false },
            });
            assert.deepStrictEqual(run(oneNode, {}), []);
            assert.deepStrictEqual(run(oneNode, loadPolicyConfig("development")), []);
            assert.deepStrictEqual(messages(oneNode), [
                "mandatory: ReplicationGroup 'cache-group' has multiAzEnabled false.",
                "mandatory: ReplicationGroup 'cache-group' has automaticFailoverEnabled false.",
                "mandatory: ReplicationGroup 'cache-group' has 0 replica(s) per shard; at least 1 are required for failover.",
            ]);
        });
        it("counts replicas per shard in cluster mode, and flags unset flags", () => {
            const cluster = withCache({
                group: {
                    clusterMode: "enabled",
                    numCacheClusters: undefined,
                    numNodeGroups: 3,
                    replicasPerNodeGroup: 0,
                    multiAzEnabled: undefined,
                },
            });
            assert.deepStrictEqual(messages(cluster), [
                "mandatory: ReplicationGroup 'cache-group' has multiAzEnabled unset (false).",
                "mandatory: ReplicationGroup 'cache-group' has 0 replica(s) per shard; at least 1 are required for failover.",
            ]);
            assert.deepStrictEqual(
                run(withCache({ group: { numCacheClusters: undefined, numNodeGroups: 2, replicasPerNodeGroup: 2 } })),
                [],
            );
        });
        it("requires the subnet group to span minAzCount AZs", () => {
            const twoAzs = withCache({ azs: ["eu-west-1a", "eu-west-1b"] });
            assert.deepStrictEqual(messages(twoAzs), [
                "mandatory: SubnetGroup 'cache-subnets' of ReplicationGroup 'cache-group' spans fewer than 3 AZs (AZs eu-west-1a, eu-west-1b).",
            ]);
            assert.deepStrictEqual(run(twoAzs, { "elasticache-multi-az": { requireMultiAz: true } }), []);
        });
        it("is advisory only when a deciding value is unknown", () => {
            const p = withCache();
            p.patch("cache-group", { numCacheClusters: p.out(p.get("cmk"), "count") });
            assert.deepStrictEqual(summary(run(p)), ["elasticache-multi-az:advisory"]);
            assert.match(run(p)[0].message, CANT_RUN);
        });
    });
});
