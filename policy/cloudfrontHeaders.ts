/**
 * Strict-Transport-Security on every CloudFront response: browsers that have seen the header never try plain HTTP
 * again, so the redirect that viewer-protocol policies rely on cannot be stripped by an attacker on the path.
 *
 * Which response headers policy a behaviour uses is followed through `propertyDependencies`: every
 * aws.cloudfront.ResponseHeadersPolicy of this stack behind defaultCacheBehavior (or orderedCacheBehaviors) is judged,
 * so a behaviour group passes only when every policy it can use sends HSTS.
 */
import type { PolicyResource } from "@pulumi/policy";

import { stackPolicy, type Built, type Settings } from "./builders";
import { label, type ResourceGraph } from "./graph";
import { readPath } from "./helpers";
import { T } from "./tokens";
import { isUnknown, knownString, peek } from "./values";

/** AWS's managed SecurityHeadersPolicy: HSTS for one year, includeSubDomains (AWS CloudFront 'Use managed response headers policies'). */
const MANAGED_SECURITY_HEADERS = "67f7725c-6f97-4210-82d7-5512b31e9d03";
const MANAGED_MAX_AGE = 31536000;

type Later = (read: () => unknown) => void;

/** Why a response headers policy of this stack does not send HSTS as required, or undefined when it does. */
function hstsProblem(policy: PolicyResource, minAge: number, later: Later): string | undefined {
    const path = ["securityHeadersConfig", "strictTransportSecurity"];
    const sts = peek(peek(policy.props, "securityHeadersConfig"), "strictTransportSecurity");
    if (isUnknown(sts) || isUnknown(peek(policy.props, "securityHeadersConfig"))) {
        later(() => readPath(policy.props, path));
        return undefined;
    }
    if (sts === undefined || sts === null) {
        return `${label(policy)} sends no Strict-Transport-Security header`;
    }
    const age = peek(sts, "accessControlMaxAgeSec");
    if (isUnknown(age)) {
        later(() => readPath(policy.props, [...path, "accessControlMaxAgeSec"]));
        return undefined;
    }
    if (typeof age !== "number" || age < minAge) {
        return `${label(policy)} sends Strict-Transport-Security with max-age ${String(age)}; at least ${minAge} is required`;
    }
    return undefined;
}

interface Behaviour {
    /** The top-level input the behaviour lives in, whose dependencies name its policies. */
    key: "defaultCacheBehavior" | "orderedCacheBehaviors";
    name: string;
    value: unknown;
}

function behavioursOf(d: PolicyResource, later: Later): Behaviour[] {
    const list: Behaviour[] = [
        { key: "defaultCacheBehavior", name: "defaultCacheBehavior", value: peek(d.props, "defaultCacheBehavior") },
    ];
    const ordered = peek(d.props, "orderedCacheBehaviors");
    if (isUnknown(ordered)) {
        later(() => readPath(d.props, ["orderedCacheBehaviors"]));
    }
    (Array.isArray(ordered) ? ordered : []).forEach((b, i) =>
        list.push({
            key: "orderedCacheBehaviors",
            name: `orderedCacheBehaviors[${i}] (${knownString(b, "pathPattern") ?? "?"})`,
            value: b,
        }),
    );
    return list;
}

function checkBehaviour(
    graph: ResourceGraph,
    d: PolicyResource,
    b: Behaviour,
    settings: Settings,
    report: (message: string) => void,
    later: Later,
): void {
    const minAge = Number(settings.minimumHstsMaxAgeSeconds);
    if (isUnknown(b.value)) {
        later(() => readPath(d.props, [b.key]));
        return;
    }
    const id = peek(b.value, "responseHeadersPolicyId");
    if (id === undefined || id === null || id === "") {
        report(`${label(d)} ${b.name} has no response headers policy, so no Strict-Transport-Security header.`);
        return;
    }
    if (id === MANAGED_SECURITY_HEADERS) {
        if (MANAGED_MAX_AGE < minAge) {
            report(
                `${label(d)} ${b.name} uses the managed SecurityHeadersPolicy, whose HSTS max-age is below ${minAge}.`,
            );
        }
        return;
    }
    const policies = graph.via(d, b.key, T.responseHeadersPolicy);
    if (policies.length === 0) {
        report(
            `${label(d)} ${b.name}: responseHeadersPolicyId does not come from an aws.cloudfront.ResponseHeadersPolicy in this stack (nor is it the managed SecurityHeadersPolicy), so its HSTS header cannot be verified.`,
        );
        return;
    }
    for (const policy of policies) {
        const problem = hstsProblem(policy, minAge, later);
        if (problem) {
            report(`${label(d)} ${b.name}: ${problem}.`);
        }
    }
}

const cloudfrontHsts = stackPolicy({
    name: "cloudfront-hsts-headers",
    category: "encryption-in-transit",
    severity: "medium",
    summary:
        "Every CloudFront cache behavior attaches a response headers policy that sends Strict-Transport-Security with a max-age of at least minimumHstsMaxAgeSeconds: a policy of this stack, or AWS's managed SecurityHeadersPolicy.",
    remediation:
        "Create an aws.cloudfront.ResponseHeadersPolicy whose securityHeadersConfig.strictTransportSecurity sets accessControlMaxAgeSec (63072000 = two years), includeSubdomains and override, and set responseHeadersPolicyId to its id on defaultCacheBehavior and every orderedCacheBehaviors entry.",
    types: [...T.distribution, ...T.responseHeadersPolicy],
    checkov: ["CKV2_AWS_32"],
    configSchema: {
        properties: {
            minimumHstsMaxAgeSeconds: {
                type: "integer",
                minimum: 0,
                default: 31536000,
                description: "Lowest Strict-Transport-Security max-age accepted, in seconds (one year by default).",
            },
        },
    },
    check: (graph, report, settings, later) => {
        for (const d of graph.ofType(T.distribution)) {
            for (const b of behavioursOf(d, later)) {
                checkBehaviour(graph, d, b, settings, (m) => report(m, d.urn), later);
            }
        }
    },
});

/** The security-headers policy, listed with the encryption-in-transit area. */
export const cloudfrontHeaders: Built[] = [cloudfrontHsts];
