import { strict as assert } from "assert";
import * as path from "path";
import { checkDatabase, databaseSchema, supportsAutoPause } from "../stacks/database";
import { parseSettings } from "../stacks/settings";
import { listStacks, readProject, readStackConfig } from "../tools/plan/project";
import { problems as settingsProblems } from "./helpers/settings";

const ROOT = path.resolve(__dirname, "..");
const region = { "aws:region": "eu-west-1" };
const K = "aws-platform:database";

/** Every problem of a config with this database section (and the region), one line each, in order. */
const problems = (database: unknown, extra: Record<string, unknown> = {}) =>
    settingsProblems({ ...region, [K]: database, ...extra });

const serverless = (engineVersion: string, s: Record<string, unknown>) => ({
    engineVersion,
    instanceClass: "db.serverless",
    serverless: s,
});

describe("database settings", () => {
    it("defaults to a protected, encrypted, HA provisioned cluster when a stack sets nothing", () => {
        const d = parseSettings(region, "any").database;
        assert.deepEqual(d, {
            engineVersion: "16.6",
            instanceClass: "db.r8g.large",
            readers: 2,
            backupRetentionDays: 7,
            backupWindow: "02:00-03:00",
            maintenanceWindow: "sun:04:00-sun:05:00",
            deletionProtection: true,
            protect: true,
            autoMinorVersionUpgrade: true,
            storageType: "aurora",
            performanceInsightsRetentionDays: 7,
            databaseInsightsMode: "standard",
            monitoringIntervalSeconds: 60,
            logRetentionDays: 365,
            slowQueryThresholdMs: 1000,
            logConnections: true,
            databaseName: "app",
            masterUsername: "dbadmin",
        });
        assert.deepEqual(checkDatabase(d), []);
    });

    it("declares exactly the schema's defaults in Pulumi.yaml", () => {
        const decl = readProject(ROOT).config?.database;
        assert.ok(decl, "Pulumi.yaml declares database");
        assert.equal(decl.type, "object");
        assert.ok(decl.description && decl.description.length > 40);
        assert.deepEqual(decl.default, databaseSchema.parse({}));
    });

    it("reports every field problem at once, with key, value and expectation, next to an unknown key", () => {
        const found = problems({
            engineVersion: "16",
            instanceClass: "r8g.large",
            readers: 16,
            backupRetentionDays: 0,
            performanceInsightsRetentionDays: 30,
            monitoringIntervalSeconds: 20,
            backupWindow: "2:00-3:00",
            slowQueryThresholdMs: 0,
            readerz: 2,
        });
        assert.deepEqual(found, [
            `${K}.engineVersion: "16" is not an Aurora PostgreSQL version; expected "<major>.<minor>" such as "16.6"`,
            `${K}.instanceClass: "r8g.large" is not a DB instance class; expected "db.serverless" or e.g. "db.r8g.large"`,
            `${K}.readers: 16 is too big; expected <= 15`,
            `${K}.backupRetentionDays: 0 is too small; expected >= 1`,
            `${K}.backupWindow: "2:00-3:00" is not a backup window; expected UTC "hh24:mi-hh24:mi", e.g. "02:00-03:00"`,
            `${K}.performanceInsightsRetentionDays: 30 is not a Performance Insights retention; expected 7, a multiple of 31 (31-713) or 731`,
            `${K}.monitoringIntervalSeconds: 20 is not an Enhanced Monitoring interval; expected one of 0, 1, 5, 10, 15, 30, 60`,
            `${K}.slowQueryThresholdMs: 0 is not allowed: 0 logs every statement with its literal values; use -1 (off) or a threshold in ms`,
            `${K}.readerz: is not a known setting; expected one of ${Object.keys(databaseSchema.shape).join(", ")}`,
        ]);
    });

    it("reports cross-field problems together with other sections' problems", () => {
        const found = problems(
            {
                ...serverless("16.2", { minCapacity: 0, maxCapacity: 200 }),
                readers: 3,
                readerAutoscaling: { minReaders: 2, maxReaders: 3 },
                backupWindow: "03:00-03:20",
                databaseInsightsMode: "advanced",
                performanceInsightsRetentionDays: 31,
            },
            { "aws-platform:network": { azCount: 1 } },
        );
        assert.deepEqual(found, [
            "aws-platform:network.azCount: 1 is too small; expected >= 2",
            `${K}.serverless.minCapacity: 0 needs an engine version that can scale to 0 ACUs (auto-pause), and engineVersion is 16.2; ` +
                "use Aurora PostgreSQL 17.x, 16.3+, 15.7+, 14.12+, 13.15+, or set minCapacity to 0.5 or more",
            `${K}.readerAutoscaling.minReaders: 2 is below readers (3); auto scaling cannot remove the readers Pulumi manages, so expected >= 3`,
            `${K}.readerAutoscaling.maxReaders: 3 leaves no room above readers (3), so auto scaling could never add one; expected > 3`,
            `${K}.backupWindow: "03:00-03:20" is shorter than 30 minutes, the minimum AWS allows`,
            `${K}.performanceInsightsRetentionDays: 31 is too short for databaseInsightsMode advanced, which keeps 15 months; expected 465 or more`,
        ]);
    });

    describe("Serverless v2 capacity", () => {
        it("accepts minCapacity 0 exactly from the versions AWS lists for scaling to zero", () => {
            for (const ok of ["16.3", "16.6", "16.10", "15.7", "14.12", "13.15", "17.4"]) {
                assert.ok(supportsAutoPause(ok), ok);
                assert.deepEqual(problems(serverless(ok, { minCapacity: 0, maxCapacity: 4 })), [], ok);
            }
            for (const bad of ["16.2", "15.6", "14.11", "13.14", "16.1"]) {
                assert.ok(!supportsAutoPause(bad), bad);
                const found = problems(serverless(bad, { minCapacity: 0, maxCapacity: 4 }));
                assert.equal(found.length, 1, bad);
                assert.ok(found[0].startsWith(`${K}.serverless.minCapacity: 0 needs an engine version`), found[0]);
                assert.ok(found[0].includes("16.3+, 15.7+, 14.12+, 13.15+"), found[0]);
            }
        });

        it("checks half-ACU steps, the 256 ceiling, min <= max and the 128 limit of older versions", () => {
            assert.deepEqual(problems(serverless("16.6", { minCapacity: 0.3, maxCapacity: 300 })), [
                `${K}.serverless.minCapacity: 0.3 is not a multiple of 0.5; ACU values move in half steps`,
                `${K}.serverless.maxCapacity: 300 is too big; expected <= 256`,
            ]);
            assert.deepEqual(problems(serverless("16.6", { minCapacity: 8, maxCapacity: 4 })), [
                `${K}.serverless.minCapacity: 8 is above maxCapacity (4); expected minCapacity <= maxCapacity`,
            ]);
            assert.deepEqual(problems(serverless("15.4", { minCapacity: 0.5, maxCapacity: 200 })), [
                `${K}.serverless.maxCapacity: 200 is above 128 ACUs, which engineVersion 15.4 cannot reach; use 17.x, 16.1+, 15.5+, 14.10+, 13.13+`,
            ]);
            assert.deepEqual(problems(serverless("16.6", { minCapacity: 0, maxCapacity: 0.5 })), [
                `${K}.serverless.maxCapacity: 0.5 is too small; Serverless v2 needs a maximum of at least 1 ACU`,
            ]);
        });

        it("requires the capacity block with db.serverless and refuses it with a provisioned class", () => {
            assert.deepEqual(problems({ instanceClass: "db.serverless" }), [
                `${K}.serverless: is required when instanceClass is db.serverless; e.g. { minCapacity: 0.5, maxCapacity: 16 }`,
            ]);
            const found = problems({ instanceClass: "db.r7g.large", serverless: { minCapacity: 1 } });
            assert.equal(found.length, 1);
            assert.ok(
                found[0].startsWith(
                    `${K}.serverless: {"minCapacity":1,"maxCapacity":16} applies only to instanceClass db.serverless`,
                ),
            );
        });

        it("accepts secondsUntilAutoPause (300-86400) only with minCapacity 0", () => {
            assert.deepEqual(
                problems(serverless("16.6", { minCapacity: 0, maxCapacity: 4, secondsUntilAutoPause: 3600 })),
                [],
            );
            assert.deepEqual(
                problems(serverless("16.6", { minCapacity: 0, maxCapacity: 4, secondsUntilAutoPause: 60 })),
                [`${K}.serverless.secondsUntilAutoPause: 60 is too small; expected >= 300`],
            );
            assert.deepEqual(
                problems(serverless("16.6", { minCapacity: 1, maxCapacity: 4, secondsUntilAutoPause: 600 })),
                [
                    `${K}.serverless.secondsUntilAutoPause: 600 applies only when minCapacity is 0 (auto-pause); remove it or set minCapacity to 0`,
                ],
            );
        });
    });

    it("accepts supported majors only, as quoted strings", () => {
        assert.deepEqual(problems({ engineVersion: "12.22" }), [
            `${K}.engineVersion: "12.22" is not a supported major version; expected 13, 14, 15, 16, 17`,
        ]);
        assert.deepEqual(problems({ engineVersion: "18.1" }), [
            `${K}.engineVersion: "18.1" is not a supported major version; expected 13, 14, 15, 16, 17`,
        ]);
        // Unquoted YAML turns 16.10 into 16.1: a number is refused rather than guessed.
        assert.deepEqual(problems({ engineVersion: 16.6 }), [
            `${K}.engineVersion: 16.6 has the wrong type: expected string`,
        ]);
        for (const v of ["13.15", "14.12", "15.7", "16.6", "17.4"])
            assert.deepEqual(problems({ engineVersion: v }), [], v);
    });

    it("validates reader autoscaling bounds against the configured readers", () => {
        assert.deepEqual(problems({ readers: 2, readerAutoscaling: { minReaders: 2, maxReaders: 5 } }), []);
        assert.deepEqual(problems({ readers: 1, readerAutoscaling: { minReaders: 4, maxReaders: 3 } }), [
            `${K}.readerAutoscaling.maxReaders: 3 is below minReaders (4); expected maxReaders >= minReaders`,
        ]);
        assert.deepEqual(
            problems({ readers: 2, readerAutoscaling: { minReaders: 2, maxReaders: 16, targetCpuPercent: 95 } }),
            [
                `${K}.readerAutoscaling.maxReaders: 16 is too big; expected <= 15`,
                `${K}.readerAutoscaling.targetCpuPercent: 95 is too big; expected <= 90`,
            ],
        );
    });

    describe("backup and maintenance windows", () => {
        const windows = (backupWindow: string, maintenanceWindow: string) =>
            problems({ backupWindow, maintenanceWindow });

        it("accepts windows that wrap around midnight or the week when they do not overlap", () => {
            assert.deepEqual(windows("23:30-00:30", "sun:04:00-sun:05:00"), []);
            assert.deepEqual(windows("02:00-03:00", "sun:23:30-mon:00:30"), []);
            assert.deepEqual(windows("02:00-02:30", "sun:02:30-sun:03:00"), []);
        });

        it("rejects a maintenance window that overlaps the daily backup window, even across midnight", () => {
            assert.deepEqual(windows("02:00-03:00", "sun:02:30-sun:03:30"), [
                `${K}.maintenanceWindow: "sun:02:30-sun:03:30" overlaps the daily backupWindow 02:00-03:00; AWS rejects overlapping windows`,
            ]);
            assert.equal(windows("23:45-00:30", "mon:00:00-mon:01:00").length, 1);
            assert.equal(windows("01:00-02:00", "sat:23:00-sun:01:30").length, 1);
        });

        it("rejects windows shorter than 30 minutes and malformed ones", () => {
            assert.deepEqual(windows("02:00-02:29", "sun:04:00-sun:04:20"), [
                `${K}.backupWindow: "02:00-02:29" is shorter than 30 minutes, the minimum AWS allows`,
                `${K}.maintenanceWindow: "sun:04:00-sun:04:20" is shorter than 30 minutes, the minimum AWS allows`,
            ]);
            const found = windows("24:00-01:00", "sunday:04:00-sun:05:00");
            assert.equal(found.length, 2);
            assert.ok(found[0].startsWith(`${K}.backupWindow: "24:00-01:00" is not a backup window`));
            assert.ok(
                found[1].startsWith(`${K}.maintenanceWindow: "sunday:04:00-sun:05:00" is not a maintenance window`),
            );
        });
    });

    it("accepts only the Performance Insights retentions AWS allows", () => {
        for (const ok of [7, 31, 62, 465, 713, 731])
            assert.deepEqual(problems({ performanceInsightsRetentionDays: ok }), [], String(ok));
        for (const bad of [0, 8, 30, 32, 744, 732])
            assert.equal(problems({ performanceInsightsRetentionDays: bad }).length, 1, String(bad));
    });

    it("refuses reserved names and plaintext credentials", () => {
        assert.equal(problems({ masterUsername: "rdsadmin" }).length, 1);
        assert.equal(problems({ masterUsername: "pg_admin" }).length, 1);
        assert.equal(problems({ databaseName: "postgres" }).length, 1);
        assert.deepEqual(problems({ masterPassword: "hunter2" }), [
            `${K}.masterPassword: is not allowed: the master password is generated and kept by RDS in Secrets Manager, never configured; remove it`,
        ]);
    });

    for (const stack of listStacks(ROOT)) {
        it(`Pulumi.${stack}.yaml: a valid database section that keeps backups and a final snapshot`, () => {
            const d = parseSettings(readStackConfig(ROOT, stack).raw, stack).database;
            assert.ok(d.backupRetentionDays >= 1);
            assert.deepEqual(checkDatabase(d), []);
        });
    }

    it("prod keeps at least 7 days of backups, 31 days of PI, two readers with autoscaling, and is protected", () => {
        const d = parseSettings(readStackConfig(ROOT, "prod").raw, "prod").database;
        assert.ok(d.backupRetentionDays >= 7, `prod keeps ${d.backupRetentionDays} days`);
        assert.ok(d.performanceInsightsRetentionDays >= 31);
        assert.equal(d.deletionProtection, true);
        assert.equal(d.protect, true);
        assert.ok(d.readers >= 2);
        assert.notEqual(d.instanceClass, "db.serverless");
        assert.match(d.instanceClass, /^db\.[a-z]+\d+g[a-z]*\./, "a Graviton class");
        assert.ok(d.readerAutoscaling && d.readerAutoscaling.maxReaders > d.readers);
    });

    it("dev scales to zero on an engine version that supports it, with one writer and nothing protected", () => {
        const d = parseSettings(readStackConfig(ROOT, "dev").raw, "dev").database;
        assert.equal(d.instanceClass, "db.serverless");
        assert.equal(d.serverless?.minCapacity, 0);
        assert.ok(supportsAutoPause(d.engineVersion));
        assert.equal(d.readers, 0);
        assert.equal(d.deletionProtection, false);
        assert.equal(d.protect, false);
    });
});
