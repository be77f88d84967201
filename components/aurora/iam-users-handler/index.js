"use strict";
/**
 * Creates the PostgreSQL login roles that services use with IAM database authentication, through the RDS Data API.
 *
 * Invoked by Pulumi (`aws.lambda.Invocation`) with
 *   { clusterArn, secretArn, database, users: ["orders", ...] }
 * and, per user, sends four statements, each one idempotent so that a re-run changes nothing:
 *   1. a DO block that creates the role with LOGIN if it does not exist, and refuses a role that is privileged
 *      (the master user, rds_superuser members) or cannot log in, before anything is granted to it;
 *   2. GRANT rds_iam, which makes the role authenticate with IAM tokens only;
 *   3. GRANT CONNECT on the application database;
 *   4. GRANT USAGE, CREATE on the schema `public` of that database. From PostgreSQL 15 on, PUBLIC no longer has
 *      CREATE there (PostgreSQL 15 release notes, "Remove PUBLIC creation permission on the public schema"), and
 *      CONNECT on the database gives nothing inside it, so without this a user can log in and then create no table
 *      (its migrations fail). Privileges on tables another user created (a worker reading what the web service's
 *      migrations made) are not granted here: they belong to the application's migrations (`GRANT ... TO`, or
 *      `ALTER DEFAULT PRIVILEGES`), which know which user needs what.
 *
 * Roles are never dropped or altered otherwise: a service removed from the config may leave a role that owns tables,
 * and DROP ROLE would either fail on those objects or, after REASSIGN/DROP OWNED, destroy data. Removing a role is a
 * deliberate manual act.
 *
 * Plain CommonJS without a build step. `@aws-sdk/client-rds-data` is part of the SDK v3 that the Lambda Node.js
 * runtimes (nodejs18.x and later) ship (AWS Lambda "Building Lambda functions with Node.js", runtime-included SDK
 * versions), and is required lazily, only when no client is injected, so that tests run offline with a fake.
 *
 * One ExecuteStatement carries one SQL statement: the Data API for Aurora Serverless v2 and provisioned clusters does
 * not run several statements in one call (AWS "Comparing Amazon RDS Data API behaviors ..."), and every name is
 * inlined because PostgreSQL accepts no bind parameters in DDL or DO blocks; hence the strict name rules below.
 */

/** PostgreSQL identifiers this platform accepts: unquoted-safe, lowercase, at most 63 bytes (NAMEDATALEN - 1). */
const NAME = /^[a-z][a-z0-9_]{0,62}$/;
/** Names that belong to PostgreSQL or RDS and must never become application logins. */
const RESERVED_USER = /^(rds|pg_)|^(postgres|public|rdsadmin|current_user|session_user|current_role)$/;
const RESERVED_DATABASE = /^(postgres|template0|template1|rdsadmin)$/;
const CLUSTER_ARN = /^arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:cluster:[a-z][a-z0-9-]{0,62}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;
/** A bound on one run: a few hundred statements, far below the function's timeout. */
const MAX_USERS = 100;
const EVENT_KEYS = ["clusterArn", "secretArn", "database", "users"];

/** First wait while the writer resumes from 0 ACUs, in ms; doubled after each attempt, up to MAX_DELAY_MS. */
const FIRST_DELAY_MS = 1000;
const MAX_DELAY_MS = 15000;
/** Time kept in hand before the function's own timeout, to fail with a clear message instead of being killed. */
const SAFETY_MARGIN_MS = 10000;

/** An error whose message is the whole story: Lambda reports `stack` in the invocation result, and Pulumi prints it. */
class IamUsersError extends Error {
    constructor(message) {
        super(message);
        this.name = "IamUsersError";
        this.stack = `${this.name}: ${message}`;
    }
}

/** Why `name` is not an acceptable user name, or undefined. */
function userNameProblem(name) {
    if (typeof name !== "string" || !NAME.test(name)) {
        return `${JSON.stringify(name)} is not a PostgreSQL user name; expected [a-z][a-z0-9_]{0,62}`;
    }
    if (RESERVED_USER.test(name)) {
        return `"${name}" is reserved (rds*, pg_*, postgres, public and rdsadmin are not application users)`;
    }
    return undefined;
}

