/**
 * Builders for `PlannedResource` fixtures: a tiny plan builder that records `propertyDependencies` the way
 * the engine does, and a complete, compliant platform stack the policy tests mutate one fact at a time.
 */
import { policies } from "../../policy/policies";
import { T } from "../../policy/tokens";
import { evaluatePolicies, resolvePolicyConfig, type PolicyConfigFile } from "../../tools/plan/policy-eval";
import { SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "../../tools/plan/types";
import type { PlanMode, PlannedResource, Violation } from "../../tools/plan/types";

/** A value that comes from another resource's output: it records the dependency and is unknown at preview. */
export interface OutputRef {
    readonly __output: true;
    readonly from: PlannedResource;
    readonly value: unknown;
}

function isOutputRef(v: unknown): v is OutputRef {
    return v !== null && typeof v === "object" && (v as OutputRef).__output === true;
}

/** Builds a plan the way the mock monitor records one: URNs, parents, dependencies, wire-form inputs. */
export class PlanBuilder {
    readonly resources: PlannedResource[] = [];
    readonly root: PlannedResource;

    constructor(
        readonly mode: PlanMode = "preview",
        readonly stack = "dev",
        readonly project = "aws-platform",
    ) {
        this.root = {
            urn: `urn:pulumi:${stack}::${project}::pulumi:pulumi:Stack::${project}-${stack}`,
            type: "pulumi:pulumi:Stack",
            name: `${project}-${stack}`,
            custom: false,
            dependencies: [],
            propertyDependencies: {},
            inputs: {},
            outputs: {},
            protect: false,
        };
        this.resources.push(this.root);
    }

    /**
     * The output `prop` of `r` as an input value: unknown in preview (the resource is created in the same
     * update), a stable fake in update mode.
     */
    out(r: PlannedResource, prop = "id"): OutputRef {
        return { __output: true, from: r, value: this.mode === "preview" ? UNKNOWN : `${r.name}-${prop}` };
    }

    /** A known output value of `r` (for example a literal passed through), still recorded as a dependency. */
    known(r: PlannedResource, value: unknown): OutputRef {
        return { __output: true, from: r, value };
    }

    /** Registers a custom resource; `OutputRef`s anywhere in `inputs` become propertyDependencies of their top-level key. */
    add(
        type: string,
        name: string,
        inputs: Record<string, unknown> = {},
        opts: { parent?: PlannedResource; outputs?: Record<string, unknown>; custom?: boolean } = {},
    ): PlannedResource {
        const propertyDependencies: Record<string, string[]> = {};
        const wire: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(inputs)) {
            if (value === undefined) {
                continue; // The SDK omits undefined inputs.
            }
            const deps = new Set<string>();
            wire[key] = resolve(value, deps);
            if (deps.size > 0) {
                propertyDependencies[key] = [...deps];
            }
        }
        const parent = opts.parent ?? this.root;
        const r: PlannedResource = {
            urn: `urn:pulumi:${this.stack}::${this.project}::${type}::${name}`,
            type,
            name,
            parent: parent.urn,
            custom: opts.custom ?? true,
            dependencies: [...new Set(Object.values(propertyDependencies).flat())],
            propertyDependencies,
            inputs: wire,
            outputs: { ...wire, ...(opts.outputs ?? {}) },
            protect: false,
        };
        this.resources.push(r);
        return r;
    }

    /** The resource named `name` (throws if absent, so a typo in a test fails loudly). */
    get(name: string): PlannedResource {
        const r = this.resources.find((x) => x.name === name);
        if (!r) {
            throw new Error(`no fixture resource named '${name}'`);
        }
        return r;
    }

    /** Sets (or, with `undefined`, removes) inputs of a resource, keeping outputs in step. */
    patch(name: string, changes: Record<string, unknown>): this {
        const r = this.get(name);
        for (const [key, value] of Object.entries(changes)) {
            if (value === undefined) {
                delete r.inputs[key];
                delete r.outputs[key];
                delete r.propertyDependencies[key];
            } else {
                const deps = new Set<string>();
                const wire = resolve(value, deps);
                r.inputs[key] = wire;
                r.outputs[key] = wire;
                if (deps.size > 0) {
                    r.propertyDependencies[key] = [...deps];
                } else {
                    delete r.propertyDependencies[key];
                }
            }
        }
        r.dependencies = [...new Set(Object.values(r.propertyDependencies).flat())];
        return this;
    }

    /** Removes a resource and every dependency on it. */
    remove(name: string): this {
        const r = this.get(name);
        this.resources.splice(this.resources.indexOf(r), 1);
        for (const other of this.resources) {
            other.dependencies = other.dependencies.filter((u) => u !== r.urn);
            for (const key of Object.keys(other.propertyDependencies)) {
                other.propertyDependencies[key] = other.propertyDependencies[key].filter((u) => u !== r.urn);
            }
        }
        return this;
    }
}

