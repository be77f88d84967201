/**
 * Multi-AZ: subnets, NAT gateways, the database, services and load balancers each span enough availability zones
 * to survive the loss of one.
 */
import type { PolicyResource } from "@pulumi/policy";

import { stackPolicy, type Built, type Later } from "./builders";
import { label, meetsAzMinimum, ResourceGraph, type AzSpread } from "./graph";
import { elasticacheMultiAz } from "./elasticache";
import { settingNumber } from "./helpers";
import { T } from "./tokens";
import { isSet, isUnknown, knownNumber, knownString, peek, readThrough } from "./values";

/** The AZs a set of subnets spans, in words, for a violation message. */
function describeAzs(spread: AzSpread): string {
    const known = [...spread.known].sort();
    const parts = [known.length > 0 ? `AZs ${known.join(", ")}` : "no known AZ"];
    if (spread.unset.length > 0) {
        parts.push(`${spread.unset.length} subnet(s) without an explicit availabilityZone`);
    }
    return parts.join("; ");
}

/** The `minAzCount` setting every Multi-AZ policy shares. */
const minAzCountSchema = {
    type: "integer",
    minimum: 1,
    maximum: 6,
    default: 2,
    description: "Minimum number of distinct availability zones.",
} as const;

/** Reads whichever AZ field of `subnet` is unknown through the proxy (throws the engine's UnknownValueError). */
function readUnknownAz(subnet: PolicyResource): void {
    readThrough(
        subnet.props,
        isUnknown(peek(subnet.props, "availabilityZone")) ? "availabilityZone" : "availabilityZoneId",
    );
}

/**
 * Applies an AZ minimum to a set of subnets: reports "no", and on "undecided" reads an unknown AZ through
 * the proxy so the engine turns it into its advisory instead of the policy passing or failing by guess.
 */
function checkAzMinimum(
    graph: ResourceGraph,
    subnets: PolicyResource[],
    min: number,
    later: Later,
    onShort: (detail: string) => void,
): void {
    const spread = graph.azSpread(subnets);
    const verdict = meetsAzMinimum(spread, min);
    if (verdict === "no") {
        onShort(describeAzs(spread));
    } else if (verdict === "undecided") {
        later(() => readUnknownAz(spread.unknown[0]));
    }
}

const subnetTiersSpanAzs = stackPolicy({
    name: "subnet-tiers-span-azs",
    category: "multi-az",
    severity: "medium",
    summary:
        "In each VPC, the public, private and isolated subnet tiers each span at least minAzCount availability zones.",
    remediation:
        "Create one subnet per tier in each of minAzCount AZs and set availabilityZone explicitly on each aws.ec2.Subnet.",
    types: T.subnet,
    configSchema: { properties: { minAzCount: minAzCountSchema } },
    check: (graph, report, settings, later) => {
        const min = settingNumber(settings, "minAzCount");
        const groups = new Map<string, PolicyResource[]>();
        for (const subnet of graph.ofType(T.subnet)) {
            const vpc = graph.via(subnet, "vpcId", T.vpc)[0];
            const key = `${vpc ? label(vpc) : "VPC outside this stack"}|${graph.tierOf(subnet)}`;
            groups.set(key, [...(groups.get(key) ?? []), subnet]);
        }
        for (const [key, subnets] of groups) {
            const [vpc, tier] = key.split("|");
            checkAzMinimum(graph, subnets, min, later, (detail) =>
                report(`The ${tier} subnets of ${vpc} span fewer than ${min} AZs (${detail}).`),
            );
        }
    },
});

