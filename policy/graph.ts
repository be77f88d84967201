/**
 * Structural queries over a stack's resources for stack policies.
 *
 * Everything here follows `propertyDependencies` (which input came from which resource) instead of comparing
 * ids, because at preview the ids of resources created in the same update are unknown. Property values are
 * only ever peeked (see values.ts), so these helpers never throw on an unknown.
 */
import type { PolicyResource } from "@pulumi/policy";

import { T, type TypeGroup } from "./tokens";
import { isUnknown, knownArray, knownString, peek } from "./values";

/** Network tier of a subnet, decided by where its route table sends traffic. */
export type SubnetTier = "public" | "private" | "isolated";

/** The availability zone of a subnet or NAT gateway as far as it is known at this point. */
export type AzInfo = { state: "known"; az: string } | { state: "unknown" } | { state: "unset" };

interface Egress {
    internetGateway: boolean;
    natGateways: PolicyResource[];
}

/** An index over the stack's resources with the relations the pack's stack policies need. */
export class ResourceGraph {
    private readonly byType = new Map<string, PolicyResource[]>();
    private readonly tierCache = new Map<string, SubnetTier>();
    private readonly egressCache = new Map<string, Egress>();

    constructor(readonly resources: readonly PolicyResource[]) {
        for (const r of resources) {
            const list = this.byType.get(r.type) ?? [];
            list.push(r);
            this.byType.set(r.type, list);
        }
    }

    /** All resources whose type is in `types`. */
    ofType(types: TypeGroup): PolicyResource[] {
        return types.flatMap((t) => this.byType.get(t) ?? []);
    }

    /** The resources of `types` that `r`'s input `prop` was computed from (deduplicated). */
    via(r: PolicyResource, prop: string, types: TypeGroup): PolicyResource[] {
        const deps = r.propertyDependencies[prop] ?? [];
        return unique(deps.filter((d) => types.includes(d.type)));
    }

    /** The resources of `types` whose input `prop` was computed from `target`. */
    referrers(target: PolicyResource, types: TypeGroup, prop: string): PolicyResource[] {
        return this.ofType(types).filter((r) => (r.propertyDependencies[prop] ?? []).includes(target));
    }

    /** The resources of `types` that reference `target` through any of `props`. */
    referrersVia(target: PolicyResource, types: TypeGroup, props: readonly string[]): PolicyResource[] {
        return unique(props.flatMap((p) => this.referrers(target, types, p)));
    }

    /**
     * The route tables that decide a subnet's traffic: its explicit associations, else the VPC's main route
     * table (a `MainRouteTableAssociation` or the adopted `DefaultRouteTable`).
     */
    routeTablesOf(subnet: PolicyResource): PolicyResource[] {
        const associations = this.referrers(subnet, T.routeTableAssociation, "subnetId");
        const explicit = unique(associations.flatMap((a) => this.via(a, "routeTableId", T.routeTable)));
        if (explicit.length > 0) {
            return explicit;
        }
        const vpcs = this.via(subnet, "vpcId", T.vpc);
        return unique(
            vpcs.flatMap((vpc) => [
                ...this.referrers(vpc, T.mainRouteTableAssociation, "vpcId").flatMap((m) =>
                    this.via(m, "routeTableId", T.routeTable),
                ),
                ...this.referrers(vpc, T.defaultRouteTable, "defaultRouteTableId"),
            ]),
        );
    }

