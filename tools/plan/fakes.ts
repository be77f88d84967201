import { createHash } from "crypto";
import { ELASTICACHE_AUTONAME, elasticacheFakes } from "./fakes-elasticache";
import { ACCOUNT_ID, Ctx, Fake, arnFor, hex, plain, str, upperId, uuid } from "./fake-kit";
import { EDGE_FAKES } from "./fakes-edge";
import { UNKNOWN } from "./types";

export { ACCOUNT_ID, hex, uuid } from "./fake-kit";

/** `eu-west-1b` → `euw1-az2`: the shape of the zone id AWS reports for an AZ name. */
export function azId(region: string, azName: string): string {
    const parts = region.split("-");
    const middle = parts
        .slice(1, -1)
        .map((p) => p[0])
        .join("");
    return `${parts[0]}${middle}${parts[parts.length - 1]}-az${azName.slice(-1).charCodeAt(0) - 96}`;
}

/**
 * Provider auto-naming, as the AWS provider's Check does it before the engine (and the policy pack)
 * ever sees the inputs: `<logical name>-<7 hex>`, or `<prefix><26 digits>` when a name prefix is given.
 * `maxLength` is AWS's limit on the name; a longer generated name fails the plan as it would fail `pulumi up`.
 */
const AUTONAME: Record<string, { prop: string; prefixProp?: string; maxLength: number; lower?: boolean }> = {
    "aws:s3/bucket:Bucket": { prop: "bucket", prefixProp: "bucketPrefix", maxLength: 63, lower: true },
    "aws:s3/bucketV2:BucketV2": { prop: "bucket", prefixProp: "bucketPrefix", maxLength: 63, lower: true },
    "aws:rds/cluster:Cluster": {
        prop: "clusterIdentifier",
        prefixProp: "clusterIdentifierPrefix",
        maxLength: 63,
        lower: true,
    },
    "aws:rds/clusterInstance:ClusterInstance": {
        prop: "identifier",
        prefixProp: "identifierPrefix",
        maxLength: 63,
        lower: true,
    },
    "aws:rds/subnetGroup:SubnetGroup": { prop: "name", prefixProp: "namePrefix", maxLength: 255, lower: true },
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": {
        prop: "name",
        prefixProp: "namePrefix",
        maxLength: 255,
        lower: true,
    },
    "aws:rds/parameterGroup:ParameterGroup": { prop: "name", prefixProp: "namePrefix", maxLength: 255, lower: true },
    "aws:lb/loadBalancer:LoadBalancer": { prop: "name", prefixProp: "namePrefix", maxLength: 32 },
    "aws:lb/targetGroup:TargetGroup": { prop: "name", prefixProp: "namePrefix", maxLength: 32 },
    "aws:iam/role:Role": { prop: "name", prefixProp: "namePrefix", maxLength: 64 },
    "aws:iam/policy:Policy": { prop: "name", prefixProp: "namePrefix", maxLength: 128 },
    "aws:iam/rolePolicy:RolePolicy": { prop: "name", prefixProp: "namePrefix", maxLength: 128 },
    "aws:cloudwatch/logGroup:LogGroup": { prop: "name", prefixProp: "namePrefix", maxLength: 512 },
    "aws:cloudwatch/metricAlarm:MetricAlarm": { prop: "name", maxLength: 255 },
    "aws:cloudwatch/dashboard:Dashboard": { prop: "dashboardName", maxLength: 255 },
    "aws:sns/topic:Topic": { prop: "name", prefixProp: "namePrefix", maxLength: 256 },
    "aws:secretsmanager/secret:Secret": { prop: "name", prefixProp: "namePrefix", maxLength: 512 },
    "aws:ec2/securityGroup:SecurityGroup": { prop: "name", prefixProp: "namePrefix", maxLength: 255 },
    "aws:ecs/cluster:Cluster": { prop: "name", maxLength: 255 },
    "aws:ecs/service:Service": { prop: "name", maxLength: 255 },
    "aws:ecr/repository:Repository": { prop: "name", maxLength: 256, lower: true },
    "aws:appautoscaling/policy:Policy": { prop: "name", maxLength: 256 },
    "aws:wafv2/webAcl:WebAcl": { prop: "name", maxLength: 128 },
    "aws:cloudfront/originAccessControl:OriginAccessControl": { prop: "name", maxLength: 64 },
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": { prop: "name", maxLength: 128 },
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": { prop: "name", maxLength: 60 },
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": { prop: "name", maxLength: 60 },
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": { prop: "policyName", maxLength: 255 },
    "aws:budgets/budget:Budget": { prop: "name", prefixProp: "namePrefix", maxLength: 100 },
    "aws:cloudwatch/eventRule:EventRule": { prop: "name", prefixProp: "namePrefix", maxLength: 64 },
    "aws:lambda/function:Function": { prop: "name", maxLength: 64 },
    ...ELASTICACHE_AUTONAME,
};

