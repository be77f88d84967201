/**
 * Where an AuroraCluster lives: its DB subnet group in the isolated subnets and its security group. Clients are
 * admitted by the component's `allowClient`, one ingress rule each.
 */
import * as aws from "@pulumi/aws";
import type { AuroraScope } from "./scope";

export function createSubnetGroup({ parent, name, id, args }: AuroraScope): aws.rds.SubnetGroup {
    return new aws.rds.SubnetGroup(
        `${name}-subnets`,
        {
            description: `Isolated subnets of ${id}: no route out of the VPC`,
            subnetIds: args.subnetIds,
            tags: { Name: `${id}-subnets` },
        },
        { parent },
    );
}

export function createSecurityGroup({ parent, name, id, args }: AuroraScope): aws.ec2.SecurityGroup {
    // No inline rules at all: the ingress rules are separate resources (mixing both makes them fight), and the
    // AWS provider deletes the allow-all egress rule AWS adds to a new group (documented in
    // aws.ec2.SecurityGroup, "NOTE on Egress rules"), so the group denies all egress. A database answers
    // connections; it never opens one. `egress: []` would also work but would make this group inline-managed.
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: args.vpcId,
            description: `Aurora ${id}: PostgreSQL from the services' security groups only`,
            tags: { Name: `${id}-db` },
        },
        { parent },
    );
}
