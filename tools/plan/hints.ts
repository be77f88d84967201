/**
 * Which stack config key fixes a policy violation, where one does. The policies' own remediation text speaks of
 * resources (it is written for any program); a reader of this project's plan needs the key to change in
 * `Pulumi.<stack>.yaml`. Every key named here is checked against the settings schemas by a test, so a renamed key
 * cannot leave a stale hint behind.
 */
import { DEFAULT_ALB_TLS_POLICY } from "../../policy/albTlsPolicies";
import { Violation } from "./types";

/** One config change that fixes a violation. */
export interface ConfigHint {
    /** The full config key, e.g. `aws-platform:network.natGateways`; `<name>` stands for a service's name. */
    key: string;
    /** The value to set (as written in YAML), or the lowest value that satisfies the policy. */
    value: string;
}

/** A hint that applies to the violations of `policy` whose message matches `when`. */
export interface HintRule {
    policy: string;
    /** The violation messages this hint fixes; its capture groups feed `value`. */
    when: RegExp;
    key: string;
    /** The value to suggest, from the message's captures (the policy's configured minimum, for instance). */
    value: (match: RegExpMatchArray) => string;
}

const azCount = (policy: string, when: RegExp): HintRule => ({
    policy,
    when,
    key: "aws-platform:network.azCount",
    value: (m) => `${m[1]} or more`,
});

const CERTIFICATE = "aws-platform:services.loadBalancer.certificateArn";

/**
 * The policy → config-key table. Policies missing here (encryption, private networking...) are met by the
 * components whatever the config says: a violation of one is a bug in the code, not a setting to change.
 */
export const POLICY_CONFIG_HINTS: readonly HintRule[] = [
    azCount("subnet-tiers-span-azs", /span fewer than (\d+) AZs/),
    {
        policy: "nat-gateway-per-az",
        when: /but no NAT gateway/,
        key: "aws-platform:network.natGateways",
        value: () => "perAz",
    },
    {
        policy: "aurora-multi-az",
        when: /at least (\d+) are required for failover/,
        key: "aws-platform:database.readers",
        // The writer is one instance; readers make up the rest.
        value: (m) => `${Math.max(Number(m[1]) - 1, 1)} or more`,
    },
    azCount("aurora-multi-az", /spans fewer than (\d+) AZs/),
    {
        policy: "ecs-service-multi-az",
        when: /has desiredCount .*; at least (\d+) are required/,
        key: "aws-platform:services.apps.<name>.desiredCount",
        value: (m) => `${m[1]} or more`,
    },
    {
        policy: "ecs-service-multi-az",
        when: /minCapacity must be ≥ (\d+)/,
        key: "aws-platform:services.apps.<name>.autoscaling.minCount",
        value: (m) => `${m[1]} or more`,
    },
    azCount("ecs-service-multi-az", /subnets span fewer than (\d+) AZs/),
    azCount("load-balancer-multi-az", /spans fewer than (\d+) AZs/),
    {
        policy: "alb-listener-tls-policy",
        when: /sslPolicy/,
        key: "aws-platform:services.loadBalancer.sslPolicy",
        value: () => DEFAULT_ALB_TLS_POLICY,
    },
    {
        // Plain HTTP between CloudFront and the load balancer: a certificate turns both ends to HTTPS.
        policy: "alb-http-listener-redirects-to-https",
        when: /forwards plain HTTP/,
        key: CERTIFICATE,
        value: () => "<the stack's ACM certificate ARN, in the load balancer's region>",
    },
    {
        policy: "cloudfront-vpc-origin-https",
        when: /uses originProtocolPolicy/,
        key: CERTIFICATE,
        value: () => "<the stack's ACM certificate ARN, in the load balancer's region>",
    },
];

/** The config changes that fix this violation (none when only a code change does). */
export function configHints(violation: Violation, rules: readonly HintRule[] = POLICY_CONFIG_HINTS): ConfigHint[] {
    const hints: ConfigHint[] = [];
    for (const rule of rules) {
        if (rule.policy !== violation.policy) continue;
        const match = violation.message.match(rule.when);
        if (!match) continue;
        const hint = { key: rule.key, value: rule.value(match) };
        if (!hints.some((h) => h.key === hint.key)) hints.push(hint);
    }
    return hints;
}

/** `key: value`, as the line would read in a stack file. */
export function formatHint(hint: ConfigHint): string {
    return `${hint.key}: ${hint.value}`;
}
