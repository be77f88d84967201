import { strict as assert } from "assert";
import * as path from "path";
import { Settings, parseSettings } from "../stacks/settings";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { regionOf } from "../tools/plan/render";
import { RunResult } from "../tools/plan/runner";
import { PlannedResource } from "../tools/plan/types";
import { s3EndpointPolicy } from "../components/network/endpoints";
import { UNKNOWN, byUrn, depsOf, ofType, plain, planOf } from "./helpers/plan";

const ROOT = path.resolve(__dirname, "..");
const T = {
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    rt: "aws:ec2/routeTable:RouteTable",
    route: "aws:ec2/route:Route",
    assoc: "aws:ec2/routeTableAssociation:RouteTableAssociation",
    igw: "aws:ec2/internetGateway:InternetGateway",
    nat: "aws:ec2/natGateway:NatGateway",
    eip: "aws:ec2/eip:Eip",
    endpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
    flowLog: "aws:ec2/flowLog:FlowLog",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    key: "aws:kms/key:Key",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
};

/** The route table a subnet is associated with, followed through property dependencies. */
function routeTableOf(plan: RunResult, subnet: PlannedResource): PlannedResource {
    const assocs = ofType(plan, T.assoc).filter((a) => a.propertyDependencies.subnetId?.includes(subnet.urn));
    assert.equal(assocs.length, 1, `${subnet.name} has ${assocs.length} route table associations`);
    return depsOf(plan, assocs[0], "routeTableId")[0];
}

function routesOf(plan: RunResult, rt: PlannedResource): PlannedResource[] {
    return ofType(plan, T.route).filter((r) => r.propertyDependencies.routeTableId?.includes(rt.urn));
}

/** The subnets of one tier; never none (every tier spans at least two AZs), so loops over them check something. */
function subnetsOfTier(plan: RunResult, tier: string): PlannedResource[] {
    const subnets = ofType(plan, T.subnet).filter(
        (s) => (plain(s.inputs.tags) as Record<string, string>).tier === tier,
    );
    assert.ok(subnets.length >= 2, `${tier} subnets: ${subnets.length}`);
    return subnets;
}

