/**
 * The pure part of index.ts's wiring: how the validated settings become component arguments where no component's
 * output is involved, and the facts about the stack that several components share. Small functions, tested directly;
 * index.ts keeps what connects one component's outputs to another's inputs.
 */
import type { NetworkArgs } from "../components/network";
import type { SecretsStoreArgs } from "../components/secretsStore";
import type { WatchedDatabase } from "../components/monitoring";
import type { DatabaseSettings } from "./database";
import type { AppSettings } from "./services-schema";
import type { Settings } from "./settings";

/** `<project>-<stack>`: the stem of every physical name that must be unique in the account and region. */
export function namePrefix(settings: Pick<Settings, "project" | "stack">): string {
    return `${settings.project}-${settings.stack}`;
}

/**
 * A stack is protected when its database is (database.protect): its final snapshot and retained backups are encrypted
 * with the stack's key and outlive the stack, so the key must outlive it too. A disposable stack keeps nothing.
 */
export function isProtected(settings: Pick<Settings, "database">): boolean {
    return settings.database.protect;
}

/** True when at least one service has a port, and so the stack has a load balancer. */
export function hasWebService(apps: Record<string, AppSettings>): boolean {
    return Object.values(apps).some((app) => app.port !== undefined);
}

/** The PostgreSQL users services log in as with IAM authentication: one per distinct databaseIamUser, sorted. */
export function iamDatabaseUsers(apps: Record<string, AppSettings>): string[] {
    return [
        ...new Set(Object.values(apps).flatMap((app) => (app.databaseIamUser ? [app.databaseIamUser] : []))),
    ].sort();
}

/** The stack's key and secrets, in the stack's region. */
export function secretsStoreArgs(settings: Settings): SecretsStoreArgs {
    return {
        aliasName: namePrefix(settings),
        protectKey: isProtected(settings),
        keyDeletionWindowDays: settings.secrets.keyDeletionWindowDays,
        recoveryWindowDays: settings.secrets.recoveryWindowDays,
        appSecrets: settings.secrets.appSecrets,
        // The alarm topic here also carries deployment-failure and failover events and budget alerts, and the
        // static-assets bucket (and any served application bucket) is encrypted with this key and read by CloudFront
        // through origin access control.
        serviceAccess: {
            eventBridgeToSns: true,
            budgetsToSns: settings.monitoring.budget !== undefined,
            cloudFrontDistributions: true,
        },
    };
}

/**
 * The us-east-1 key. The stack's key lives in the stack's region and cannot encrypt anything in us-east-1, and it
 * cannot become a multi-Region key in place. So us-east-1 gets a key of its own, built the same way, for the WAF and
 * CloudFront logs and the CloudFront alarm topic there; it is kept on destroy exactly when the stack's key is.
 */
export function globalSecretsStoreArgs(settings: Settings): SecretsStoreArgs {
    return {
        aliasName: `${namePrefix(settings)}-global`,
        protectKey: isProtected(settings),
        keyDeletionWindowDays: settings.secrets.keyDeletionWindowDays,
    };
}

/** The VPC, its flow logs encrypted with `kmsKeyArn`. */
export function networkArgs(settings: Settings, kmsKeyArn: NetworkArgs["kmsKeyArn"]): NetworkArgs {
    const n = settings.network;
    return {
        cidr: n.cidr,
        azCount: n.azCount,
        subnetCidrs: n.subnets,
        natGateways: n.natGateways,
        kmsKeyArn,
        flowLogRetentionDays: n.flowLogRetentionDays,
        interfaceEndpoints: n.interfaceEndpoints,
    };
}

/** What the alarms need to know about the database from its settings: the size that sets thresholds, and readers. */
export function watchedDatabaseFacts(
    database: DatabaseSettings,
): Pick<WatchedDatabase, "instanceClass" | "serverlessMaxCapacity" | "hasReaders"> {
    return {
        instanceClass: database.instanceClass,
        serverlessMaxCapacity: database.serverless?.maxCapacity,
        hasReaders: database.readers > 0 || (database.readerAutoscaling?.maxReaders ?? 0) > 0,
    };
}

/** The fewest tasks a service should run: the running-task alarm fires below it. */
export function minimumTasks(app: AppSettings): number {
    return app.autoscaling?.minCount ?? app.desiredCount;
}

/**
 * Stack outputs without the undefined ones: a stack without services (or without a web service) has no cluster or
 * load balancer, and an undefined output would only print a warning on every run.
 */
export function definedOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}
