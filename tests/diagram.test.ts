import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { PlanResource } from "../tools/cost/model";
import { buildDiagram } from "../tools/diagram/build";
import { DIAGRAM_STACKS, README, README_END, README_START, diagramFile, readmeBlock } from "../tools/diagram/docs";
import { Diagram, DiagramInput } from "../tools/diagram/model";
import { toDot, toMermaid } from "../tools/diagram/render";
import { diagramFiles, diagramOf } from "../tools/diagram/stack";
import { renderSvg } from "../tools/diagram/svg";
import { planOf } from "./helpers/plan";

const STACK = "urn:pulumi:t::p::pulumi:pulumi:Stack::p-t";
const PROVIDER = "urn:pulumi:t::p::pulumi:providers:aws::default";

function component(type: string, name: string): PlanResource {
    return {
        urn: `urn:pulumi:t::p::${type}::${name}`,
        type,
        name,
        parent: STACK,
        provider: null,
        region: null,
        dependencies: [],
        propertyDependencies: {},
        inputs: {},
    };
}

function res(
    parent: PlanResource,
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
    pd: Record<string, PlanResource[]> = {},
    region = "eu-west-1",
): PlanResource {
    const propertyDependencies = Object.fromEntries(Object.entries(pd).map(([k, v]) => [k, v.map((r) => r.urn)]));
    return {
        urn: `urn:pulumi:t::p::${parent.type}$${type}::${name}`,
        type,
        name,
        parent: parent.urn,
        provider: PROVIDER,
        region,
        dependencies: Object.values(propertyDependencies).flat(),
        propertyDependencies,
        inputs,
    };
}

