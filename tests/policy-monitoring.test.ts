/**
 * resources-have-notifying-alarms against the compliant platform stack (tests/helpers/graph-fixtures.ts): each case
 * changes one fact and asserts exactly the violations it causes, in preview (ids and ARNs unknown) and update mode.
 */
import { strict as assert } from "assert";

import { keyPolicy } from "../components/secretsStore";
import { keyPolicyAllowsCloudWatch } from "../policy/monitoring";
import { policies } from "../policy/policies";
import { T } from "../policy/tokens";
import { evaluatePolicies, loadPolicyConfig, resolvePolicyConfig } from "../tools/plan/policy-eval";
import { UNKNOWN, type PlanMode, type Violation } from "../tools/plan/types";
import { keyPolicyAllowing, platformStack, type PlanBuilder, runPolicy } from "./helpers/graph-fixtures";

const POLICY = "resources-have-notifying-alarms";
const prodConfig = resolvePolicyConfig(policies, loadPolicyConfig("production"));

function run(change: (p: PlanBuilder) => void, mode: PlanMode = "preview"): Violation[] {
    const p = platformStack({ mode });
    change(p);
    return runPolicy(POLICY, p);
}

const nameOf = (v: Violation) => (v.urn ?? "").split("::").pop();
/** The policy's own sentence, after the description the engine puts first. */
const sentence = (v: Violation) => v.message.split("\n").pop()!;

/** `<resource name>: <sentence>` of each violation, sorted. */
function found(violations: Violation[]): string[] {
    return violations.map((v) => `${nameOf(v)}: ${sentence(v)}`).sort();
}

/** The names of the resources with a violation, sorted. */
function names(violations: Violation[]): string[] {
    return violations.map((v) => nameOf(v)!).sort();
}

const ALARMS = ["cdn-5xx", "db-cpu", "nat-a-port-allocation", "nat-b-port-allocation", "nat-c-port-allocation"];
const ALL_ALARMS = [...ALARMS, "tg-5xx-rate", "web-cpu"].sort();
const WATCHED = ["cdn", "db", "nat-a", "nat-b", "nat-c", "tg", "web"];

describe("resources-have-notifying-alarms", () => {
    for (const mode of ["preview", "update"] as PlanMode[]) {
        describe(mode, () => {
            it("finds nothing in the compliant stack, under the whole pack too", () => {
                assert.deepStrictEqual(
                    run(() => undefined, mode),
                    [],
                );
                assert.deepStrictEqual(evaluatePolicies(policies, platformStack({ mode }).resources, prodConfig), []);
            });

            it("catches an ECS service nothing watches", () => {
                const v = run((p) => p.remove("web-cpu"), mode);
                assert.deepStrictEqual(found(v), [
                    "web: Service 'web' has no CloudWatch alarm whose dimensions reference it.",
                ]);
                assert.equal(v[0].enforcementLevel, "mandatory");
            });

            it("catches each class of resource left unwatched: cluster, target group, NAT gateway, distribution", () => {
                const v = run(
                    (p) => ["db-cpu", "tg-5xx-rate", "nat-b-port-allocation", "cdn-5xx"].forEach((a) => p.remove(a)),
                    mode,
                );
                assert.deepStrictEqual(names(v), ["cdn", "db", "nat-b", "tg"]);
            });

            it("catches alarms on a topic whose key CloudWatch cannot use, and every resource they were to cover", () => {
                const v = run((p) => p.patch("cmk", { policy: keyPolicyAllowing("events.amazonaws.com") }), mode);
                assert.deepStrictEqual(names(v), [...ALL_ALARMS, ...WATCHED].sort());
                const alarm = v.find((x) => x.urn!.endsWith("::db-cpu"))!;
                assert.match(
                    sentence(alarm),
                    /^MetricAlarm 'db-cpu' notifies Topic 'alarms', encrypted with Key 'cmk', whose policy does not let cloudwatch.amazonaws.com use it .*would never arrive\.$/,
                );
                const db = v.find((x) => x.urn!.endsWith("::db"))!;
                assert.match(
                    db.message,
                    /watched by MetricAlarm 'db-cpu', but none notifies an SNS topic that CloudWatch can publish to/,
                );
            });

            it("catches an alarm on an unencrypted topic, even when the resource has another alarm that notifies", () => {
                const v = run((p) => {
                    const plain = p.add(T.snsTopic[0], "plain-topic", {});
                    p.add(T.metricAlarm[0], "web-memory", {
                        dimensions: { ServiceName: p.out(p.get("web"), "name") },
                        alarmActions: [p.out(plain, "arn")],
                    });
                }, mode);
                assert.deepStrictEqual(found(v), [
                    "web-memory: MetricAlarm 'web-memory' notifies Topic 'plain-topic', which is not encrypted (no kmsMasterKeyId): alarm messages rest in clear.",
                ]);
            });

            it("catches an alarm on a topic under the AWS-managed alias/aws/sns", () => {
                const v = run((p) => p.patch("alarms", { kmsMasterKeyId: "alias/aws/sns" }), mode);
                assert.equal(
                    v.filter((x) => /AWS-managed key alias\/aws\/sns/.test(x.message)).length,
                    ALL_ALARMS.length,
                );
            });

            it("follows a topic's key through an alias and reads a separate aws.kms.KeyPolicy, which wins", () => {
                assert.deepStrictEqual(
                    run((p) => {
                        const alias = p.add(T.kmsAlias[0], "cmk-alias", {
                            name: "alias/platform",
                            targetKeyId: p.out(p.get("cmk"), "keyId"),
                        });
                        p.patch("alarms", { kmsMasterKeyId: p.out(alias, "arn") });
                    }, mode),
                    [],
                );
                const v = run((p) => {
                    p.add(T.kmsKeyPolicy[0], "cmk-policy", {
                        keyId: p.out(p.get("cmk"), "keyId"),
                        policy: keyPolicyAllowing("budgets.amazonaws.com"),
                    });
                }, mode);
                assert.equal(v.length, ALL_ALARMS.length + WATCHED.length);
            });

            it("counts an alarm with actions disabled as notifying no one", () => {
                const v = run((p) => p.patch("web-cpu", { actionsEnabled: false }), mode);
                assert.deepStrictEqual(names(v), ["web"]);
            });

            it("counts an alarm without actions as notifying no one", () => {
                const v = run((p) => p.patch("db-cpu", { alarmActions: undefined }), mode);
                assert.deepStrictEqual(names(v), ["db"]);
            });
        });
    }

    it("accepts a literal dimension equal to the resource's known identifier, and not another one", () => {
        const literal = (value: string) =>
            run((p) => {
                p.patch("db", { clusterIdentifier: "prod-db" });
                p.patch("db-cpu", { dimensions: { DBClusterIdentifier: value, Role: "WRITER" } });
            });
        assert.deepStrictEqual(literal("prod-db"), []);
        assert.deepStrictEqual(names(literal("other-db")), ["db"]);
    });

    it("accepts alarm actions given as the topic's literal ARN once it is known (update)", () => {
        const v = run((p) => {
            p.patch("alarms", { arn: "arn:aws:sns:eu-west-1:123456789012:alarms" });
            p.patch("db-cpu", { alarmActions: ["arn:aws:sns:eu-west-1:123456789012:alarms"] });
        }, "update");
        assert.deepStrictEqual(v, []);
    });

    it("does not guess on a key policy unknown at preview: the engine's advisory, never a silent pass", () => {
        const v = run((p) => p.patch("cmk", { policy: UNKNOWN }));
        assert.deepStrictEqual(
            v.map((x) => [x.enforcementLevel, x.message.split(":")[0]]),
            [["advisory", `can't run policy '${POLICY}' from policy pack 'aws-platform@v0.1.0' during preview`]],
        );
    });

    it("reports a key outside the stack, whose policy it cannot read", () => {
        const v = run(
            (p) => p.patch("alarms", { kmsMasterKeyId: "arn:aws:kms:eu-west-1:210987654321:key/abc" }),
            "update",
        );
        assert.equal(v.filter((x) => /a key outside this stack/.test(x.message)).length, ALL_ALARMS.length);
    });
});