const natGatewayPerAz = stackPolicy({
    name: "nat-gateway-per-az",
    category: "multi-az",
    severity: "medium",
    summary:
        "Every AZ that hosts private subnets hosts a NAT gateway, and each private subnet routes through the NAT gateway in its own AZ.",
    remediation:
        "Create one aws.ec2.NatGateway per AZ (in that AZ's public subnet) and give each AZ's private subnets a route table whose 0.0.0.0/0 route targets that NAT gateway.",
    types: [...T.subnet, ...T.natGateway],
    check: (graph, report, _settings, later) => {
        const natAzs = new Set<string>();
        for (const nat of graph.ofType(T.natGateway)) {
            const az = graph.azOfNatGateway(nat);
            if (az.state === "known") {
                natAzs.add(az.az);
            }
        }
        const missingAzs = new Map<string, string[]>();
        for (const subnet of graph.ofType(T.subnet)) {
            if (graph.tierOf(subnet) !== "private") {
                continue;
            }
            const az = graph.azOfSubnet(subnet);
            if (az.state === "unknown") {
                later(() => readUnknownAz(subnet));
                continue;
            }
            if (az.state !== "known") {
                report(
                    `Private ${label(subnet)} has no explicit availabilityZone, so its NAT placement cannot be checked.`,
                    subnet.urn,
                );
                continue;
            }
            if (!natAzs.has(az.az)) {
                missingAzs.set(az.az, [...(missingAzs.get(az.az) ?? []), subnet.name]);
                continue;
            }
            const natZones = graph.natGatewaysOf(subnet).map((n) => graph.azOfNatGateway(n));
            if (natZones.some((z) => z.state === "unknown")) {
                continue; // The NAT's subnet AZ is unknown; the per-AZ check above already passed.
            }
            if (!natZones.some((z) => z.state === "known" && z.az === az.az)) {
                const others = natZones.map((z) => (z.state === "known" ? z.az : "?")).join(", ");
                report(
                    `Private ${label(subnet)} in ${az.az} routes through a NAT gateway in ${others}, not its own AZ.`,
                    subnet.urn,
                );
            }
        }
        for (const [az, subnets] of missingAzs) {
            report(`AZ ${az} hosts private subnet(s) ${subnets.join(", ")} but no NAT gateway.`);
        }
    },
});

const auroraMultiAz = stackPolicy({
    name: "aurora-multi-az",
    category: "multi-az",
    severity: "medium",
    summary:
        "Each Aurora cluster has at least minInstances instances, is not pinned to one AZ, and its subnet group spans at least minAzCount AZs.",
    remediation:
        "Add a reader aws.rds.ClusterInstance (clusterIdentifier: cluster.id), leave instance availabilityZone unset or spread it, list ≥ 2 availabilityZones on the cluster if any, and build the subnet group from subnets in minAzCount AZs.",
    types: [...T.rdsCluster, ...T.rdsClusterInstance, ...T.rdsSubnetGroup],
    awsConfig: ["RDS_CLUSTER_MULTI_AZ_ENABLED"],
    configSchema: {
        properties: {
            minInstances: {
                type: "integer",
                minimum: 1,
                default: 2,
                description: "Minimum number of instances (writer + readers) per cluster.",
            },
            minAzCount: minAzCountSchema,
        },
    },
    check: (graph, report, settings, later) => {
        const minInstances = settingNumber(settings, "minInstances");
        const minAz = settingNumber(settings, "minAzCount");
        for (const cluster of graph.ofType(T.rdsCluster)) {
            if (peek(cluster.props, "engineMode") === "serverless") {
                continue; // Serverless v1 has no instances to spread.
            }
            const instances = graph.referrers(cluster, T.rdsClusterInstance, "clusterIdentifier");
            if (instances.length < minInstances) {
                report(
                    `${label(cluster)} has ${instances.length} instance(s); at least ${minInstances} are required for failover.`,
                    cluster.urn,
                );
            }
            const zones = peek(cluster.props, "availabilityZones");
            if (isUnknown(zones)) {
                later(() => readThrough(cluster.props, "availabilityZones"));
            } else if (Array.isArray(zones) && !zones.some(isUnknown) && new Set(zones).size < 2) {
                report(
                    `${label(cluster)} pins availabilityZones to ${zones.length === 0 ? "nothing" : zones.join(", ")}.`,
                    cluster.urn,
                );
            }
            // Only when every instance names its AZ can they all be pinned to one; unset means AWS spreads them.
            const placed = instances.map((i) => peek(i.props, "availabilityZone"));
            if (instances.length >= 2 && placed.every((z) => z !== undefined && z !== null)) {
                const known = new Set(placed.filter((z) => !isUnknown(z)));
                const unknownAt = placed.findIndex(isUnknown);
                if (known.size < 2 && unknownAt >= 0) {
                    later(() => readThrough(instances[unknownAt].props, "availabilityZone"));
                } else if (known.size === 1) {
                    report(`All instances of ${label(cluster)} are placed in ${String(placed[0])}.`, cluster.urn);
                }
            }
            const groups = graph.via(cluster, "dbSubnetGroupName", T.rdsSubnetGroup);
            if (groups.length === 0) {
                report(
                    isSet(cluster.props, "dbSubnetGroupName")
                        ? `${label(cluster)}: dbSubnetGroupName does not come from a SubnetGroup in this stack, so its AZ spread cannot be verified.`
                        : `${label(cluster)} has no dbSubnetGroupName and would land in the default VPC.`,
                    cluster.urn,
                );
                continue;
            }
            for (const group of groups) {
                checkAzMinimum(graph, graph.via(group, "subnetIds", T.subnet), minAz, later, (detail) =>
                    report(
                        `${label(group)} of ${label(cluster)} spans fewer than ${minAz} AZs (${detail}).`,
                        group.urn,
                    ),
                );
            }
        }
    },
});

