import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createEndpoints } from "./network/endpoints";
import { createFlowLogs } from "./network/flowLogs";
import type { NetworkScope } from "./network/scope";
import { createTiers } from "./network/tiers";

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
 *
 * The parts live in components/network/: tiers.ts (subnets, route tables, NAT gateways), endpoints.ts (S3
 * gateway and interface endpoints), flowLogs.ts. Every resource is a direct child of this component.
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
    /** The prefix list of S3 in the region, which the S3 gateway endpoint routes from the private tier. */
    public readonly s3PrefixListId: pulumi.Output<string>;
    /**
     * What the private tier needs before anything there can reach AWS or the internet: the subnets' associations
     * with their route tables (until then a subnet uses the main route table, which leads nowhere), their default
     * routes to NAT, the S3 gateway endpoint, the interface endpoints and the rule that admits HTTPS to them. A
     * workload that pulls images or reads secrets at start (ECS services) depends on these, or its first tasks can
     * start before the path exists and fail.
     */
    public readonly privateEgress: pulumi.Resource[];

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:Network", name, {}, opts);
        const azCount = args.azCount ?? 3;
        for (const tier of ["public", "private", "isolated"] as const) {
            if (args.subnetCidrs[tier].length !== azCount) {
                throw new pulumi.RunError(
                    `Network ${name}: ${args.subnetCidrs[tier].length} ${tier} CIDRs for ${azCount} AZs`,
                );
            }
        }
        const scope: NetworkScope = { parent: this, name, args };
        const region = aws.getRegionOutput({}, { parent: this }).region;
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

        const tiers = createTiers(scope, { vpc, igw, azAt: (i) => azs.apply((n) => n[i]) });
        const endpoints = createEndpoints(scope, {
            vpc,
            region,
            routeTables: tiers.privateRouteTables,
            subnets: tiers.privateSubnets,
        });
        const flowLogGroup = createFlowLogs(scope, vpc, region);

        this.vpcId = vpc.id;
        this.vpcCidr = vpc.cidrBlock;
        this.azNames = azs;
        this.publicSubnetIds = tiers.publicSubnets.map((s) => s.id);
        this.privateSubnetIds = tiers.privateSubnets.map((s) => s.id);
        this.isolatedSubnetIds = tiers.isolatedSubnets.map((s) => s.id);
        this.natGatewayIds = tiers.nats.map((n) => n.id);
        this.privateRouteTableIds = tiers.privateRouteTables.map((rt) => rt.id);
        this.isolatedRouteTableIds = [tiers.isolatedRouteTable.id];
        this.endpointSecurityGroupId = endpoints.securityGroup?.id;
        this.s3PrefixListId = endpoints.s3.prefixListId;
        this.privateEgress = [
            ...tiers.privateAssociations,
            ...tiers.privateNatRoutes,
            ...endpoints.endpoints,
            ...(endpoints.endpointAccess ?? []),
        ];
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
