/**
 * The Enhanced Monitoring role RDS assumes to publish OS metrics, when monitoring is on.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AuroraScope } from "./scope";

export interface MonitoringRole {
    role: aws.iam.Role;
    /** The cluster waits for it: RDS checks the role's permissions when monitoring is enabled. */
    attachment: aws.iam.RolePolicyAttachment;
}

export function createMonitoringRole({ parent, name, id }: AuroraScope): MonitoringRole {
    const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    const role = new aws.iam.Role(
        `${name}-monitoring`,
        {
            description: `Enhanced Monitoring for ${id}`,
            assumeRolePolicy: accountId.apply((account) =>
                JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "monitoring.rds.amazonaws.com" },
                            Action: "sts:AssumeRole",
                            // Confused-deputy guard: only RDS acting for this account may assume the role.
                            Condition: { StringEquals: { "aws:SourceAccount": account } },
                        },
                    ],
                }),
            ),
        },
        { parent },
    );
    const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-monitoring`,
        {
            role: role.name,
            policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
        },
        { parent },
    );
    return { role, attachment };
}
