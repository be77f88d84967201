import { strict as assert } from "assert";
import * as handlerModule from "../components/aurora/iam-users-handler";
import type { Clock, DataApiClient } from "../components/aurora/iam-users-handler";

const {
    ensureUsers,
    handler,
    lambdaClock,
    planStatements,
    eventProblems,
    IamUsersError,
    FIRST_DELAY_MS,
    MAX_DELAY_MS,
} = handlerModule;

const CLUSTER = "arn:aws:rds:eu-west-1:123456789012:cluster:platform-dev";
const SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b2c3d-aBcDeF";
const event = (users: string[], extra: Record<string, unknown> = {}) => ({
    clusterArn: CLUSTER,
    secretArn: SECRET,
    database: "app",
    users,
    ...extra,
});

type Input = Parameters<DataApiClient["executeStatement"]>[0];
interface Role {
    login: boolean;
    privileged: boolean;
}

const dbError = (name: string, message: string) => Object.assign(new Error(message), { name });

/**
 * A stand-in for the Data API in front of a tiny PostgreSQL: it accepts only the statement shapes the handler is
 * meant to send, each checked in full (a guarded CREATE ROLE, GRANT rds_iam, GRANT CONNECT, GRANT USAGE, CREATE on
 * the public schema), applies them to its state as PostgreSQL would, and fails the test on anything else (DROP,
 * ALTER, several statements in one call...).
 */
class FakeDataApi implements DataApiClient {
    public readonly calls: Input[] = [];
    public readonly roles = new Map<string, Role>([["dbadmin", { login: true, privileged: true }]]);
    public readonly iamUsers = new Set<string>();
    public readonly connectGrants = new Set<string>();
    /** `<database>/<role>` for each role that may use and create in that database's `public` schema. */
    public readonly schemaGrants = new Set<string>();
    /** Errors to throw, in order, before the next statements are executed (e.g. a resuming writer). */
    public failures: Error[] = [];

    async executeStatement(input: Input): Promise<unknown> {
        this.calls.push(input);
        assert.deepEqual(Object.keys(input).sort(), ["database", "resourceArn", "secretArn", "sql"]);
        assert.equal(input.resourceArn, CLUSTER, "every call targets the cluster");
        assert.equal(input.secretArn, SECRET, "every call authenticates with the master secret");
        const failure = this.failures.shift();
        if (failure) throw failure;
        this.apply(input.database, input.sql);
        return { numberOfRecordsUpdated: 0 };
    }

    private apply(database: string, sql: string): void {
        const guarded = /^DO \$\$\n([\s\S]*)\n\$\$$/.exec(sql);
        if (guarded) return this.ensureRole(guarded[1]);
        assert.ok(!sql.includes(";"), `one statement per call: ${sql}`);
        let m = /^GRANT rds_iam TO "([a-z][a-z0-9_]*)"$/.exec(sql);
        if (m) {
            assert.ok(this.roles.has(m[1]), `GRANT rds_iam to a missing role ${m[1]}`);
            this.iamUsers.add(m[1]);
            return;
        }
        m = /^GRANT CONNECT ON DATABASE "([a-z][a-z0-9_]*)" TO "([a-z][a-z0-9_]*)"$/.exec(sql);
        if (m) {
            assert.equal(m[1], database, "CONNECT is granted on the database the call runs in");
            assert.ok(this.roles.has(m[2]), `GRANT CONNECT to a missing role ${m[2]}`);
            this.connectGrants.add(`${m[1]}/${m[2]}`);
            return;
        }
        // Schema privileges apply to the database the call runs in, the only one the statement can name.
        m = /^GRANT USAGE, CREATE ON SCHEMA public TO "([a-z][a-z0-9_]*)"$/.exec(sql);
        if (m) {
            assert.ok(this.roles.has(m[1]), `GRANT ON SCHEMA to a missing role ${m[1]}`);
            this.schemaGrants.add(`${database}/${m[1]}`);
            return;
        }
        assert.fail(`unexpected SQL: ${sql}`);
    }