function resolve(value: unknown, deps: Set<string>): unknown {
    if (isOutputRef(value)) {
        deps.add(value.from.urn);
        return resolve(value.value, deps);
    }
    if (Array.isArray(value)) {
        return value.map((v) => resolve(v, deps));
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, deps)]));
    }
    return value;
}

/** Wire-form secret. */
export function secret(value: unknown): Record<string, unknown> {
    return { [SPECIAL_SIG_KEY]: SECRET_SIG, value };
}

/** Options of {@link platformStack}. */
export interface PlatformOptions {
    mode?: PlanMode;
    stack?: string;
    azs?: string[];
    /** One NAT per AZ (default) or a single NAT in the first AZ. */
    natPerAz?: boolean;
    readers?: number;
    /** prod shape: internal ALB behind a CloudFront VPC origin with a plain-HTTP forward. */
    internalAlbBehindVpcOrigin?: boolean;
    /**
     * The VPC origin's originProtocolPolicy: https-only by default, as a stack with a certificate builds it;
     * "http-only" is dev's shape (no certificate), which needs cloudfront-vpc-origin-https's exception.
     */
    vpcOriginProtocolPolicy?: string;
}

/**
 * A complete platform stack that satisfies every policy under the prod config (and dev's, when built with
 * `internalAlbBehindVpcOrigin: false`): three tiers per AZ, a NAT per AZ, Aurora with a writer and readers,
 * an ECS service behind an ALB, buckets, KMS, logs, SNS, secrets, ECR and CloudFront. Names are stable so
 * tests can patch one fact and assert the one violation it causes.
 */
