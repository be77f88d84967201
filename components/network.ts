import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export type NatMode = "perAz" | "single";

export interface NetworkArgs {
    /** VPC CIDR. Required: it must fit the organisation's IP plan, so the caller decides. */
    cidr: string;
    /** Number of AZs. Default 3: the platform survives the loss of one AZ with capacity to spare. */
    azCount?: number;
    /**
     * Subnet CIDRs per tier, one per AZ, in AZ order. Required: computed from `cidr` by the settings
     * (`planSubnets`), so the component never guesses an address plan.
     */
    subnetCidrs: { public: string[]; private: string[]; isolated: string[] };
    /** `perAz` (default) keeps egress alive when an AZ fails; `single` saves cost in disposable stacks. */
    natGateways?: NatMode;
    /** Key that encrypts the flow-log group. Required: flow logs hold addresses and ports of every connection. */
    kmsKeyArn: pulumi.Input<string>;
    /** Flow-log retention in days. Default 365: a year of network evidence for incident response. */
    flowLogRetentionDays?: number;
    /**
     * Interface endpoints (`ecr.api`, `ecr.dkr`, `logs`, `secretsmanager`, `kms`, `sts`). Default none: each
     * costs money per AZ-hour. The S3 gateway endpoint is always created because it is free.
     */
    interfaceEndpoints?: string[];
}

