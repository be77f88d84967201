/**
 * The security policies an HTTPS listener of an Application Load Balancer may use: TLS 1.2 and 1.3 only, with
 * forward-secret AEAD ciphers (AWS "Security policies for your Application Load Balancer"). The older ELB policies,
 * and ELBSecurityPolicy-2016-08 that AWS applies when none is set, still negotiate TLS 1.0/1.1 and CBC ciphers; the
 * `Ext` variants add ciphers for old clients and are left out for the same reason. The `PQ` ones add hybrid
 * post-quantum key exchange (ML-KEM) to the same protocols.
 *
 * One list for the settings' schema, the component's default, the policy pack's default allow-list and the plan's
 * hints. It lives in the policy pack and imports nothing, because the pack runs (and is published) from its own
 * directory and cannot import the program's code, while the program can import this file without pulling in the pack.
 */
export const ALB_TLS_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
] as const;

/** One of {@link ALB_TLS_POLICIES}. */
export type AlbTlsPolicy = (typeof ALB_TLS_POLICIES)[number];

/**
 * The listener's policy when none is configured: TLS 1.3, and TLS 1.2 for the clients that lack it, with every
 * forward-secret cipher of the list, so that no client able to speak TLS 1.2 is refused.
 */
export const DEFAULT_ALB_TLS_POLICY: AlbTlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06";