/** Why `name` is not an acceptable database name, or undefined. */
function databaseNameProblem(name) {
    if (typeof name !== "string" || !NAME.test(name)) {
        return `${JSON.stringify(name)} is not a database name; expected [a-z][a-z0-9_]{0,62}`;
    }
    if (RESERVED_DATABASE.test(name)) return `"${name}" is reserved by PostgreSQL or RDS`;
    return undefined;
}

/**
 * Every problem with an invocation event, all at once; an empty list when it is valid. Unknown keys are problems
 * too, so a misspelt key is never silently ignored.
 */
function eventProblems(event) {
    if (event === null || typeof event !== "object" || Array.isArray(event)) {
        return ["the event is not an object with clusterArn, secretArn, database and users"];
    }
    const problems = [];
    for (const key of Object.keys(event)) {
        if (!EVENT_KEYS.includes(key)) problems.push(`${key}: unknown key; expected only ${EVENT_KEYS.join(", ")}`);
    }
    if (typeof event.clusterArn !== "string" || !CLUSTER_ARN.test(event.clusterArn)) {
        problems.push(`clusterArn: ${JSON.stringify(event.clusterArn)} is not an RDS cluster ARN`);
    }
    if (typeof event.secretArn !== "string" || !SECRET_ARN.test(event.secretArn)) {
        problems.push(`secretArn: ${JSON.stringify(event.secretArn)} is not a Secrets Manager secret ARN`);
    }
    const database = databaseNameProblem(event.database);
    if (database) problems.push(`database: ${database}`);
    if (!Array.isArray(event.users) || event.users.length === 0) {
        problems.push(`users: ${JSON.stringify(event.users)} is not a non-empty list of user names`);
    } else {
        if (event.users.length > MAX_USERS) {
            problems.push(`users: ${event.users.length} users; at most ${MAX_USERS} per run`);
        }
        const seen = new Set();
        event.users.forEach((user, i) => {
            const problem = userNameProblem(user);
            if (problem) problems.push(`users[${i}]: ${problem}`);
            else if (seen.has(user)) problems.push(`users[${i}]: "${user}" is listed twice`);
            seen.add(user);
        });
    }
    return problems;
}

/** Throws one error that lists every problem with the event; returns when there is none. */
function refuseInvalid(event) {
    const problems = eventProblems(event);
    if (problems.length > 0) throw new IamUsersError(`invalid request:\n  ${problems.join("\n  ")}`);
}

/** `"name"`: an identifier, quoted so that it is never read as a keyword. Names are validated before this. */
function quoteIdent(name) {
    return `"${name.replace(/"/g, '""')}"`;
}

/** `'name'`: a string literal (standard_conforming_strings is on in every supported version). */
function quoteLiteral(name) {
    return `'${name.replace(/'/g, "''")}'`;
}

/**
 * The statements for one user, in order. The DO block runs first so that a privileged or non-login role stops the
 * run before `GRANT rds_iam` could turn, say, the master user into an IAM-only login and lock the Data API out.
 */
function userStatements(database, user) {
    const role = quoteIdent(user);
    const literal = quoteLiteral(user);
    return [
        [
            "DO $$",
            "BEGIN",
            `    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${literal}) THEN`,
            `        CREATE ROLE ${role} LOGIN;`,
            "    ELSIF EXISTS (SELECT FROM pg_catalog.pg_roles",
            `                  WHERE rolname = ${literal}`,
            "                    AND (rolsuper OR rolname = current_user",
            "                         OR pg_catalog.pg_has_role(rolname, 'rds_superuser', 'MEMBER'))) THEN",
            `        RAISE EXCEPTION 'role % is privileged; it is not made an IAM login', ${literal};`,
            `    ELSIF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = ${literal} AND rolcanlogin) THEN`,
            `        RAISE EXCEPTION 'role % exists without LOGIN; it is not changed', ${literal};`,
            "    END IF;",
            "END",
            "$$",
        ].join("\n"),
        `GRANT rds_iam TO ${role}`,
        `GRANT CONNECT ON DATABASE ${quoteIdent(database)} TO ${role}`,
        // The statement runs in `database` (the Data API call names it), so this is that database's schema.
        `GRANT USAGE, CREATE ON SCHEMA public TO ${role}`,
    ];
}