    /** Where a route table sends traffic: to an internet gateway, and/or to which NAT gateways. */
    egressOf(routeTable: PolicyResource): Egress {
        const cached = this.egressCache.get(routeTable.urn);
        if (cached) {
            return cached;
        }
        const routes = this.referrers(routeTable, T.route, "routeTableId");
        const inline = knownArray(routeTable.props, "routes") ?? [];
        const internetGateway =
            routes.some((r) => this.via(r, "gatewayId", T.internetGateway).length > 0) ||
            this.via(routeTable, "routes", T.internetGateway).length > 0 ||
            // A literal igw- id (imported or looked-up gateway) is as telling as a dependency.
            routes.some((r) => isIgwId(peek(r.props, "gatewayId"))) ||
            inline.some((r) => isIgwId(peek(r, "gatewayId")));
        const natGateways = unique([
            ...routes.flatMap((r) => this.via(r, "natGatewayId", T.natGateway)),
            ...this.via(routeTable, "routes", T.natGateway),
        ]);
        const egress = { internetGateway, natGateways };
        this.egressCache.set(routeTable.urn, egress);
        return egress;
    }

    /** public: maps public IPs or routes to an internet gateway; private: routes to a NAT; else isolated. */
    tierOf(subnet: PolicyResource): SubnetTier {
        const cached = this.tierCache.get(subnet.urn);
        if (cached) {
            return cached;
        }
        const egress = this.routeTablesOf(subnet).map((rt) => this.egressOf(rt));
        let tier: SubnetTier = "isolated";
        if (peek(subnet.props, "mapPublicIpOnLaunch") === true || egress.some((e) => e.internetGateway)) {
            tier = "public";
        } else if (egress.some((e) => e.natGateways.length > 0)) {
            tier = "private";
        }
        this.tierCache.set(subnet.urn, tier);
        return tier;
    }

    /** The NAT gateways a subnet's route tables send traffic to. */
    natGatewaysOf(subnet: PolicyResource): PolicyResource[] {
        return unique(this.routeTablesOf(subnet).flatMap((rt) => this.egressOf(rt).natGateways));
    }

    /** The AZ of a subnet (`availabilityZone`, else `availabilityZoneId`). */
    azOfSubnet(subnet: PolicyResource): AzInfo {
        for (const key of ["availabilityZone", "availabilityZoneId"]) {
            const raw = peek(subnet.props, key);
            if (isUnknown(raw)) {
                return { state: "unknown" };
            }
            const az = knownString(subnet.props, key);
            if (az) {
                return { state: "known", az };
            }
        }
        return { state: "unset" };
    }

    /** The AZ of a NAT gateway: the AZ of the subnet it sits in. */
    azOfNatGateway(nat: PolicyResource): AzInfo {
        const subnets = this.via(nat, "subnetId", T.subnet);
        return subnets.length > 0 ? this.azOfSubnet(subnets[0]) : { state: "unset" };
    }

    /** Distinct known AZs of `subnets`, and those whose AZ is unknown or unset. */
    azSpread(subnets: readonly PolicyResource[]): AzSpread {
        const known = new Set<string>();
        const unknown: PolicyResource[] = [];
        const unset: PolicyResource[] = [];
        for (const s of subnets) {
            const az = this.azOfSubnet(s);
            if (az.state === "known") {
                known.add(az.az);
            } else if (az.state === "unknown") {
                unknown.push(s);
            } else {
                unset.push(s);
            }
        }
        return { known, unknown, unset };
    }
}

/** Result of {@link ResourceGraph.azSpread}. */
export interface AzSpread {
    known: Set<string>;
    unknown: PolicyResource[];
    unset: PolicyResource[];
}

/**
 * Decides whether a spread reaches `min` distinct AZs: "yes", "no", or "undecided" when only the unknown AZs
 * could still make up the difference (the caller then reads one through the proxy to get the engine's advisory).
 */
export function meetsAzMinimum(spread: AzSpread, min: number): "yes" | "no" | "undecided" {
    if (spread.known.size >= min) {
        return "yes";
    }
    return spread.known.size + spread.unknown.length >= min ? "undecided" : "no";
}

/** A short human label for a resource in messages. */
export function label(r: PolicyResource): string {
    return `${r.type.split(":").pop()} '${r.name}'`;
}

function unique<T>(items: readonly T[]): T[] {
    return [...new Set(items)];
}

function isIgwId(v: unknown): boolean {
    return typeof v === "string" && v.startsWith("igw-");
}
