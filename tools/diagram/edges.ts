/**
 * The edges of the diagram, each from property dependencies the plan recorded: the request path (viewer →
 * distribution → origins → load balancer → target groups → services → data stores through security-group rules),
 * secrets and keys, the monitoring path (alarms → topics → subscriptions) and the private subnets' way out.
 */
import { PlanResource } from "../cost/model";
import { ModelParts, SUBNET, addEdge, addNode, inputOf } from "./model";

const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = [
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
];
/** Nodes whose key is worth an edge: the data at rest; instances, repositories and the like would only add noise. */
const ENCRYPTED_KINDS = new Set(["secret", "db", "cache", "bucket", "topic", "logs"]);
const DATA_STORES = ["aws:rds/cluster:Cluster", "aws:elasticache/replicationGroup:ReplicationGroup"];

function node(parts: ModelParts, r: PlanResource | undefined): string | undefined {
    return r ? parts.nodeOf.get(r.urn) : undefined;
}

function requestPath(parts: ModelParts): void {
    const { g } = parts;
    const distributions = g.ofType("aws:cloudfront/distribution:Distribution");
    const entry =
        distributions.length > 0
            ? distributions
            : g.ofType("aws:lb/loadBalancer:LoadBalancer").filter((lb) => inputOf(lb, "internal") !== true);
    if (entry.length > 0) {
        addNode(parts, { id: "viewer", label: "viewer", kind: "viewer", group: null, urns: [] });
        for (const e of entry) addEdge(parts, "viewer", node(parts, e), "request", "HTTPS");
    }
    for (const d of distributions) {
        for (const origin of g.deps(d, "origins"))
            addEdge(parts, node(parts, d), node(parts, origin), "request", "origin");
        for (const acl of g.deps(d, "webAclId")) addEdge(parts, node(parts, acl), node(parts, d), "request", "filters");
        for (const cert of g.deps(d, "viewerCertificate"))
            addEdge(parts, node(parts, d), node(parts, cert), "key", "TLS");
    }
    for (const record of g.ofType("aws:route53/record:Record")) {
        for (const target of g.deps(record, "aliases"))
            addEdge(parts, node(parts, record), node(parts, target), "request", "alias");
    }
    for (const origin of g.ofType("aws:cloudfront/vpcOrigin:VpcOrigin")) {
        for (const lb of g.deps(origin, "vpcOriginEndpointConfig"))
            addEdge(parts, node(parts, origin), node(parts, lb), "request");
    }
    for (const listener of g.ofType("aws:lb/listener:Listener")) {
        const lb = g.deps(listener, "loadBalancerArn")[0];
        const port = `${String(inputOf(listener, "protocol") ?? "")}:${String(inputOf(listener, "port") ?? "")}`;
        const targets = [
            ...g.deps(listener, "defaultActions"),
            ...g
                .referencing(listener, "aws:lb/listenerRule:ListenerRule", "listenerArn")
                .flatMap((rule) => g.deps(rule, "actions")),
        ];
        for (const tg of targets) addEdge(parts, node(parts, lb), node(parts, tg), "request", port);
    }
    for (const lb of g.ofType("aws:lb/loadBalancer:LoadBalancer")) {
        for (const bucket of g.deps(lb, "accessLogs"))
            addEdge(parts, node(parts, lb), node(parts, bucket), "data", "access logs");
    }
    for (const svc of g.ofType("aws:ecs/service:Service")) {
        for (const tg of g.deps(svc, "loadBalancers")) addEdge(parts, node(parts, tg), node(parts, svc), "request");
    }
}

/** Security groups of a resource (its own inputs, or a load balancer's or service's network configuration). */
const groupsOf = (parts: ModelParts, r: PlanResource) => parts.g.deps(r).filter((d) => d.type === SG);

/** A source reaches a data store when an ingress rule on the store's group references the source's group. */
function dataAccess(parts: ModelParts): void {
    const { g } = parts;
    const sources = [...g.ofType("aws:ecs/service:Service"), ...g.ofType("aws:lambda/function:Function")];
    for (const store of DATA_STORES.flatMap((t) => g.ofType(t))) {
        for (const storeSg of groupsOf(parts, store)) {
            for (const rule of INGRESS.flatMap((t) => g.referencing(storeSg, t, "securityGroupId"))) {
                const from = [...g.deps(rule, "referencedSecurityGroupId"), ...g.deps(rule, "sourceSecurityGroupId")];
                const port = inputOf(rule, "fromPort");
                for (const src of sources.filter((s) =>
                    groupsOf(parts, s).some((sg) => from.some((f) => f.urn === sg.urn)),
                )) {
                    addEdge(
                        parts,
                        node(parts, src),
                        node(parts, store),
                        "data",
                        port !== undefined ? `tcp ${String(port)}` : undefined,
                    );
                }
            }
        }
        for (const instance of g.referencing(store, "aws:rds/clusterInstance:ClusterInstance", "clusterIdentifier")) {
            addEdge(parts, node(parts, store), node(parts, instance), "data");
        }
    }
}

