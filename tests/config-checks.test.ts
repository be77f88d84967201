import { strict as assert } from "assert";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { reservedServiceNames } from "../components/fargate/naming";
import { REGIONS_AS_OF, knownRegions, regionInfo } from "../stacks/aws-regions";
import { ConfigError } from "../stacks/common";
import { loadSettings } from "../stacks";
import { OFFLINE_PLAN } from "../stacks/placeholders";
import { listPolicyProfiles } from "../stacks/policy-profiles";
import { parseSettings } from "../stacks/settings";
import { readStackConfig, toConfigStrings } from "../tools/plan/project";
import { runIsolated } from "./helpers/plan";
import { problems } from "./helpers/settings";

const ROOT = path.resolve(__dirname, "..");
const region = { "aws:region": "eu-west-1" };

/** The dev stack's config with its services renamed, so that each new name keeps the old service's settings. */
function devWithServices(names: Record<string, string>): Record<string, unknown> {
    const { raw } = readStackConfig(ROOT, "dev");
    const services = raw["aws-platform:services"] as { apps: Record<string, unknown> };
    const apps = Object.fromEntries(Object.entries(services.apps).map(([n, app]) => [names[n] ?? n, app]));
    return { ...raw, "aws-platform:services": { ...services, apps } };
}

describe("regions: aws:region and network.azCount follow stacks/regions.json", () => {
    it("keeps the table as data with a date, sources, and plausible zone names for every region", () => {
        assert.match(REGIONS_AS_OF, /^\d{4}-\d\d-\d\d$/);
        assert.ok(knownRegions().length >= 30);
        for (const r of knownRegions()) {
            const azs = regionInfo(r)!.azs;
            assert.ok(azs.length >= 2, r);
            assert.equal(new Set(azs).size, azs.length, r);
            for (const az of azs) assert.match(az, new RegExp(`^${r}[a-z]$`));
        }
    });

    it("refuses a region that is not in the table, naming aws:region, the table's date and how to add one", () => {
        const [p] = problems({ "aws:region": "eu-west-9" });
        assert.match(p, /^aws:region: "eu-west-9" is not a region the platform knows/);
        assert.ok(p.includes(`checked ${REGIONS_AS_OF}`), p);
        assert.match(p, /To add a region, add it to stacks\/regions\.json/);
    });

    it("refuses more AZs than the region offers a new account, naming network.azCount and the count", () => {
        assert.deepEqual(problems({ "aws:region": "eu-west-1", "aws-platform:network": { azCount: 4 } }), [
            `aws-platform:network.azCount: 4 is more than the 3 Availability Zones eu-west-1 offers a new account (eu-west-1a, eu-west-1b, eu-west-1c; stacks/regions.json, checked ${REGIONS_AS_OF})`,
        ]);
        // The default of 3 does not fit us-west-1, where new accounts get two zones: the message says so.
        const [p] = problems({ "aws:region": "us-west-1" });
        assert.match(p, /^aws-platform:network\.azCount: 3 is more than the 2 Availability Zones us-west-1 offers/);
        assert.match(p, /\(the default; set aws-platform:network\.azCount to at most 2\)/);
        assert.equal(
            parseSettings({ "aws:region": "us-west-1", "aws-platform:network": { azCount: 2 } }, "t").network.azCount,
            2,
        );
        assert.equal(
            parseSettings({ "aws:region": "us-east-1", "aws-platform:network": { azCount: 6 } }, "t").network.azCount,
            6,
        );
    });

    it("plans the region's own zone names", async () => {
        const r = await runIsolated({ stack: "t", config: { "aws:region": "ap-northeast-1" }, mode: "preview" });
        const azs = r.resources
            .filter((x) => x.type === "aws:ec2/subnet:Subnet")
            .map((x) => x.inputs.availabilityZone as string);
        assert.deepEqual([...new Set(azs)].sort(), ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
    });
});

describe("policyProfile: a stack names a profile in policy/config", () => {
    it("defaults to production, the strictest profile", () => {
        assert.equal(parseSettings(region, "t").policyProfile, "production");
        assert.deepEqual(listPolicyProfiles(), ["development", "production"]);
    });

    it("refuses a profile that names no file, listing the profiles", () => {
        for (const bad of ["strict", "../production", "Production"]) {
            assert.deepEqual(problems({ ...region, "aws-platform:policyProfile": bad }), [
                `aws-platform:policyProfile: ${JSON.stringify(bad)} names no policy profile; expected one of development, production (files in policy/config)`,
            ]);
        }
        assert.match(
            problems({ ...region, "aws-platform:policyProfile": 3 })[0],
            /^aws-platform:policyProfile: 3 has the wrong type/,
        );
    });
});

describe("service names whose children would collide are refused by the settings", () => {
    it("reserves insights and alb, the names of the component's own log group and security group", () => {
        assert.deepEqual(reservedServiceNames(), ["alb", "insights"]);
    });

    for (const name of ["insights", "alb"]) {
        it(`refuses a service named ${name} before the runner registers anything`, async () => {
            const raw = devWithServices({ worker: name });
            await assert.rejects(runIsolated({ stack: "t", config: raw }), (thrown: unknown) => {
                // The runner loads the program's modules afresh, so the error's class is its own copy of ConfigError.
                assert.ok(thrown instanceof Error && thrown.name === "ConfigError", String(thrown));
                const e = thrown as ConfigError;
                const issue = e.issues.find((i) => i.key === `aws-platform:services.apps.${name}`);
                assert.ok(issue, e.message);
                assert.match(
                    issue.message,
                    new RegExp(`is a reserved service name: .* would both be named app-${name} \\(`),
                );
                return true;
            });
        });
    }

    it("refuses two services whose children would share a name, naming both", () => {
        const found = problems(devWithServices({ web: "alb-to-api", worker: "api-https" }));
        assert.deepEqual(found, [
            "aws-platform:services.apps.api-https: \"api-https\" collides with apps.alb-to-api: service api-https's load-balancer egress rule and service alb-to-api's HTTPS egress rule would both be named app-alb-to-api-https (aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule); rename one of them",
        ]);
    });

    it("refuses client-<n>, the names AuroraCluster gives its own clientSecurityGroupIds rules", () => {
        const [p] = problems(devWithServices({ worker: "client-0" }));
        assert.match(
            p,
            /^aws-platform:services\.apps\.client-0: "client-0" is a reserved service name: .*database-from-client-0/,
        );
    });
});

describe("messages: nested unknown keys, refused keys, over-large numbers", () => {
    it("lists the keys allowed where an unknown nested key is, as it does at the top level", () => {
        assert.deepEqual(problems({ ...region, "aws-platform:network": { subnetPrefixLengths: { publc: 24 } } }), [
            "aws-platform:network.subnetPrefixLengths.publc: is not a known setting; expected one of public, private, isolated",
        ]);
        const raw = devWithServices({});
        const services = raw["aws-platform:services"] as { apps: Record<string, Record<string, unknown>> };
        services.apps.web = { ...services.apps.web, healthCheck: { path: "/healthz", intervall: 5 } };
        assert.deepEqual(problems(raw), [
            "aws-platform:services.apps.web.healthCheck.intervall: is not a known setting; expected one of path, matcher, intervalSeconds, timeoutSeconds, healthyThreshold, unhealthyThreshold, gracePeriodSeconds",
        ]);
    });

    it("gives one message for an over-large number, from the key's own bound when it has one", () => {
        const found = problems({
            ...region,
            "aws-platform:network": { azCount: 1e30, flowLogRetentionDays: 1e20 },
            "aws-platform:secrets": { keyDeletionWindowDays: 1e300 },
            "aws-platform:database": {
                readers: 1e20,
                slowQueryThresholdMs: 1e20,
                performanceInsightsRetentionDays: 1e20,
            },
        });
        assert.deepEqual(found, [
            "aws-platform:network.azCount: 1e+30 is too big; expected <= 6",
            "aws-platform:network.flowLogRetentionDays: 100000000000000000000 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
            "aws-platform:secrets.keyDeletionWindowDays: 1e+300 is too big; expected <= 30",
            "aws-platform:database.readers: 100000000000000000000 is too big; expected <= 15",
            "aws-platform:database.performanceInsightsRetentionDays: 100000000000000000000 is not a Performance Insights retention; expected 7, a multiple of 31 (31-713) or 731",
            "aws-platform:database.slowQueryThresholdMs: 100000000000000000000 is too big; expected <= 2147483647",
        ]);
        // A key with no bound of its own still gets one message.
        const raw = devWithServices({});
        const services = raw["aws-platform:services"] as { apps: Record<string, Record<string, unknown>> };
        services.apps.worker = { ...services.apps.worker, cpu: 1e20 };
        assert.deepEqual(problems(raw), [
            "aws-platform:services.apps.worker.cpu: 100000000000000000000 is too large to be an exact integer",
        ]);
    });
});

describe("placeholders: a real deployment refuses them, the offline plan only warns", () => {
    /** Runs loadSettings as `pulumi up` would: the stack's config in the runtime, and no offline runner around it. */
    function loadAsDeployment(raw: Record<string, unknown>, secretKeys: string[] = []): string | undefined {
        const flag = (globalThis as Record<symbol, unknown>)[OFFLINE_PLAN];
        assert.equal(flag, undefined, "the offline flag must not leak out of the runner");
        pulumi.runtime.setAllConfig(toConfigStrings(raw), secretKeys);
        try {
            loadSettings();
            return undefined;
        } catch (e) {
            assert.ok(e instanceof pulumi.RunError, String(e));
            return (e as Error).message;
        }
    }

    it("refuses every placeholder in loadSettings, naming each key and value, before any resource", () => {
        const raw = devWithServices({});
        const services = raw["aws-platform:services"] as {
            loadBalancer: Record<string, unknown>;
            apps: Record<string, Record<string, unknown>>;
        };
        services.loadBalancer = {
            ...services.loadBalancer,
            certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-4000-8000-000000000000",
        };
        services.apps.web = { ...services.apps.web, environment: { PUBLIC_URL: "https://shop.test/", TEAM: "a" } };
        const message = loadAsDeployment(raw)!;
        assert.ok(message, "a deployment with placeholders must fail");
        assert.match(
            message,
            /aws-platform:services\.loadBalancer\.certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate\/00000000-0000-4000-8000-000000000000" is a placeholder \(123456789012 is an example account id from AWS's documentation; it holds an all-zero UUID\)/,
        );
        assert.match(
            message,
            /aws-platform:services\.apps\.web\.environment\.PUBLIC_URL: "https:\/\/shop\.test\/" is a placeholder \(shop\.test is under \.test, a reserved top-level domain/,
        );
    });

    it("reports placeholders together with every other config problem", () => {
        const message = loadAsDeployment({
            "aws:region": "eu-west-1",
            "aws-platform:network": { azCount: 9 },
            "aws-platform:tags": { owner: "ops@example.com" },
        })!;
        assert.match(message, /aws-platform:network\.azCount: 9 is too big/);
        assert.match(message, /aws-platform:tags\.owner: "ops@example\.com" is a placeholder/);
    });

    it("refuses a secret value the program would read in plain text, as the runtime marks it", () => {
        const raw = {
            "aws:region": "eu-west-1",
            "aws-platform:tags": { owner: "platform-team" },
            "aws-platform:monitoring": { httpsEndpoints: ["https://hooks.shop.org/alarms"] },
        };
        const message = loadAsDeployment(raw, ["aws-platform:tags", "aws-platform:monitoring"])!;
        assert.match(message, /^ {2}aws-platform:tags: is secret \(pulumi config set --secret/m);
        assert.doesNotMatch(message, /^ {2}aws-platform:monitoring/m);
        assert.equal(loadAsDeployment(raw, ["aws-platform:monitoring"]), undefined);
    });

    it("accepts a config without placeholders", () => {
        const clean = { "aws:region": "eu-west-1", "aws-platform:tags": { owner: "platform-team" } };
        assert.equal(loadAsDeployment(clean), undefined);
    });

    it("lets the offline runner plan them, with the placeholders as warnings", async () => {
        const raw = { ...region, "aws-platform:tags": { contact: "ops@example.org" } };
        const r = await runIsolated({ stack: "t", config: raw, mode: "preview" });
        assert.deepEqual(
            r.warnings.map((w) => [w.key, w.value]),
            [["aws-platform:tags.contact", "ops@example.org"]],
        );
        assert.ok(r.resources.length > 10);
    });
});
