/**
 * Encryption in transit: TLS on every listener, viewer and origin connection, TLS-only database connections, and
 * bucket policies that refuse plain HTTP.
 */

import { ALB_TLS_POLICIES, DEFAULT_ALB_TLS_POLICY } from "./albTlsPolicies";
import { resourcePolicy, stackPolicy, type Built } from "./builders";
import { cloudfrontHeaders } from "./cloudfrontHeaders";
import { cloudfrontVpcOriginHttps } from "./cloudfrontVpcOrigin";
import { elasticacheInTransitEncryption } from "./elasticache";
import { label } from "./graph";
import { asList, readPath } from "./helpers";
import { T } from "./tokens";
import { isSet, isUnknown, knownArray, knownString, peek, readThrough } from "./values";

/** Parses a bucket policy (JSON string or object) into its statements; undefined if not parseable. */
function policyStatements(policy: unknown): Record<string, unknown>[] | undefined {
    let doc: unknown = policy;
    if (typeof policy === "string") {
        try {
            doc = JSON.parse(policy);
        } catch {
            return undefined;
        }
    }
    const statement = peek(doc, "Statement");
    if (Array.isArray(statement)) {
        return statement.filter((s): s is Record<string, unknown> => s !== null && typeof s === "object");
    }
    return statement !== null && typeof statement === "object" ? [statement as Record<string, unknown>] : undefined;
}

/** A statement that denies every principal any S3 action unless the request came over TLS. */
function deniesInsecureTransport(statement: Record<string, unknown>): boolean {
    if (statement.Effect !== "Deny") {
        return false;
    }
    const principal = statement.Principal;
    const everyone = principal === "*" || asList(peek(principal, "AWS")).some((p) => p === "*");
    const actions = asList(statement.Action);
    const allActions = actions.some((a) => a === "*" || a === "s3:*");
    const bool = peek(peek(statement, "Condition"), "Bool");
    const secure = asList(peek(bool, "aws:SecureTransport"));
    return everyone && allActions && secure.some((v) => v === false || v === "false");
}

const DEFAULT_CLOUDFRONT_TLS = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

const albListenerTlsPolicy = resourcePolicy({
    name: "alb-listener-tls-policy",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "HTTPS/TLS load-balancer listeners use a TLS 1.2+ security policy from the allow-list; plaintext TCP/UDP listeners are not allowed.",
    remediation: `Set sslPolicy to one of the allowed policies (default ${DEFAULT_ALB_TLS_POLICY}); without sslPolicy AWS applies ELBSecurityPolicy-2016-08, which still accepts TLS 1.0.`,
    types: T.listener,
    checkov: ["CKV_AWS_103"],
    trivy: ["AVD-AWS-0047"],
    awsConfig: ["ELBV2_LISTENER_ENCRYPTION_IN_TRANSIT"],
    configSchema: {
        properties: {
            allowedSslPolicies: {
                type: "array",
                items: { type: "string", pattern: "^ELBSecurityPolicy-" },
                minItems: 1,
                uniqueItems: true,
                default: [...ALB_TLS_POLICIES],
                description: "ELB security policies an HTTPS/TLS listener may use.",
            },
        },
    },
    check: (props, report, settings) => {
        const raw = peek(props, "protocol");
        if (isUnknown(raw)) {
            readThrough(props, "protocol");
        }
        const protocol = typeof raw === "string" ? raw.toUpperCase() : undefined;
        if (protocol === "HTTPS" || protocol === "TLS") {
            const sslPolicy = peek(props, "sslPolicy");
            const allowed = settings.allowedSslPolicies as string[];
            if (sslPolicy === undefined || sslPolicy === null) {
                report("sslPolicy is not set, so AWS applies ELBSecurityPolicy-2016-08 (TLS 1.0+).");
            } else if (isUnknown(sslPolicy)) {
                readThrough(props, "sslPolicy");
            } else if (!allowed.includes(String(sslPolicy))) {
                report(`sslPolicy '${String(sslPolicy)}' is not in the allow-list: ${allowed.join(", ")}.`);
            }
        } else if (protocol === "TCP" || protocol === "UDP" || protocol === "TCP_UDP") {
            report(`protocol ${protocol} carries traffic unencrypted; use a TLS listener.`);
        }
        // HTTP listeners are judged by alb-http-listener-redirects-to-https, which can see the load balancer.
    },
});

