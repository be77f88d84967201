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
    /** Route tables that get the S3 gateway route: the private tier's only. */
    routeTables: aws.ec2.RouteTable[];
    /** Subnets that get an interface endpoint network interface, one per AZ. */
    subnets: aws.ec2.Subnet[];
}

type Statement = Record<string, unknown>;

/**
 * The S3 gateway endpoint's policy: what S3 requests from the private tier may reach through it. A gateway endpoint
 * carries every request to S3 in the region, so without a policy (AWS's default is allow-all) the VPC could write to
 * any bucket of any account. Allowed: every bucket of this account, and the AWS-owned bucket Amazon ECR serves image
 * layers from, read-only (AWS ECR 'Minimum Amazon S3 bucket permissions for Amazon ECR'); without that second
 * statement no task could pull its image through the endpoint. An application that reads another account's bucket
 * in this region needs a statement here.
 */
export function s3EndpointPolicy(p: { accountId: string; region: string; partition: string }): {
    Version: "2012-10-17";
    Statement: Statement[];
} {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ThisAccountsBuckets",
                Effect: "Allow",
                Principal: "*",
                Action: "s3:*",
                Resource: "*",
                Condition: { StringEquals: { "aws:ResourceAccount": p.accountId } },
            },
            {
                Sid: "EcrImageLayers",
                Effect: "Allow",
                Principal: "*",
                Action: "s3:GetObject",
                Resource: `arn:${p.partition}:s3:::prod-${p.region}-starport-layer-bucket/*`,
            },
        ],
    };
}

export interface Endpoints {
    /** The S3 gateway endpoint. */
    s3: aws.ec2.VpcEndpoint;
    /** The S3 gateway endpoint and every interface endpoint. */
    endpoints: aws.ec2.VpcEndpoint[];
    /** The interface endpoints' security group, if there are any. */
    securityGroup?: aws.ec2.SecurityGroup;
    /** The rule that lets the VPC reach the interface endpoints, if there are any. */
    endpointAccess?: aws.vpc.SecurityGroupIngressRule[];
}

/** Creates the endpoints. */
export function createEndpoints(scope: NetworkScope, base: EndpointBase): Endpoints {
    const { parent, name, args } = scope;
    const { vpc, region } = base;
    const accountId = aws.getCallerIdentityOutput({}, { parent }).accountId;
    const partition = aws.getPartitionOutput({}, { parent }).partition;
    // S3 gateway endpoint: free, and keeps image layers off the NAT. On the private tier's route tables only: the
    // isolated tier holds the database, whose backups and snapshots RDS writes to S3 over its own network, not
    // through the VPC, so nothing there needs S3, and a route to it would be a way out of a tier meant to have none.
    const s3 = new aws.ec2.VpcEndpoint(
        `${name}-s3`,
        {
            vpcId: vpc.id,
            serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
            vpcEndpointType: "Gateway",
            routeTableIds: base.routeTables.map((rt) => rt.id),
            policy: pulumi
                .all([accountId, region, partition])
                .apply(([account, reg, part]) =>
                    JSON.stringify(s3EndpointPolicy({ accountId: account, region: reg, partition: part })),
                ),
            tags: { Name: `${name}-s3` },
        },
        { parent },
    );

    const services = args.interfaceEndpoints ?? [];
    if (services.length === 0) return { s3, endpoints: [s3] };
    const sg = new aws.ec2.SecurityGroup(
        `${name}-endpoints`,
        {
            vpcId: vpc.id,
            description: "HTTPS from inside the VPC to interface endpoints",
            tags: { Name: `${name}-endpoints` },
        },
        { parent },
    );
    // Until this rule exists the endpoints refuse every connection, so it is part of the path as much as they are.
    const https = new aws.vpc.SecurityGroupIngressRule(
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
    const endpoints = services.map(
        (service) =>
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
            ),
    );
    return { s3, endpoints: [s3, ...endpoints], securityGroup: sg, endpointAccess: [https] };
}
