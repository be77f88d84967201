/**
 * The data model shared by the offline plan runner, the offline policy evaluator and the tests.
 *
 * Property values are kept in the Pulumi wire form, exactly as the engine would hand them to a
 * policy pack: an unknown value is the sentinel string `UNKNOWN` (the same sentinel that
 * `@pulumi/policy` recognises), a secret is `{ [SECRET_SIG_KEY]: SECRET_SIG, value }`.
 */

/** Pulumi's wire sentinel for a value that is not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key and value that mark a special wire object (secret, asset, resource reference). */
export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

export type PlanMode = "preview" | "update";

/** One registration request seen by the mock monitor. */
export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    /** Parent URN; undefined only for the stack root. */
    parent?: string;
    /** True for custom (provider-backed) resources, false for components and the stack. */
    custom: boolean;
    /** URNs this resource depends on (explicit dependsOn plus every input dependency). */
    dependencies: string[];
    /** For each input property, the URNs of the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
    /** Inputs in wire form, as the policy engine receives them (after provider auto-naming). */
    inputs: Record<string, unknown>;
    /** Inputs merged with the provider's outputs, in wire form; in preview unknown outputs are absent. */
    outputs: Record<string, unknown>;
    protect: boolean;
    /** True when `pulumi destroy` (or a replacement) only forgets the resource and leaves it in AWS. */
    retainOnDelete?: boolean;
    /** True when a replacement deletes the old resource before creating the new one. */
    deleteBeforeReplace?: boolean;
    /** Properties the engine leaves alone on update (`ignoreChanges`). */
    ignoreChanges?: string[];
    /** Properties whose change replaces the resource instead of updating it (`replaceOnChanges`); absent when none. */
    replaceOnChanges?: string[];
    /** Operation timeouts (`customTimeouts`), as the engine receives them ("30m"); absent when none is set. */
    customTimeouts?: { create?: string; update?: string; delete?: string };
    /** Provider reference (`<provider urn>::<provider id>`), if any. */
    provider?: string;
    /**
     * Other URNs this resource answers to (its `aliases`, resolved to URNs, plus those inherited from an aliased
     * parent); absent when there are none. An old URN listed here is moved, not deleted and recreated.
     */
    aliases?: string[];
}

export interface Violation {
    policy: string;
    enforcementLevel: "advisory" | "mandatory";
    urn?: string;
    message: string;
}