const albHttpListenerRedirects = stackPolicy({
    name: "alb-http-listener-redirects-to-https",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "An HTTP listener only redirects to HTTPS (or returns a fixed response), in its default action and in every listener rule. Forwarding plain HTTP is allowed only when allowHttpToInternalVpcOrigin is on and the listener's load balancer is internal and the target of a CloudFront VPC origin.",
    remediation:
        'Give the HTTP listener a single default action { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }, or serve HTTPS. For an internal ALB reached only through aws.cloudfront.VpcOrigin, enable allowHttpToInternalVpcOrigin and pass loadBalancer.arn to the listener and to the VpcOrigin\'s vpcOriginEndpointConfig.arn.',
    types: [...T.listener, ...T.listenerRule, ...T.loadBalancer, ...T.vpcOrigin],
    checkov: ["CKV_AWS_2", "CKV2_AWS_20"],
    trivy: ["AVD-AWS-0054"],
    awsConfig: ["ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK"],
    configSchema: {
        properties: {
            allowHttpToInternalVpcOrigin: {
                type: "boolean",
                default: false,
                description:
                    "Allow a plain-HTTP forward on an internal load balancer that a CloudFront VPC origin targets.",
            },
        },
    },
    check: (graph, report, settings, later) => {
        for (const listener of graph.ofType(T.listener)) {
            const lbs = graph.via(listener, "loadBalancerArn", T.loadBalancer);
            const rawProtocol = peek(listener.props, "protocol");
            if (isUnknown(rawProtocol)) {
                later(() => readThrough(listener.props, "protocol"));
                continue;
            }
            const lbType = lbs.length > 0 ? knownString(lbs[0].props, "loadBalancerType") : undefined;
            // AWS's default protocol is HTTP for application and TCP for network load balancers.
            const protocol =
                typeof rawProtocol === "string" ? rawProtocol.toUpperCase() : lbType === "network" ? "TCP" : "HTTP";
            if (protocol !== "HTTP") {
                continue;
            }
            const actions = peek(listener.props, "defaultActions");
            if (isUnknown(actions)) {
                later(() => readThrough(listener.props, "defaultActions"));
                continue;
            }
            const list = Array.isArray(actions) ? actions : [];
            const isForward = (a: unknown) => {
                const type = peek(a, "type");
                return type === "forward" || isSet(a, "targetGroupArn") || isSet(a, "forward");
            };
            // Listener rules forward too: a 404 default action says nothing about what the rules send over HTTP.
            let rulesForward = false;
            for (const rule of graph.referrers(listener, T.listenerRule, "listenerArn")) {
                const ruleActions = peek(rule.props, "actions");
                if (isUnknown(ruleActions)) later(() => readThrough(rule.props, "actions"));
                else if (Array.isArray(ruleActions) && ruleActions.some(isForward)) rulesForward = true;
            }
            const forwards = list.some(isForward) || rulesForward;
            const redirectsToHttps = list.some(
                (a) =>
                    peek(a, "type") === "redirect" &&
                    String(peek(peek(a, "redirect"), "protocol")).toUpperCase() === "HTTPS",
            );
            const redirectsElsewhere = list.some(
                (a) =>
                    peek(a, "type") === "redirect" &&
                    String(peek(peek(a, "redirect"), "protocol")).toUpperCase() !== "HTTPS",
            );
            if (!forwards) {
                if (redirectsElsewhere) {
                    report(`HTTP ${label(listener)} redirects without switching to HTTPS.`, listener.urn);
                } else if (!redirectsToHttps && list.length === 0) {
                    report(`HTTP ${label(listener)} has no default action redirecting to HTTPS.`, listener.urn);
                }
                // A redirect to HTTPS or a fixed response carries no application data over HTTP.
                continue;
            }
            if (settings.allowHttpToInternalVpcOrigin !== true) {
                report(`HTTP ${label(listener)} forwards plain HTTP instead of redirecting to HTTPS.`, listener.urn);
                continue;
            }
            if (lbs.length === 0) {
                report(
                    `HTTP ${label(listener)} forwards plain HTTP and its loadBalancerArn does not come from a load balancer in this stack, so the internal-VPC-origin exception cannot be verified.`,
                    listener.urn,
                );
                continue;
            }
            for (const lb of lbs) {
                const internal = peek(lb.props, "internal");
                if (isUnknown(internal)) {
                    later(() => readThrough(lb.props, "internal"));
                } else if (internal !== true) {
                    report(
                        `HTTP ${label(listener)} forwards plain HTTP on internet-facing ${label(lb)}; the exception covers internal load balancers only.`,
                        listener.urn,
                    );
                } else if (graph.referrers(lb, T.vpcOrigin, "vpcOriginEndpointConfig").length === 0) {
                    report(
                        `HTTP ${label(listener)} forwards plain HTTP on ${label(lb)}, but no aws.cloudfront.VpcOrigin targets that load balancer.`,
                        listener.urn,
                    );
                }
            }
        }
    },
});

