import { strict as assert } from "assert";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KeyServiceAccess, SecretsStore, keyPolicy } from "../components/secretsStore";
import { Settings, parseSettings } from "../stacks/settings";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { planDocument } from "../tools/plan/render";
import { RunResult } from "../tools/plan/runner";
import { UNKNOWN, depsOf, isSecretValue, ofType, plain, planOf } from "./helpers/plan";

const ROOT = path.resolve(__dirname, "..");

interface Statement {
    Sid: string;
    Effect: string;
    Principal: { AWS?: string; Service?: string } | string;
    Action: string | string[];
    Resource: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

const ACCOUNT = "111122223333";
const policyOf = (services?: KeyServiceAccess, region = "eu-north-1", partition = "aws", dns = "amazonaws.com") =>
    (
        JSON.parse(keyPolicy({ accountId: ACCOUNT, region, partition, dnsSuffix: dns, services })) as {
            Statement: Statement[];
        }
    ).Statement;
const ALL: KeyServiceAccess = { cloudFrontDistributions: true, eventBridgeToSns: true, budgetsToSns: true };
const actions = (s: Statement) => [s.Action].flat();

describe("SecretsStore key policy (pure)", () => {
    const sid = (s: string, services?: KeyServiceAccess) => {
        const found = policyOf(services).find((x) => x.Sid === s);
        assert.ok(found, `no statement ${s}`);
        return found;
    };

    it("has exactly the administrator, CloudWatch Logs and CloudWatch alarms statements by default", () => {
        assert.deepEqual(
            policyOf().map((s) => s.Sid),
            ["AccountAdministersKey", "CloudWatchLogsUse", "CloudWatchAlarmsPublishToEncryptedSns"],
        );
    });

    it("keeps the account root as the key's administrator", () => {
        const s = sid("AccountAdministersKey");
        assert.deepEqual(s.Principal, { AWS: "arn:aws:iam::111122223333:root" });
        assert.equal(s.Action, "kms:*");
        assert.equal(s.Condition, undefined);
    });

    it("grants kms:* to nobody else, and no statement to every principal", () => {
        for (const services of [undefined, ALL]) {
            const statements = policyOf(services);
            assert.deepEqual(
                statements.filter((s) => actions(s).includes("kms:*")).map((s) => s.Sid),
                ["AccountAdministersKey"],
            );
            for (const s of statements) {
                assert.notEqual(s.Principal, "*", `${s.Sid} names every principal`);
                assert.notEqual((s.Principal as { AWS?: string }).AWS, "*", `${s.Sid} names every AWS principal`);
                assert.equal(s.Effect, "Allow");
            }
        }
    });

    it("lets no service create grants: services acting for the account's principals use their IAM permissions", () => {
        for (const s of policyOf(ALL).filter((x) => x.Sid !== "AccountAdministersKey")) {
            const grants = actions(s).filter((a) => /^kms:(CreateGrant|\*|Create\*)$/.test(a));
            for (const a of grants) {
                assert.deepEqual(
                    s.Condition?.Bool?.["kms:GrantIsForAWSResource"],
                    true,
                    `${s.Sid} allows ${a} without kms:GrantIsForAWSResource`,
                );
            }
            assert.ok(!actions(s).some((a) => /Grant|Put|Schedule|Delete|Disable|Update/.test(a)), s.Sid);
        }
    });

    it("lets CloudWatch Logs in the key's region use the key only for this account's log groups", () => {
        const s = sid("CloudWatchLogsUse");
        assert.deepEqual(s.Principal, { Service: "logs.eu-north-1.amazonaws.com" });
        assert.deepEqual(s.Condition, {
            ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-north-1:111122223333:log-group:*" },
        });
        const china = policyOf(undefined, "cn-north-1", "aws-cn", "amazonaws.com.cn").find(
            (x) => x.Sid === "CloudWatchLogsUse",
        )!;
        assert.deepEqual(china.Principal, { Service: "logs.cn-north-1.amazonaws.com.cn" });
    });

    it("lets CloudWatch alarms of this account publish to an encrypted SNS topic", () => {
        const s = sid("CloudWatchAlarmsPublishToEncryptedSns");
        assert.deepEqual(s.Principal, { Service: "cloudwatch.amazonaws.com" });
        assert.deepEqual(s.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
        assert.deepEqual(s.Condition, {
            StringEquals: { "aws:SourceAccount": ACCOUNT },
            ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-north-1:111122223333:*" },
        });
    });

    it("adds each optional service only when asked", () => {
        const optional = [
            "CloudFrontReadsEncryptedObjects",
            "EventBridgePublishesToEncryptedSns",
            "BudgetsPublishToEncryptedSns",
        ];
        assert.deepEqual(
            policyOf(ALL)
                .map((s) => s.Sid)
                .filter((x) => optional.includes(x)),
            optional,
        );
        assert.deepEqual(
            policyOf({ budgetsToSns: true })
                .map((s) => s.Sid)
                .filter((x) => optional.includes(x)),
            ["BudgetsPublishToEncryptedSns"],
        );
    });

    it("lets CloudFront distributions of this account decrypt, and nothing more", () => {
        const s = sid("CloudFrontReadsEncryptedObjects", ALL);
        assert.deepEqual(s.Principal, { Service: "cloudfront.amazonaws.com" });
        assert.equal(s.Action, "kms:Decrypt");
        assert.deepEqual(s.Condition, {
            ArnLike: { "AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/*" },
        });
    });

    for (const [name, service] of [
        ["EventBridgePublishesToEncryptedSns", "events.amazonaws.com"],
        ["BudgetsPublishToEncryptedSns", "budgets.amazonaws.com"],
    ]) {
        it(`${name}: ${service} encrypts only for this account's topics in the key's region`, () => {
            const s = sid(name, ALL);
            assert.deepEqual(s.Principal, { Service: service });
            assert.deepEqual(s.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
            assert.deepEqual(s.Condition, {
                ArnLike: { "kms:EncryptionContext:aws:sns:topicArn": "arn:aws:sns:eu-north-1:111122223333:*" },
            });
        });
    }

    it("conditions every statement except the administrator's on this account", () => {
        for (const s of policyOf(ALL).filter((x) => x.Sid !== "AccountAdministersKey")) {
            assert.ok(s.Condition, `${s.Sid} has no condition`);
            assert.ok(JSON.stringify(s.Condition).includes(ACCOUNT), `${s.Sid} is not scoped to the account`);
        }
    });
});

describe("SecretsStore created with a provider for another region (own mocks)", () => {
    it("builds the CloudWatch Logs statement for the provider's region, not the stack's", async () => {
        const regionByProvider = new Map<string, string>();
        const policies: string[] = [];
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => {
                    if (a.type === "pulumi:providers:aws") regionByProvider.set(`${a.name}-id`, a.inputs.region);
                    if (a.type === "aws:kms/key:Key") policies.push(a.inputs.policy as string);
                    return {
                        id: `${a.name}-id`,
                        state: { ...a.inputs, arn: `arn:aws:kms:::${a.name}`, keyId: a.name },
                    };
                },
                call: (a) => {
                    const region = regionByProvider.get(a.provider?.split("::").pop() ?? "") ?? "eu-west-1";
                    switch (a.token) {
                        case "aws:index/getRegion:getRegion":
                            return { id: region, name: region, region };
                        case "aws:index/getPartition:getPartition":
                            return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com" };
                        case "aws:index/getCallerIdentity:getCallerIdentity":
                            return { id: ACCOUNT, accountId: ACCOUNT, arn: "arn", userId: "u" };
                        default:
                            throw new Error(`unexpected invoke ${a.token}`);
                    }
                },
            },
            "aws-platform",
            "region-test",
            false,
        );
        const usEast1 = new aws.Provider("use1", { region: "us-east-1" });
        const store = new SecretsStore("edge-secrets", { aliasName: "edge" }, { provider: usEast1 });
        await new Promise((resolve) => store.keyArn.apply(resolve));
        assert.equal(policies.length, 1);
        const logs = (JSON.parse(policies[0]) as { Statement: Statement[] }).Statement.find(
            (s) => s.Sid === "CloudWatchLogsUse",
        )!;
        assert.deepEqual(logs.Principal, { Service: "logs.us-east-1.amazonaws.com" });
        assert.deepEqual(logs.Condition, {
            ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` },
        });
    });
});

for (const stack of listStacks(ROOT)) {
    for (const mode of ["preview", "update"] as const) {
        describe(`SecretsStore in stack ${stack} (${mode})`, () => {
            let plan: RunResult;
            let settings: Settings;
            before(async () => {
                settings = parseSettings(readStackConfig(ROOT, stack).raw, stack);
                plan = await planOf(stack, mode);
            });

            const stackKeys = () => ofType(plan, "aws:kms/key:Key").filter((k) => k.name === "secrets-key");
            const globalKeys = () => ofType(plan, "aws:kms/key:Key").filter((k) => k.name === "global-key");

            it("creates exactly the stack's key and the us-east-1 key, nothing else", () => {
                assert.equal(ofType(plan, "aws:kms/key:Key").length, 2);
                assert.equal(stackKeys().length, 1);
                assert.equal(globalKeys().length, 1);
            });

            it("creates the us-east-1 key the same way, with CloudWatch Logs of us-east-1 and the same lifetime", () => {
                const [key] = globalKeys();
                const provider = plan.resources.find(
                    (r) => r.urn === key.provider!.split("::").slice(0, -1).join("::"),
                )!;
                assert.equal(provider.inputs.region, "us-east-1");
                assert.deepEqual(
                    provider.inputs.defaultTags,
                    ofType(plan, "pulumi:providers:aws")[0].inputs.defaultTags,
                );
                assert.equal(key.inputs.enableKeyRotation, true);
                assert.equal(key.inputs.deletionWindowInDays, settings.secrets.keyDeletionWindowDays);
                const policy = JSON.parse(key.inputs.policy as string) as { Statement: Statement[] };
                assert.deepEqual(policy.Statement[1].Principal, { Service: "logs.us-east-1.amazonaws.com" });
                assert.equal(key.protect, settings.database.protect);
                assert.equal(key.retainOnDelete, settings.database.protect);
                const alias = ofType(plan, "aws:kms/alias:Alias").find((a) => a.name === "global-alias")!;
                assert.equal(alias.inputs.name, `alias/aws-platform-${stack}-global`);
            });

            it("creates one rotating customer-managed key with the configured deletion window and a policy", () => {
                const keys = stackKeys();
                assert.equal(keys.length, 1);
                assert.equal(keys[0].inputs.enableKeyRotation, true);
                assert.equal(keys[0].inputs.deletionWindowInDays, settings.secrets.keyDeletionWindowDays);
                const policy = JSON.parse(keys[0].inputs.policy as string) as { Statement: Statement[] };
                assert.deepEqual(policy.Statement[0].Principal, { AWS: "arn:aws:iam::123456789012:root" });
                assert.deepEqual(policy.Statement[1].Principal, { Service: `logs.${settings.region}.amazonaws.com` });
            });

            it("keeps the key past a destroy exactly when the stack's database is protected", () => {
                const [key] = stackKeys();
                assert.equal(key.protect, settings.database.protect);
                assert.equal(key.retainOnDelete, settings.database.protect);
            });

            it("names the key with an alias unique to the project and stack", () => {
                const alias = ofType(plan, "aws:kms/alias:Alias").find((a) => a.name === "secrets-alias")!;
                assert.equal(alias.inputs.name, `alias/aws-platform-${stack}`);
                assert.deepEqual(alias.propertyDependencies.targetKeyId, [stackKeys()[0].urn]);
            });

            it("creates one encrypted secret per configured app secret, with the configured recovery window", () => {
                const secrets = ofType(plan, "aws:secretsmanager/secret:Secret").filter((s) =>
                    s.parent?.endsWith("::secrets"),
                );
                assert.deepEqual(
                    secrets.map((s) => s.name).sort(),
                    settings.secrets.appSecrets.map((s) => `secrets-${s.name}`).sort(),
                );
                for (const s of secrets)
                    assert.equal(s.inputs.recoveryWindowInDays, settings.secrets.recoveryWindowDays);
            });

            it("generates every value and keeps it secret", () => {
                const versions = ofType(plan, "aws:secretsmanager/secretVersion:SecretVersion");
                assert.equal(versions.length, settings.secrets.appSecrets.length);
                for (const v of versions) {
                    assert.ok(isSecretValue(v.inputs.secretString), `${v.name}.secretString is not marked secret`);
                    const [source] = depsOf(plan, v, "secretString");
                    assert.equal(source.type, "random:index/randomPassword:RandomPassword");
                    const value = plain(v.inputs.secretString);
                    if (mode === "update") {
                        assert.equal(typeof value, "string");
                        assert.equal((value as string).length, source.inputs.length);
                        assert.ok(isSecretValue(source.outputs.result), "the generator's result is a secret output");
                    } else {
                        assert.equal(value, UNKNOWN, "a value generated in the same update is unknown at preview");
                    }
                }
            });

            it("rotates the key yearly and generates each value at its configured length with every character class", () => {
                const [key] = ofType(plan, "aws:kms/key:Key");
                assert.equal(key.inputs.rotationPeriodInDays, 365);
                const generators = ofType(plan, "random:index/randomPassword:RandomPassword").filter((p) =>
                    p.parent?.endsWith("::secrets"),
                );
                assert.deepEqual(
                    generators.map((g) => g.name).sort(),
                    settings.secrets.appSecrets.map((s) => `secrets-${s.name}-value`).sort(),
                );
                for (const s of settings.secrets.appSecrets) {
                    const g = generators.find((x) => x.name === `secrets-${s.name}-value`)!;
                    assert.equal(g.inputs.length, s.length, `${g.name}.length`);
                    assert.ok((g.inputs.length as number) >= 32, "at least 32 characters (~190 bits)");
                    assert.equal(g.inputs.special, !s.excludePunctuation, `${g.name}.special`);
                    for (const k of ["minLower", "minUpper", "minNumeric"])
                        assert.equal(g.inputs[k], 1, `${g.name}.${k}`);
                }
            });

            it("never prints a secret value in the plan document", () => {
                const doc = JSON.stringify(planDocument(plan));
                for (const v of ofType(plan, "aws:secretsmanager/secretVersion:SecretVersion")) {
                    const value = plain(v.inputs.secretString) as string;
                    // Known after an update (unknown at preview, so nothing to leak yet): then it must not appear.
                    assert.equal(value === UNKNOWN, mode === "preview", `${v.name}'s value known only after an update`);
                    if (value !== UNKNOWN) assert.ok(!doc.includes(value), `${v.name}'s value leaks into the plan`);
                }
                // As many hidden values as the stack configures secrets: each is shown as "[secret]".
                assert.equal(doc.split('"secretString":"[secret]"').length - 1, settings.secrets.appSecrets.length);
            });
        });
    }
}
