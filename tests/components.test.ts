import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { Network } from "../components/network";
import { SecretsStore } from "../components/secretsStore";
import { planSubnets } from "../stacks/cidr";
import { depsOf, named, ofType, runIsolated } from "./helpers/plan";

const config = { "aws:region": "us-east-1" };
const KEY = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-4000-8000-000000000000";

describe("Network component (isolated, under mocks)", () => {
    const subnets = planSubnets("10.40.0.0/16", 4, { public: 26, private: 22, isolated: 24 });

    it("puts a single NAT gateway behind every private subnet when NAT is single", async () => {
        const r = await runIsolated({
            stack: "t",
            config,
            mode: "update",
            program: () => {
                new Network("net", {
                    cidr: "10.40.0.0/16",
                    azCount: 4,
                    subnetCidrs: subnets,
                    natGateways: "single",
                    kmsKeyArn: KEY,
                });
            },
        });
        const nats = ofType(r, "aws:ec2/natGateway:NatGateway");
        assert.equal(nats.length, 1);
        const routes = ofType(r, "aws:ec2/route:Route").filter((x) => x.inputs.natGatewayId !== undefined);
        assert.equal(routes.length, 4);
        for (const route of routes) assert.deepEqual(route.propertyDependencies.natGatewayId, [nats[0].urn]);
        const azs = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"];
        assert.deepEqual(
            ofType(r, "aws:ec2/subnet:Subnet").map((s) => s.inputs.availabilityZone),
            [...azs, ...azs, ...azs],
            "each tier, in order, spans the four AZs",
        );
        assert.equal(named(r, "net-flow-logs", "aws:cloudwatch/logGroup:LogGroup").inputs.kmsKeyId, KEY);
        assert.equal(named(r, "net-flow-logs", "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, 365);
    });

    it("opens interface endpoints to HTTPS from the VPC only, in the private subnets", async () => {
        const r = await runIsolated({
            stack: "t",
            config,
            program: () => {
                new Network("net", {
                    cidr: "10.40.0.0/16",
                    azCount: 4,
                    subnetCidrs: subnets,
                    kmsKeyArn: KEY,
                    interfaceEndpoints: ["kms", "sts"],
                });
            },
        });
        const interfaces = ofType(r, "aws:ec2/vpcEndpoint:VpcEndpoint").filter(
            (e) => e.inputs.vpcEndpointType === "Interface",
        );
        assert.deepEqual(interfaces.map((e) => e.inputs.serviceName).sort(), [
            "com.amazonaws.us-east-1.kms",
            "com.amazonaws.us-east-1.sts",
        ]);
        const [rule] = ofType(r, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
        assert.equal(rule.inputs.fromPort, 443);
        assert.equal(rule.inputs.toPort, 443);
        assert.equal(rule.inputs.cidrIpv4, "10.40.0.0/16", "the VPC's CIDR echoes its input, known at preview");
        assert.equal(depsOf(r, rule, "cidrIpv4")[0].type, "aws:ec2/vpc:Vpc");
        const sg = depsOf(r, rule, "securityGroupId")[0];
        for (const e of interfaces) assert.deepEqual(e.propertyDependencies.securityGroupIds, [sg.urn]);
    });

    it("creates no interface endpoint and no endpoint security group by default", async () => {
        const r = await runIsolated({
            stack: "t",
            config,
            program: () => {
                new Network("net", { cidr: "10.40.0.0/16", azCount: 4, subnetCidrs: subnets, kmsKeyArn: KEY });
            },
        });
        assert.equal(ofType(r, "aws:ec2/vpcEndpoint:VpcEndpoint").length, 1);
        assert.equal(ofType(r, "aws:ec2/securityGroup:SecurityGroup").length, 0);
        assert.equal(ofType(r, "aws:ec2/natGateway:NatGateway").length, 4, "NAT per AZ is the default");
    });

    it("refuses subnet lists that do not match the AZ count", async () => {
        await assert.rejects(
            runIsolated({
                stack: "t",
                config,
                program: () => {
                    new Network("net", { cidr: "10.40.0.0/16", azCount: 3, subnetCidrs: subnets, kmsKeyArn: KEY });
                },
            }),
            (e: unknown) => e instanceof pulumi.RunError && /4 public CIDRs for 3 AZs/.test(e.message),
        );
    });

    it("fails when the region has fewer AZs than asked for", async () => {
        const six = planSubnets("10.40.0.0/16", 7, { public: 26, private: 24, isolated: 26 });
        await assert.rejects(
            runIsolated({
                stack: "t",
                config,
                program: () => {
                    new Network("net", { cidr: "10.40.0.0/16", azCount: 7, subnetCidrs: six, kmsKeyArn: KEY });
                },
            }),
            /network.azCount is 7 but the region has only 6 AZs/,
        );
    });
});

describe("SecretsStore component (isolated, under mocks)", () => {
    it("creates only the key and its alias when there are no app secrets", async () => {
        const r = await runIsolated({ stack: "t", config, program: () => new SecretsStore("s", { aliasName: "x-t" }) });
        assert.deepEqual(
            r.resources
                .filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))
                .map((x) => x.type)
                .sort(),
            ["aws:kms/alias:Alias", "aws:kms/key:Key"],
        );
        const [key] = ofType(r, "aws:kms/key:Key");
        assert.equal(key.protect, true, "protected by default");
        assert.equal(key.retainOnDelete, true, "kept by a destroy by default");
        assert.equal(key.inputs.deletionWindowInDays, 30, "the longest window by default");
        assert.equal(key.inputs.rotationPeriodInDays, 365);
        assert.equal(key.inputs.keyUsage, "ENCRYPT_DECRYPT");
    });

    it("lets a disposable stack delete its key", async () => {
        const r = await runIsolated({
            stack: "t",
            config,
            program: () => new SecretsStore("s", { aliasName: "x-t", protectKey: false }),
        });
        const [key] = ofType(r, "aws:kms/key:Key");
        assert.equal(key.protect, false);
        assert.equal(key.retainOnDelete, false);
    });

    it("generates each secret to its own length and alphabet, named under the alias", async () => {
        const r = await runIsolated({
            stack: "t",
            config,
            program: () =>
                new SecretsStore("s", {
                    aliasName: "x-t",
                    recoveryWindowDays: 7,
                    appSecrets: [
                        { name: "db-url-token", description: "d", length: 64, excludePunctuation: true },
                        { name: "api-key", description: "d" },
                    ],
                }),
        });
        const passwords = ofType(r, "random:index/randomPassword:RandomPassword");
        const token = passwords.find((p) => p.name === "s-db-url-token-value")!;
        const api = passwords.find((p) => p.name === "s-api-key-value")!;
        assert.equal(token.inputs.length, 64);
        assert.equal(token.inputs.special, false);
        assert.equal(api.inputs.length, 32);
        assert.equal(api.inputs.special, true);
        for (const s of ofType(r, "aws:secretsmanager/secret:Secret")) {
            assert.match(s.inputs.namePrefix as string, /^x-t\/(db-url-token|api-key)-$/);
            assert.equal(s.inputs.recoveryWindowInDays, 7);
        }
    });
});