const cloudfrontViewerHttps = resourcePolicy({
    name: "cloudfront-viewer-https",
    category: "encryption-in-transit",
    severity: "high",
    summary: "Every CloudFront cache behavior redirects viewers to HTTPS or accepts HTTPS only.",
    remediation:
        'Set viewerProtocolPolicy: "redirect-to-https" (or "https-only") on defaultCacheBehavior and every orderedCacheBehaviors entry.',
    types: T.distribution,
    checkov: ["CKV_AWS_34"],
    trivy: ["AVD-AWS-0012"],
    awsConfig: ["CLOUDFRONT_VIEWER_POLICY_HTTPS"],
    check: (props, report, _settings, later) => {
        const behaviors: { path: (string | number)[]; name: string }[] = [
            { path: ["defaultCacheBehavior"], name: "defaultCacheBehavior" },
        ];
        const ordered = peek(props, "orderedCacheBehaviors");
        if (isUnknown(ordered)) {
            readThrough(props, "orderedCacheBehaviors");
        }
        (Array.isArray(ordered) ? ordered : []).forEach((b, i) =>
            behaviors.push({
                path: ["orderedCacheBehaviors", i],
                name: `orderedCacheBehaviors[${i}] (${knownString(b, "pathPattern") ?? "?"})`,
            }),
        );
        for (const b of behaviors) {
            let node: unknown = props;
            for (const k of b.path) {
                node = peek(node, String(k));
            }
            const policy = peek(node, "viewerProtocolPolicy");
            if (isUnknown(policy) || isUnknown(node)) {
                later(() => readPath(props, [...b.path, "viewerProtocolPolicy"]));
            } else if (policy !== "redirect-to-https" && policy !== "https-only") {
                report(`${b.name} has viewerProtocolPolicy '${String(policy)}'.`);
            }
        }
    },
});

