/**
 * aws-platform:cache and cacheAccess as the settings read them (every problem at once, each naming the key, the
 * value and what is expected), and the pure rules behind them: versions and families, ElastiCache ids, access
 * strings, the component's own argument checks and the runner's auto-naming of the new types.
 */
import { strict as assert } from "assert";
import { cacheProblems } from "../components/cache/validate";
import {
    DEFAULT_ENGINE_VERSION,
    ENGINE_VERSIONS,
    accessStringProblem,
    elasticacheId,
    parameterFamily,
} from "../components/cache/engine";
import { nodeAzs } from "../components/cache/replicationGroup";
import { serviceNameCollisions } from "../components/fargate/naming";
import { parseSettings } from "../stacks/settings";
import { autoName } from "../tools/plan/fakes";
import { readProject } from "../tools/plan/project";
import { PROJECT_DIR } from "../tools/plan/runner";
import { problems } from "./helpers/settings";

const KEY = "aws-platform:cache";
const web = {
    image: "public.ecr.aws/nginx/nginx:1.27",
    cpu: 256,
    memory: 512,
    port: 8080,
    routing: { priority: 10, pathPatterns: ["/*"] },
};

/** A stack with one web service (using the cache unless told otherwise) and the given cache section. */
function config(cache: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        "aws:region": "eu-west-1",
        "aws-platform:services": { apps: { web: { ...web, cacheAccess: true } } },
        ...(cache === undefined ? {} : { [KEY]: cache }),
        ...extra,
    };
}

