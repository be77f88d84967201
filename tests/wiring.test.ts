/**
 * The pure wiring of index.ts (stacks/wiring.ts): settings to component arguments, checked directly on the committed
 * stacks' settings and on variations of them.
 */
import { strict as assert } from "assert";
import { parseSettings, type Settings } from "../stacks/settings";
import {
    definedOutputs,
    globalSecretsStoreArgs,
    hasWebService,
    iamDatabaseUsers,
    minimumTasks,
    namePrefix,
    networkArgs,
    secretsStoreArgs,
    watchedDatabaseFacts,
} from "../stacks/wiring";
import { PROJECT_DIR } from "../tools/plan/runner";
import { listStacks, readStackConfig } from "../tools/plan/project";

const settingsOf = (stack: string): Settings => parseSettings(readStackConfig(PROJECT_DIR, stack).raw, stack);

describe("index.ts wiring (pure)", () => {
    for (const stack of listStacks(PROJECT_DIR)) {
        const s = settingsOf(stack);
        it(`${stack}: names, keys and network follow the settings`, () => {
            assert.equal(namePrefix(s), `aws-platform-${stack}`);
            const regional = secretsStoreArgs(s);
            assert.equal(regional.aliasName, `aws-platform-${stack}`);
            assert.equal(regional.protectKey, s.database.protect);
            assert.equal(regional.serviceAccess?.budgetsToSns, s.monitoring.budget !== undefined);
            assert.deepEqual(regional.appSecrets, s.secrets.appSecrets);
            const global = globalSecretsStoreArgs(s);
            assert.deepEqual(
                [global.aliasName, global.protectKey, global.appSecrets],
                [`aws-platform-${stack}-global`, s.database.protect, undefined],
            );
            const net = networkArgs(s, "key-arn");
            assert.deepEqual(
                [net.cidr, net.azCount, net.subnetCidrs, net.kmsKeyArn, net.interfaceEndpoints],
                [s.network.cidr, s.network.azCount, s.network.subnets, "key-arn", s.network.interfaceEndpoints],
            );
        });
    }

    const dev = settingsOf("dev");
    const app = dev.services.apps[Object.keys(dev.services.apps)[0]];

    it("collects each IAM database user once, sorted, and only from services that set one", () => {
        const apps = {
            b: { ...app, databaseIamUser: "web_app" },
            a: { ...app, databaseIamUser: "jobs" },
            c: { ...app, databaseIamUser: "web_app" },
            d: { ...app, databaseIamUser: undefined },
        };
        assert.deepEqual(iamDatabaseUsers(apps), ["jobs", "web_app"]);
        assert.deepEqual(iamDatabaseUsers({ d: apps.d }), []);
    });

    it("has a web service exactly when a service has a port", () => {
        assert.equal(hasWebService({ w: { ...app, port: 8080 } }), true);
        assert.equal(hasWebService({ w: { ...app, port: undefined } }), false);
        assert.equal(hasWebService({}), false);
    });

    it("watches readers when the cluster has some or can scale to some", () => {
        const db = dev.database;
        assert.equal(watchedDatabaseFacts({ ...db, readers: 0, readerAutoscaling: undefined }).hasReaders, false);
        assert.equal(watchedDatabaseFacts({ ...db, readers: 1, readerAutoscaling: undefined }).hasReaders, true);
        const scaling = { ...db, readers: 0, readerAutoscaling: { ...db.readerAutoscaling!, maxReaders: 2 } };
        assert.equal(watchedDatabaseFacts(scaling).hasReaders, true);
        assert.equal(watchedDatabaseFacts(db).instanceClass, db.instanceClass);
    });

    it("expects the autoscaling floor, or else the desired count, of running tasks", () => {
        assert.equal(minimumTasks({ ...app, desiredCount: 3, autoscaling: undefined }), 3);
        assert.equal(
            minimumTasks({ ...app, desiredCount: 3, autoscaling: { ...app.autoscaling!, minCount: 2 } } as never),
            2,
        );
    });

    it("exports only the outputs that exist", () => {
        assert.deepEqual(definedOutputs({ a: 1, b: undefined, c: null, d: "" }), { a: 1, c: null, d: "" });
    });
});
