/**
 * The config keys that lower each kind of line, for the cost page's "what lowers it". Keys are paths under the
 * project namespace; `<app>` stands for a service name. A test checks every key against the settings schemas, so
 * a renamed setting cannot leave a stale lever behind.
 */
import { CostEstimate } from "./model";

export const LEVERS: Record<string, { keys: string[]; how: string }> = {
    "aws:ec2/natGateway:NatGateway": {
        keys: ["network.natGateways", "network.azCount"],
        how: "one NAT gateway (`single`) instead of one per AZ, or fewer AZs",
    },
    "aws:ec2/eip:Eip": {
        keys: ["network.natGateways"],
        how: "each NAT gateway holds a public IPv4 address",
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        keys: ["network.interfaceEndpoints", "network.azCount"],
        how: "fewer interface endpoints (their traffic then goes through NAT), or fewer AZs",
    },
    "aws:rds/clusterInstance:ClusterInstance": {
        keys: [
            "database.instanceClass",
            "database.readers",
            "database.readerAutoscaling.minReaders",
            "database.serverless.minCapacity",
            "database.performanceInsightsRetentionDays",
        ],
        how: "a smaller class or db.serverless, fewer readers, 7 days of Performance Insights",
    },
    "aws:rds/cluster:Cluster": {
        keys: ["database.backupRetentionDays", "database.storageType"],
        how: "shorter backup retention; I/O-Optimized only pays off with heavy I/O",
    },
    "aws:ecs/service:Service": {
        keys: [
            "services.apps.<app>.cpu",
            "services.apps.<app>.memory",
            "services.apps.<app>.desiredCount",
            "services.apps.<app>.autoscaling.minCount",
            "services.apps.<app>.capacity.fargateSpot",
            "services.apps.<app>.architecture",
        ],
        how: "smaller or fewer tasks, Spot capacity, Graviton",
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        keys: [
            "network.flowLogRetentionDays",
            "services.apps.<app>.logRetentionDays",
            "services.cluster.insightsLogRetentionDays",
            "database.logRetentionDays",
        ],
        how: "shorter retention (ingestion depends on the workload, not on config)",
    },
    "aws:ecs/cluster:Cluster": {
        keys: ["services.cluster.containerInsights"],
        how: "`enabled` instead of `enhanced` Container Insights",
    },
    "aws:secretsmanager/secret:Secret": {
        keys: ["secrets.appSecrets"],
        how: "fewer application secrets",
    },
};

/** A stack already down to one NAT gateway has no setting left that removes it: private subnets need egress. */
function leverOf(type: string, estimate: CostEstimate): { keys: string[]; how: string } {
    const nats = new Set(estimate.lines.filter((l) => l.type === type).map((l) => l.urn)).size;
    if (type === "aws:ec2/natGateway:NatGateway" && nats === 1) {
        return { keys: [], how: "already a single NAT gateway; the private tier needs one for egress" };
    }
    return { keys: LEVERS[type]?.keys ?? [], how: LEVERS[type]?.how ?? "no config setting changes it" };
}

export interface Dominant {
    type: string;
    monthly: number;
    share: number;
    lines: number;
    keys: string[];
    how: string;
}

/** The resource types that make up most of an estimate, largest first, with the config that lowers each. */
export function dominantTypes(estimate: CostEstimate, count = 4): Dominant[] {
    const byType = new Map<string, { monthly: number; lines: number }>();
    for (const l of estimate.lines) {
        const t = byType.get(l.type) ?? { monthly: 0, lines: 0 };
        t.monthly += l.monthly;
        t.lines += 1;
        byType.set(l.type, t);
    }
    return [...byType.entries()]
        .sort((a, b) => b[1].monthly - a[1].monthly || a[0].localeCompare(b[0]))
        .slice(0, count)
        .map(([type, t]) => ({
            type,
            ...leverOf(type, estimate),
            monthly: Math.round(t.monthly * 100) / 100,
            share: estimate.total > 0 ? t.monthly / estimate.total : 0,
            lines: t.lines,
        }));
}
