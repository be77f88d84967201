import { strict as assert } from "assert";
import * as path from "path";
import { keyPolicy } from "../components/secretsStore";
import { Settings, parseSettings } from "../stacks/settings";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { planDocument } from "../tools/plan/render";
import { RunResult } from "../tools/plan/runner";
import { UNKNOWN, depsOf, isSecretValue, ofType, plain, planOf } from "./helpers/plan";

const ROOT = path.resolve(__dirname, "..");

interface Statement {
    Sid: string;
    Effect: string;
    Principal: { AWS?: string; Service?: string };
    Action: string | string[];
    Condition?: Record<string, Record<string, unknown>>;
}

describe("SecretsStore key policy (pure)", () => {
    const doc = JSON.parse(keyPolicy("111122223333", "eu-north-1", "aws", "amazonaws.com")) as {
        Statement: Statement[];
    };
    const sid = (s: string) => doc.Statement.find((x) => x.Sid === s)!;

    it("keeps the account root as the key's administrator", () => {
        assert.deepEqual(sid("AccountAdministersKey").Principal, { AWS: "arn:aws:iam::111122223333:root" });
        assert.equal(sid("AccountAdministersKey").Action, "kms:*");
    });

    it("grants kms:* to nobody else", () => {
        const full = doc.Statement.filter((s) => [s.Action].flat().includes("kms:*"));
        assert.deepEqual(
            full.map((s) => s.Sid),
            ["AccountAdministersKey"],
        );
    });

    it("lets CloudWatch Logs in the stack's region use the key only for this account's log groups", () => {
        const s = sid("CloudWatchLogsUse");
        assert.equal(s.Principal.Service, "logs.eu-north-1.amazonaws.com");
        assert.deepEqual(s.Condition, {
            ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-north-1:111122223333:log-group:*" },
        });
    });

    it("lets CloudWatch alarms publish to an encrypted SNS topic", () => {
        const s = sid("CloudWatchAlarmsPublishToEncryptedSns");
        assert.equal(s.Principal.Service, "cloudwatch.amazonaws.com");
        assert.deepEqual(s.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
    });

    it("conditions every statement except the account root's, so no service can use the key for another account", () => {
        for (const s of doc.Statement.filter((x) => x.Sid !== "AccountAdministersKey")) {
            assert.ok(s.Condition && Object.keys(s.Condition).length > 0, `${s.Sid} has no condition`);
        }
        assert.deepEqual(sid("CloudWatchAlarmsPublishToEncryptedSns").Condition, {
            StringEquals: { "aws:SourceAccount": "111122223333" },
        });
    });

    it("lets RDS, Secrets Manager, ECR and SNS use the key only on behalf of this account", () => {
        const s = sid("AwsServicesUseOnBehalfOfAccount");
        assert.deepEqual(s.Condition!.StringEquals, {
            "kms:CallerAccount": "111122223333",
            "kms:ViaService": [
                "rds.eu-north-1.amazonaws.com",
                "secretsmanager.eu-north-1.amazonaws.com",
                "ecr.eu-north-1.amazonaws.com",
                "sns.eu-north-1.amazonaws.com",
            ],
        });
        assert.ok(
            ![s.Action].flat().some((a) => a === "kms:*" || a.startsWith("kms:Put") || a.startsWith("kms:Schedule")),
        );
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

            it("creates one rotating customer-managed key with the configured deletion window and a policy", () => {
                const keys = ofType(plan, "aws:kms/key:Key");
                assert.equal(keys.length, 1);
                assert.equal(keys[0].inputs.enableKeyRotation, true);
                assert.equal(keys[0].inputs.deletionWindowInDays, settings.secrets.keyDeletionWindowDays);
                const policy = JSON.parse(keys[0].inputs.policy as string) as { Statement: Statement[] };
                assert.equal(policy.Statement[0].Principal.AWS, "arn:aws:iam::123456789012:root");
                assert.equal(policy.Statement[1].Principal.Service, `logs.${settings.region}.amazonaws.com`);
            });

            it("names the key with an alias unique to the project and stack", () => {
                const [alias] = ofType(plan, "aws:kms/alias:Alias");
                assert.equal(alias.inputs.name, `alias/aws-platform-${stack}`);
                assert.deepEqual(alias.propertyDependencies.targetKeyId, [ofType(plan, "aws:kms/key:Key")[0].urn]);
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
                    if (value !== UNKNOWN) assert.ok(!doc.includes(value), `${v.name}'s value leaks into the plan`);
                }
                // As many hidden values as the stack configures secrets: each is shown as "[secret]".
                assert.equal(doc.split('"secretString":"[secret]"').length - 1, settings.secrets.appSecrets.length);
            });
        });
    }
}
