/**
 * Encryption in transit between CloudFront and a VPC origin (`aws.cloudfront.VpcOrigin`), the one origin kind the
 * distribution policies cannot judge: the distribution only names the VPC origin's id, while the protocol CloudFront
 * speaks to the load balancer (or instance) behind it is set on the VpcOrigin resource itself.
 */
import type { PolicyResource } from "@pulumi/policy";

import { stackPolicy, type Built } from "./builders";
import { label, type ResourceGraph } from "./graph";
import { readPath } from "./helpers";
import { ingressRulesOf } from "./securityGroups";
import { T } from "./tokens";
import { isUnknown, peek, readThrough } from "./values";

/**
 * Origin protocols CloudFront may offer. The API's values are SSLv3, TLSv1, TLSv1.1 and TLSv1.2 (CloudFront API
 * reference, OriginSslProtocols); TLSv1.3 is listed so that the policy does not block it the day AWS adds it.
 */
const ALLOWED_ORIGIN_PROTOCOLS = new Set(["TLSv1.2", "TLSv1.3"]);

/** The outcome of checking the internal-load-balancer exception for one VPC origin. */
type ExceptionVerdict =
    | { state: "granted" }
    | { state: "refused"; why: string }
    /** Nothing known refuses it, but an unknown value decides it: `read` throws the engine's UnknownValueError. */
    | { state: "undecided"; read: () => unknown };

/**
 * Whether `sg` admits nothing but prefix lists that are not created in this stack (the CloudFront origin-facing
 * list is AWS-managed and looked up, never created). Returns the first reason it does not, or undefined.
 */
function onlyManagedPrefixListsReach(graph: ResourceGraph, sg: PolicyResource): string | undefined {
    const rules = ingressRulesOf(graph, sg);
    for (const rule of rules) {
        if (rule.cidrSource || rule.groupSource || !rule.prefixListSource) {
            return `${rule.where} admits a source other than a managed prefix list`;
        }
        const fromStack = (rule.owner.propertyDependencies[rule.prefixListInput] ?? []).filter((d) =>
            (T.managedPrefixList as readonly string[]).includes(d.type),
        );
        if (fromStack.length > 0) {
            return `${rule.where} admits ${label(fromStack[0])}, a prefix list of this stack rather than CloudFront's managed one`;
        }
    }
    return rules.length === 0 ? `${label(sg)} admits nothing, not even CloudFront's prefix list` : undefined;
}

/**
 * The exception for plain HTTP to a VPC origin, as strict as the one alb-http-listener-redirects-to-https applies
 * to the listener: the origin's `arn` comes from a load balancer of this stack, that load balancer is internal, and
 * every security group on it admits only managed prefix lists (CloudFront's origin-facing list), so that nothing
 * but CloudFront can reach the HTTP listener. Known refusals win over unknowns.
 */
function internalLoadBalancerException(graph: ResourceGraph, origin: PolicyResource): ExceptionVerdict {
    const lbs = graph.via(origin, "vpcOriginEndpointConfig", T.loadBalancer);
    if (lbs.length === 0) {
        return {
            state: "refused",
            why: "its arn does not come from a load balancer in this stack, so the internal-load-balancer exception cannot be verified",
        };
    }
    let read: (() => unknown) | undefined;
    for (const lb of lbs) {
        const internal = peek(lb.props, "internal");
        if (isUnknown(internal)) {
            read ??= () => readThrough(lb.props, "internal");
        } else if (internal !== true) {
            return {
                state: "refused",
                why: `${label(lb)} is internet-facing; the exception covers internal load balancers only`,
            };
        }
        const groups = graph.via(lb, "securityGroups", T.securityGroup);
        if (groups.length === 0) {
            return {
                state: "refused",
                why: `${label(lb)} has no security group of this stack, so who can reach its HTTP listener cannot be verified`,
            };
        }
        for (const sg of groups) {
            if (isUnknown(peek(sg.props, "ingress"))) {
                read ??= () => readThrough(sg.props, "ingress");
            }
            const why = onlyManagedPrefixListsReach(graph, sg);
            if (why !== undefined) {
                return { state: "refused", why: `on ${label(lb)}, ${why}` };
            }
        }
    }
    return read ? { state: "undecided", read } : { state: "granted" };
}