const cloudfrontMinimumTls = resourcePolicy({
    name: "cloudfront-minimum-tls",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "A CloudFront distribution with a custom certificate requires TLS 1.2 (TLSv1.2_2021) or newer from viewers.",
    remediation:
        'Set viewerCertificate.minimumProtocolVersion to "TLSv1.2_2021" or newer with sslSupportMethod "sni-only" (the certificate must be an ACM certificate in us-east-1).',
    types: T.distribution,
    checkov: ["CKV_AWS_174"],
    trivy: ["AVD-AWS-0013"],
    awsConfig: ["CLOUDFRONT_SECURITY_POLICY_CHECK"],
    configSchema: {
        properties: {
            allowedMinimumProtocolVersions: {
                type: "array",
                items: { type: "string", pattern: "^TLSv" },
                minItems: 1,
                uniqueItems: true,
                default: DEFAULT_CLOUDFRONT_TLS,
                description: "Viewer security policies accepted when a custom certificate is used.",
            },
        },
    },
    check: (props, report, settings) => {
        const cert = peek(props, "viewerCertificate");
        if (isUnknown(cert)) {
            readThrough(props, "viewerCertificate");
        }
        // With the default *.cloudfront.net certificate CloudFront cannot enforce a minimum version.
        if (!isSet(cert, "acmCertificateArn") && !isSet(cert, "iamCertificateId")) {
            return;
        }
        const version = peek(cert, "minimumProtocolVersion");
        if (isUnknown(version)) {
            readPath(props, ["viewerCertificate", "minimumProtocolVersion"]);
        }
        const allowed = settings.allowedMinimumProtocolVersions as string[];
        if (typeof version !== "string" || !allowed.includes(version)) {
            report(
                `minimumProtocolVersion is ${version === undefined ? "not set (TLSv1)" : `'${String(version)}'`}; allowed: ${allowed.join(", ")}.`,
            );
        }
    },
});

const cloudfrontOriginHttps = resourcePolicy({
    name: "cloudfront-origin-https",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "CloudFront reaches every origin privately or over HTTPS: custom origins use https-only, or the origin is a VPC origin, or an S3 origin with origin access control.",
    remediation:
        'Use customOriginConfig.originProtocolPolicy "https-only" with originSslProtocols ["TLSv1.2"], or vpcOriginConfig for an internal ALB, or originAccessControlId for S3 origins (not a legacy OAI or a public bucket).',
    types: T.distribution,
    check: (props, report, _settings, later) => {
        const origins = peek(props, "origins");
        if (isUnknown(origins)) {
            readThrough(props, "origins");
        }
        (Array.isArray(origins) ? origins : []).forEach((o, i) => {
            const name = `origins[${i}] (${knownString(o, "originId") ?? "?"})`;
            if (isSet(o, "vpcOriginConfig")) {
                return;
            }
            const custom = peek(o, "customOriginConfig");
            if (custom !== undefined && custom !== null) {
                const policy = peek(custom, "originProtocolPolicy");
                if (isUnknown(policy) || isUnknown(custom)) {
                    later(() => readPath(props, ["origins", i, "customOriginConfig", "originProtocolPolicy"]));
                } else if (policy !== "https-only") {
                    report(`${name} uses originProtocolPolicy '${String(policy)}'; use https-only.`);
                }
                const weak = (knownArray(custom, "originSslProtocols") ?? []).filter((p) =>
                    ["SSLv3", "TLSv1", "TLSv1.1"].includes(String(p)),
                );
                if (weak.length > 0) {
                    report(`${name} allows ${weak.join(", ")} to the origin; allow TLSv1.2 only.`);
                }
                return;
            }
            if (!isSet(o, "originAccessControlId")) {
                report(`${name} is an S3 origin without originAccessControlId (origin access control).`);
            }
        });
    },
});