const ecsServiceMultiAz = stackPolicy({
    name: "ecs-service-multi-az",
    category: "multi-az",
    severity: "medium",
    summary:
        "ECS services run at least minTasks tasks (desiredCount and autoscaling minCapacity) in subnets spanning at least minAzCount AZs.",
    remediation:
        "Set desiredCount ≥ minTasks, the aws.appautoscaling.Target's minCapacity ≥ minTasks (resourceId built from the service), and pass private subnets from minAzCount AZs.",
    types: [...T.ecsService, ...T.autoscalingTarget, ...T.subnet],
    configSchema: {
        properties: {
            minTasks: { type: "integer", minimum: 1, default: 2, description: "Minimum running tasks per service." },
            minAzCount: minAzCountSchema,
        },
    },
    check: (graph, report, settings, later) => {
        const minTasks = settingNumber(settings, "minTasks");
        const minAz = settingNumber(settings, "minAzCount");
        for (const service of graph.ofType(T.ecsService)) {
            if (peek(service.props, "schedulingStrategy") === "DAEMON") {
                continue;
            }
            const desired = peek(service.props, "desiredCount");
            const desiredCount = knownNumber(service.props, "desiredCount") ?? 0;
            if (isUnknown(desired)) {
                later(() => readThrough(service.props, "desiredCount"));
            } else if (desiredCount < minTasks) {
                report(
                    `${label(service)} has desiredCount ${desired === undefined ? "unset (0)" : desiredCount}; at least ${minTasks} are required.`,
                    service.urn,
                );
            }
            const serviceName = knownString(service.props, "name");
            const targets = graph.ofType(T.autoscalingTarget).filter((t) => {
                if ((t.propertyDependencies["resourceId"] ?? []).includes(service)) {
                    return true;
                }
                const id = knownString(t.props, "resourceId");
                return (
                    serviceName !== undefined &&
                    id !== undefined &&
                    id.startsWith("service/") &&
                    id.endsWith(`/${serviceName}`)
                );
            });
            for (const target of targets) {
                const min = peek(target.props, "minCapacity");
                if (isUnknown(min)) {
                    later(() => readThrough(target.props, "minCapacity"));
                } else if ((knownNumber(target.props, "minCapacity") ?? 0) < minTasks) {
                    report(
                        `${label(target)} lets ${label(service)} scale in to ${String(min)} task(s); minCapacity must be ≥ ${minTasks}.`,
                        target.urn,
                    );
                }
            }
            const subnets = graph.via(service, "networkConfiguration", T.subnet);
            // Without resolvable subnets ecs-service-private-subnets already reports the service.
            if (subnets.length > 0) {
                checkAzMinimum(graph, subnets, minAz, later, (detail) =>
                    report(`${label(service)}'s subnets span fewer than ${minAz} AZs (${detail}).`, service.urn),
                );
            }
        }
    },
});

const loadBalancerMultiAz = stackPolicy({
    name: "load-balancer-multi-az",
    category: "multi-az",
    severity: "medium",
    summary: "Load balancers are placed in subnets spanning at least minAzCount availability zones.",
    remediation:
        "Pass one subnet per AZ (minAzCount AZs) of this stack to the load balancer's subnets or subnetMappings.",
    types: [...T.loadBalancer, ...T.subnet],
    awsConfig: ["ELBV2_MULTIPLE_AZ"],
    configSchema: { properties: { minAzCount: minAzCountSchema } },
    check: (graph, report, settings, later) => {
        const minAz = settingNumber(settings, "minAzCount");
        for (const lb of graph.ofType(T.loadBalancer)) {
            const subnets = [...graph.via(lb, "subnets", T.subnet), ...graph.via(lb, "subnetMappings", T.subnet)];
            if (subnets.length === 0) {
                report(
                    `${label(lb)}: subnets do not come from aws.ec2.Subnet resources in this stack, so its AZ spread cannot be verified.`,
                    lb.urn,
                );
                continue;
            }
            checkAzMinimum(graph, subnets, minAz, later, (detail) =>
                report(`${label(lb)} spans fewer than ${minAz} AZs (${detail}).`, lb.urn),
            );
        }
    },
});

/** The multi-AZ policies, in catalog order. */
export const multiAz: Built[] = [
    subnetTiersSpanAzs,
    natGatewayPerAz,
    auroraMultiAz,
    ecsServiceMultiAz,
    loadBalancerMultiAz,
    elasticacheMultiAz,
];
