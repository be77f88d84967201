/**
 * VPC endpoints of a Network: the S3 gateway endpoint (always: it is free) and the interface endpoints config
 * asks for, behind a security group that admits HTTPS from the VPC.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkScope } from "./scope";

export interface EndpointBase {
    vpc: aws.ec2.Vpc;
    region: pulumi.Output<string>;
    /** Route tables that get the S3 gateway route. */
    routeTables: aws.ec2.RouteTable[];
    /** Subnets that get an interface endpoint network interface, one per AZ. */
    subnets: aws.ec2.Subnet[];
}

/** Creates the endpoints; returns the interface endpoints' security group, if any. */
export function createEndpoints(scope: NetworkScope, base: EndpointBase): aws.ec2.SecurityGroup | undefined {
    const { parent, name, args } = scope;
    const { vpc, region } = base;
    // S3 gateway endpoint: free, keeps image layers and backups off the NAT, reaches S3 from the isolated tier.
    new aws.ec2.VpcEndpoint(
        `${name}-s3`,
        {
            vpcId: vpc.id,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: base.routeTables.map((rt) => rt.id),
            tags: { Name: `${name}-s3` },
        },
        { parent },
    );

    const endpoints = args.interfaceEndpoints ?? [];
    if (endpoints.length === 0) return undefined;
    const sg = new aws.ec2.SecurityGroup(
        `${name}-endpoints`,
        {
            vpcId: vpc.id,
            description: "HTTPS from inside the VPC to interface endpoints",
            tags: { Name: `${name}-endpoints` },
        },
        { parent },
    );
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-endpoints-https`,
        {
            securityGroupId: sg.id,
            ipProtocol: "tcp",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: vpc.cidrBlock,
            description: "HTTPS from the VPC",
        },
        { parent },
    );
    for (const service of endpoints) {
        new aws.ec2.VpcEndpoint(
            `${name}-${service.replace(".", "-")}`,
            {
                vpcId: vpc.id,
                serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
                vpcEndpointType: "Interface",
                privateDnsEnabled: true,
                subnetIds: base.subnets.map((s) => s.id),
                securityGroupIds: [sg.id],
                tags: { Name: `${name}-${service}` },
            },
            { parent },
        );
    }
    return sg;
}