/** Judges `originSslProtocols.items`: reports weak or missing protocols, defers an unknown list. */
function checkOriginProtocols(
    origin: PolicyResource,
    config: unknown,
    report: (message: string) => void,
    later: (read: () => unknown) => void,
): void {
    const path = ["vpcOriginEndpointConfig", "originSslProtocols", "items"];
    const ssl = peek(config, "originSslProtocols");
    const items = peek(ssl, "items");
    if (isUnknown(ssl) || isUnknown(items)) {
        later(() => readPath(origin.props, path));
        return;
    }
    const list = Array.isArray(items) ? items : [];
    const unknownAt = list.findIndex(isUnknown);
    if (unknownAt >= 0) {
        later(() => readPath(origin.props, [...path, unknownAt]));
    }
    const weak = list.filter((p) => !isUnknown(p) && !ALLOWED_ORIGIN_PROTOCOLS.has(String(p)));
    if (weak.length > 0) {
        report(`${label(origin)} allows ${weak.map(String).join(", ")} to the origin; allow TLSv1.2 only.`);
    } else if (list.length === 0) {
        report(`${label(origin)} lists no originSslProtocols; set items ["TLSv1.2"].`);
    }
}

export const cloudfrontVpcOriginHttps: Built = stackPolicy({
    name: "cloudfront-vpc-origin-https",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "CloudFront VPC origins use originProtocolPolicy https-only with originSslProtocols TLSv1.2 only. Plain HTTP is allowed only when allowHttpToInternalLoadBalancer is on and the origin's arn is an internal load balancer of this stack whose security groups admit nothing but a managed prefix list (CloudFront's origin-facing list).",
    remediation:
        'Set vpcOriginEndpointConfig.originProtocolPolicy "https-only" and originSslProtocols { items: ["TLSv1.2"], quantity: 1 }, with an HTTPS listener on the load balancer. For an internal ALB without a certificate, enable allowHttpToInternalLoadBalancer, pass loadBalancer.arn to vpcOriginEndpointConfig.arn, and admit only the com.amazonaws.global.cloudfront.origin-facing prefix list on its security group.',
    types: [
        ...T.vpcOrigin,
        ...T.loadBalancer,
        ...T.securityGroup,
        ...T.securityGroupRule,
        ...T.securityGroupIngressRule,
    ],
    configSchema: {
        properties: {
            allowHttpToInternalLoadBalancer: {
                type: "boolean",
                default: false,
                description:
                    "Allow a VPC origin to speak plain HTTP to an internal load balancer that only CloudFront's origin-facing prefix list can reach.",
            },
        },
    },
    check: (graph, report, settings, later) => {
        for (const origin of graph.ofType(T.vpcOrigin)) {
            const config = peek(origin.props, "vpcOriginEndpointConfig");
            if (isUnknown(config)) {
                later(() => readThrough(origin.props, "vpcOriginEndpointConfig"));
                continue;
            }
            const at = (message: string) => report(message, origin.urn);
            checkOriginProtocols(origin, config, at, later);
            const policy = peek(config, "originProtocolPolicy");
            if (isUnknown(policy)) {
                later(() => readPath(origin.props, ["vpcOriginEndpointConfig", "originProtocolPolicy"]));
                continue;
            }
            if (policy === "https-only") {
                continue;
            }
            // http-only and match-viewer both send plain HTTP to the origin (match-viewer whenever the viewer does).
            const shown = policy === undefined || policy === null ? "(not set)" : `'${String(policy)}'`;
            const plain = `${label(origin)} uses originProtocolPolicy ${shown}`;
            if (settings.allowHttpToInternalLoadBalancer !== true) {
                at(`${plain}; use https-only.`);
                continue;
            }
            const verdict = internalLoadBalancerException(graph, origin);
            if (verdict.state === "refused") {
                at(`${plain}, and the internal-load-balancer exception does not apply: ${verdict.why}.`);
            } else if (verdict.state === "undecided") {
                later(verdict.read);
            }
        }
    },
});
