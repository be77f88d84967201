import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { parseSettings } from "../stacks/settings";
import { NESTED_SECURE_VALUE, SECURE_VALUE, listStacks, readProject, readStackConfig } from "../tools/plan/project";
import { tempProject } from "./helpers/cli";
import { problems } from "./helpers/settings";

const ROOT = path.resolve(__dirname, "..");
const region = { "aws:region": "eu-west-1" };

describe("stack settings (pure validation)", () => {
    it("gives secure defaults when a stack sets nothing but its region", () => {
        const s = parseSettings(region, "staging");
        assert.equal(s.network.azCount, 3);
        assert.equal(s.network.natGateways, "perAz");
        assert.equal(s.network.cidr, "10.0.0.0/16");
        assert.equal(s.network.flowLogRetentionDays, 365);
        assert.deepEqual(s.network.interfaceEndpoints, []);
        assert.equal(s.secrets.recoveryWindowDays, 30);
        assert.equal(s.secrets.keyDeletionWindowDays, 30);
        assert.equal(s.network.subnets.private.length, 3);
        assert.equal(s.stack, "staging");
    });

    it("loads without the Pulumi SDK, so a bad stack file is reported before the SDK and the program load", () => {
        const script = `require("./stacks/settings");
            console.log(JSON.stringify(Object.keys(require.cache).filter((k) => /[\\/]@pulumi[\\/]/.test(k))));`;
        const out = execFileSync(process.execPath, ["-r", "./tools/register.js", "-e", script], {
            cwd: ROOT,
            encoding: "utf8",
        });
        assert.deepEqual(JSON.parse(out), [], "stacks/settings loads @pulumi modules");
    });

    it("does not branch on the stack's name: the same config gives the same settings under any name", () => {
        const raw = readStackConfig(ROOT, "prod").raw;
        const asProd = parseSettings(raw, "prod");
        const asOther = parseSettings(raw, "anything-else");
        assert.deepEqual({ ...asProd, stack: "" }, { ...asOther, stack: "" });
    });

    it("reports every problem at once, each with its key, value and expectation", () => {
        const found = problems({
            "aws:region": "mars",
            "aws-platform:network": { cidr: "10.0.0.0/33", azCount: 9, natGateways: "x" },
            "aws-platform:secrets": { recoveryWindowDays: 3 },
        });
        assert.match(
            found[0],
            /^aws:region: "mars" is not a region the platform knows \(stacks\/regions.json, checked \d{4}-\d\d-\d\d\); expected one of .*eu-west-1.*To add a region, add it to stacks\/regions.json/,
        );
        assert.deepEqual(found.slice(1), [
            'aws-platform:network.cidr: "10.0.0.0/33" is not a valid IPv4 CIDR (expected a.b.c.d/n with n from 0 to 32)',
            "aws-platform:network.azCount: 9 is too big; expected <= 6",
            'aws-platform:network.natGateways: "x" is not allowed; expected one of "perAz", "single"',
            "aws-platform:secrets.recoveryWindowDays: 3 is not allowed; expected 0 or 7 to 30",
        ]);
    });

    it("rejects unknown keys at every level", () => {
        const found = problems({
            ...region,
            "aws-platform:netwrk": {},
            "aws-platform:network": { cdir: "10.0.0.0/16" },
        });
        assert.equal(found.length, 2);
        assert.match(found[0], /^aws-platform:netwrk: is not a known setting/);
        assert.match(found[1], /^aws-platform:network.cdir: is not a known setting/);
    });

    it("refuses every key outside the project but aws:region, one message each, and never echoes a credential", () => {
        const found = problems({
            ...region,
            "aws:regoin": "eu-west-2",
            "aws:profile": "prod",
            "aws:allowedAccountIds": ["123456789012"],
            "aws:secretKey": "AKIAIOSFODNN7EXAMPLE",
            "foo:bar": 1,
            "aws-platform:toString": {},
            colour: "red",
        });
        const ignored =
            "would be ignored: the program's AWS providers are explicit (index.ts) and read only aws:region from the " +
            "stack's config; remove it and choose the account and credentials in the environment: use AWS_PROFILE (or " +
            "the AWS_* variables) locally and OIDC credentials in CI";
        assert.deepEqual(found, [
            `aws:regoin: "eu-west-2" ${ignored}`,
            `aws:profile: "prod" ${ignored}`,
            `aws:allowedAccountIds: ["123456789012"] ${ignored}`,
            "aws:secretKey: is a credential: never put credentials in a stack file (its history keeps them), and the " +
                "program's explicit AWS providers would ignore it anyway; remove it and use AWS_PROFILE (or the AWS_* " +
                "variables) locally and OIDC credentials in CI",
            "foo:bar: 1 is not a known setting; expected aws:region, pulumi:disable-default-providers or " +
                "aws-platform:<key> (policyProfile, network, secrets, database, services, cache, buckets, monitoring, " +
                "edge, tags)",
            "aws-platform:toString: is not a known setting; expected one of aws-platform:policyProfile, " +
                "aws-platform:network, aws-platform:secrets, aws-platform:database, aws-platform:services, " +
                "aws-platform:cache, aws-platform:buckets, aws-platform:monitoring, aws-platform:edge, aws-platform:tags",
            'colour: is not namespaced; expected "aws-platform:<key>" or "aws:region"',
        ]);
        assert.ok(!found.join("\n").includes("AKIA"), "a credential's value is echoed");
        // The engine's own guard that makes every resource name its provider is not the program's to refuse.
        assert.deepEqual(problems({ ...region, "pulumi:disable-default-providers": ["*"] }), []);
    });

    it("rejects a public VPC range and a flow-log retention CloudWatch does not offer, together", () => {
        const found = problems({ ...region, "aws-platform:network": { cidr: "8.8.0.0/16", flowLogRetentionDays: 45 } });
        assert.deepEqual(found, [
            'aws-platform:network.cidr: "8.8.0.0/16" is not a private range; expected a block inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 or 100.64.0.0/10',
            "aws-platform:network.flowLogRetentionDays: 45 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
        ]);
    });

    it("rejects a VPC CIDR too small for the subnets it must hold", () => {
        const [p] = problems({ ...region, "aws-platform:network": { cidr: "10.0.0.0/22", azCount: 3 } });
        assert.match(p, /^aws-platform:network.cidr: "10.0.0.0\/22" is too small for the requested subnets/);
    });

    it("fits a small VPC when the subnet sizes are set to match", () => {
        const s = parseSettings(
            {
                ...region,
                "aws-platform:network": {
                    cidr: "10.0.0.0/22",
                    azCount: 2,
                    subnetPrefixLengths: { public: 26, private: 24, isolated: 26 },
                },
            },
            "t",
        );
        assert.deepEqual(s.network.subnets.private, ["10.0.0.0/24", "10.0.1.0/24"]);
    });

    it("accepts explicit subnet CIDRs and rejects overlaps between tiers", () => {
        const subnetCidrs = {
            public: ["10.0.0.0/24", "10.0.1.0/24"],
            private: ["10.0.16.0/20", "10.0.32.0/20"],
            isolated: ["10.0.2.0/24", "10.0.3.0/24"],
        };
        const ok = parseSettings({ ...region, "aws-platform:network": { azCount: 2, subnetCidrs } }, "t");
        assert.deepEqual(ok.network.subnets, subnetCidrs);
        const found = problems({
            ...region,
            "aws-platform:network": {
                azCount: 2,
                subnetCidrs: { ...subnetCidrs, isolated: ["10.0.1.128/25", "10.0.3.0/24"] },
            },
        });
        assert.deepEqual(found, [
            'aws-platform:network.subnetCidrs.isolated[0]: "10.0.1.128/25" overlaps 10.0.1.0/24 (network.subnetCidrs.public[1])',
        ]);
    });

    it("never accepts a secret value from config", () => {
        const found = problems({
            ...region,
            "aws-platform:secrets": { appSecrets: [{ name: "api-key", description: "x", value: "hunter2" }] },
        });
        assert.deepEqual(found, [
            "aws-platform:secrets.appSecrets[0].value: is not allowed: secret values are generated (random, never in config, code or state in clear) and kept in Secrets Manager; remove it",
        ]);
        assert.ok(!found.join("").includes("hunter2"));
    });

    it("refuses secret config except aws-platform:monitoring, whose httpsEndpoints the program keeps secret", () => {
        const raw = {
            ...region,
            "aws-platform:database": { masterUsername: "dbowner" },
            "aws-platform:monitoring": { httpsEndpoints: ["https://events.pagerduty.com/integration/abc/enqueue"] },
            "aws:secretKey": "[secure value: decrypted only by the Pulumi CLI]",
        };
        const secretKeys = ["aws-platform:database", "aws-platform:monitoring", "aws:secretKey", "aws:region"];
        const found = problems(raw, "test", secretKeys);
        assert.deepEqual(
            found.map((f) => f.split(":").slice(0, 2).join(":")),
            ["aws:secretKey", "aws-platform:database", "aws:region"],
            "one problem per key: the credential is refused as such, not twice",
        );
        assert.equal(
            found[1],
            "aws-platform:database: is secret (pulumi config set --secret, or secure: in the stack file), but the " +
                "program would read it into resources and state in plain text; secret values are generated, never " +
                "configured: declare one in aws-platform:secrets.appSecrets and reference it from a service's " +
                "secrets: (only aws-platform:monitoring may be secret, for its httpsEndpoints)",
        );
        assert.deepEqual(
            problems({ ...region, "aws-platform:monitoring": raw["aws-platform:monitoring"] }, "t", [
                "aws-platform:monitoring",
            ]),
            [],
        );
    });

    it("says which types a value may have when it has none of them (a union), instead of 'Invalid input'", () => {
        const web = { image: "public.ecr.aws/nginx/nginx:1.27", cpu: 256, memory: 512 };
        const found = problems({
            ...region,
            "aws-platform:services": { apps: { web: { ...web, environment: { MODE: { secure: "v1:abc" }, N: [1] } } } },
        });
        assert.deepEqual(found, [
            'aws-platform:services.apps.web.environment.MODE: {"secure":"v1:abc"} has the wrong type: expected string, number or boolean',
            "aws-platform:services.apps.web.environment.N: [1] has the wrong type: expected string, number or boolean",
        ]);
    });

    it("reads an encrypted value nested in a structured one as a placeholder, and its top-level key as secret", () => {
        const web = { image: "public.ecr.aws/nginx/nginx:1.27", cpu: 256, memory: 512 };
        const dir = tempProject();
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        fs.writeFileSync(
            path.join(dir, "Pulumi.s.yaml"),
            YAML.stringify({
                config: {
                    "aws:region": "eu-west-1",
                    "aws-platform:monitoring": { emails: ["ops@shop.org"], httpsEndpoints: [{ secure: "v1:abc" }] },
                    "aws-platform:services": {
                        apps: { web: { ...web, environment: { A: "1", B: { secure: "v1:def" } } } },
                    },
                    "aws-platform:database": { secure: "v1:ghi" },
                },
            }),
        );
        const { raw, secretKeys } = readStackConfig(dir, "s");
        assert.deepEqual(raw["aws-platform:monitoring"], {
            emails: ["ops@shop.org"],
            httpsEndpoints: [NESTED_SECURE_VALUE],
        });
        assert.deepEqual(raw["aws-platform:services"], {
            apps: { web: { ...web, environment: { A: "1", B: NESTED_SECURE_VALUE } } },
        });
        assert.equal(raw["aws-platform:database"], SECURE_VALUE);
        assert.deepEqual(secretKeys.sort(), [
            "aws-platform:database",
            "aws-platform:monitoring",
            "aws-platform:services",
        ]);
        // The one meaningful secret still validates, so the stack can be planned; the others are refused by name.
        assert.deepEqual(
            problems(raw, "s", secretKeys).map((p) => p.split(": ")[0]),
            ["aws-platform:database", "aws-platform:services", "aws-platform:database"],
            "both refused as secrets; the whole-value placeholder is not the object the database section needs",
        );
        const monitoringOnly = {
            "aws:region": raw["aws:region"],
            "aws-platform:monitoring": raw["aws-platform:monitoring"],
        };
        assert.deepEqual(problems(monitoringOnly, "s", secretKeys), []);
    });

    it("rejects reserved and malformed tags", () => {
        const found = problems({ ...region, "aws-platform:tags": { "aws:owner": "me", team: 5 } });
        assert.equal(found.length, 2);
        assert.ok(found.some((f) => f.startsWith("aws-platform:tags.team: 5 has the wrong type")));
        assert.ok(
            found.includes(
                'aws-platform:tags.aws:owner: "aws:owner" is not a valid key: uses the reserved aws: prefix',
            ),
        );
    });

    it("declares in Pulumi.yaml the same defaults the schema applies", () => {
        const project = readProject(ROOT);
        const declared = Object.fromEntries(
            Object.entries(project.config ?? {}).map(([k, v]) => [`${project.name}:${k}`, v.default]),
        );
        for (const [key, decl] of Object.entries(project.config ?? {})) {
            assert.ok(decl.type && decl.description, `${key} needs a type and a description`);
        }
        assert.deepEqual(parseSettings({ ...region, ...declared }, "t"), parseSettings(region, "t"));
    });

    for (const stack of listStacks(ROOT)) {
        it(`accepts the committed stack file Pulumi.${stack}.yaml`, () => {
            const { raw } = readStackConfig(ROOT, stack);
            const s = parseSettings(raw, stack);
            assert.equal(s.stack, stack);
        });
    }

    it("keeps the committed stack files free of secure (encrypted) values: secrets are generated, not configured", () => {
        for (const stack of listStacks(ROOT)) {
            const text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
            assert.ok(!/secure:/.test(text), `Pulumi.${stack}.yaml carries an encrypted value`);
            const doc = YAML.parse(text) as { config: Record<string, unknown> };
            assert.ok(doc.config["aws:region"], `Pulumi.${stack}.yaml sets aws:region`);
        }
    });
});