for (const stack of listStacks(ROOT)) {
    for (const mode of ["preview", "update"] as const) {
        describe(`Network in stack ${stack} (${mode})`, () => {
            let plan: RunResult;
            let settings: Settings;
            before(async () => {
                settings = parseSettings(readStackConfig(ROOT, stack).raw, stack);
                plan = await planOf(stack, mode);
            });

            it("creates one VPC with the configured CIDR and DNS on", () => {
                const vpcs = ofType(plan, T.vpc);
                assert.equal(vpcs.length, 1);
                assert.equal(vpcs[0].inputs.cidrBlock, settings.network.cidr);
                assert.equal(vpcs[0].inputs.enableDnsHostnames, true);
                assert.equal(vpcs[0].inputs.enableDnsSupport, true);
            });

            it("spreads each tier over azCount distinct AZs, with the planned CIDRs", () => {
                for (const tier of ["public", "private", "isolated"] as const) {
                    const subnets = subnetsOfTier(plan, tier);
                    assert.equal(subnets.length, settings.network.azCount, `${tier} subnets`);
                    const azs = new Set(subnets.map((s) => s.inputs.availabilityZone));
                    assert.ok(!azs.has(UNKNOWN), "AZ names are known at preview (they come from an invoke)");
                    assert.equal(azs.size, settings.network.azCount, `${tier} AZs`);
                    assert.deepEqual(
                        subnets.map((s) => s.inputs.cidrBlock),
                        settings.network.subnets[tier],
                    );
                    const vpc = ofType(plan, T.vpc)[0];
                    for (const s of subnets) assert.deepEqual(s.propertyDependencies.vpcId, [vpc.urn]);
                }
            });

            it("maps no public IP on launch in any subnet, not even public ones", () => {
                const subnets = ofType(plan, T.subnet);
                assert.equal(subnets.length, 3 * settings.network.azCount);
                for (const s of subnets) assert.equal(s.inputs.mapPublicIpOnLaunch, false, s.name);
            });

            it("routes the public tier to the internet gateway and nothing else to it", () => {
                const igw = ofType(plan, T.igw);
                assert.equal(igw.length, 1);
                for (const s of subnetsOfTier(plan, "public")) {
                    const routes = routesOf(plan, routeTableOf(plan, s));
                    assert.equal(routes.length, 1);
                    assert.equal(routes[0].inputs.destinationCidrBlock, "0.0.0.0/0");
                    assert.deepEqual(routes[0].propertyDependencies.gatewayId, [igw[0].urn]);
                }
                const toIgw = ofType(plan, T.route).filter((r) =>
                    r.propertyDependencies.gatewayId?.includes(igw[0].urn),
                );
                const publicTables = new Set(subnetsOfTier(plan, "public").map((s) => routeTableOf(plan, s).urn));
                for (const r of toIgw)
                    assert.ok(publicTables.has(r.propertyDependencies.routeTableId[0]), `${r.name} leaks the IGW`);
            });

            it("gives isolated subnets no route to an internet or NAT gateway", () => {
                for (const s of subnetsOfTier(plan, "isolated")) {
                    const rt = routeTableOf(plan, s);
                    assert.deepEqual(routesOf(plan, rt), [], `${s.name} has routes`);
                    assert.equal(rt.inputs.routes, undefined, "no inline routes either");
                }
            });

            it("creates the NAT gateways the config asks for, each in a public subnet with its own EIP", () => {
                const nats = ofType(plan, T.nat);
                const expected = settings.network.natGateways === "perAz" ? settings.network.azCount : 1;
                assert.equal(nats.length, expected);
                assert.equal(ofType(plan, T.eip).length, expected);
                const publicUrns = new Set(subnetsOfTier(plan, "public").map((s) => s.urn));
                for (const n of nats) {
                    assert.ok(
                        publicUrns.has(n.propertyDependencies.subnetId[0]),
                        `${n.name} is not in a public subnet`,
                    );
                    assert.equal(byUrn(plan, n.propertyDependencies.allocationId[0]).type, T.eip);
                }
            });

            it("routes each private subnet to a NAT gateway, in its own AZ when NAT is per AZ", () => {
                for (const s of subnetsOfTier(plan, "private")) {
                    const routes = routesOf(plan, routeTableOf(plan, s));
                    assert.equal(routes.length, 1, `${s.name} routes`);
                    assert.equal(routes[0].inputs.destinationCidrBlock, "0.0.0.0/0");
                    const [nat] = depsOf(plan, routes[0], "natGatewayId");
                    assert.equal(nat.type, T.nat);
                    const natSubnet = byUrn(plan, nat.propertyDependencies.subnetId[0]);
                    if (settings.network.natGateways === "perAz") {
                        assert.equal(
                            natSubnet.inputs.availabilityZone,
                            s.inputs.availabilityZone,
                            `${s.name} crosses AZs for egress`,
                        );
                    }
                }
            });

            it("logs ALL traffic to a CMK-encrypted log group with the configured retention", () => {
                const [flow] = ofType(plan, T.flowLog);
                assert.equal(flow.inputs.trafficType, "ALL");
                assert.equal(flow.inputs.logDestinationType, "cloud-watch-logs");
                assert.deepEqual(flow.propertyDependencies.vpcId, [ofType(plan, T.vpc)[0].urn]);
                const [group] = depsOf(plan, flow, "logDestination");
                assert.equal(group.type, T.logGroup);
                assert.equal(group.inputs.retentionInDays, settings.network.flowLogRetentionDays);
                assert.equal(depsOf(plan, group, "kmsKeyId")[0].type, T.key);
                const [role] = depsOf(plan, flow, "iamRoleArn");
                assert.equal(role.type, "aws:iam/role:Role");
                if (mode === "update") {
                    const [policy] = ofType(plan, "aws:iam/rolePolicy:RolePolicy").filter((p) =>
                        p.propertyDependencies.role?.includes(role.urn),
                    );
                    const statements = JSON.parse(policy.inputs.policy as string).Statement as {
                        Action: string | string[];
                        Resource: string | string[];
                    }[];
                    const groupArn = group.outputs.arn as string;
                    assert.deepEqual(statements[0].Resource, [groupArn, `${groupArn}:*`], "writes only its own group");
                    assert.deepEqual(statements[1].Action, "logs:DescribeLogGroups");
                    const trust = JSON.parse(role.inputs.assumeRolePolicy as string);
                    assert.equal(trust.Statement[0].Principal.Service, "vpc-flow-logs.amazonaws.com");
                    assert.equal(trust.Statement[0].Condition.StringEquals["aws:SourceAccount"], "123456789012");
                }
            });

            it("encrypts every log group and every secret with a customer-managed key of the stack, in its region", () => {
                const index = new Map(plan.resources.map((x) => [x.urn, x]));
                const keys = ofType(plan, T.key);
                const encrypted = [...ofType(plan, T.logGroup), ...ofType(plan, "aws:secretsmanager/secret:Secret")];
                assert.ok(encrypted.length >= 1 + settings.secrets.appSecrets.length);
                for (const r of encrypted) {
                    // A key encrypts only in its own region: us-east-1's edge logs use the stack's us-east-1 key.
                    const here = keys.filter((k) => regionOf(k, index) === regionOf(r, index));
                    const [dep] = r.propertyDependencies.kmsKeyId ?? [];
                    const key = here.find((k) => k.urn === dep);
                    assert.ok(key, `${r.name} is not on a CMK of its region (${String(regionOf(r, index))})`);
                    if (regionOf(r, index) === settings.region && r.type !== T.logGroup) {
                        assert.equal(key.name, "secrets-key", `${r.name}: secrets use the stack's own key`);
                    }
                    if (mode === "update") assert.equal(r.inputs.kmsKeyId, key.outputs.arn);
                    else assert.equal(r.inputs.kmsKeyId, UNKNOWN, "the key's ARN is unknown until it exists");
                }
            });

            it("adopts the default security group and strips every rule", () => {
                const [sg] = ofType(plan, T.defaultSg);
                assert.deepEqual(sg.inputs.ingress, []);
                assert.deepEqual(sg.inputs.egress, []);
            });

            it("always has the S3 gateway endpoint on the private route tables only, and the configured interface endpoints", () => {
                const endpoints = ofType(plan, T.endpoint);
                const gateways = endpoints.filter((e) => e.inputs.vpcEndpointType === "Gateway");
                assert.equal(gateways.length, 1);
                assert.equal(gateways[0].inputs.serviceName, `com.amazonaws.${settings.region}.s3`);
                const tables = new Set(gateways[0].propertyDependencies.routeTableIds);
                const privateTables = new Set(subnetsOfTier(plan, "private").map((s) => routeTableOf(plan, s).urn));
                assert.deepEqual(tables, privateTables, "exactly the private tier's route tables");
                for (const s of subnetsOfTier(plan, "isolated")) {
                    assert.ok(!tables.has(routeTableOf(plan, s).urn), `${s.name} reaches S3 through the endpoint`);
                }
                const interfaces = endpoints.filter((e) => e.inputs.vpcEndpointType === "Interface");
                assert.deepEqual(
                    interfaces.map((e) => e.inputs.serviceName).sort(),
                    settings.network.interfaceEndpoints.map((s) => `com.amazonaws.${settings.region}.${s}`).sort(),
                );
                // Their security group admits HTTPS from the VPC's own range, and nothing else.
                const endpointGroups = new Set(
                    interfaces.flatMap((e) => e.propertyDependencies.securityGroupIds ?? []),
                );
                const rules = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) =>
                    (r.propertyDependencies.securityGroupId ?? []).some((u) => endpointGroups.has(u)),
                );
                assert.deepEqual(
                    rules.map((r) => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.cidrIpv4]),
                    interfaces.length ? [["tcp", 443, 443, settings.network.cidr]] : [],
                );
                for (const e of interfaces) {
                    assert.equal(e.inputs.privateDnsEnabled, true);
                    assert.deepEqual(
                        [...e.propertyDependencies.subnetIds].sort(),
                        subnetsOfTier(plan, "private")
                            .map((s) => s.urn)
                            .sort(),
                    );
                }
            });

            it("scopes the S3 gateway endpoint to this account's buckets and ECR's image-layer bucket", () => {
                const [gateway] = ofType(plan, T.endpoint).filter((e) => e.inputs.vpcEndpointType === "Gateway");
                assert.deepEqual(
                    JSON.parse(gateway.inputs.policy as string),
                    s3EndpointPolicy({ accountId: "123456789012", region: settings.region, partition: "aws" }),
                );
            });
        });
    }
}