    /**
     * The DO block, checked whole (whitespace aside) against the one shape whose PL/pgSQL meaning the fake then
     * applies: create a missing login role; refuse a privileged role and a role without LOGIN.
     */
    private ensureRole(body: string): void {
        const create = /CREATE ROLE "([a-z][a-z0-9_]*)" LOGIN;/.exec(body);
        assert.ok(create, `the DO block creates a login role: ${body}`);
        const name = create[1];
        const role = `rolname = '${name}'`;
        const expected = [
            `BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE ${role}) THEN CREATE ROLE "${name}" LOGIN;`,
            `ELSIF EXISTS (SELECT FROM pg_catalog.pg_roles WHERE ${role} AND (rolsuper OR rolname = current_user`,
            "OR pg_catalog.pg_has_role(rolname, 'rds_superuser', 'MEMBER'))) THEN",
            `RAISE EXCEPTION 'role % is privileged; it is not made an IAM login', '${name}';`,
            `ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE ${role} AND rolcanlogin) THEN`,
            `RAISE EXCEPTION 'role % exists without LOGIN; it is not changed', '${name}';`,
            "END IF; END",
        ].join(" ");
        assert.equal(body.replace(/\s+/g, " ").trim(), expected);
        const existing = this.roles.get(name);
        if (!existing) this.roles.set(name, { login: true, privileged: false });
        else if (existing.privileged) throw dbError("DatabaseErrorException", `ERROR: role ${name} is privileged`);
        else if (!existing.login) throw dbError("DatabaseErrorException", `ERROR: role ${name} exists without LOGIN`);
    }
}

/** A clock that never waits: it records the sleeps and moves time forward by them. */
function fakeClock(remainingMs = 300_000): Clock & { sleeps: number[]; logs: Record<string, unknown>[] } {
    let left = remainingMs;
    const sleeps: number[] = [];
    const logs: Record<string, unknown>[] = [];
    return {
        sleeps,
        logs,
        remainingMs: () => left,
        sleep: async (ms: number) => {
            sleeps.push(ms);
            left -= ms;
        },
        log: (entry) => logs.push(entry),
    };
}

