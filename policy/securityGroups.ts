/**
 * Security-group queries shared by the private-networking and encryption-in-transit policies: the ingress rules of
 * a group, whichever of the three shapes declares them, and what the group is attached to.
 *
 * Like graph.ts, everything follows `propertyDependencies` and only peeks at values, so nothing here throws on a
 * preview-time unknown; a caller that genuinely needs an unknown value reads it through the proxy itself.
 */
import type { PolicyResource } from "@pulumi/policy";

import { label, type ResourceGraph } from "./graph";
import { asList } from "./helpers";
import { T, type TypeGroup } from "./tokens";
import { isSet, isUnknown, knownArray, peek } from "./values";

const WORLD_CIDRS = new Set(["0.0.0.0/0", "::/0"]);

function hasWorldCidr(list: unknown): boolean {
    return asList(list).some((c) => typeof c === "string" && WORLD_CIDRS.has(c));
}

function nonEmptyOrUnknown(v: unknown): boolean {
    return isUnknown(v) || (Array.isArray(v) ? v.length > 0 : v !== undefined && v !== null && v !== "");
}

/** One ingress rule of a security group, from inline `ingress` or one of the separate rule resources. */
export interface IngressRule {
    /** The resource to report against: the rule resource, or the security group for inline rules. */
    owner: PolicyResource;
    where: string;
    protocol: unknown;
    fromPort: unknown;
    toPort: unknown;
    world: boolean;
    /** CIDR or prefix-list sources, i.e. anything that is not another security group. */
    addressSource: boolean;
    /** CIDR sources (IPv4 or IPv6), known or unknown. */
    cidrSource: boolean;
    /** Prefix-list sources, known or unknown. */
    prefixListSource: boolean;
    /** Another security group (or the group itself, `self`) as the source. */
    groupSource: boolean;
    /** The input of `owner` the prefix list comes from, to follow its propertyDependencies. */
    prefixListInput: string;
}

/** Ingress rules of `sg`: inline `ingress` plus the SecurityGroupIngressRule / SecurityGroupRule resources on it. */
export function ingressRulesOf(graph: ResourceGraph, sg: PolicyResource): IngressRule[] {
    const rules: IngressRule[] = [];
    (knownArray(sg.props, "ingress") ?? []).forEach((r, i) => {
        const cidrSource = nonEmptyOrUnknown(peek(r, "cidrBlocks")) || nonEmptyOrUnknown(peek(r, "ipv6CidrBlocks"));
        const prefixListSource = nonEmptyOrUnknown(peek(r, "prefixListIds"));
        rules.push({
            owner: sg,
            where: `${label(sg)} inline ingress[${i}]`,
            protocol: peek(r, "protocol"),
            fromPort: peek(r, "fromPort"),
            toPort: peek(r, "toPort"),
            world: hasWorldCidr(peek(r, "cidrBlocks")) || hasWorldCidr(peek(r, "ipv6CidrBlocks")),
            addressSource: cidrSource || prefixListSource,
            cidrSource,
            prefixListSource,
            groupSource: nonEmptyOrUnknown(peek(r, "securityGroups")) || peek(r, "self") === true,
            prefixListInput: "ingress",
        });
    });
    for (const r of graph.referrers(sg, T.securityGroupIngressRule, "securityGroupId")) {
        rules.push(ingressRuleFromVpcRule(r));
    }
    for (const r of graph.referrers(sg, T.securityGroupRule, "securityGroupId")) {
        if (peek(r.props, "type") === "ingress") {
            rules.push(ingressRuleFromEc2Rule(r));
        }
    }
    return rules;
}

/** An `aws:vpc` SecurityGroupIngressRule (one source per rule). */
export function ingressRuleFromVpcRule(r: PolicyResource): IngressRule {
    const cidrSource = isSet(r.props, "cidrIpv4") || isSet(r.props, "cidrIpv6");
    const prefixListSource = isSet(r.props, "prefixListId");
    return {
        owner: r,
        where: label(r),
        protocol: peek(r.props, "ipProtocol"),
        fromPort: peek(r.props, "fromPort"),
        toPort: peek(r.props, "toPort"),
        world: hasWorldCidr(peek(r.props, "cidrIpv4")) || hasWorldCidr(peek(r.props, "cidrIpv6")),
        addressSource: cidrSource || prefixListSource,
        cidrSource,
        prefixListSource,
        groupSource: isSet(r.props, "referencedSecurityGroupId"),
        prefixListInput: "prefixListId",
    };
}

/** An `aws:ec2` SecurityGroupRule of type ingress. */
export function ingressRuleFromEc2Rule(r: PolicyResource): IngressRule {
    const cidrSource =
        nonEmptyOrUnknown(peek(r.props, "cidrBlocks")) || nonEmptyOrUnknown(peek(r.props, "ipv6CidrBlocks"));
    const prefixListSource = nonEmptyOrUnknown(peek(r.props, "prefixListIds"));
    return {
        owner: r,
        where: label(r),
        protocol: peek(r.props, "protocol"),
        fromPort: peek(r.props, "fromPort"),
        toPort: peek(r.props, "toPort"),
        world: hasWorldCidr(peek(r.props, "cidrBlocks")) || hasWorldCidr(peek(r.props, "ipv6CidrBlocks")),
        addressSource: cidrSource || prefixListSource,
        cidrSource,
        prefixListSource,
        groupSource: isSet(r.props, "sourceSecurityGroupId") || peek(r.props, "self") === true,
        prefixListInput: "prefixListIds",
    };
}

/**
 * Resources that merely mention a security group without putting it on a network interface: its own rules, rules
 * and groups that name it as a source, and the VPC. Everything else that takes it as an input attaches it.
 */
const NOT_ATTACHING: TypeGroup = [
    ...T.securityGroup,
    ...T.securityGroupRule,
    ...T.securityGroupIngressRule,
    ...T.securityGroupEgressRule,
];

/** The resources whose inputs put `sg` on their network interfaces (load balancers, services, databases, ...). */
export function attachmentsOf(graph: ResourceGraph, sg: PolicyResource): PolicyResource[] {
    return graph.resources.filter(
        (r) =>
            !NOT_ATTACHING.includes(r.type) && Object.values(r.propertyDependencies).some((deps) => deps.includes(sg)),
    );
}