/**
 * A VPC in three tiers across AZs: public (NAT gateways and anything that must face the internet),
 * private (services, egress through NAT) and isolated (data, no route out at all).
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly vpcCidr: pulumi.Output<string>;
    public readonly azNames: pulumi.Output<string[]>;
    public readonly publicSubnetIds: pulumi.Output<string>[];
    public readonly privateSubnetIds: pulumi.Output<string>[];
    public readonly isolatedSubnetIds: pulumi.Output<string>[];
    public readonly natGatewayIds: pulumi.Output<string>[];
    public readonly privateRouteTableIds: pulumi.Output<string>[];
    public readonly isolatedRouteTableIds: pulumi.Output<string>[];
    public readonly flowLogGroupName: pulumi.Output<string>;
    /** Security group of the interface endpoints, if any. */
    public readonly endpointSecurityGroupId?: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:Network", name, {}, opts);
        const azCount = args.azCount ?? 3;
        for (const tier of ["public", "private", "isolated"] as const) {
            if (args.subnetCidrs[tier].length !== azCount) {
                throw new Error(`Network ${name}: ${args.subnetCidrs[tier].length} ${tier} CIDRs for ${azCount} AZs`);
            }
        }
        const region = aws.getRegionOutput({}, { parent: this }).region;
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const azs = aws
            .getAvailabilityZonesOutput(
                { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
                { parent: this },
            )
            .names.apply((names) => {
                if (names.length < azCount) {
                    throw new pulumi.RunError(
                        `network.azCount is ${azCount} but the region has only ${names.length} AZs`,
                    );
                }
                return names.slice(0, azCount);
            });
        const azAt = (i: number) => azs.apply((n) => n[i]);

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { Name: `${name}-vpc` } },
            { parent: this },
        );

        // Adopt the default security group and strip every rule, so nothing can fall back on it.
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: `${name}-default-deny` } },
            { parent: this },
        );

        const igw = new aws.ec2.InternetGateway(
            `${name}-igw`,
            { vpcId: vpc.id, tags: { Name: `${name}-igw` } },
            { parent: this },
        );

        const subnet = (tier: string, i: number, cidr: string) =>
            new aws.ec2.Subnet(
                `${name}-${tier}-${i}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: cidr,
                    availabilityZone: azAt(i),
                    // Never on, even in the public tier: only NAT gateways (with their own EIPs) live there.
                    mapPublicIpOnLaunch: false,
                    tags: { Name: `${name}-${tier}-${i}`, tier },
                },
                { parent: this },
            );
        const associate = (tier: string, i: number, s: aws.ec2.Subnet, rt: aws.ec2.RouteTable) =>
            new aws.ec2.RouteTableAssociation(
                `${name}-${tier}-${i}`,
                { subnetId: s.id, routeTableId: rt.id },
                { parent: this },
            );

        // Public tier: one route table, default route to the internet gateway.
        const publicRt = new aws.ec2.RouteTable(
            `${name}-public`,
            { vpcId: vpc.id, tags: { Name: `${name}-public`, tier: "public" } },
            { parent: this },
        );
        new aws.ec2.Route(
            `${name}-public-internet`,
            { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id },
            { parent: this },
        );
        const publicSubnets = args.subnetCidrs.public.map((cidr, i) => {
            const s = subnet("public", i, cidr);
            associate("public", i, s, publicRt);
            return s;
        });

        // NAT gateways: one per AZ, or a single one in the first AZ.
        const natCount = (args.natGateways ?? "perAz") === "perAz" ? azCount : 1;
        const nats = publicSubnets.slice(0, natCount).map((s, i) => {
            const eip = new aws.ec2.Eip(
                `${name}-nat-${i}`,
                { domain: "vpc", tags: { Name: `${name}-nat-${i}` } },
                { parent: this },
            );
            return new aws.ec2.NatGateway(
                `${name}-nat-${i}`,
                {
                    subnetId: s.id,
                    allocationId: eip.id,
                    connectivityType: "public",
                    tags: { Name: `${name}-nat-${i}` },
                },
                { parent: this, dependsOn: [igw] },
            );
        });

        // Private tier: a route table per AZ, default route to the NAT in the same AZ (or the single NAT).
        const privateRts: aws.ec2.RouteTable[] = [];
        const privateSubnets = args.subnetCidrs.private.map((cidr, i) => {
            const s = subnet("private", i, cidr);
            const rt = new aws.ec2.RouteTable(
                `${name}-private-${i}`,
                { vpcId: vpc.id, tags: { Name: `${name}-private-${i}`, tier: "private" } },
                { parent: this },
            );
            new aws.ec2.Route(
                `${name}-private-${i}-nat`,
                { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id },
                { parent: this },
            );
            associate("private", i, s, rt);
            privateRts.push(rt);
            return s;
        });

        // Isolated tier: a route table with only the local route, so data stores cannot reach or be reached from outside.
        const isolatedRt = new aws.ec2.RouteTable(
            `${name}-isolated`,
            { vpcId: vpc.id, tags: { Name: `${name}-isolated`, tier: "isolated" } },
            { parent: this },
        );
        const isolatedSubnets = args.subnetCidrs.isolated.map((cidr, i) => {
            const s = subnet("isolated", i, cidr);
            associate("isolated", i, s, isolatedRt);
            return s;
        });

        // S3 gateway endpoint: free, keeps image layers and backups off the NAT, reaches S3 from the isolated tier.
        new aws.ec2.VpcEndpoint(
            `${name}-s3`,
            {
                vpcId: vpc.id,
                serviceName: pulumi.interpolate`com.amazonaws.${region}.s3`,
                vpcEndpointType: "Gateway",
                routeTableIds: [...privateRts.map((rt) => rt.id), isolatedRt.id],
                tags: { Name: `${name}-s3` },
            },
            { parent: this },
        );

        const endpoints = args.interfaceEndpoints ?? [];
        if (endpoints.length > 0) {
            const sg = new aws.ec2.SecurityGroup(
                `${name}-endpoints`,
                {
                    vpcId: vpc.id,
                    description: "HTTPS from inside the VPC to interface endpoints",
                    tags: { Name: `${name}-endpoints` },
                },
                { parent: this },
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
                { parent: this },
            );
            for (const service of endpoints) {
                new aws.ec2.VpcEndpoint(
                    `${name}-${service.replace(".", "-")}`,
                    {
                        vpcId: vpc.id,
                        serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
                        vpcEndpointType: "Interface",
                        privateDnsEnabled: true,
                        subnetIds: privateSubnets.map((s) => s.id),
                        securityGroupIds: [sg.id],
                        tags: { Name: `${name}-${service}` },
                    },
                    { parent: this },
                );
            }
            this.endpointSecurityGroupId = sg.id;
        }

        // Flow logs: every accepted and rejected connection, to a CMK-encrypted group with a retention.
        const flowLogGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            {
                namePrefix: `/aws/vpc/${name}-flow-logs-`,
                retentionInDays: args.flowLogRetentionDays ?? 365,
                kmsKeyId: args.kmsKeyArn,
            },
            { parent: this },
        );
        const flowLogRole = new aws.iam.Role(
            `${name}-flow-logs`,
            {
                description: "VPC flow logs delivery to CloudWatch Logs",
                assumeRolePolicy: pulumi.all([identity.accountId, region, partition]).apply(([account, reg, part]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                                Action: "sts:AssumeRole",
                                // Confused-deputy guard: only flow logs of this account may assume the role.
                                Condition: {
                                    StringEquals: { "aws:SourceAccount": account },
                                    ArnLike: { "aws:SourceArn": `arn:${part}:ec2:${reg}:${account}:vpc-flow-log/*` },
                                },
                            },
                        ],
                    }),
                ),
            },
            { parent: this },
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: flowLogRole.id,
                policy: pulumi
                    .all([flowLogGroup.arn, identity.accountId, region, partition])
                    .apply(([arn, account, reg, part]) =>
                        JSON.stringify({
                            Version: "2012-10-17",
                            Statement: [
                                {
                                    Sid: "WriteFlowLogGroup",
                                    Effect: "Allow",
                                    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                    Resource: [arn, `${arn}:*`],
                                },
                                {
                                    // In AWS's documented flow-log role; a list action, so scoped to the account's groups.
                                    Sid: "FindFlowLogGroup",
                                    Effect: "Allow",
                                    Action: "logs:DescribeLogGroups",
                                    Resource: `arn:${part}:logs:${reg}:${account}:log-group:*`,
                                },
                            ],
                        }),
                    ),
            },
            { parent: this },
        );
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "cloud-watch-logs",
                logDestination: flowLogGroup.arn,
                iamRoleArn: flowLogRole.arn,
                maxAggregationInterval: 60,
                tags: { Name: `${name}-flow-log` },
            },
            { parent: this },
        );

        this.vpcId = vpc.id;
        this.vpcCidr = vpc.cidrBlock;
        this.azNames = azs;
        this.publicSubnetIds = publicSubnets.map((s) => s.id);
        this.privateSubnetIds = privateSubnets.map((s) => s.id);
        this.isolatedSubnetIds = isolatedSubnets.map((s) => s.id);
        this.natGatewayIds = nats.map((n) => n.id);
        this.privateRouteTableIds = privateRts.map((rt) => rt.id);
        this.isolatedRouteTableIds = [isolatedRt.id];
        this.flowLogGroupName = flowLogGroup.name;
        this.registerOutputs({
            vpcId: this.vpcId,
            azNames: this.azNames,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            natGatewayIds: this.natGatewayIds,
        });
    }
}