describe("IAM users handler: the SQL it sends", () => {
    it("sends, per user in sorted order, the guarded CREATE ROLE, GRANT rds_iam, CONNECT and the public schema", async () => {
        const api = new FakeDataApi();
        const result = await ensureUsers(api, event(["orders", "billing"]), fakeClock());
        assert.deepEqual(
            api.calls.map((c) => c.sql.split("\n")[0]),
            [
                "DO $$",
                'GRANT rds_iam TO "billing"',
                'GRANT CONNECT ON DATABASE "app" TO "billing"',
                'GRANT USAGE, CREATE ON SCHEMA public TO "billing"',
                "DO $$",
                'GRANT rds_iam TO "orders"',
                'GRANT CONNECT ON DATABASE "app" TO "orders"',
                'GRANT USAGE, CREATE ON SCHEMA public TO "orders"',
            ],
        );
        assert.ok(api.calls.every((c) => c.database === "app"));
        assert.deepEqual([...api.roles.keys()].sort(), ["billing", "dbadmin", "orders"]);
        assert.deepEqual([...api.iamUsers].sort(), ["billing", "orders"]);
        assert.deepEqual([...api.connectGrants].sort(), ["app/billing", "app/orders"]);
        // PostgreSQL 15+ gives PUBLIC no CREATE on schema public: without this grant a user could log in, not migrate.
        assert.deepEqual([...api.schemaGrants].sort(), ["app/billing", "app/orders"]);
        assert.deepEqual(result, { database: "app", users: ["billing", "orders"], statements: 8 });
    });

    it("is idempotent: a second run sends the same guarded statements and changes nothing", async () => {
        const api = new FakeDataApi();
        await ensureUsers(api, event(["orders", "billing"]), fakeClock());
        const first = api.calls.map((c) => c.sql);
        const state = () => [
            [...api.roles.entries()],
            [...api.iamUsers],
            [...api.connectGrants],
            [...api.schemaGrants],
        ];
        const after = JSON.stringify(state());
        await ensureUsers(api, event(["billing", "orders"]), fakeClock());
        assert.deepEqual(
            api.calls.slice(first.length).map((c) => c.sql),
            first,
            "a reordered list sends the same statements in the same order",
        );
        assert.equal(JSON.stringify(state()), after);
    });

    it("adopts a login role created by hand and only grants it what is missing", async () => {
        const api = new FakeDataApi();
        api.roles.set("orders", { login: true, privileged: false });
        await ensureUsers(api, event(["orders"]), fakeClock());
        assert.deepEqual([...api.iamUsers], ["orders"]);
        assert.deepEqual([...api.schemaGrants], ["app/orders"]);
        assert.equal(api.calls.length, 4);
    });

    it("stops before GRANT rds_iam when the role is privileged (the master user) or cannot log in", async () => {
        for (const [name, role, reason] of [
            ["dbadmin", undefined, /role dbadmin is privileged/],
            ["grouprole", { login: false, privileged: false }, /role grouprole exists without LOGIN/],
        ] as const) {
            const api = new FakeDataApi();
            if (role) api.roles.set(name, role);
            await assert.rejects(ensureUsers(api, event([name, "orders"]), fakeClock()), (e: unknown) => {
                assert.ok(e instanceof IamUsersError);
                assert.match(e.message, new RegExp(`^user ${name}: DatabaseErrorException: `));
                assert.match(e.message, reason);
                return true;
            });
            assert.equal(api.calls.length, 1, "nothing follows the refused guard");
            assert.ok(!api.iamUsers.has(name), `${name} never becomes an IAM-only login`);
        }
    });

    it("builds one statement per call: no statement outside the DO block carries a semicolon", () => {
        for (const { sql } of planStatements("app", ["a_1", "b"])) {
            if (!sql.startsWith("DO $$")) assert.ok(!sql.includes(";"), sql);
            else assert.ok(sql.endsWith("\n$$"), "the DO block is the whole statement");
        }
    });
});

describe("IAM users handler: names are refused before any call", () => {
    const bad: [string, Record<string, unknown>, RegExp][] = [
        ["an upper-case user", event(["Orders"]), /users\[0\]: "Orders" is not a PostgreSQL user name/],
        ["a quoted user", event(['x"; DROP ROLE dbadmin; --']), /users\[0\]: .* is not a PostgreSQL user name/],
        ["a reserved user", event(["rds_iam"]), /users\[0\]: "rds_iam" is reserved/],
        ["postgres", event(["postgres"]), /users\[0\]: "postgres" is reserved/],
        ["a 64-character user", event(["a".repeat(64)]), /users\[0\]: "a{64}" is not a PostgreSQL user name/],
        ["a duplicate", event(["orders", "orders"]), /users\[1\]: "orders" is listed twice/],
        ["no users", event([]), /users: \[\] is not a non-empty list/],
        ["a bad database", event(["orders"], { database: "app'; --" }), /database: .* is not a database name/],
        ["template1", event(["orders"], { database: "template1" }), /database: "template1" is reserved/],
        ["an instance ARN", event(["orders"], { clusterArn: CLUSTER.replace(":cluster:", ":db:") }), /clusterArn/],
        ["a secret name", event(["orders"], { secretArn: "rds!cluster-x" }), /secretArn: "rds!cluster-x"/],
        ["an unknown key", event(["orders"], { user: "x" }), /user: unknown key/],
    ];
    for (const [what, ev, reason] of bad) {
        it(`refuses ${what} and sends nothing`, async () => {
            const api = new FakeDataApi();
            await assert.rejects(ensureUsers(api, ev, fakeClock()), (e: unknown) => {
                assert.ok(e instanceof IamUsersError);
                assert.match(e.message, /^invalid request:/);
                assert.match(e.message, reason);
                return true;
            });
            assert.equal(api.calls.length, 0);
        });
    }

    it("lists every problem at once", () => {
        const problems = eventProblems({ clusterArn: "x", secretArn: SECRET, database: "App", users: ["ok", "Bad"] });
        assert.deepEqual(
            problems.map((p) => p.split(":")[0]),
            ["clusterArn", "database", "users[1]"],
        );
        assert.deepEqual(eventProblems(event(["orders"])), []);
        assert.equal(eventProblems(null).length, 1);
    });

    it("refuses a bad event in the entry point before loading the SDK", async () => {
        await assert.rejects(
            handler(event(["Bad"]), { getRemainingTimeInMillis: () => 60_000 }),
            (e: unknown) => e instanceof IamUsersError && /users\[0\]/.test(e.message),
        );
    });
});