/** A small platform: two AZs in three tiers, CloudFront + WAF → VPC origin → ALB → service → Aurora. */
function handMadePlan(opts: { dbIngress?: boolean } = {}): DiagramInput {
    const net = component("acme:index:Network", "net");
    const edge = component("acme:index:Edge", "edge");
    const app = component("acme:index:App", "app");
    const db = component("acme:index:Database", "db");
    const sec = component("acme:index:Secrets", "sec");
    const mon = component("acme:index:Monitoring", "mon");
    const mystery = component("acme:index:Mystery", "m");
    const vpc = res(net, "aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });
    const subnet = (tier: string, az: string, cidr: string) =>
        res(
            net,
            "aws:ec2/subnet:Subnet",
            `${tier}-${az}`,
            { availabilityZone: `eu-west-1${az}`, cidrBlock: cidr, tags: { tier } },
            { vpcId: [vpc] },
        );
    const pubA = subnet("public", "a", "10.0.0.0/24");
    const pubB = subnet("public", "b", "10.0.1.0/24");
    const privA = subnet("private", "a", "10.0.16.0/20");
    const privB = subnet("private", "b", "10.0.32.0/20");
    const isoA = subnet("isolated", "a", "10.0.48.0/24");
    const isoB = subnet("isolated", "b", "10.0.49.0/24");
    const igw = res(net, "aws:ec2/internetGateway:InternetGateway", "igw", {}, { vpcId: [vpc] });
    const nat = res(net, "aws:ec2/natGateway:NatGateway", "nat-a", {}, { subnetId: [pubA] });
    const privTable = res(net, "aws:ec2/routeTable:RouteTable", "private-a", {}, { vpcId: [vpc] });
    const route = res(
        net,
        "aws:ec2/route:Route",
        "private-a-nat",
        {},
        { routeTableId: [privTable], natGatewayId: [nat] },
    );
    const assoc = res(
        net,
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "private-a",
        {},
        { routeTableId: [privTable], subnetId: [privA] },
    );
    const key = res(sec, "aws:kms/key:Key", "key");
    const secret = res(sec, "aws:secretsmanager/secret:Secret", "token", {}, { kmsKeyId: [key] });
    const albSg = res(app, "aws:ec2/securityGroup:SecurityGroup", "alb-sg", {}, { vpcId: [vpc] });
    const svcSg = res(app, "aws:ec2/securityGroup:SecurityGroup", "svc-sg", {}, { vpcId: [vpc] });
    const alb = res(
        app,
        "aws:lb/loadBalancer:LoadBalancer",
        "alb",
        { internal: true },
        { subnets: [privA, privB], securityGroups: [albSg] },
    );
    const tg = res(app, "aws:lb/targetGroup:TargetGroup", "web", { port: 8080, protocol: "HTTP" }, { vpcId: [vpc] });
    const listener = res(
        app,
        "aws:lb/listener:Listener",
        "https",
        { port: 443, protocol: "HTTPS" },
        { loadBalancerArn: [alb] },
    );
    const rule = res(app, "aws:lb/listenerRule:ListenerRule", "web", {}, { listenerArn: [listener], actions: [tg] });
    const td = res(app, "aws:ecs/taskDefinition:TaskDefinition", "web", {}, { containerDefinitions: [secret] });
    const svc = res(
        app,
        "aws:ecs/service:Service",
        "web",
        { desiredCount: 2 },
        {
            taskDefinition: [td],
            loadBalancers: [tg],
            networkConfiguration: [privA, privB, svcSg],
        },
    );
    const origin = res(app, "aws:cloudfront/vpcOrigin:VpcOrigin", "origin", {}, { vpcOriginEndpointConfig: [alb] });
    const acl = res(edge, "aws:wafv2/webAcl:WebAcl", "waf", { scope: "CLOUDFRONT", rules: [{}, {}] }, {}, "us-east-1");
    const cdn = res(
        edge,
        "aws:cloudfront/distribution:Distribution",
        "cdn",
        {},
        { origins: [origin], webAclId: [acl] },
    );
    const dbSg = res(db, "aws:ec2/securityGroup:SecurityGroup", "db-sg", {}, { vpcId: [vpc] });
    const subnets = res(db, "aws:rds/subnetGroup:SubnetGroup", "subnets", {}, { subnetIds: [isoA, isoB] });
    const cluster = res(
        db,
        "aws:rds/cluster:Cluster",
        "cluster",
        { engine: "aurora-postgresql" },
        {
            dbSubnetGroupName: [subnets],
            vpcSecurityGroupIds: [dbSg],
            kmsKeyId: [key],
        },
    );
    const instance = res(
        db,
        "aws:rds/clusterInstance:ClusterInstance",
        "writer",
        { availabilityZone: "eu-west-1b", instanceClass: "db.r8g.large" },
        {
            clusterIdentifier: [cluster],
            dbSubnetGroupName: [subnets],
        },
    );
    const ingress = res(
        db,
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "from-web",
        { fromPort: 5432 },
        {
            securityGroupId: [dbSg],
            referencedSecurityGroupId: [svcSg],
        },
    );
    const topic = res(mon, "aws:sns/topic:Topic", "alerts", {}, { kmsMasterKeyId: [key] });
    const alarms = [1, 2].map((i) =>
        res(mon, "aws:cloudwatch/metricAlarm:MetricAlarm", `alarm-${i}`, {}, { alarmActions: [topic] }),
    );
    const sub = res(
        mon,
        "aws:sns/topicSubscription:TopicSubscription",
        "ops",
        { protocol: "email" },
        { topic: [topic] },
    );
    const odd = res(app, "aws:foo/bar:Baz", "odd");
    const resources = [
        net,
        edge,
        app,
        db,
        sec,
        mon,
        mystery,
        vpc,
        pubA,
        pubB,
        privA,
        privB,
        isoA,
        isoB,
        igw,
        nat,
        privTable,
        route,
        assoc,
    ];
    resources.push(
        key,
        secret,
        albSg,
        svcSg,
        alb,
        tg,
        listener,
        rule,
        td,
        svc,
        origin,
        acl,
        cdn,
        dbSg,
        subnets,
        cluster,
        instance,
    );
    resources.push(...(opts.dbIngress === false ? [] : [ingress]), topic, ...alarms, sub, odd);
    return { stack: "t", region: "eu-west-1", resources };
}

const nodeOf = (d: Diagram, label: RegExp) => {
    const found = d.nodes.filter((n) => label.test(n.label));
    assert.equal(found.length, 1, `one node matching ${label}, found ${found.map((n) => n.label).join("; ")}`);
    return found[0];
};
const hasEdge = (d: Diagram, from: RegExp, to: RegExp, label?: string) =>
    d.edges.some(
        (e) => from.test(nodeLabel(d, e.from)) && to.test(nodeLabel(d, e.to)) && (!label || e.label === label),
    );
const nodeLabel = (d: Diagram, id: string) => d.nodes.find((n) => n.id === id)?.label ?? "";
const groupChain = (d: Diagram, id: string | null): string[] => {
    const g = d.groups.find((x) => x.id === id);
    return g ? [...groupChain(d, g.parent), g.label] : [];
};

describe("architecture diagram model, from a hand-made plan", () => {
    const d = buildDiagram(handMadePlan());

    it("lays the subnets out per tier and per AZ inside the VPC", () => {
        for (const tier of ["public", "private", "isolated"]) {
            for (const az of ["a", "b"]) {
                const subnet = nodeOf(d, new RegExp(`^${tier} subnet eu-west-1${az} `));
                assert.deepEqual(groupChain(d, subnet.group), [
                    "VPC 10.0.0.0/16 (Network net)",
                    `${tier} tier`,
                    `eu-west-1${az}`,
                ]);
            }
        }
    });

    it("places single-AZ resources in their AZ and multi-AZ ones across their tier", () => {
        assert.deepEqual(groupChain(d, nodeOf(d, /^NAT gateway nat-a/).group).slice(1), ["public tier", "eu-west-1a"]);
        assert.deepEqual(groupChain(d, nodeOf(d, /^instance writer/).group).slice(1), ["isolated tier", "eu-west-1b"]);
        assert.deepEqual(groupChain(d, nodeOf(d, /^internal load balancer alb/).group).slice(1), ["private tier"]);
        assert.deepEqual(groupChain(d, nodeOf(d, /^ECS service web/).group).slice(1), ["private tier"]);
        assert.deepEqual(groupChain(d, nodeOf(d, /^Aurora cluster/).group).slice(1), ["isolated tier"]);
        assert.deepEqual(groupChain(d, nodeOf(d, /^secret token/).group), ["Secrets sec"]);
        assert.match(nodeOf(d, /^WAF web ACL/).label, /\[us-east-1\]/);
    });

    it("derives the request path from property dependencies: viewer → CloudFront (+WAF) → VPC origin → ALB → service", () => {
        assert.ok(hasEdge(d, /^viewer$/, /^CloudFront distribution cdn/));
        assert.ok(hasEdge(d, /^WAF web ACL waf/, /^CloudFront distribution cdn/, "filters"));
        assert.ok(hasEdge(d, /^CloudFront distribution cdn/, /^CloudFront VPC origin/, "origin"));
        assert.ok(hasEdge(d, /^CloudFront VPC origin/, /load balancer alb/));
        assert.ok(hasEdge(d, /load balancer alb/, /^target group web/, "HTTPS:443"));
        assert.ok(hasEdge(d, /^target group web/, /^ECS service web/));
    });

    it("connects the service to the database through the security-group rule, and only through it", () => {
        assert.ok(hasEdge(d, /^ECS service web/, /^Aurora cluster/, "tcp 5432"));
        const without = buildDiagram(handMadePlan({ dbIngress: false }));
        assert.ok(!hasEdge(without, /^ECS service web/, /^Aurora cluster/));
    });

    it("shows secrets and keys, the monitoring path, and the private subnets' way out", () => {
        assert.ok(hasEdge(d, /^ECS service web/, /^secret token/, "reads"));
        assert.ok(hasEdge(d, /^secret token/, /^KMS key key/, "encrypted by"));
        assert.ok(hasEdge(d, /^Aurora cluster/, /^KMS key key/, "encrypted by"));
        assert.ok(hasEdge(d, /^2 CloudWatch alarms$/, /^SNS topic alerts/, "notifies"));
        assert.ok(hasEdge(d, /^SNS topic alerts/, /^email subscription ops/));
        assert.ok(hasEdge(d, /^private subnet eu-west-1a/, /^NAT gateway nat-a/, "0.0.0.0/0"));
        assert.ok(!hasEdge(d, /^private subnet eu-west-1b/, /^NAT gateway/), "no route table sends b to the NAT");
    });

    it("shows an unknown resource type and an unknown, empty component generically", () => {
        assert.deepEqual(groupChain(d, nodeOf(d, /^other resources: aws:foo\/bar:Baz ×1$/).group), ["App app"]);
        assert.deepEqual(groupChain(d, nodeOf(d, /^component acme:index:Mystery m$/).group), ["Mystery m"]);
    });

    it("is deterministic: the order of the plan's resources does not change the output", () => {
        const input = handMadePlan();
        const shuffled = { ...input, resources: [...input.resources].reverse() };
        assert.equal(toMermaid(buildDiagram(shuffled)), toMermaid(d));
        assert.equal(toDot(buildDiagram(shuffled)), toDot(d));
    });
});

/** Structural checks of a Mermaid flowchart: declared ids, balanced subgraphs, edges between declared nodes. */
function checkMermaid(text: string, d: Diagram): void {
    const lines = text.trimEnd().split("\n");
    assert.match(lines[0], /^%% /);
    assert.equal(lines[1], "flowchart LR");
    let depth = 0;
    const declared = new Set<string>();
    for (const line of lines.slice(2)) {
        const t = line.trim();
        if (t.startsWith("subgraph ")) {
            depth++;
            const id = /^subgraph (\w+)\["[^"]*"\]$/.exec(t)?.[1];
            assert.ok(id && !declared.has(id), `bad or repeated subgraph: ${t}`);
            declared.add(id);
        } else if (t === "end") {
            depth--;
            assert.ok(depth >= 0, "an end without a subgraph");
        } else if (/^(\w+) (==>|-->|-\.->)(\|"[^"]*"\|)? (\w+)$/.test(t)) {
            const [, from, , , to] = /^(\w+) (==>|-->|-\.->)(\|"[^"]*"\|)? (\w+)$/.exec(t)!;
            assert.ok(declared.has(from) && declared.has(to), `edge between undeclared nodes: ${t}`);
        } else if (/^(classDef|class) /.test(t)) {
            continue;
        } else {
            const id = /^(\w+)(\[\(|\(\(|\{\{|\[)"[^"]*"(\)\]|\)\)|\}\}|\])$/.exec(t)?.[1];
            assert.ok(id && !declared.has(id), `bad or repeated node: ${t}`);
            declared.add(id);
        }
    }
    assert.equal(depth, 0, "unbalanced subgraphs");
    assert.equal(declared.size, d.nodes.length + d.groups.length);
}

describe("architecture diagram output", () => {
    const d = buildDiagram(handMadePlan());

    it("is a structurally valid Mermaid flowchart with every node, group and edge", () => {
        const text = toMermaid(d);
        checkMermaid(text, d);
        assert.equal(text.split("\n").filter((l) => /==>|-->|-\.->/.test(l)).length, d.edges.length);
    });

    it("escapes quotes and angle brackets in Mermaid labels", () => {
        const odd = { ...d, nodes: [{ ...d.nodes[0], group: null, label: 'say "hi" <now>' }], groups: [], edges: [] };
        assert.match(toMermaid(odd), /say #quot;hi#quot; #lt;now#gt;/);
    });

    it("renders to SVG with Graphviz in WebAssembly, the same bytes every time", async () => {
        const dot = toDot(d);
        const svg = await renderSvg(dot);
        const text = svg.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
        assert.match(svg, /^<\?xml [^>]*\?>\s*<!DOCTYPE svg/);
        assert.match(svg, /<svg [^>]*viewBox=/);
        for (const n of d.nodes)
            assert.ok(
                text.includes(n.label.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")),
                n.label,
            );
        assert.ok(svg.includes(">VPC 10.0.0.0/16 (Network net)<"));
        assert.equal(await renderSvg(dot), svg);
    });
});

describe("committed architecture diagrams", () => {
    for (const stack of DIAGRAM_STACKS) {
        it(`docs/architecture-${stack}.mmd and .svg are what \`npm run docs:diagram\` generates today`, async () => {
            const files = await diagramFiles(diagramOf(await planOf(stack, "update")));
            const stale = `docs/architecture-${stack} is stale: run npm run docs:diagram`;
            assert.equal(fs.readFileSync(diagramFile(stack, "mmd"), "utf8"), files.mermaid, stale);
            assert.equal(fs.readFileSync(diagramFile(stack, "svg"), "utf8"), files.svg, stale);
            checkMermaid(files.mermaid, diagramOf(await planOf(stack, "update")));
        });
    }

    it("README.md shows the prod diagram: the generated SVG, with a link to its Mermaid source", () => {
        const readme = fs.readFileSync(README, "utf8");
        assert.ok(readme.includes(README_START), "README.md has no architecture block");
        const block = readme.slice(readme.indexOf(README_START) + README_START.length, readme.indexOf(README_END));
        assert.equal(block.trim(), readmeBlock());
        const image = /!\[[^\]]*\]\((docs\/architecture-prod\.svg)\)/.exec(block);
        assert.ok(image, "the block embeds the prod SVG");
        assert.match(fs.readFileSync(path.join(path.dirname(README), image[1]), "utf8"), /<svg /);
    });
});
