/**
 * Private networking: nothing gets a public address, data stores sit in subnets with no route out, security groups
 * never admit the internet, and the only entry point is the edge.
 */
import type { PolicyResource } from "@pulumi/policy";

import { resourcePolicy, stackPolicy, type Built } from "./builders";
import { cloudfrontS3Origins } from "./cloudfrontS3Origins";
import { label, ResourceGraph } from "./graph";
import { elasticacheSubnetGroupNonPublic } from "./elasticache";
import { mustNotBeTrue, reportPublicSubnets } from "./helpers";
import {
    attachmentsOf,
    ingressRuleFromEc2Rule,
    ingressRuleFromVpcRule,
    ingressRulesOf,
    type IngressRule,
} from "./securityGroups";
import { T, type TypeGroup } from "./tokens";
import { isSet, isUnknown, peek, readThrough } from "./values";

/** Whether the world-open web-port exception holds for a security group, and if not, why. */
type PublicLbException =
    | { granted: true }
    | { granted: false; why: string }
    /** Only a load balancer whose `internal` flag is unknown at preview could grant it. */
    | { granted: "undecided"; lb: PolicyResource };

/**
 * The exception for TCP 80/443 from the world holds only for a group that sits on internet-facing load
 * balancers and nothing else: the same group on ECS tasks (their networkConfiguration.securityGroups), a
 * database or an instance would open those ports on them too. `internal` defaults to false, so an unset flag
 * is internet-facing; an unknown one is not assumed either way.
 */
function publicLoadBalancerException(graph: ResourceGraph, sg: PolicyResource): PublicLbException {
    const attached = attachmentsOf(graph, sg);
    const others = attached.filter((r) => !(T.loadBalancer as TypeGroup).includes(r.type));
    if (others.length > 0) {
        return {
            granted: false,
            why: `its security group is attached to ${others.map(label).join(", ")}; the exception covers groups used by load balancers only`,
        };
    }
    const lbs = graph.referrers(sg, T.loadBalancer, "securityGroups");
    if (lbs.some((lb) => peek(lb.props, "internal") !== true && !isUnknown(peek(lb.props, "internal")))) {
        return { granted: true };
    }
    const undecided = lbs.find((lb) => isUnknown(peek(lb.props, "internal")));
    if (undecided) {
        return { granted: "undecided", lb: undecided };
    }
    return { granted: false, why: "its security group is not used by an internet-facing load balancer" };
}

const subnetNoPublicIp = resourcePolicy({
    name: "subnet-no-public-ip-on-launch",
    category: "private-networking",
    severity: "high",
    summary: "No subnet assigns public IPs to what is launched in it, not even public subnets.",
    remediation:
        "Remove mapPublicIpOnLaunch (or set it to false); NAT gateways and load balancers get their own addresses.",
    types: T.subnet,
    checkov: ["CKV_AWS_130"],
    trivy: ["AVD-AWS-0164"],
    awsConfig: ["SUBNET_AUTO_ASSIGN_PUBLIC_IP_DISABLED"],
    check: mustNotBeTrue(["mapPublicIpOnLaunch"]),
});

const rdsNotPublic = resourcePolicy({
    name: "rds-not-publicly-accessible",
    category: "private-networking",
    severity: "critical",
    summary: "Aurora clusters and instances are not publicly accessible.",
    remediation: "Remove publiclyAccessible (or set it to false).",
    types: [...T.rdsCluster, ...T.rdsClusterInstance],
    checkov: ["CKV_AWS_17"],
    trivy: ["AVD-AWS-0180"],
    awsConfig: ["RDS_INSTANCE_PUBLIC_ACCESS_CHECK"],
    check: mustNotBeTrue(["publiclyAccessible"]),
});

const rdsSubnetGroupNonPublic = stackPolicy({
    name: "rds-subnet-group-non-public",
    category: "private-networking",
    severity: "critical",
    summary:
        "DB subnet groups contain only non-public subnets (no route to an internet gateway, no public IPs on launch).",
    remediation:
        "Build the aws.rds.SubnetGroup's subnetIds from the isolated (or private) aws.ec2.Subnet resources of this stack.",
    types: [...T.rdsSubnetGroup, ...T.subnet],
    check: (graph, report) => {
        for (const group of graph.ofType(T.rdsSubnetGroup)) {
            const subnets = graph.via(group, "subnetIds", T.subnet);
            reportPublicSubnets(graph, group, subnets, report);
        }
    },
});

const ecsServiceNoPublicIp = resourcePolicy({
    name: "ecs-service-no-public-ip",
    category: "private-networking",
    severity: "high",
    summary: "ECS services do not assign public IPs to their tasks.",
    remediation:
        "Set networkConfiguration.assignPublicIp to false (or omit it) and reach AWS APIs through NAT or VPC endpoints.",
    types: T.ecsService,
    checkov: ["CKV_AWS_333"],
    check: mustNotBeTrue(["networkConfiguration", "assignPublicIp"]),
});