const auroraForceSsl = stackPolicy({
    name: "aurora-force-ssl",
    category: "encryption-in-transit",
    severity: "high",
    summary:
        "Every Aurora cluster uses a cluster parameter group from this stack that forces TLS (rds.force_ssl = 1; require_secure_transport = ON for MySQL).",
    remediation:
        'Create an aws.rds.ClusterParameterGroup with parameters [{ name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" }] and pass its name to the cluster\'s dbClusterParameterGroupName.',
    types: [...T.rdsCluster, ...T.rdsClusterParameterGroup],
    checkov: ["CKV2_AWS_69"],
    awsConfig: ["RDS_POSTGRES_INSTANCE_ENCRYPTED_IN_TRANSIT"],
    check: (graph, report, _settings, later) => {
        for (const cluster of graph.ofType(T.rdsCluster)) {
            const groups = graph.via(cluster, "dbClusterParameterGroupName", T.rdsClusterParameterGroup);
            if (groups.length === 0) {
                report(
                    isSet(cluster.props, "dbClusterParameterGroupName")
                        ? `${label(cluster)}: dbClusterParameterGroupName does not come from a ClusterParameterGroup in this stack, so rds.force_ssl cannot be verified.`
                        : `${label(cluster)} uses the engine's default cluster parameter group, which does not force TLS.`,
                    cluster.urn,
                );
                continue;
            }
            for (const group of groups) {
                const params = peek(group.props, "parameters");
                if (isUnknown(params)) {
                    later(() => readThrough(group.props, "parameters"));
                    continue;
                }
                const forces = (Array.isArray(params) ? params : []).some((p) => {
                    const name = peek(p, "name");
                    const value = String(peek(p, "value")).toLowerCase();
                    return (
                        (name === "rds.force_ssl" && value === "1") ||
                        (name === "require_secure_transport" && (value === "1" || value === "on"))
                    );
                });
                if (!forces) {
                    report(`${label(group)} (used by ${label(cluster)}) does not set rds.force_ssl = "1".`, group.urn);
                }
            }
        }
    },
});

const bucketPolicyDeniesInsecureTransport = resourcePolicy({
    name: "s3-bucket-policy-deny-insecure-transport",
    category: "encryption-in-transit",
    severity: "high",
    summary: "Bucket policies deny every request that is not made over TLS.",
    remediation:
        'Add the statement { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }.',
    types: T.bucketPolicy,
    checkov: ["CKV_AWS_379"],
    awsConfig: ["S3_BUCKET_SSL_REQUESTS_ONLY"],
    check: (props, report) => {
        // The document usually embeds the bucket ARN, so at preview it is unknown as a whole; reading it
        // through the proxy then yields the engine's advisory and the check runs for real at `pulumi up`.
        const policy = isUnknown(peek(props, "policy")) ? readThrough(props, "policy") : peek(props, "policy");
        const statements = policyStatements(policy);
        if (statements === undefined) {
            report("The bucket policy is not a parseable policy document.");
        } else if (!statements.some(deniesInsecureTransport)) {
            report('No statement denies s3:* to Principal "*" when aws:SecureTransport is false.');
        }
    },
});

const bucketHasTlsOnlyPolicy = stackPolicy({
    name: "s3-bucket-tls-only-policy",
    category: "encryption-in-transit",
    severity: "high",
    summary: "Every S3 bucket has a bucket policy (aws.s3.BucketPolicy linked through its bucket input).",
    remediation:
        "Add an aws.s3.BucketPolicy with bucket: <bucket>.id whose policy denies non-TLS requests (checked by s3-bucket-policy-deny-insecure-transport).",
    types: [...T.bucket, ...T.bucketPolicy],
    checkov: ["CKV_AWS_379"],
    awsConfig: ["S3_BUCKET_SSL_REQUESTS_ONLY"],
    check: (graph, report) => {
        for (const bucket of graph.ofType(T.bucket)) {
            const hasPolicy =
                graph.referrers(bucket, T.bucketPolicy, "bucket").length > 0 || isSet(bucket.props, "policy");
            if (!hasPolicy) {
                report(`${label(bucket)} has no BucketPolicy, so it accepts plain-HTTP requests.`, bucket.urn);
            }
        }
    },
});

/** The encryption-in-transit policies, in catalog order. */
export const encryptionInTransit: Built[] = [
    albListenerTlsPolicy,
    albHttpListenerRedirects,
    cloudfrontViewerHttps,
    cloudfrontMinimumTls,
    cloudfrontOriginHttps,
    auroraForceSsl,
    bucketPolicyDeniesInsecureTransport,
    bucketHasTlsOnlyPolicy,
    cloudfrontVpcOriginHttps,
    elasticacheInTransitEncryption,
    ...cloudfrontHeaders,
];
