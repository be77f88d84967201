/**
 * The three subnet tiers of a Network, one subnet per AZ in each, with their route tables: public (default
 * route to the internet gateway, NAT gateways), private (default route to a NAT gateway) and isolated (local
 * route only).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { NetworkScope } from "./scope";

export interface Tiers {
    publicSubnets: aws.ec2.Subnet[];
    privateSubnets: aws.ec2.Subnet[];
    isolatedSubnets: aws.ec2.Subnet[];
    nats: aws.ec2.NatGateway[];
    privateRouteTables: aws.ec2.RouteTable[];
    /** The private tier's default routes to NAT: until they exist, tasks there reach nothing outside the VPC. */
    privateNatRoutes: aws.ec2.Route[];
    /**
     * The private subnets' associations with their route tables: until one exists, its subnet uses the VPC's main
     * route table, which has neither the NAT route nor the S3 gateway endpoint.
     */
    privateAssociations: aws.ec2.RouteTableAssociation[];
    isolatedRouteTable: aws.ec2.RouteTable;
}

/** Where the tiers go: the VPC, its internet gateway and the name of the i-th AZ. */
export interface TierBase {
    vpc: aws.ec2.Vpc;
    igw: aws.ec2.InternetGateway;
    azAt: (i: number) => pulumi.Output<string>;
}

export function createTiers(scope: NetworkScope, base: TierBase): Tiers {
    const publicSubnets = createPublicTier(scope, base);
    const nats = createNatGateways(scope, base, publicSubnets);
    const private_ = createPrivateTier(scope, base, nats);
    const { subnets: isolatedSubnets, routeTable: isolatedRouteTable } = createIsolatedTier(scope, base);
    return {
        publicSubnets,
        privateSubnets: private_.subnets,
        isolatedSubnets,
        nats,
        privateRouteTables: private_.routeTables,
        privateNatRoutes: private_.natRoutes,
        privateAssociations: private_.associations,
        isolatedRouteTable,
    };
}

function subnet(scope: NetworkScope, base: TierBase, tier: string, i: number, cidr: string): aws.ec2.Subnet {
    const name = scope.name;
    return new aws.ec2.Subnet(
        `${name}-${tier}-${i}`,
        {
            vpcId: base.vpc.id,
            cidrBlock: cidr,
            availabilityZone: base.azAt(i),
            // Never on, even in the public tier: only NAT gateways (with their own EIPs) live there.
            mapPublicIpOnLaunch: false,
            // A subnet's CIDR and AZ cannot change in place: a new computed plan (azCount, prefix lengths) replaces
            // subnets. Explicit subnetCidrs keep existing subnets and add new ones.
            tags: { Name: `${name}-${tier}-${i}`, tier },
        },
        { parent: scope.parent },
    );
}

function associate(
    scope: NetworkScope,
    tier: string,
    i: number,
    s: aws.ec2.Subnet,
    rt: aws.ec2.RouteTable,
): aws.ec2.RouteTableAssociation {
    return new aws.ec2.RouteTableAssociation(
        `${scope.name}-${tier}-${i}`,
        { subnetId: s.id, routeTableId: rt.id },
        { parent: scope.parent },
    );
}

/** Public tier: one route table, default route to the internet gateway. */
function createPublicTier(scope: NetworkScope, base: TierBase): aws.ec2.Subnet[] {
    const { parent, name, args } = scope;
    const publicRt = new aws.ec2.RouteTable(
        `${name}-public`,
        { vpcId: base.vpc.id, tags: { Name: `${name}-public`, tier: "public" } },
        { parent },
    );
    new aws.ec2.Route(
        `${name}-public-internet`,
        { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: base.igw.id },
        { parent },
    );
    return args.subnetCidrs.public.map((cidr, i) => {
        const s = subnet(scope, base, "public", i, cidr);
        associate(scope, "public", i, s, publicRt);
        return s;
    });
}

/** NAT gateways: one per AZ, or a single one in the first AZ. */
function createNatGateways(scope: NetworkScope, base: TierBase, publicSubnets: aws.ec2.Subnet[]): aws.ec2.NatGateway[] {
    const { parent, name } = scope;
    return publicSubnets.slice(0, natCount(scope)).map((s, i) => {
        const eip = new aws.ec2.Eip(
            `${name}-nat-${i}`,
            { domain: "vpc", tags: { Name: `${name}-nat-${i}` } },
            { parent },
        );
        return new aws.ec2.NatGateway(
            `${name}-nat-${i}`,
            {
                subnetId: s.id,
                allocationId: eip.id,
                connectivityType: "public",
                tags: { Name: `${name}-nat-${i}` },
            },
            { parent, dependsOn: [base.igw] },
        );
    });
}

function natCount(scope: NetworkScope): number {
    return (scope.args.natGateways ?? "perAz") === "perAz" ? (scope.args.azCount ?? 3) : 1;
}

/** Private tier: a route table per AZ, default route to the NAT in the same AZ (or the single NAT). */
function createPrivateTier(
    scope: NetworkScope,
    base: TierBase,
    nats: aws.ec2.NatGateway[],
): {
    subnets: aws.ec2.Subnet[];
    routeTables: aws.ec2.RouteTable[];
    natRoutes: aws.ec2.Route[];
    associations: aws.ec2.RouteTableAssociation[];
} {
    const { parent, name, args } = scope;
    const routeTables: aws.ec2.RouteTable[] = [];
    const natRoutes: aws.ec2.Route[] = [];
    const associations: aws.ec2.RouteTableAssociation[] = [];
    const subnets = args.subnetCidrs.private.map((cidr, i) => {
        const s = subnet(scope, base, "private", i, cidr);
        const rt = new aws.ec2.RouteTable(
            `${name}-private-${i}`,
            { vpcId: base.vpc.id, tags: { Name: `${name}-private-${i}`, tier: "private" } },
            { parent },
        );
        natRoutes.push(
            new aws.ec2.Route(
                `${name}-private-${i}-nat`,
                { routeTableId: rt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nats[i % nats.length].id },
                { parent },
            ),
        );
        associations.push(associate(scope, "private", i, s, rt));
        routeTables.push(rt);
        return s;
    });
    return { subnets, routeTables, natRoutes, associations };
}

/** Isolated tier: a route table with only the local route, so data stores cannot reach or be reached from outside. */
function createIsolatedTier(
    scope: NetworkScope,
    base: TierBase,
): { subnets: aws.ec2.Subnet[]; routeTable: aws.ec2.RouteTable } {
    const { parent, name, args } = scope;
    const routeTable = new aws.ec2.RouteTable(
        `${name}-isolated`,
        { vpcId: base.vpc.id, tags: { Name: `${name}-isolated`, tier: "isolated" } },
        { parent },
    );
    const subnets = args.subnetCidrs.isolated.map((cidr, i) => {
        const s = subnet(scope, base, "isolated", i, cidr);
        associate(scope, "isolated", i, s, routeTable);
        return s;
    });
    return { subnets, routeTable };
}