function secretsAndKeys(parts: ModelParts): void {
    const { g } = parts;
    for (const svc of g.ofType("aws:ecs/service:Service")) {
        for (const td of g.deps(svc, "taskDefinition")) {
            for (const dep of g.deps(td, "containerDefinitions")) {
                if (dep.type === "aws:secretsmanager/secret:Secret")
                    addEdge(parts, node(parts, svc), node(parts, dep), "secret", "reads");
                if (dep.type === "awsx:ecr:Image") addEdge(parts, node(parts, svc), node(parts, dep), "data", "image");
            }
        }
    }
    for (const image of g.ofType("awsx:ecr:Image")) {
        for (const repo of g.deps(image).filter((d) => d.type === "aws:ecr/repository:Repository")) {
            addEdge(parts, node(parts, image), node(parts, repo), "data", "pushed to");
        }
    }
    const keys = new Set(g.ofType("aws:kms/key:Key").map((k) => k.urn));
    for (const r of g.input.resources) {
        const from = node(parts, r);
        if (!from || !ENCRYPTED_KINDS.has(parts.nodes.get(from)?.kind ?? "")) continue;
        // A bucket's key is on its encryption configuration.
        const holders = [r, ...g.referencing(r).filter((c) => /ServerSideEncryptionConfiguration/.test(c.type))];
        for (const key of holders.flatMap((h) => g.deps(h)).filter((d) => keys.has(d.urn))) {
            addEdge(parts, from, node(parts, key), "key", "encrypted by");
        }
    }
}

function monitoring(parts: ModelParts): void {
    const { g } = parts;
    const topics = new Set(g.ofType("aws:sns/topic:Topic").map((t) => t.urn));
    const notifiers = [
        ...g.ofType("aws:cloudwatch/metricAlarm:MetricAlarm"),
        ...g.ofType("aws:cloudwatch/compositeAlarm:CompositeAlarm"),
        ...g.ofType("aws:budgets/budget:Budget"),
    ];
    for (const r of notifiers) {
        for (const topic of g.deps(r).filter((d) => topics.has(d.urn)))
            addEdge(parts, node(parts, r), node(parts, topic), "monitoring", "notifies");
    }
    for (const target of g.ofType("aws:cloudwatch/eventTarget:EventTarget")) {
        for (const rule of g.deps(target, "rule")) {
            for (const topic of g.deps(target, "arn"))
                addEdge(parts, node(parts, rule), node(parts, topic), "monitoring", "notifies");
        }
    }
    for (const sub of g.ofType("aws:sns/topicSubscription:TopicSubscription")) {
        for (const topic of g.deps(sub, "topic")) addEdge(parts, node(parts, topic), node(parts, sub), "monitoring");
    }
}

/** Private subnets reach the internet through the NAT gateway their route table points at. */
function egress(parts: ModelParts): void {
    const { g } = parts;
    for (const route of g.ofType("aws:ec2/route:Route")) {
        const nat = g.deps(route, "natGatewayId")[0];
        const igw = g.deps(route, "gatewayId")[0];
        for (const table of g.deps(route, "routeTableId")) {
            const subnets = g
                .referencing(table, "aws:ec2/routeTableAssociation:RouteTableAssociation", "routeTableId")
                .flatMap((a) => g.deps(a, "subnetId", SUBNET));
            if (nat) for (const s of subnets) addEdge(parts, node(parts, s), node(parts, nat), "network", "0.0.0.0/0");
            if (igw) {
                for (const n of g
                    .ofType("aws:ec2/natGateway:NatGateway")
                    .filter((x) => g.deps(x, "subnetId").some((s) => subnets.includes(s)))) {
                    addEdge(parts, node(parts, n), node(parts, igw), "network");
                }
            }
        }
    }
}

export function deriveEdges(parts: ModelParts): void {
    requestPath(parts);
    dataAccess(parts);
    secretsAndKeys(parts);
    monitoring(parts);
    egress(parts);
}