describe("IAM users handler: the Lambda runtime's clock", () => {
    it("logs each entry as an object, which the JSON log format keeps as fields, not as an escaped string", () => {
        const clock = lambdaClock({ getRemainingTimeInMillis: () => 42_000 });
        const logged: unknown[][] = [];
        const original = console.log;
        console.log = (...args: unknown[]) => void logged.push(args);
        try {
            clock.log({ message: "database resuming, retrying", attempt: 1 });
        } finally {
            console.log = original;
        }
        assert.deepEqual(logged, [[{ message: "database resuming, retrying", attempt: 1 }]]);
        assert.equal(clock.remainingMs(), 42_000);
    });
});

describe("IAM users handler: a paused Serverless v2 writer", () => {
    const resuming = () => dbError("DatabaseResumingException", "The database is resuming");

    it("retries DatabaseResumingException with doubling waits, then sends every statement once", async () => {
        const api = new FakeDataApi();
        api.failures = [resuming(), resuming(), resuming()];
        const clock = fakeClock();
        await ensureUsers(api, event(["orders"]), clock);
        assert.deepEqual(clock.sleeps, [FIRST_DELAY_MS, FIRST_DELAY_MS * 2, FIRST_DELAY_MS * 4]);
        assert.equal(api.calls.length, 3 + 4, "three refused attempts, then the four statements");
        assert.deepEqual([...api.iamUsers], ["orders"]);
        assert.equal(clock.logs.filter((l) => l.message === "database resuming, retrying").length, 3);
    });

    it("caps the wait between attempts", async () => {
        const api = new FakeDataApi();
        api.failures = Array.from({ length: 8 }, resuming);
        const clock = fakeClock();
        await ensureUsers(api, event(["orders"]), clock);
        assert.equal(Math.max(...clock.sleeps), MAX_DELAY_MS);
        assert.ok(clock.sleeps.every((ms, i) => i === 0 || ms >= clock.sleeps[i - 1]));
    });

    it("gives up with a clear message before the function's timeout", async () => {
        const api = new FakeDataApi();
        api.failures = Array.from({ length: 100 }, resuming);
        const clock = fakeClock(40_000);
        await assert.rejects(
            ensureUsers(api, event(["orders"]), clock),
            (e: unknown) => e instanceof IamUsersError && /still resuming after \d+ attempts/.test(e.message),
        );
        assert.ok(clock.remainingMs() > 0, "it stops while there is time left to report");
        assert.ok(api.calls.length < 100);
    });

    it("does not retry other errors", async () => {
        const api = new FakeDataApi();
        api.failures = [dbError("AccessDeniedException", "not authorized to perform rds-data:ExecuteStatement")];
        const clock = fakeClock();
        await assert.rejects(
            ensureUsers(api, event(["orders"]), clock),
            /user orders: AccessDeniedException: not authorized/,
        );
        assert.equal(api.calls.length, 1);
        assert.deepEqual(clock.sleeps, []);
    });
});