describe("aws-platform:cache settings", () => {
    it("has no cache when the section is absent, as with Pulumi.yaml's declared default", () => {
        const noCache = { ...config(undefined), "aws-platform:services": { apps: { web } } };
        assert.equal(parseSettings(noCache, "t").cache, undefined);
        const declared = readProject(PROJECT_DIR).config!.cache.default;
        assert.deepEqual(declared, { enabled: false });
        assert.equal(parseSettings({ ...noCache, [KEY]: declared }, "t").cache, undefined);
    });

    it("gives a section of {} the safe defaults, with no stack-name branching", () => {
        for (const stack of ["dev", "prod", "anything"]) {
            const c = parseSettings(config({}), stack).cache!;
            assert.deepEqual(
                [c.engine, c.engineVersion, c.nodeType, c.shards, c.replicas, c.multiAz, c.protect],
                ["valkey", undefined, "cache.r7g.large", 1, 2, true, true],
            );
            assert.deepEqual(
                [c.snapshotRetentionDays, c.snapshotWindow, c.maintenanceWindow, c.logRetentionDays],
                [7, "03:00-04:00", "sun:05:00-sun:06:00", 365],
            );
            assert.deepEqual([c.userName, c.accessString, c.applyImmediately], ["app", "on ~* &* +@all", false]);
            assert.equal("enabled" in c, false, "enabled is the section's switch, not a cache setting");
        }
    });

    it("accepts every listed version of each engine, and a disposable stack that opts out explicitly", () => {
        for (const [engine, versions] of Object.entries(ENGINE_VERSIONS)) {
            for (const engineVersion of Object.keys(versions)) {
                assert.deepEqual(problems(config({ engine, engineVersion })), [], `${engine} ${engineVersion}`);
            }
        }
        const disposable = config(
            { multiAz: false, replicas: 0, protect: false, snapshotRetentionDays: 0 },
            { "aws-platform:database": { protect: false, deletionProtection: false } },
        );
        assert.deepEqual(problems(disposable), []);
    });

    it("reports every problem at once, each naming the key, the value and what is expected", () => {
        const found = problems(
            config(
                {
                    engine: "redis",
                    engineVersion: "8.2",
                    replicas: 0,
                    shards: 2,
                    snapshotWindow: "05:00-05:30",
                    userName: "default",
                    accessString: "on >hunter2 ~* +@all",
                    nodeType: "r7g.large",
                    authToken: "x",
                    engin: "valkey",
                },
                { "aws-platform:database": { protect: false, deletionProtection: false } },
            ),
        );
        assert.deepEqual(found.sort(), [
            'aws-platform:cache.accessString: "on >hunter2 ~* +@all" sets passwords or resets the user (>hunter2); ElastiCache sets the generated password itself, so remove them',
            "aws-platform:cache.authToken: is not allowed: the cache authenticates RBAC users whose password is generated into Secrets Manager; no token or password is configured",
            "aws-platform:cache.engin: is not a known setting; expected one of enabled, engine, engineVersion, nodeType, shards, replicas, multiAz, snapshotRetentionDays, snapshotWindow, maintenanceWindow, autoMinorVersionUpgrade, applyImmediately, logRetentionDays, protect, userName, accessString",
            // The section's own rules run on what passed its schema, so these are not hidden behind the errors above.
            'aws-platform:cache.engineVersion: "8.2" is not a redis version this platform runs; expected one of 7.0, 7.1',
            'aws-platform:cache.nodeType: "r7g.large" is not an ElastiCache node type; expected e.g. "cache.r7g.large" or "cache.t4g.micro"',
            "aws-platform:cache.replicas: 0 is 0 while multiAz is true; automatic failover needs a replica in another AZ, so expected >= 1 (or multiAz: false in a disposable stack)",
            "aws-platform:cache.replicas: 0 is 0 with 2 shards; cluster mode runs with automatic failover, which needs a replica in each shard, so expected >= 1",
            'aws-platform:cache.snapshotWindow: "05:00-05:30" is shorter than 60 minutes, the minimum ElastiCache allows',
            'aws-platform:cache.userName: "default" is reserved: "default" is the disabled user ElastiCache requires in every user group',
        ]);
        // Cross-field checks run once the section parses; a second round shows them all together too.
        const second = problems(
            config(
                { engine: "redis", engineVersion: "8.2", replicas: 0, shards: 2, snapshotWindow: "05:00-05:30" },
                { "aws-platform:database": { protect: false, deletionProtection: false } },
            ),
        );
        assert.deepEqual(second.sort(), [
            'aws-platform:cache.engineVersion: "8.2" is not a redis version this platform runs; expected one of 7.0, 7.1',
            "aws-platform:cache.replicas: 0 is 0 while multiAz is true; automatic failover needs a replica in another AZ, so expected >= 1 (or multiAz: false in a disposable stack)",
            "aws-platform:cache.replicas: 0 is 0 with 2 shards; cluster mode runs with automatic failover, which needs a replica in each shard, so expected >= 1",
            'aws-platform:cache.snapshotWindow: "05:00-05:30" is shorter than 60 minutes, the minimum ElastiCache allows',
        ]);
    });

    it("refuses overlapping snapshot and maintenance windows, even across midnight, and too many nodes", () => {
        assert.deepEqual(
            problems(config({ snapshotWindow: "23:30-00:30", maintenanceWindow: "mon:00:00-mon:01:00" })),
            [
                'aws-platform:cache.maintenanceWindow: "mon:00:00-mon:01:00" overlaps the daily snapshotWindow 23:30-00:30; a snapshot and maintenance must not run together',
            ],
        );
        assert.deepEqual(
            problems(config({ snapshotWindow: "22:00-23:00", maintenanceWindow: "sun:23:00-mon:00:00" })),
            [],
        );
        assert.deepEqual(problems(config({ shards: 100, replicas: 5 })), [
            "aws-platform:cache.shards: 100 gives 600 nodes with 5 replicas each; ElastiCache allows at most 500 per cluster",
        ]);
    });

    it("refuses an access string that switches the user off, and any key beside enabled: false", () => {
        assert.deepEqual(problems(config({ accessString: "off ~* +@all" })), [
            'aws-platform:cache.accessString: "off ~* +@all" does not switch the user "on"; the application user must be able to log in',
        ]);
        const off = config({ enabled: false, replicas: 1, nodeType: "cache.t4g.micro" });
        assert.deepEqual(problems({ ...off, "aws-platform:services": { apps: { web } } }), [
            "aws-platform:cache.nodeType: is set while enabled is false; remove it, or set enabled: true (or remove enabled) to have a cache",
            "aws-platform:cache.replicas: is set while enabled is false; remove it, or set enabled: true (or remove enabled) to have a cache",
        ]);
    });

    it("names the service's cacheAccess when the stack has no cache", () => {
        for (const cache of [undefined, { enabled: false }]) {
            assert.deepEqual(problems(config(cache)), [
                "aws-platform:services.apps.web.cacheAccess: true needs a cache, and aws-platform:cache is absent or enabled: false; add the cache section or remove cacheAccess",
            ]);
        }
    });

    it("reserves the CACHE_* variables of services with cacheAccess, and only theirs", () => {
        const apps = {
            web: { ...web, cacheAccess: true, environment: { CACHE_HOST: "x" }, secrets: { CACHE_PASSWORD: "s" } },
            worker: { image: web.image, cpu: 256, memory: 512, environment: { CACHE_HOST: "mine" } },
        };
        const found = problems({
            ...config({}),
            "aws-platform:secrets": { appSecrets: [{ name: "s", description: "x" }] },
            "aws-platform:services": { apps },
        });
        assert.deepEqual(found, [
            "aws-platform:services.apps.web.environment.CACHE_HOST: is set by the platform for services with cacheAccess",
            "aws-platform:services.apps.web.secrets.CACHE_PASSWORD: is set by the platform for services with cacheAccess",
        ]);
    });

    it("refuses service names whose cache egress rule would collide with another child", () => {
        const collisions = serviceNameCollisions(["x-to-cache", "alb-to-x"]);
        assert.deepEqual(
            collisions.map((c) => c.name),
            ["app-alb-to-x-to-cache"],
        );
        assert.match(
            problems({
                ...config({}),
                "aws-platform:services": {
                    apps: {
                        "x-to-cache": { ...web },
                        "alb-to-x": { ...web, routing: { priority: 11, pathPatterns: ["/b"] } },
                    },
                },
            }).join("\n"),
            /apps\.alb-to-x: "alb-to-x" collides with apps\.x-to-cache: service alb-to-x's cache egress rule/,
        );
    });
});