const ecsServicePrivateSubnets = stackPolicy({
    name: "ecs-service-private-subnets",
    category: "private-networking",
    severity: "high",
    summary: "ECS services run only in non-public subnets of this stack.",
    remediation: "Pass the private aws.ec2.Subnet ids of this stack to the service's networkConfiguration.subnets.",
    types: [...T.ecsService, ...T.subnet],
    check: (graph, report) => {
        for (const service of graph.ofType(T.ecsService)) {
            const subnets = graph.via(service, "networkConfiguration", T.subnet);
            if (subnets.length === 0) {
                report(
                    isSet(service.props, "networkConfiguration")
                        ? `${label(service)}: networkConfiguration.subnets do not come from aws.ec2.Subnet resources in this stack, so their tier cannot be verified.`
                        : `${label(service)} has no networkConfiguration; set its subnets to private subnets.`,
                    service.urn,
                );
                continue;
            }
            const publicOnes = subnets.filter((s) => graph.tierOf(s) === "public");
            if (publicOnes.length > 0) {
                report(
                    `${label(service)} runs in public subnet(s) ${publicOnes.map((s) => `'${s.name}'`).join(", ")}.`,
                    service.urn,
                );
            }
        }
    },
});

const securityGroupNoPublicIngress = stackPolicy({
    name: "security-group-no-public-ingress",
    category: "private-networking",
    severity: "critical",
    summary:
        "No security group admits 0.0.0.0/0 or ::/0, except TCP 80/443 on a security group attached only to load balancers, at least one of them known to be internet-facing.",
    remediation:
        "Narrow the source to a security group or the CloudFront origin-facing prefix list; only an internet-facing load balancer's own security group, attached to nothing but load balancers, may open 80/443 to the world (give tasks their own group that admits the load balancer's group).",
    types: [
        ...T.securityGroup,
        ...T.securityGroupRule,
        ...T.securityGroupIngressRule,
        ...T.loadBalancer,
        ...T.ecsService,
    ],
    checkov: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_260", "CKV_AWS_277"],
    trivy: ["AVD-AWS-0107"],
    awsConfig: ["RESTRICTED_INCOMING_TRAFFIC", "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS"],
    configSchema: {
        properties: {
            publicLoadBalancerPorts: {
                type: "array",
                items: { type: "integer", minimum: 1, maximum: 65535 },
                uniqueItems: true,
                default: [80, 443],
                description: "TCP ports an internet-facing load balancer's security group may open to the world.",
            },
        },
    },
    check: (graph, report, settings, later) => {
        const ports = settings.publicLoadBalancerPorts as number[];
        const seen = new Set<PolicyResource>();
        const judge = (rule: IngressRule, sg: PolicyResource | undefined): void => {
            if (!rule.world) {
                return;
            }
            const tcp = ["tcp", "6"].includes(String(rule.protocol).toLowerCase());
            const port = Number(rule.fromPort);
            if (!(tcp && Number(rule.toPort) === port && ports.includes(port))) {
                report(
                    `${rule.where} admits the whole internet: protocol ${String(rule.protocol)} ports ${String(rule.fromPort)}-${String(rule.toPort)} is not a single allowed web port (${ports.join(", ")}).`,
                    rule.owner.urn,
                );
                return;
            }
            const exception: PublicLbException = sg
                ? publicLoadBalancerException(graph, sg)
                : { granted: false, why: "its security group is not a resource of this stack" };
            if (exception.granted === "undecided") {
                // Whether the port may be open depends on nothing but that flag: let the engine say so.
                const lb = exception.lb;
                later(() => readThrough(lb.props, "internal"));
            } else if (!exception.granted) {
                report(`${rule.where} admits the whole internet: ${exception.why}.`, rule.owner.urn);
            }
        };
        for (const sg of graph.ofType(T.securityGroup)) {
            for (const rule of ingressRulesOf(graph, sg)) {
                seen.add(rule.owner);
                judge(rule, sg);
            }
        }
        // Rules whose group is not a resource of this stack cannot use the load-balancer exception.
        for (const r of graph.ofType(T.securityGroupIngressRule)) {
            if (!seen.has(r)) {
                judge(ingressRuleFromVpcRule(r), undefined);
            }
        }
        for (const r of graph.ofType(T.securityGroupRule)) {
            if (!seen.has(r) && peek(r.props, "type") === "ingress") {
                judge(ingressRuleFromEc2Rule(r), undefined);
            }
        }
    },
});