describe("keyPolicyAllowsCloudWatch", () => {
    const doc = (statement: Record<string, unknown>) =>
        JSON.stringify({ Version: "2012-10-17", Statement: [statement] });
    const cw = { Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Resource: "*" };

    it("needs both Decrypt and a data key, in any spelling that covers them", () => {
        assert.ok(keyPolicyAllowsCloudWatch(doc({ ...cw, Action: ["kms:Decrypt", "kms:GenerateDataKey*"] })));
        assert.ok(keyPolicyAllowsCloudWatch(doc({ ...cw, Action: ["kms:Decrypt", "kms:GenerateDataKey"] })));
        assert.ok(keyPolicyAllowsCloudWatch(doc({ ...cw, Action: "kms:*" })));
        assert.ok(!keyPolicyAllowsCloudWatch(doc({ ...cw, Action: "kms:Decrypt" })));
        assert.ok(!keyPolicyAllowsCloudWatch(doc({ ...cw, Action: ["kms:Decrypt", "kms:Encrypt"] })));
    });

    it("needs an Allow for the CloudWatch service principal itself", () => {
        const actions = ["kms:Decrypt", "kms:GenerateDataKey*"];
        assert.ok(!keyPolicyAllowsCloudWatch(doc({ ...cw, Effect: "Deny", Action: actions })));
        assert.ok(
            !keyPolicyAllowsCloudWatch(doc({ ...cw, Principal: { Service: "events.amazonaws.com" }, Action: actions })),
        );
        assert.ok(
            keyPolicyAllowsCloudWatch(
                doc({
                    ...cw,
                    Principal: { Service: ["events.amazonaws.com", "cloudwatch.amazonaws.com"] },
                    Action: actions,
                }),
            ),
        );
        assert.ok(!keyPolicyAllowsCloudWatch("not json"));
    });

    it("recognises the statement the SecretsStore's key policy gives CloudWatch alarms", () => {
        const policy = keyPolicy({
            accountId: "111122223333",
            region: "eu-west-1",
            partition: "aws",
            dnsSuffix: "amazonaws.com",
        });
        assert.ok(keyPolicyAllowsCloudWatch(policy));
    });
});