export function platformStack(options: PlatformOptions = {}): PlanBuilder {
    const azs = options.azs ?? ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
    const natPerAz = options.natPerAz ?? true;
    const internalAlb = options.internalAlbBehindVpcOrigin ?? true;
    const p = new PlanBuilder(options.mode ?? "preview", options.stack ?? "prod");

    const key = p.add(T.kmsKey[0], "cmk", {
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: keyPolicyAllowing("cloudwatch.amazonaws.com"),
    });
    const vpc = p.add(T.vpc[0], "vpc", { cidrBlock: "10.0.0.0/16" });
    const igw = p.add(T.internetGateway[0], "igw", { vpcId: p.out(vpc) });

    const publicRt = p.add(T.routeTable[0], "public-rt", { vpcId: p.out(vpc) });
    p.add(T.route[0], "public-default", {
        routeTableId: p.out(publicRt),
        destinationCidrBlock: "0.0.0.0/0",
        gatewayId: p.out(igw),
    });

    const nats: PlannedResource[] = [];
    azs.forEach((az, i) => {
        const suffix = az.slice(-1);
        const pub = p.add(T.subnet[0], `public-${suffix}`, {
            vpcId: p.out(vpc),
            cidrBlock: `10.0.${i}.0/24`,
            availabilityZone: az,
        });
        p.add(T.routeTableAssociation[0], `public-${suffix}-assoc`, {
            subnetId: p.out(pub),
            routeTableId: p.out(publicRt),
        });
        if (natPerAz || i === 0) {
            const eip = p.add("aws:ec2/eip:Eip", `nat-${suffix}-eip`, { domain: "vpc" });
            nats.push(p.add(T.natGateway[0], `nat-${suffix}`, { subnetId: p.out(pub), allocationId: p.out(eip) }));
        }
        const nat = nats[natPerAz ? i : 0];
        // Inline routes on the private tables, separate Route resources on the public one: both shapes are in use.
        const privateRt = p.add(T.routeTable[0], `private-${suffix}-rt`, {
            vpcId: p.out(vpc),
            routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: p.out(nat) }],
        });
        const priv = p.add(T.subnet[0], `private-${suffix}`, {
            vpcId: p.out(vpc),
            cidrBlock: `10.0.${10 + i}.0/24`,
            availabilityZone: az,
        });
        p.add(T.routeTableAssociation[0], `private-${suffix}-assoc`, {
            subnetId: p.out(priv),
            routeTableId: p.out(privateRt),
        });
        const isolatedRt = p.add(T.routeTable[0], `isolated-${suffix}-rt`, { vpcId: p.out(vpc) });
        const iso = p.add(T.subnet[0], `isolated-${suffix}`, {
            vpcId: p.out(vpc),
            cidrBlock: `10.0.${20 + i}.0/24`,
            availabilityZone: az,
        });
        p.add(T.routeTableAssociation[0], `isolated-${suffix}-assoc`, {
            subnetId: p.out(iso),
            routeTableId: p.out(isolatedRt),
        });
    });
    const tier = (t: string) => azs.map((az) => p.get(`${t}-${az.slice(-1)}`));

    // Security groups: ALB ← CloudFront prefix list, app ← ALB, database ← app.
    const albSg = p.add(T.securityGroup[0], "alb-sg", { vpcId: p.out(vpc), description: "alb" });
    p.add(T.securityGroupIngressRule[0], "alb-from-cloudfront", {
        securityGroupId: p.out(albSg),
        prefixListId: "pl-a3a144ca",
        ipProtocol: "tcp",
        fromPort: internalAlb ? 80 : 443,
        toPort: internalAlb ? 80 : 443,
    });
    const appSg = p.add(T.securityGroup[0], "app-sg", { vpcId: p.out(vpc), description: "app" });
    p.add(T.securityGroupIngressRule[0], "app-from-alb", {
        securityGroupId: p.out(appSg),
        referencedSecurityGroupId: p.out(albSg),
        ipProtocol: "tcp",
        fromPort: 8080,
        toPort: 8080,
    });
    const dbSg = p.add(T.securityGroup[0], "db-sg", {
        vpcId: p.out(vpc),
        description: "db",
        ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: [p.out(appSg)] }],
    });

    // Buckets: assets (KMS, versioned) and ALB access logs (SSE-S3, as ELB requires; written once, not versioned).
    const bucket = (name: string, sse: Record<string, unknown>, policyExtra: string, versioned: boolean) => {
        const b = p.add(T.bucket[0], name, { bucket: `${name}-bucket`, forceDestroy: false });
        p.add(T.bucketOwnershipControls[0], `${name}-ownership`, {
            bucket: p.out(b),
            rule: { objectOwnership: "BucketOwnerEnforced" },
        });
        if (versioned) {
            p.add(T.bucketVersioning[0], `${name}-versioning`, {
                bucket: p.out(b),
                versioningConfiguration: { status: "Enabled" },
            });
        }
        p.add(T.bucketEncryption[0], `${name}-sse`, {
            bucket: p.out(b),
            rules: [{ applyServerSideEncryptionByDefault: sse }],
        });
        p.add(T.bucketPublicAccessBlock[0], `${name}-pab`, {
            bucket: p.out(b),
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        });
        p.add(T.bucketPolicy[0], `${name}-policy`, {
            bucket: p.out(b),
            policy: p.known(b, tlsOnlyPolicy(`arn:aws:s3:::${name}-bucket`, policyExtra)),
        });
        return b;
    };
    const assets = bucket("assets", { sseAlgorithm: "aws:kms", kmsMasterKeyId: p.out(key, "arn") }, "", true);
    const logs = bucket(
        "alb-logs",
        { sseAlgorithm: "AES256" },
        "logdelivery.elasticloadbalancing.amazonaws.com",
        false,
    );

    const lbTier = internalAlb ? tier("private") : tier("public");
    const alb = p.add(T.loadBalancer[0], "alb", {
        loadBalancerType: "application",
        internal: internalAlb,
        subnets: lbTier.map((s) => p.out(s)),
        securityGroups: [p.out(albSg)],
        accessLogs: { bucket: p.out(logs), enabled: true },
    });
    const tg = p.add("aws:lb/targetGroup:TargetGroup", "tg", { port: 8080, protocol: "HTTP", targetType: "ip" });
    p.add(T.listener[0], "https", {
        loadBalancerArn: p.out(alb, "arn"),
        port: 443,
        protocol: "HTTPS",
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        defaultActions: [{ type: "forward", targetGroupArn: p.out(tg, "arn") }],
    });
    p.add(T.listener[0], "http", {
        loadBalancerArn: p.out(alb, "arn"),
        port: 80,
        protocol: "HTTP",
        defaultActions: internalAlb
            ? [{ type: "forward", targetGroupArn: p.out(tg, "arn") }]
            : [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
    });
    const vpcOrigin = internalAlb
        ? p.add(T.vpcOrigin[0], "alb-origin", {
              vpcOriginEndpointConfig: {
                  name: "alb",
                  arn: p.out(alb, "arn"),
                  httpPort: 80,
                  httpsPort: 443,
                  originProtocolPolicy: options.vpcOriginProtocolPolicy ?? "https-only",
                  originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
              },
          })
        : undefined;

    // Edge: WAF, security headers, origin access control, and access logs (standard logging v2).
    const waf = p.add(T.webAcl[0], "waf", { scope: "CLOUDFRONT", defaultAction: { allow: {} } });
    const headers = p.add(T.responseHeadersPolicy[0], "headers", {
        securityHeadersConfig: {
            strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, override: true },
        },
    });
    const oac = p.add(T.originAccessControl[0], "oac", {
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
    });
    const rhp = p.out(headers);
    const cdn = p.add(T.distribution[0], "cdn", {
        enabled: true,
        // A WAFv2 ARN once known: the policy tells an ARN from an id.
        webAclId:
            p.mode === "preview"
                ? p.out(waf, "arn")
                : p.known(waf, "arn:aws:wafv2:us-east-1:123456789012:global/webacl/waf/0b1c2d3e"),
        origins: [
            vpcOrigin
                ? {
                      originId: "app",
                      domainName: p.out(alb, "dnsName"),
                      vpcOriginConfig: { vpcOriginId: p.out(vpcOrigin) },
                  }
                : {
                      originId: "app",
                      domainName: p.out(alb, "dnsName"),
                      customOriginConfig: {
                          originProtocolPolicy: "https-only",
                          httpPort: 80,
                          httpsPort: 443,
                          originSslProtocols: ["TLSv1.2"],
                      },
                  },
            {
                originId: "assets",
                domainName: p.out(assets, "bucketRegionalDomainName"),
                originAccessControlId: p.out(oac),
            },
        ],
        defaultCacheBehavior: {
            targetOriginId: "app",
            viewerProtocolPolicy: "redirect-to-https",
            responseHeadersPolicyId: rhp,
        },
        orderedCacheBehaviors: [
            {
                pathPattern: "/static/*",
                targetOriginId: "assets",
                viewerProtocolPolicy: "https-only",
                responseHeadersPolicyId: rhp,
            },
        ],
        viewerCertificate: {
            acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/cf",
            minimumProtocolVersion: "TLSv1.2_2021",
            sslSupportMethod: "sni-only",
        },
    });
    const accessLogs = p.add(T.logGroup[0], "cdn-access-logs", { retentionInDays: 90, kmsKeyId: p.out(key, "arn") });
    const source = p.add(T.logDeliverySource[0], "cdn-access", {
        name: "cdn-access",
        logType: "ACCESS_LOGS",
        resourceArn: p.out(cdn, "arn"),
    });
    const destination = p.add("aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination", "cdn-access-dest", {
        name: "cdn-access",
        deliveryDestinationConfiguration: { destinationResourceArn: p.out(accessLogs, "arn") },
    });
    p.add(T.logDelivery[0], "cdn-access-delivery", {
        deliverySourceName: p.out(source, "name"),
        deliveryDestinationArn: p.out(destination, "arn"),
    });

    // Aurora.
    const params = p.add(T.rdsClusterParameterGroup[0], "db-params", {
        family: "aurora-postgresql16",
        parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }],
    });
    const subnetGroup = p.add(T.rdsSubnetGroup[0], "db-subnets", { subnetIds: tier("isolated").map((s) => p.out(s)) });
    const cluster = p.add(T.rdsCluster[0], "db", {
        engine: "aurora-postgresql",
        storageEncrypted: true,
        kmsKeyId: p.out(key, "arn"),
        dbClusterParameterGroupName: p.out(params, "name"),
        dbSubnetGroupName: p.out(subnetGroup, "name"),
        vpcSecurityGroupIds: [p.out(dbSg)],
        performanceInsightsEnabled: true,
        performanceInsightsKmsKeyId: p.out(key, "arn"),
        masterPassword: secret("not-a-real-password"),
    });
    for (let i = 0; i <= (options.readers ?? 1); i++) {
        p.add(T.rdsClusterInstance[0], `db-${i}`, {
            clusterIdentifier: p.out(cluster),
            instanceClass: "db.serverless",
            engine: "aurora-postgresql",
            performanceInsightsEnabled: true,
            performanceInsightsKmsKeyId: p.out(key, "arn"),
        });
    }

    // ECS service.
    const ecsCluster = p.add("aws:ecs/cluster:Cluster", "ecs", {});
    const service = p.add(T.ecsService[0], "web", {
        name: "web",
        cluster: p.out(ecsCluster, "arn"),
        desiredCount: 2,
        launchType: "FARGATE",
        networkConfiguration: {
            subnets: tier("private").map((s) => p.out(s)),
            securityGroups: [p.out(appSg)],
            assignPublicIp: false,
        },
    });
    p.add(T.autoscalingTarget[0], "web-scaling", {
        serviceNamespace: "ecs",
        scalableDimension: "ecs:service:DesiredCount",
        resourceId: p.known(service, "service/ecs/web"),
        minCapacity: 2,
        maxCapacity: 6,
    });

    // Supporting encrypted resources.
    p.add(T.logGroup[0], "app-logs", { retentionInDays: 30, kmsKeyId: p.out(key, "arn") });
    const topic = p.add(T.snsTopic[0], "alarms", { kmsMasterKeyId: p.out(key, "arn") });
    p.add(T.secret[0], "app-secret", { kmsKeyId: p.out(key, "arn") });
    p.add(T.ecrRepository[0], "app-repo", {
        encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: p.out(key, "arn") }],
    });

    // One alarm per watched resource, each notifying the encrypted topic: dimensions and metric math built from the
    // resources' outputs, as the Monitoring component builds them.
    const alarm = (name: string, watched: Record<string, unknown>) =>
        p.add(T.metricAlarm[0], name, {
            ...watched,
            alarmActions: [p.out(topic, "arn")],
            okActions: [p.out(topic, "arn")],
        });
    alarm("db-cpu", { dimensions: { DBClusterIdentifier: p.out(cluster, "clusterIdentifier"), Role: "WRITER" } });
    alarm("web-cpu", {
        dimensions: { ClusterName: p.out(ecsCluster, "name"), ServiceName: p.out(service, "name") },
    });
    const tgDimensions = { TargetGroup: p.out(tg, "arnSuffix"), LoadBalancer: p.out(alb, "arnSuffix") };
    alarm("tg-5xx-rate", {
        metricQueries: [
            { id: "value", expression: "100 * errors / requests", returnData: true },
            { id: "errors", metric: { metricName: "HTTPCode_Target_5XX_Count", dimensions: tgDimensions } },
            { id: "requests", metric: { metricName: "RequestCount", dimensions: tgDimensions } },
        ],
    });
    for (const nat of nats) alarm(`${nat.name}-port-allocation`, { dimensions: { NatGatewayId: p.out(nat) } });
    alarm("cdn-5xx", { dimensions: { DistributionId: p.out(cdn), Region: "Global" } });
    return p;
}