/** Applies auto-naming to a resource's wire inputs; returns an error message if AWS would reject the name. */
export function autoName(type: string, urn: string, name: string, inputs: Record<string, unknown>): string | undefined {
    const spec = AUTONAME[type];
    if (!spec) return undefined;
    if (inputs[spec.prop] === undefined) {
        const prefix = spec.prefixProp ? inputs[spec.prefixProp] : undefined;
        if (prefix === UNKNOWN) {
            inputs[spec.prop] = UNKNOWN;
            return undefined;
        }
        let generated =
            typeof prefix === "string"
                ? `${prefix}${BigInt("0x" + hex(urn, 20))
                      .toString()
                      .slice(0, 26)
                      .padStart(26, "0")}`
                : `${name}-${hex(urn, 7)}`;
        if (spec.lower) generated = generated.toLowerCase();
        inputs[spec.prop] = generated;
    }
    const value = inputs[spec.prop];
    if (typeof value === "string" && value.length > spec.maxLength) {
        return `${type} "${name}": ${spec.prop} "${value}" is ${value.length} characters; AWS allows at most ${spec.maxLength}`;
    }
    return undefined;
}

const ec2 =
    (prefix: string, kind: string, extra?: (c: Ctx, id: string) => Record<string, unknown>): Fake =>
    (c) => {
        const id = `${prefix}-${hex(c.urn, 17)}`;
        return {
            id,
            outputs: {
                arn: `arn:${c.partition}:ec2:${c.region}:${ACCOUNT_ID}:${kind}/${id}`,
                ownerId: ACCOUNT_ID,
                ...extra?.(c, id),
            },
        };
    };
const named =
    (service: string, resourcePath: (n: string) => string, prop = "name"): Fake =>
    (c) => {
        const n = str(c.inputs[prop], `${c.name}-${hex(c.urn, 7)}`);
        return { id: n, outputs: { arn: arnFor(c, service, resourcePath(n)) } };
    };
const ip = (seed: string, net: string) => `${net}.${(parseInt(hex(seed, 2), 16) % 250) + 2}`;

