/**
 * The aws-platform CrossGuard policies: encryption at rest and in transit, private networking, data protection,
 * Multi-AZ, edge protection, monitoring.
 *
 * This module has no side effects, so tests and the offline plan (tools/plan/policy-eval.ts) import it
 * directly; only index.ts wraps it in a `PolicyPack`.
 *
 * Preview safety: at `pulumi preview` any input that comes from a resource created in the same update is
 * an unknown sentinel, and reading one through the props proxy turns the whole policy into an advisory
 * "can't run during preview" — silently unblocking a mandatory policy. So every policy decides on known
 * values first, tests presence with `isSet`/`in` (an unknown counts as "set"), and follows relations through
 * `propertyDependencies`. A policy reads a value through the proxy (`readThrough`) only when the decision
 * genuinely depends on a value nobody can know yet.
 *
 * Layout: one module per area (encryptionAtRest.ts, encryptionInTransit.ts, privateNetworking.ts, dataProtection.ts, multiAz.ts,
 * edgeProtection.ts, monitoring.ts), each exporting its policies in catalog order (an area may gather policies kept
 * in files of their own, such as cloudfrontVpcOrigin.ts); builders.ts turns a declaration into the CrossGuard
 * policy and its catalog entry; helpers.ts, values.ts (wire values), graph.ts (relations between resources) and tokens.ts
 * (resource types) are what the checks read with. A new policy goes in its area's list, where its position is
 * its row in the README table.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";

import type { Built, PolicyMetadata } from "./builders";
import { dataProtection } from "./dataProtection";
import { edgeProtection } from "./edgeProtection";
import { encryptionAtRest } from "./encryptionAtRest";
import { encryptionInTransit } from "./encryptionInTransit";
import { monitoring } from "./monitoring";
import { multiAz } from "./multiAz";
import { privateNetworking } from "./privateNetworking";

export type { PolicyCategory, PolicyMetadata, PolicySetting } from "./builders";

const built: Built[] = [
    ...encryptionAtRest,
    ...encryptionInTransit,
    ...privateNetworking,
    ...dataProtection,
    ...multiAz,
    ...edgeProtection,
    ...monitoring,
];

/** Every policy of the pack, in catalog order. */
export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = built.map((b) => b.policy);

/** Structured metadata for every policy (same order as {@link policies}); the README table is rendered from it. */
export const policyCatalog: readonly PolicyMetadata[] = built.map((b) => b.meta);