/** A key policy: the account administers the key, and `service` may use it for SNS (Decrypt, GenerateDataKey*). */
export function keyPolicyAllowing(
    service: string,
    actions: string[] = ["kms:Decrypt", "kms:GenerateDataKey*"],
): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountAdministersKey",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::123456789012:root" },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "ServicePublishes",
                Effect: "Allow",
                Principal: { Service: service },
                Action: actions,
                Resource: "*",
            },
        ],
    });
}

/** A bucket policy document that denies non-TLS requests (optionally mentioning an extra principal). */
export function tlsOnlyPolicy(bucketArn: string, extraPrincipal = ""): string {
    const statements: unknown[] = [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ];
    if (extraPrincipal) {
        statements.push({
            Effect: "Allow",
            Principal: { Service: extraPrincipal },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/*`,
        });
    }
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

// ------------------------------------------------------------------------------------------------
// Evaluation harness
// ------------------------------------------------------------------------------------------------

/** The pack's policy named `name` (throws on a typo). */
export function policyNamed(name: string): (typeof policies)[number] {
    const p = policies.find((x) => x.name === name);
    if (!p) {
        throw new Error(`no policy named '${name}'`);
    }
    return p;
}

/**
 * Runs only the policy `name` over `resources` through the offline evaluator, i.e. with props deserialised
 * from the wire form and wrapped in `unknownCheckingProxy`, exactly as the engine hands them over.
 */
export function runPolicy(
    name: string,
    resources: PlannedResource[] | PlanBuilder,
    fileConfig: PolicyConfigFile = {},
): Violation[] {
    const list = resources instanceof PlanBuilder ? resources.resources : resources;
    return evaluatePolicies([policyNamed(name)], list, resolvePolicyConfig(policies, fileConfig));
}

/** A plan holding one custom resource. */
export function single(type: string, inputs: Record<string, unknown>, mode: PlanMode = "preview"): PlannedResource[] {
    const p = new PlanBuilder(mode);
    p.add(type, "subject", inputs);
    return p.resources;
}

/** `policy:level` of each violation, in order: what tests compare exactly. */
export function summary(violations: readonly Violation[]): string[] {
    return violations.map((v) => `${v.policy}:${v.enforcementLevel}`);
}
