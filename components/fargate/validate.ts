/**
 * What a FargateService relies on, checked before any resource is registered, so that a program that bypasses
 * the settings validation still fails with a readable message before AWS does. Pure: args in, problems out.
 */
import type { FargateAppArgs, FargateServiceArgs } from "../fargateService";
import { describeMemoryOptions, isFargateSize } from "./sizes";

/** Keys of the RDS-managed master secret (`database:<key>` in `secrets`). */
export const DATABASE_KEYS = ["username", "password"];

/** Whether a service reaches the database: explicitly, or because it reads the master secret or connects with IAM. */
export function usesDatabase(app: FargateAppArgs): boolean {
    return (
        app.databaseAccess ??
        (Object.values(app.secrets ?? {}).some((r) => r.startsWith("database:")) || app.databaseIamUser !== undefined)
    );
}

/** Every problem of `args`, each naming the component and the service; empty when the args can be deployed. */
export function fargateProblems(name: string, args: FargateServiceArgs): string[] {
    const problems: string[] = [];
    const priorities = new Set<number>();
    // An ALB needs subnets in at least two AZs (AWS 'Application Load Balancers', Availability Zones), and services
    // must survive the loss of one.
    if (args.privateSubnetIds.length < 2) {
        problems.push(
            `FargateService ${name}: privateSubnetIds has ${args.privateSubnetIds.length}; at least 2 AZs are required`,
        );
    }
    for (const [svc, app] of Object.entries(args.services)) {
        const at = `FargateService ${name}: service ${svc}`;
        // Target groups are auto-named `<name>-<svc>-<7 hex>` and AWS caps target-group names at 32 characters.
        if (`${name}-${svc}`.length > 24) problems.push(`${at}: "${name}-${svc}" is longer than 24 characters`);
        if ((app.image === undefined) === (app.build === undefined))
            problems.push(`${at}: set exactly one of image and build`);
        if (!isFargateSize(app.cpu, app.memory)) {
            problems.push(
                `${at}: cpu ${app.cpu} / memory ${app.memory} is not a Fargate size; ${describeMemoryOptions(app.cpu)}`,
            );
        }
        if (app.port !== undefined) {
            if (!app.routing) problems.push(`${at}: a web service needs routing`);
            else if (priorities.has(app.routing.priority))
                problems.push(`${at}: routing priority ${app.routing.priority} is used twice`);
            else priorities.add(app.routing.priority);
        }
        for (const ref of Object.values(app.secrets ?? {})) {
            if (ref.startsWith("database:")) {
                if (!DATABASE_KEYS.includes(ref.slice("database:".length)))
                    problems.push(`${at}: ${ref} is not a database secret key`);
                else if (args.databaseSecretArn === undefined) problems.push(`${at}: ${ref} needs databaseSecretArn`);
            } else if (args.secretArns?.[ref] === undefined) problems.push(`${at}: secret ${ref} is not in secretArns`);
        }
        if (usesDatabase(app) && args.databaseSecurityGroupId === undefined) {
            problems.push(`${at}: database access needs databaseSecurityGroupId`);
        }
        if (app.databaseIamUser && args.databaseClusterResourceId === undefined) {
            problems.push(`${at}: databaseIamUser needs databaseClusterResourceId`);
        }
        if (app.cacheAccess && args.cache === undefined) problems.push(`${at}: cacheAccess needs cache`);
        for (const bucket of Object.keys(app.buckets ?? {})) {
            if (args.buckets?.[bucket] === undefined) problems.push(`${at}: bucket ${bucket} is not in buckets`);
        }
        if (app.internetEgress === false) {
            if (args.vpcEndpoints === undefined) problems.push(`${at}: internetEgress false needs vpcEndpoints`);
            if (app.enableExecuteCommand) {
                problems.push(`${at}: enableExecuteCommand needs internetEgress (ssmmessages has no endpoint here)`);
            }
        }
        if (app.databaseIamUser && args.databaseUsersReady === undefined) {
            problems.push(`${at}: databaseIamUser needs databaseUsersReady, which creates the user before the service`);
        }
    }
    return problems;
}
