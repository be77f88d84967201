/** NAT gateways, public IPv4 addresses, interface endpoints and load balancers. */
import { CostContext, PlanResource, input, list, str } from "../model";

export type Pricer = (r: PlanResource, ctx: CostContext) => void;

export const natGateway: Pricer = (r, ctx) => {
    const hours = ctx.a("hoursPerMonth");
    ctx.charge(r, {
        item: "NAT gateway hours",
        quantity: hours,
        unit: "hours",
        priceKey: "natGateway.hour",
        assumptions: ["hoursPerMonth"],
    });
    ctx.charge(r, {
        item: "NAT data processed",
        quantity: ctx.a("natGbPerGateway"),
        unit: "GB",
        priceKey: "natGateway.gb",
        assumptions: ["natGbPerGateway"],
    });
};

/** Every public IPv4 address is billed by the hour since February 2024, attached or not. */
export const elasticIp: Pricer = (r, ctx) => {
    const users = ctx.dependents(r, "aws:ec2/natGateway:NatGateway");
    ctx.charge(r, {
        item: "public IPv4 address hours",
        quantity: ctx.a("hoursPerMonth"),
        unit: "address-hours",
        priceKey: "publicIpv4.hour",
        assumptions: ["hoursPerMonth"],
        note: users.length > 0 ? `used by ${users.map((u) => u.name).join(", ")}` : "not attached to a NAT gateway",
    });
};

/** Interface endpoints bill per AZ (one network interface per subnet) and per GB; gateway endpoints are free. */
export const vpcEndpoint: Pricer = (r, ctx) => {
    const type = str(input(r, "vpcEndpointType")) ?? "Gateway";
    if (type === "Gateway") return;
    if (type !== "Interface") {
        ctx.skip(r, `${type} endpoints are not in the price files`);
        return;
    }
    const azs = list(input(r, "subnetIds")).length;
    const service = (str(input(r, "serviceName")) ?? r.name).split(".").slice(3).join(".") || r.name;
    ctx.charge(r, {
        item: `interface endpoint ${service}: ${azs} AZ × hours`,
        quantity: azs * ctx.a("hoursPerMonth"),
        unit: "endpoint-AZ-hours",
        priceKey: "vpcEndpoint.interfaceAzHour",
        assumptions: ["hoursPerMonth"],
    });
    ctx.charge(r, {
        item: `interface endpoint ${service}: data processed`,
        quantity: ctx.a("interfaceEndpointGbPerEndpoint"),
        unit: "GB",
        priceKey: "vpcEndpoint.gb",
        assumptions: ["interfaceEndpointGbPerEndpoint"],
    });
};

export const loadBalancer: Pricer = (r, ctx) => {
    const kind = str(input(r, "loadBalancerType")) ?? "application";
    if (kind !== "application") {
        ctx.skip(r, `${kind} load balancers are not in the price files`);
        return;
    }
    ctx.charge(r, {
        item: "load balancer hours",
        quantity: ctx.a("hoursPerMonth"),
        unit: "hours",
        priceKey: "alb.hour",
        assumptions: ["hoursPerMonth"],
    });
    ctx.charge(r, {
        item: "load balancer capacity units",
        quantity: ctx.a("albAverageLcu") * ctx.a("hoursPerMonth"),
        unit: "LCU-hours",
        priceKey: "alb.lcuHour",
        assumptions: ["albAverageLcu", "hoursPerMonth"],
    });
    // An internet-facing load balancer holds a public IPv4 address per AZ; an internal one holds none.
    if (input(r, "internal") !== true) {
        const azs = Math.max(list(input(r, "subnets")).length, list(input(r, "subnetMappings")).length);
        ctx.charge(r, {
            item: `public IPv4 addresses: ${azs} AZ × hours`,
            quantity: azs * ctx.a("hoursPerMonth"),
            unit: "address-hours",
            priceKey: "publicIpv4.hour",
            assumptions: ["hoursPerMonth"],
        });
    }
};
