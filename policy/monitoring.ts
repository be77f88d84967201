/**
 * Monitoring: every resource whose failure takes the platform down has an alarm that watches it and that can reach a
 * person. An alarm deploys fine on a topic whose key CloudWatch may not use, and then never notifies anyone; so the
 * policy follows each alarm's action to its SNS topic, the topic to its KMS key, and reads the key's policy.
 */
import type { PolicyResource } from "@pulumi/policy";

import { stackPolicy, type Built, type Later } from "./builders";
import { label, type ResourceGraph } from "./graph";
import { T, type TypeGroup } from "./tokens";
import { isSet, isUnknown, knownArray, knownObject, knownString, peek, readThrough } from "./values";

/** The resources that must be watched, and the known properties that identify them in a dimension literal. */
const WATCHED: { types: TypeGroup; ids: string[] }[] = [
    { types: T.rdsCluster, ids: ["clusterIdentifier"] },
    { types: T.ecsService, ids: ["name"] },
    { types: T.targetGroup, ids: ["arnSuffix"] },
    { types: T.natGateway, ids: [] },
    { types: T.distribution, ids: [] },
];

/** The KMS actions a service publishing to an encrypted topic needs (AWS SNS key management). */
const PUBLISH_ACTIONS = ["kms:Decrypt", "kms:GenerateDataKey"];

/** Whether an IAM action pattern (with `*` and `?` wildcards, case-insensitive) matches `action`. */
function actionMatches(pattern: string, action: string): boolean {
    const re = new RegExp(
        `^${pattern
            .replace(/[.+^${}()|[\]\\]/g, "\\$&")
            .replace(/\*/g, ".*")
            .replace(/\?/g, ".")}$`,
        "i",
    );
    return re.test(action);
}

function asStrings(v: unknown): string[] {
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === "string");
}

/** Whether a key policy document lets cloudwatch.amazonaws.com decrypt and generate data keys. */
export function keyPolicyAllowsCloudWatch(policy: string): boolean {
    let doc: { Statement?: unknown };
    try {
        doc = JSON.parse(policy) as { Statement?: unknown };
    } catch {
        return false;
    }
    const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Record<string, unknown>[];
    const allowed = statements
        .filter((s) => s && s.Effect === "Allow")
        .filter((s) =>
            asStrings((s.Principal as Record<string, unknown> | undefined)?.Service).includes(
                "cloudwatch.amazonaws.com",
            ),
        )
        .flatMap((s) => asStrings(s.Action));
    return PUBLISH_ACTIONS.every((a) => allowed.some((p) => actionMatches(p, a)));
}

/** What can be said of a topic as the target of an alarm. */
type TopicVerdict = { ok: true } | { ok: false; problem: string } | { ok: "undecided"; read: () => unknown };

/** The keys a topic's `kmsMasterKeyId` names: directly, through an alias, or as a literal equal to a key's ARN/id. */
function keysOf(graph: ResourceGraph, topic: PolicyResource): PolicyResource[] {
    const direct = graph.via(topic, "kmsMasterKeyId", T.kmsKey);
    const aliased = graph
        .via(topic, "kmsMasterKeyId", T.kmsAlias)
        .flatMap((a) => graph.via(a, "targetKeyId", T.kmsKey));
    const literal = knownString(topic.props, "kmsMasterKeyId");
    const byValue = literal
        ? graph
              .ofType(T.kmsKey)
              .filter((k) => [knownString(k.props, "arn"), knownString(k.props, "keyId")].includes(literal))
        : [];
    return [...new Set([...direct, ...aliased, ...byValue])];
}

/** The key policy in force: a separate `aws.kms.KeyPolicy` on the key wins over the key's own `policy`. */
function policyOf(graph: ResourceGraph, key: PolicyResource): { text?: string; unknownIn?: PolicyResource } {
    const separate = graph.referrers(key, T.kmsKeyPolicy, "keyId");
    const holder = separate.length > 0 ? separate[separate.length - 1] : key;
    if (isUnknown(peek(holder.props, "policy"))) return { unknownIn: holder };
    return { text: knownString(holder.props, "policy") };
}

function topicVerdict(graph: ResourceGraph, topic: PolicyResource): TopicVerdict {
    if (!isSet(topic.props, "kmsMasterKeyId")) {
        return {
            ok: false,
            problem: `${label(topic)}, which is not encrypted (no kmsMasterKeyId): alarm messages rest in clear`,
        };
    }
    const ref = peek(topic.props, "kmsMasterKeyId");
    if (typeof ref === "string" && /(^|:)alias\/aws\//.test(ref)) {
        return {
            ok: false,
            problem: `${label(topic)}, encrypted with the AWS-managed key ${ref}, whose policy cannot admit CloudWatch: its notifications would never arrive`,
        };
    }
    const keys = keysOf(graph, topic);
    if (keys.length === 0) {
        if (isUnknown(ref)) return { ok: "undecided", read: () => readThrough(topic.props, "kmsMasterKeyId") };
        return {
            ok: false,
            problem: `${label(topic)}, encrypted with a key outside this stack, whose policy cannot be checked`,
        };
    }
    for (const key of keys) {
        const { text, unknownIn } = policyOf(graph, key);
        if (unknownIn) return { ok: "undecided", read: () => readThrough(unknownIn.props, "policy") };
        if (!text || !keyPolicyAllowsCloudWatch(text)) {
            return {
                ok: false,
                problem: `${label(topic)}, encrypted with ${label(key)}, whose policy does not let cloudwatch.amazonaws.com use it (kms:Decrypt and kms:GenerateDataKey*): its notifications would never arrive`,
            };
        }
    }
    return { ok: true };
}