/** Realistic outputs per resource type, as AWS would return them after create (update mode only). */
const FAKES: Record<string, Fake> = {
    ...elasticacheFakes({ hex, accountId: ACCOUNT_ID }),
    ...EDGE_FAKES,
    "pulumi:providers:aws": (c) => ({ id: uuid(c.urn) }),
    "pulumi:providers:random": (c) => ({ id: uuid(c.urn) }),
    "aws:kms/key:Key": (c) => {
        const id = uuid(c.urn);
        return { id, outputs: { keyId: id, arn: arnFor(c, "kms", `key/${id}`) } };
    },
    "aws:kms/alias:Alias": (c) => {
        const n = str(c.inputs.name, `alias/${c.name}`);
        return {
            id: n,
            outputs: {
                arn: arnFor(c, "kms", n),
                targetKeyArn: arnFor(c, "kms", `key/${str(c.inputs.targetKeyId, uuid(c.name))}`),
            },
        };
    },
    "aws:secretsmanager/secret:Secret": (c) => {
        const arn = arnFor(c, "secretsmanager", `secret:${str(c.inputs.name, c.name)}-${hex(c.urn, 6)}`);
        return { id: arn, outputs: { arn } };
    },
    "aws:secretsmanager/secretVersion:SecretVersion": (c) => {
        const versionId = uuid(c.urn);
        return {
            id: `${str(c.inputs.secretId, c.name)}|${versionId}`,
            outputs: { arn: c.inputs.secretId, versionId, versionStages: ["AWSCURRENT"] },
        };
    },
    "random:index/randomPassword:RandomPassword": (c) => {
        const length = typeof c.inputs.length === "number" ? c.inputs.length : 32;
        const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        const h = createHash("sha512").update(c.urn).digest();
        const result = Array.from({ length }, (_, i) => alphabet[h[i % h.length] % alphabet.length]).join("");
        return { id: "none", outputs: { result, bcryptHash: `$2a$10$${hex(c.urn + "b", 53)}` } };
    },
    "random:index/randomId:RandomId": (c) => {
        const bytes = typeof c.inputs.byteLength === "number" ? c.inputs.byteLength : 8;
        const buf = createHash("sha256").update(c.urn).digest().subarray(0, bytes);
        const b64Url = buf.toString("base64url");
        const prefix = typeof c.inputs.prefix === "string" ? c.inputs.prefix : "";
        return {
            id: b64Url,
            outputs: {
                hex: prefix + buf.toString("hex"),
                b64Std: prefix + buf.toString("base64"),
                b64Url: prefix + b64Url,
                dec: prefix + BigInt("0x" + buf.toString("hex")).toString(),
            },
        };
    },
    "aws:ec2/vpc:Vpc": ec2("vpc", "vpc", (c) => ({
        defaultSecurityGroupId: `sg-${hex(c.urn + "sg", 17)}`,
        defaultNetworkAclId: `acl-${hex(c.urn + "acl", 17)}`,
        defaultRouteTableId: `rtb-${hex(c.urn + "rtb", 17)}`,
        mainRouteTableId: `rtb-${hex(c.urn + "rtb", 17)}`,
        dhcpOptionsId: `dopt-${hex(c.urn + "dopt", 17)}`,
    })),
    "aws:ec2/subnet:Subnet": ec2("subnet", "subnet", (c) => ({
        availabilityZoneId: azId(c.region, str(c.inputs.availabilityZone, "a")),
    })),
    "aws:ec2/internetGateway:InternetGateway": ec2("igw", "internet-gateway"),
    "aws:ec2/routeTable:RouteTable": ec2("rtb", "route-table"),
    "aws:ec2/route:Route": (c) => ({
        id: `r-${str(c.inputs.routeTableId, "rtb")}${hex(c.urn, 8)}`,
        outputs: { state: "active", origin: "CreateRoute" },
    }),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": (c) => ({ id: `rtbassoc-${hex(c.urn, 17)}` }),
    "aws:ec2/eip:Eip": (c) => {
        const id = `eipalloc-${hex(c.urn, 17)}`;
        return {
            id,
            outputs: { allocationId: id, publicIp: ip(c.urn, "198.51.100"), arn: arnFor(c, "ec2", `elastic-ip/${id}`) },
        };
    },
    "aws:ec2/natGateway:NatGateway": ec2("nat", "natgateway", (c) => ({
        publicIp: ip(c.urn, "198.51.100"),
        privateIp: ip(c.urn, "10.0.60"),
        networkInterfaceId: `eni-${hex(c.urn + "eni", 17)}`,
    })),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ec2("vpce", "vpc-endpoint", (c) => ({
        prefixListId: `pl-${hex(c.urn + "pl", 8)}`,
        state: "available",
    })),
    "aws:ec2/securityGroup:SecurityGroup": ec2("sg", "security-group"),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": ec2("sg", "security-group"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ec2("sgr", "security-group-rule", (_c, id) => ({
        securityGroupRuleId: id,
    })),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ec2("sgr", "security-group-rule", (_c, id) => ({
        securityGroupRuleId: id,
    })),
    "aws:ec2/flowLog:FlowLog": ec2("fl", "vpc-flow-log"),
    "aws:cloudwatch/logGroup:LogGroup": (c) => {
        const n = str(c.inputs.name, c.name);
        return { id: n, outputs: { arn: arnFor(c, "logs", `log-group:${n}`) } };
    },
    "aws:iam/role:Role": (c) => {
        const n = str(c.inputs.name, c.name);
        return { id: n, outputs: { arn: arnFor(c, "iam", `role/${n}`, ""), uniqueId: `AROA${upperId(c.urn, 17)}` } };
    },
    "aws:iam/policy:Policy": (c) => {
        const n = str(c.inputs.name, c.name);
        const arn = arnFor(c, "iam", `policy/${n}`, "");
        return { id: arn, outputs: { arn, policyId: `ANPA${upperId(c.urn, 17)}` } };
    },
    "aws:iam/rolePolicy:RolePolicy": (c) => ({ id: `${str(c.inputs.role, "role")}:${str(c.inputs.name, c.name)}` }),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (c) => ({
        id: `${str(c.inputs.role, "role")}-${hex(c.urn, 26)}`,
    }),
    "aws:rds/subnetGroup:SubnetGroup": named("rds", (n) => `subgrp:${n}`),
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": named("rds", (n) => `cluster-pg:${n}`),
    "aws:rds/parameterGroup:ParameterGroup": named("rds", (n) => `pg:${n}`),
    "aws:rds/cluster:Cluster": (c) => {
        const id = str(c.inputs.clusterIdentifier, c.name);
        const zone = hex(c.urn, 12);
        const secret =
            plain(c.inputs.manageMasterUserPassword) === true
                ? [
                      {
                          secretArn: arnFor(
                              c,
                              "secretsmanager",
                              `secret:rds!cluster-${uuid(c.urn + "s")}-${hex(c.urn, 6)}`,
                          ),
                          secretStatus: "active",
                          kmsKeyId: c.inputs.masterUserSecretKmsKeyId,
                      },
                  ]
                : [];
        return {
            id,
            outputs: {
                arn: arnFor(c, "rds", `cluster:${id}`),
                endpoint: `${id}.cluster-${zone}.${c.region}.rds.amazonaws.com`,
                readerEndpoint: `${id}.cluster-ro-${zone}.${c.region}.rds.amazonaws.com`,
                port: typeof c.inputs.port === "number" ? c.inputs.port : 5432,
                clusterResourceId: `cluster-${upperId(c.urn, 26)}`,
                hostedZoneId: "Z29XKXDKYMONMX",
                masterUserSecrets: secret,
            },
        };
    },
    "aws:rds/clusterInstance:ClusterInstance": (c) => {
        const id = str(c.inputs.identifier, c.name);
        return {
            id,
            outputs: {
                arn: arnFor(c, "rds", `db:${id}`),
                endpoint: `${id}.${hex(c.urn, 12)}.${c.region}.rds.amazonaws.com`,
                dbiResourceId: `db-${upperId(c.urn, 26)}`,
                port: 5432,
            },
        };
    },
    "aws:ecs/cluster:Cluster": (c) => {
        const arn = arnFor(c, "ecs", `cluster/${str(c.inputs.name, c.name)}`);
        return { id: arn, outputs: { arn } };
    },
    "aws:ecs/service:Service": (c) => {
        const cluster = str(c.inputs.cluster, "cluster").split("/").pop();
        const arn = arnFor(c, "ecs", `service/${cluster}/${str(c.inputs.name, c.name)}`);
        return { id: arn, outputs: { arn } };
    },
    "aws:ecs/taskDefinition:TaskDefinition": (c) => {
        const family = str(c.inputs.family, c.name);
        const arn = arnFor(c, "ecs", `task-definition/${family}:1`);
        return {
            id: family,
            outputs: { arn, arnWithoutRevision: arnFor(c, "ecs", `task-definition/${family}`), revision: 1 },
        };
    },
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": (c) => ({ id: str(c.inputs.clusterName, c.name) }),
    "aws:ecr/repository:Repository": (c) => {
        const n = str(c.inputs.name, c.name);
        return {
            id: n,
            outputs: {
                arn: arnFor(c, "ecr", `repository/${n}`),
                registryId: ACCOUNT_ID,
                repositoryUrl: `${ACCOUNT_ID}.dkr.ecr.${c.region}.amazonaws.com/${n}`,
            },
        };
    },
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": (c) => ({
        id: str(c.inputs.repository, c.name),
        outputs: { registryId: ACCOUNT_ID },
    }),
    "aws:lb/loadBalancer:LoadBalancer": (c) => {
        const n = str(c.inputs.name, c.name);
        const kind = c.inputs.loadBalancerType === "network" ? "net" : "app";
        const suffix = `${kind}/${n}/${hex(c.urn, 16)}`;
        const arn = arnFor(c, "elasticloadbalancing", `loadbalancer/${suffix}`);
        const dns = `${c.inputs.internal === true ? "internal-" : ""}${n}-${parseInt(hex(c.urn, 8), 16)}.${c.region}.elb.amazonaws.com`;
        return { id: arn, outputs: { arn, arnSuffix: suffix, dnsName: dns, zoneId: "Z32O12XQLNTSW2" } };
    },
    "aws:lb/targetGroup:TargetGroup": (c) => {
        const suffix = `targetgroup/${str(c.inputs.name, c.name)}/${hex(c.urn, 16)}`;
        const arn = arnFor(c, "elasticloadbalancing", suffix);
        return { id: arn, outputs: { arn, arnSuffix: suffix } };
    },
    "aws:lb/listener:Listener": (c) => {
        const lb = str(c.inputs.loadBalancerArn, "loadbalancer/app/lb/0").split("loadbalancer/")[1];
        const arn = arnFor(c, "elasticloadbalancing", `listener/${lb}/${hex(c.urn, 16)}`);
        return { id: arn, outputs: { arn } };
    },
    "aws:lb/listenerRule:ListenerRule": (c) => {
        const l = str(c.inputs.listenerArn, "listener/app/lb/0/0").split("listener/")[1];
        const arn = arnFor(c, "elasticloadbalancing", `listener-rule/${l}/${hex(c.urn, 16)}`);
        return { id: arn, outputs: { arn } };
    },
    "aws:s3/bucket:Bucket": (c) => {
        const n = str(c.inputs.bucket, c.name);
        return {
            id: n,
            outputs: {
                arn: `arn:${c.partition}:s3:::${n}`,
                bucketDomainName: `${n}.s3.amazonaws.com`,
                bucketRegionalDomainName: `${n}.s3.${c.region}.amazonaws.com`,
                hostedZoneId: "Z3AQBSTGFYJSTF",
                region: c.region,
            },
        };
    },
    "aws:sns/topic:Topic": (c) => {
        const arn = arnFor(c, "sns", str(c.inputs.name, c.name));
        return { id: arn, outputs: { arn } };
    },
    "aws:appautoscaling/target:Target": (c) => ({
        id: str(c.inputs.resourceId, c.name),
        outputs: { arn: arnFor(c, "application-autoscaling", `scalable-target/${hex(c.urn, 34)}`) },
    }),
    "aws:appautoscaling/policy:Policy": (c) => ({
        id: str(c.inputs.name, c.name),
        outputs: {
            arn: arnFor(
                c,
                "autoscaling",
                `scalingPolicy:${uuid(c.urn)}:resource/${str(c.inputs.serviceNamespace, "ecs")}/${str(c.inputs.resourceId, "x")}:policyName/${str(c.inputs.name, c.name)}`,
            ),
            alarmArns: [],
        },
    }),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (c) => {
        const n = str(c.inputs.name, c.name);
        return { id: n, outputs: { arn: arnFor(c, "cloudwatch", `alarm:${n}`) } };
    },
    "aws:cloudwatch/eventRule:EventRule": (c) => {
        const n = str(c.inputs.name, c.name);
        return { id: n, outputs: { arn: arnFor(c, "events", `rule/${n}`) } };
    },
    // A remote component (no children under mocks, pulumi/pulumi#12553): `pulumi up` resolves the pushed digest.
    "awsx:ecr:Image": (c) => ({
        id: "",
        outputs: {
            imageUri: `${str(c.inputs.repositoryUrl, `${ACCOUNT_ID}.dkr.ecr.${c.region}.amazonaws.com/${c.name}`)}@sha256:${hex(c.urn, 64)}`,
        },
    }),
    "aws:lambda/function:Function": (c) => {
        const n = str(c.inputs.name, c.name);
        const arn = arnFor(c, "lambda", `function:${n}`);
        return {
            id: n,
            outputs: {
                arn,
                qualifiedArn: `${arn}:$LATEST`,
                invokeArn: `arn:${c.partition}:apigateway:${c.region}:lambda:path/2015-03-31/functions/${arn}/invocations`,
                version: "$LATEST",
                codeSha256: createHash("sha256").update(c.urn).digest("base64"),
            },
        };
    },
    // The provider's id is `<function>,<qualifier>,<md5 of the input>`; `result` is whatever the function returned,
    // which an offline plan cannot know, so it stays unset.
    "aws:lambda/invocation:Invocation": (c) => ({
        id: [
            str(c.inputs.functionName, c.name),
            str(c.inputs.qualifier, "$LATEST"),
            createHash("md5").update(str(c.inputs.input, "")).digest("hex"),
        ].join(","),
    }),
};

/** True when the runner knows the outputs of this type (used for remote components, which are not custom). */
export function hasFake(type: string): boolean {
    return type in FAKES;
}

/**
 * The id and outputs AWS would return for a new resource. Unknown types still get a well-formed id and an
 * ARN in the resource's own service namespace, never a bare name.
 */
export function fakeCreate(
    type: string,
    name: string,
    urn: string,
    inputs: Record<string, unknown>,
    region: string,
    partition: string,
) {
    const ctx: Ctx = { type, name, urn, inputs, region, partition, id: "" };
    const fake = FAKES[type];
    if (fake) return fake(ctx);
    const [, mod = "resource", kind = "Resource"] = /^[^:]+:([^/:]+)(?:\/[^:]*)?:(.*)$/.exec(type) ?? [];
    const id = `${kind.toLowerCase()}-${hex(urn, 17)}`;
    return { id, outputs: { arn: arnFor(ctx, mod, `${kind.toLowerCase()}/${id}`) } };
}
