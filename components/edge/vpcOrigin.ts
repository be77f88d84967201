/**
 * The CloudFront VPC origin of the internal load balancer: the edge's only way in (AWS CloudFront 'Restrict access
 * with VPC origins'). It used to be a child of FargateService; `args.origin.aliases` carries that identity over, so
 * the move is not a delete and a re-create.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { vpcOriginName } from "./documents";
import type { EdgeScope } from "./scope";

/** CloudFront's HTTP and HTTPS ports towards the origin; only the one of the listener's protocol is used. */
const HTTP_PORT = 80;
const HTTPS_PORT = 443;
const ORIGIN_SSL_PROTOCOLS = ["TLSv1.2"];

export function createVpcOrigin(scope: EdgeScope): aws.cloudfront.VpcOrigin {
    const { parent, name, prefix, args } = scope;
    const origin = args.origin!;
    const https = origin.protocol === "HTTPS";
    const settings = {
        httpPort: origin.protocol === "HTTP" ? origin.port : HTTP_PORT,
        httpsPort: https ? origin.port : HTTPS_PORT,
        originProtocolPolicy: https ? "https-only" : "http-only",
        originSslProtocols: ORIGIN_SSL_PROTOCOLS,
    };
    const tags = args.providerDefaultTags ?? {};
    const arn = pulumi.output(origin.loadBalancerArn);
    return new aws.cloudfront.VpcOrigin(
        `${name}-origin`,
        {
            vpcOriginEndpointConfig: {
                name: arn.apply((loadBalancerArn) => vpcOriginName(prefix, { loadBalancerArn, ...settings, tags })),
                arn,
                httpPort: settings.httpPort,
                httpsPort: settings.httpsPort,
                originProtocolPolicy: settings.originProtocolPolicy,
                originSslProtocols: { items: ORIGIN_SSL_PROTOCOLS, quantity: ORIGIN_SSL_PROTOCOLS.length },
            },
        },
        {
            parent,
            aliases: origin.aliases,
            // CloudFront refuses any update of a VPC origin a distribution uses (409 "associated with one or more
            // distributions"), tags included: the provider merges the default tags into `tags`, so a changed default
            // tag is a diff there too. Every change is therefore a replacement, created first (under a new name,
            // see vpcOriginName) so that the distribution moves to it before the old one is deleted.
            replaceOnChanges: ["*"],
            deleteBeforeReplace: false,
            // Creating (and deleting) a VPC origin takes about 15 minutes.
            customTimeouts: { create: "30m", update: "30m", delete: "30m" },
        },
    );
}