const loadBalancerNotInternetFacing = resourcePolicy({
    name: "load-balancer-not-internet-facing",
    category: "private-networking",
    severity: "high",
    summary:
        "When forbidInternetFacingLoadBalancers is on, application and network load balancers are internal (CloudFront is the only public entry).",
    remediation:
        "Set internal: true, place the load balancer in private subnets and reach it through a CloudFront VPC origin.",
    types: T.loadBalancer,
    configSchema: {
        properties: {
            forbidInternetFacingLoadBalancers: {
                type: "boolean",
                default: false,
                description: "Forbid internet-facing application and network load balancers.",
            },
        },
    },
    check: (props, report, settings) => {
        if (settings.forbidInternetFacingLoadBalancers !== true) {
            return;
        }
        const type = peek(props, "loadBalancerType");
        if (type === "gateway") {
            return;
        }
        const internal = peek(props, "internal");
        if (isUnknown(internal)) {
            readThrough(props, "internal");
        }
        if (internal !== true) {
            report(
                `The ${typeof type === "string" ? type : "application"} load balancer is internet-facing (internal is not true).`,
            );
        }
    },
});

const databaseSgOnlySgIngress = stackPolicy({
    name: "database-sg-only-sg-ingress",
    category: "private-networking",
    severity: "high",
    summary:
        "Security groups attached to Aurora clusters/instances admit only other security groups, never CIDR ranges or prefix lists.",
    remediation:
        "Replace CIDR ingress on the database security group with rules whose source is the application's security group (referencedSecurityGroupId / sourceSecurityGroupId / securityGroups).",
    types: [
        ...T.rdsCluster,
        ...T.rdsClusterInstance,
        ...T.securityGroup,
        ...T.securityGroupRule,
        ...T.securityGroupIngressRule,
    ],
    check: (graph, report) => {
        const dbGroups = new Set<PolicyResource>();
        for (const db of [...graph.ofType(T.rdsCluster), ...graph.ofType(T.rdsClusterInstance)]) {
            const groups = graph.via(db, "vpcSecurityGroupIds", T.securityGroup);
            if (groups.length > 0) {
                groups.forEach((g) => dbGroups.add(g));
            } else if ((T.rdsCluster as TypeGroup).includes(db.type)) {
                // Instances inherit the cluster's groups; only the cluster must name them.
                report(
                    isSet(db.props, "vpcSecurityGroupIds")
                        ? `${label(db)}: vpcSecurityGroupIds do not come from security groups in this stack, so their rules cannot be verified.`
                        : `${label(db)} has no vpcSecurityGroupIds and falls back to the VPC's default security group.`,
                    db.urn,
                );
            }
        }
        for (const sg of dbGroups) {
            for (const rule of ingressRulesOf(graph, sg)) {
                if (rule.addressSource) {
                    report(
                        `${rule.where} on database ${label(sg)} admits an address range instead of a security group.`,
                        rule.owner.urn,
                    );
                }
            }
        }
    },
});

const s3PublicAccessBlock = stackPolicy({
    name: "s3-bucket-public-access-block",
    category: "private-networking",
    severity: "critical",
    summary: "Every S3 bucket has a public access block with all four settings on.",
    remediation:
        "Add an aws.s3.BucketPublicAccessBlock with bucket: <bucket>.id and blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets all true.",
    types: [...T.bucket, ...T.bucketPublicAccessBlock],
    checkov: ["CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56", "CKV2_AWS_6"],
    trivy: ["AVD-AWS-0086", "AVD-AWS-0087", "AVD-AWS-0091", "AVD-AWS-0093", "AVD-AWS-0094"],
    awsConfig: ["S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED"],
    check: (graph, report, _settings, later) => {
        const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
        for (const bucket of graph.ofType(T.bucket)) {
            const blocks = graph.referrers(bucket, T.bucketPublicAccessBlock, "bucket");
            if (blocks.length === 0) {
                report(`${label(bucket)} has no BucketPublicAccessBlock.`, bucket.urn);
                continue;
            }
            const complete = blocks.some((b) => flags.every((f) => peek(b.props, f) === true));
            const unknownFlag = blocks.flatMap((b) =>
                flags.filter((f) => isUnknown(peek(b.props, f))).map((f) => [b, f] as const),
            )[0];
            if (!complete && unknownFlag) {
                later(() => readThrough(unknownFlag[0].props, unknownFlag[1]));
            } else if (!complete) {
                const missing = flags.filter((f) => !blocks.some((b) => peek(b.props, f) === true));
                report(`${label(bucket)}'s public access block leaves ${missing.join(", ")} off.`, bucket.urn);
            }
        }
    },
});

/** The private-networking policies, in catalog order. */
export const privateNetworking: Built[] = [
    subnetNoPublicIp,
    rdsNotPublic,
    rdsSubnetGroupNonPublic,
    ecsServiceNoPublicIp,
    ecsServicePrivateSubnets,
    securityGroupNoPublicIngress,
    loadBalancerNotInternetFacing,
    databaseSgOnlySgIngress,
    s3PublicAccessBlock,
    elasticacheSubnetGroupNonPublic,
    ...cloudfrontS3Origins,
];
