/**
 * Types of the IAM-users Lambda handler (index.js, plain CommonJS so that it deploys without a build step).
 * Kept beside the code it describes; the Pulumi module and the tests import through it.
 */

/** The invocation event Pulumi sends. */
export interface IamUsersEvent {
    clusterArn: string;
    secretArn: string;
    database: string;
    users: string[];
}

/** What the function returns; Pulumi keeps it in state, so it holds no secret. */
export interface IamUsersResult {
    database: string;
    users: string[];
    statements: number;
}

/** The part of the SDK's `RDSData` client the handler uses. */
export interface DataApiClient {
    executeStatement(input: {
        resourceArn: string;
        secretArn: string;
        database: string;
        sql: string;
    }): Promise<unknown>;
}

/** Time and logging, injected so that tests control the retry loop. */
export interface Clock {
    remainingMs(): number;
    sleep(ms: number): Promise<void>;
    log(entry: Record<string, unknown>): void;
}

export class IamUsersError extends Error {}

export function handler(event: unknown, context: { getRemainingTimeInMillis(): number }): Promise<IamUsersResult>;
export function lambdaClock(context: { getRemainingTimeInMillis(): number }): Clock;
export function ensureUsers(client: DataApiClient, event: unknown, clock: Clock): Promise<IamUsersResult>;
export function executeWithResume(
    client: DataApiClient,
    input: Parameters<DataApiClient["executeStatement"]>[0],
    clock: Clock,
): Promise<unknown>;
export function planStatements(database: string, users: string[]): { user: string; sql: string }[];
export function userStatements(database: string, user: string): string[];
export function eventProblems(event: unknown): string[];
export function userNameProblem(name: unknown): string | undefined;
export function databaseNameProblem(name: unknown): string | undefined;

export const FIRST_DELAY_MS: number;
export const MAX_DELAY_MS: number;
export const SAFETY_MARGIN_MS: number;
export const MAX_USERS: number;
