/** The security headers every response of the distribution carries, whichever origin it came from. */
import * as aws from "@pulumi/aws";
import { DEFAULT_CSP, HSTS_MAX_AGE_SECONDS } from "./documents";
import type { EdgeScope } from "./scope";

export function createSecurityHeaders(scope: EdgeScope): aws.cloudfront.ResponseHeadersPolicy {
    const { parent, name, prefix, args } = scope;
    const h = args.securityHeaders ?? {};
    return new aws.cloudfront.ResponseHeadersPolicy(
        `${name}-headers`,
        {
            name: `${prefix}-${name}-security-headers`,
            comment: `Security headers of ${prefix}`,
            securityHeadersConfig: {
                // override: CloudFront's value wins over whatever the origin sent, so no service can weaken them.
                strictTransportSecurity: {
                    accessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
                    includeSubdomains: true,
                    preload: h.hstsPreload ?? true,
                    override: true,
                },
                contentTypeOptions: { override: true },
                frameOptions: { frameOption: h.frameOptions ?? "DENY", override: true },
                referrerPolicy: {
                    referrerPolicy: h.referrerPolicy ?? "strict-origin-when-cross-origin",
                    override: true,
                },
                contentSecurityPolicy: {
                    contentSecurityPolicy: h.contentSecurityPolicy ?? DEFAULT_CSP,
                    override: true,
                },
            },
        },
        { parent },
    );
}