/** Every statement of a run, user by user, in a stable order (sorted, so a reordered config sends the same). */
function planStatements(database, users) {
    return [...users].sort().flatMap((user) => userStatements(database, user).map((sql) => ({ user, sql })));
}

const sleepFor = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One ExecuteStatement, retried while a paused Serverless v2 writer resumes. The Data API resumes a paused instance
 * itself and cancels the request with DatabaseResumingException ("wait a few seconds and try again"; RDS Data API
 * reference, errors). Anything else fails at once: AccessDenied, a SQL error or a bad request will not heal by waiting.
 */
async function executeWithResume(client, input, clock) {
    let delay = FIRST_DELAY_MS;
    for (let attempt = 1; ; attempt++) {
        try {
            return await client.executeStatement(input);
        } catch (err) {
            if (!err || err.name !== "DatabaseResumingException") throw err;
            if (clock.remainingMs() - delay < SAFETY_MARGIN_MS) {
                throw new IamUsersError(
                    `the database was still resuming after ${attempt} attempts; run pulumi up again in a minute`,
                );
            }
            clock.log({ message: "database resuming, retrying", attempt, delayMs: delay });
            await clock.sleep(delay);
            delay = Math.min(delay * 2, MAX_DELAY_MS);
        }
    }
}

/**
 * Validates the event, then sends every statement through `client` (anything with the SDK's `executeStatement`).
 * Nothing is sent unless the whole event is valid. Returns a summary without any secret, because Pulumi keeps the
 * invocation result in its state.
 */
async function ensureUsers(client, event, clock) {
    refuseInvalid(event);
    const statements = planStatements(event.database, event.users);
    for (const { user, sql } of statements) {
        try {
            await executeWithResume(
                client,
                { resourceArn: event.clusterArn, secretArn: event.secretArn, database: event.database, sql },
                clock,
            );
        } catch (err) {
            if (err instanceof IamUsersError) throw err;
            throw new IamUsersError(`user ${user}: ${err && err.name}: ${err && err.message}`);
        }
    }
    const users = [...event.users].sort();
    clock.log({ message: "IAM database users ensured", database: event.database, users });
    return { database: event.database, users, statements: statements.length };
}

let sharedClient;
/** The Data API client, created once per execution environment from the runtime's SDK. */
function defaultClient() {
    if (!sharedClient) {
        const { RDSData } = require("@aws-sdk/client-rds-data");
        sharedClient = new RDSData({});
    }
    return sharedClient;
}

/**
 * Time and logging in the Lambda runtime. Entries are logged as objects: the function's log format is JSON, in which
 * the runtime writes a logged object as JSON under `message`, so its fields stay searchable; a string made with
 * JSON.stringify would be logged as one opaque, escaped string.
 */
function lambdaClock(context) {
    return {
        remainingMs: () => context.getRemainingTimeInMillis(),
        sleep: sleepFor,
        log: (entry) => console.log(entry),
    };
}

/** Lambda entry point. A bad event is refused before the SDK is even loaded. */
async function handler(event, context) {
    refuseInvalid(event);
    return ensureUsers(defaultClient(), event, lambdaClock(context));
}

module.exports = {
    handler,
    lambdaClock,
    ensureUsers,
    executeWithResume,
    planStatements,
    userStatements,
    eventProblems,
    userNameProblem,
    databaseNameProblem,
    IamUsersError,
    FIRST_DELAY_MS,
    MAX_DELAY_MS,
    SAFETY_MARGIN_MS,
    MAX_USERS,
};