describe("S3 gateway endpoint policy (pure)", () => {
    const doc = s3EndpointPolicy({ accountId: "111122223333", region: "eu-central-1", partition: "aws" });

    it("allows any action only on buckets this account owns", () => {
        const own = doc.Statement.find((s) => s.Sid === "ThisAccountsBuckets")!;
        assert.equal(own.Resource, "*");
        assert.deepEqual(own.Condition, { StringEquals: { "aws:ResourceAccount": "111122223333" } });
    });

    it("allows only reading ECR image layers from the region's AWS-owned layer bucket", () => {
        const layers = doc.Statement.find((s) => s.Sid === "EcrImageLayers")!;
        assert.equal(layers.Action, "s3:GetObject");
        assert.equal(layers.Resource, "arn:aws:s3:::prod-eu-central-1-starport-layer-bucket/*");
        assert.equal(layers.Condition, undefined);
    });

    it("has no other statement and nothing unconditioned on every resource", () => {
        assert.deepEqual(
            doc.Statement.map((s) => s.Sid),
            ["ThisAccountsBuckets", "EcrImageLayers"],
        );
        for (const s of doc.Statement) assert.ok(s.Resource !== "*" || s.Condition, `${String(s.Sid)} is open`);
        const china = s3EndpointPolicy({ accountId: "1", region: "cn-north-1", partition: "aws-cn" });
        assert.equal(china.Statement[1].Resource, "arn:aws-cn:s3:::prod-cn-north-1-starport-layer-bucket/*");
    });
});
