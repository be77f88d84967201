/**
 * Where a Cache lives: its subnet group in the isolated subnets and its security group. Clients are admitted by the
 * component's `allowClient`, one ingress rule each.
 */
import * as aws from "@pulumi/aws";
import type { CacheScope } from "./scope";

export function createSubnetGroup({ parent, name, prefix, args }: CacheScope): aws.elasticache.SubnetGroup {
    // Auto-named (lowercase, as ElastiCache stores it): a new set of subnets in another VPC would replace the group,
    // and the new one must exist before the replication group moves to it.
    return new aws.elasticache.SubnetGroup(
        `${name}-subnets`,
        {
            description: `Isolated subnets of the ${prefix} cache: no route out of the VPC`,
            subnetIds: args.subnetIds,
            tags: { Name: `${prefix}-cache` },
        },
        { parent },
    );
}

export function createSecurityGroup({ parent, name, prefix, args }: CacheScope): aws.ec2.SecurityGroup {
    // No inline rules at all: ingress rules are separate resources named after each client (mixing both makes them
    // fight), and the AWS provider deletes the allow-all egress rule AWS adds to a new group (aws.ec2.SecurityGroup,
    // "NOTE on Egress rules"), so the cache can open no connection: it only answers. The description never changes,
    // because EC2 cannot update it and a new one would replace the group under the running nodes.
    return new aws.ec2.SecurityGroup(
        `${name}-sg`,
        {
            vpcId: args.vpcId,
            description: "ElastiCache: TLS on the cache port from the services' security groups only",
            tags: { Name: `${prefix}-cache` },
        },
        { parent },
    );
}
