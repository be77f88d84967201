/**
 * The CloudFront VPC origin of the internal load balancer: the edge's only way in. It belongs to the edge rather
 * than to the services and is kept apart here so that it can move to an edge component of its own.
 */
import * as aws from "@pulumi/aws";
import type { FargateLoadBalancer } from "./loadBalancer";
import type { FargateScope } from "./scope";

export function createVpcOrigin(scope: FargateScope, lb: FargateLoadBalancer): aws.cloudfront.VpcOrigin {
    const { parent, name, prefix } = scope;
    return new aws.cloudfront.VpcOrigin(
        `${name}-origin`,
        {
            vpcOriginEndpointConfig: {
                name: `${prefix}-${name}`,
                arn: lb.alb.arn,
                httpPort: 80,
                httpsPort: 443,
                originProtocolPolicy: lb.https ? "https-only" : "http-only",
                originSslProtocols: { items: ["TLSv1.2"], quantity: 1 },
            },
        },
        // The origin is useless until the listener exists.
        { parent, dependsOn: [lb.listener] },
    );
}