describe("cache engine rules", () => {
    it("maps every version to its parameter-group family, and defaults to a listed version", () => {
        assert.equal(parameterFamily("valkey", "7.2"), "valkey7");
        assert.equal(parameterFamily("valkey", "8.1"), "valkey8");
        assert.equal(parameterFamily("valkey", "9.0"), "valkey9");
        assert.equal(parameterFamily("redis", "7.1"), "redis7");
        assert.equal(parameterFamily("redis", "6.2"), undefined);
        assert.equal(parameterFamily("redis", "8.2"), undefined);
        for (const engine of ["valkey", "redis"] as const) {
            assert.ok(parameterFamily(engine, DEFAULT_ENGINE_VERSION[engine]));
        }
    });

    it("builds user and group ids ElastiCache accepts, unique per stack even when cut", () => {
        const valid = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9]))*$/;
        assert.equal(elasticacheId("aws-platform-prod", "cache-default"), "aws-platform-prod-cache-default");
        const long1 = elasticacheId("aws-platform-staging-eu-west-1-blue", "cache-default");
        const long2 = elasticacheId("aws-platform-staging-eu-west-1-green", "cache-default");
        for (const id of [long1, long2, elasticacheId("Aws_Platform--X.", "cache"), elasticacheId("9lives", "cache")]) {
            assert.ok(id.length <= 40, id);
            assert.match(id, valid);
        }
        assert.notEqual(long1, long2);
        assert.ok(long1.endsWith("-cache-default"));
    });

    it("accepts an access string that is on and sets no password, refuses the rest", () => {
        for (const ok of ["on ~* &* +@all", "on ~auction:* -@all +@read +@write"]) {
            assert.equal(accessStringProblem(ok), undefined, ok);
        }
        for (const bad of ["~* +@all", "on nopass ~*", "on #abc ~*", "on reset ~*", "on <old ~*"]) {
            assert.ok(accessStringProblem(bad), bad);
        }
    });

    it("places a primary and its replicas round-robin over the AZs", () => {
        assert.deepEqual(nodeAzs(["a", "b", "c"], 3), ["a", "b", "c"]);
        assert.deepEqual(nodeAzs(["a", "b"], 3), ["a", "b", "a"]);
        assert.deepEqual(nodeAzs(["a", "b", "c"], 1), ["a"]);
    });
});

describe("Cache component arguments", () => {
    const base = {
        vpcId: "vpc-1",
        subnetIds: ["subnet-a", "subnet-b"],
        availabilityZones: ["eu-west-1a", "eu-west-1b"],
        kmsKeyArn: "arn:aws:kms:eu-west-1:000000000000:key/1",
        namePrefix: "p-s",
    };

    it("accepts the defaults and a single-node disposable cache", () => {
        assert.deepEqual(cacheProblems("cache", base), []);
        assert.deepEqual(cacheProblems("cache", { ...base, subnetIds: ["subnet-a"], multiAz: false, replicas: 0 }), []);
    });

    it("names the component and every problem a program that skips the settings would hit", () => {
        assert.deepEqual(
            cacheProblems("cache", {
                ...base,
                subnetIds: ["subnet-a"],
                engine: "redis",
                engineVersion: "6.2",
                replicas: 0,
                accessString: "off",
                userName: "default",
            }),
            [
                'Cache cache: engineVersion "6.2" is not a redis version; expected 7.0, 7.1',
                "Cache cache: multiAz needs at least one replica per shard",
                "Cache cache: 1 subnet(s); Multi-AZ needs subnets in at least 2 AZs",
                'Cache cache: accessString does not switch the user "on"; the application user must be able to log in',
                'Cache cache: userName "default" is the disabled user every user group holds; choose another',
            ],
        );
    });
});

describe("offline auto-naming of the ElastiCache types", () => {
    const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

    it("names a replication group <name>-<7 hex> in lowercase, as the provider does", () => {
        const inputs: Record<string, unknown> = {};
        assert.equal(autoName(GROUP, "urn:x", "Cache-Group", inputs), undefined);
        assert.match(String(inputs.replicationGroupId), /^cache-group-[0-9a-f]{7}$/);
    });

    it("fails a replication group id over 40 characters, as pulumi up would", () => {
        const name = "a-component-name-that-is-much-too-long";
        assert.match(
            String(autoName(GROUP, "urn:y", name, {})),
            /replicationGroupId "a-component-name-that-is-much-too-long-[0-9a-f]{7}" is 46 characters; AWS allows at most 40/,
        );
    });

    it("lowercases subnet and parameter group names, which ElastiCache stores lowercase", () => {
        for (const type of [
            "aws:elasticache/subnetGroup:SubnetGroup",
            "aws:elasticache/parameterGroup:ParameterGroup",
        ]) {
            const inputs: Record<string, unknown> = {};
            autoName(type, "urn:z", "Cache-Params", inputs);
            assert.match(String(inputs.name), /^cache-params-[0-9a-f]{7}$/);
        }
    });
});
