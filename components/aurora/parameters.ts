/**
 * What the engine enforces and logs: the cluster parameter group (TLS only, slow-query and connection logging)
 * and the log group the PostgreSQL log is exported to.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AuroraScope } from "./scope";

export function createParameterGroup(
    { parent, name, id, args }: AuroraScope,
    major: pulumi.Input<string>,
): aws.rds.ClusterParameterGroup {
    // rds.force_ssl is a cluster-level parameter in Aurora (AWS 'Securing Aurora PostgreSQL data with SSL/TLS'),
    // so it lives in the cluster parameter group. pending-reboot is accepted for static and dynamic
    // parameters alike, and a new cluster boots with the group already attached, so it is in force from the start;
    // on an existing cluster it takes effect at the next reboot. The logging parameters are dynamic.
    const parameters = [
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
        {
            name: "log_min_duration_statement",
            value: String(args.slowQueryThresholdMs ?? 1000),
            applyMethod: "immediate",
        },
        { name: "log_lock_waits", value: "1", applyMethod: "immediate" },
    ];
    if (args.logConnections ?? true) {
        // Booleans up to PostgreSQL 17 (18 turns log_connections into a list, outside the supported majors).
        parameters.push(
            { name: "log_connections", value: "1", applyMethod: "immediate" },
            { name: "log_disconnections", value: "1", applyMethod: "immediate" },
        );
    }
    return new aws.rds.ClusterParameterGroup(
        `${name}-params`,
        {
            // Auto-named, so a new major (new family) creates the new group before the old one is deleted: the
            // cluster moves to it in the upgrade's ModifyDBCluster call, and only then is the old one deleted.
            family: pulumi.interpolate`aurora-postgresql${major}`,
            description: `${id}: TLS only, slow-query and connection logging`,
            parameters,
        },
        { parent },
    );
}

export function createLogGroup({ parent, name, id, args }: AuroraScope): aws.cloudwatch.LogGroup {
    // RDS creates /aws/rds/cluster/<id>/postgresql itself, unencrypted and kept forever, unless it exists first
    // (AWS 'Publishing Aurora PostgreSQL logs to Amazon CloudWatch Logs'): created here, and the cluster waits for it.
    return new aws.cloudwatch.LogGroup(
        `${name}-postgresql-log`,
        {
            name: `/aws/rds/cluster/${id}/postgresql`,
            retentionInDays: args.logRetentionDays ?? 365,
            kmsKeyId: args.kmsKeyArn,
        },
        { parent },
    );
}