/** The SNS topics of this stack an alarm notifies on ALARM: through a dependency, or a literal equal to the topic's ARN. */
function alarmTopics(graph: ResourceGraph, alarm: PolicyResource): PolicyResource[] {
    const literals = (knownArray(alarm.props, "alarmActions") ?? []).filter((a): a is string => typeof a === "string");
    const byValue = graph.ofType(T.snsTopic).filter((t) => {
        const arn = knownString(t.props, "arn");
        return arn !== undefined && literals.includes(arn);
    });
    return [...new Set([...graph.via(alarm, "alarmActions", T.snsTopic), ...byValue])];
}

/** The literal dimension values of an alarm, from `dimensions` and from each metric query's metric. */
function dimensionLiterals(alarm: PolicyResource): string[] {
    const objects = [
        knownObject(alarm.props, "dimensions"),
        ...(knownArray(alarm.props, "metricQueries") ?? []).map((q) =>
            knownObject(knownObject(q, "metric"), "dimensions"),
        ),
    ];
    return objects
        .flatMap((o) => Object.values(o ?? {}))
        .filter((v): v is string => typeof v === "string" && !isUnknown(v));
}

/** Whether an alarm's dimensions reference `r`: through a dependency, or a literal equal to one of its known ids. */
function watches(alarm: PolicyResource, r: PolicyResource, ids: string[]): boolean {
    const deps = [
        ...(alarm.propertyDependencies.dimensions ?? []),
        ...(alarm.propertyDependencies.metricQueries ?? []),
    ];
    if (deps.includes(r)) return true;
    const known = ids.map((k) => knownString(r.props, k)).filter((v): v is string => v !== undefined);
    return dimensionLiterals(alarm).some((v) => known.includes(v));
}

/** Whether an alarm notifies someone: actions enabled and at least one topic CloudWatch can publish to. */
function alarmNotifies(verdicts: TopicVerdict[], alarm: PolicyResource): boolean | "undecided" {
    if (peek(alarm.props, "actionsEnabled") === false) return false;
    if (verdicts.some((v) => v.ok === true)) return true;
    return verdicts.some((v) => v.ok === "undecided") ? "undecided" : false;
}

function check(graph: ResourceGraph, report: (m: string, urn?: string) => void, later: Later): void {
    const alarms = graph.ofType(T.metricAlarm);
    const verdictCache = new Map<string, TopicVerdict>();
    const verdict = (t: PolicyResource) => {
        if (!verdictCache.has(t.urn)) verdictCache.set(t.urn, topicVerdict(graph, t));
        return verdictCache.get(t.urn)!;
    };
    const notifies = new Map<string, boolean | "undecided">();
    for (const alarm of alarms) {
        const topics = alarmTopics(graph, alarm);
        const verdicts = topics.map(verdict);
        for (const v of verdicts) {
            if (v.ok === false) report(`${label(alarm)} notifies ${v.problem}.`, alarm.urn);
        }
        notifies.set(alarm.urn, alarmNotifies(verdicts, alarm));
    }
    for (const { types, ids } of WATCHED) {
        for (const r of graph.ofType(types)) {
            const mine = alarms.filter((a) => watches(a, r, ids));
            if (mine.length === 0) {
                report(`${label(r)} has no CloudWatch alarm whose dimensions reference it.`, r.urn);
                continue;
            }
            const states = mine.map((a) => notifies.get(a.urn));
            if (states.includes(true)) continue;
            const undecided = mine.find((a) => notifies.get(a.urn) === "undecided");
            if (undecided) {
                const topics = alarmTopics(graph, undecided).map(verdict);
                const pending = topics.find((v) => v.ok === "undecided") as { read: () => unknown } | undefined;
                if (pending) later(pending.read);
                continue;
            }
            report(
                `${label(r)} is watched by ${mine.map(label).join(", ")}, but none notifies an SNS topic that CloudWatch can publish to.`,
                r.urn,
            );
        }
    }
}

const resourcesHaveNotifyingAlarms = stackPolicy({
    name: "resources-have-notifying-alarms",
    category: "monitoring",
    severity: "high",
    summary:
        "Every Aurora cluster, ECS service, load-balancer target group, NAT gateway and CloudFront distribution has a CloudWatch alarm whose dimensions reference it and whose action notifies an SNS topic encrypted with a key CloudWatch may use; no alarm notifies an unencrypted topic or one whose key CloudWatch cannot use.",
    remediation:
        "Give the resource an aws.cloudwatch.MetricAlarm with dimensions (or metricQueries) built from its outputs and alarmActions on an aws.sns.Topic of this stack whose kmsMasterKeyId is a customer-managed key whose policy allows cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*.",
    types: [...T.metricAlarm, ...T.snsTopic, ...WATCHED.flatMap((w) => w.types)],
    check: (graph, report, _settings, later) => check(graph, report, later),
});

export const monitoring: Built[] = [resourcesHaveNotifyingAlarms];
