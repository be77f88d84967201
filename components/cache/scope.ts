import type * as pulumi from "@pulumi/pulumi";
import type { CacheArgs } from "../cache";
import type { CacheEngine } from "./engine";

/**
 * What every part of a Cache shares. The parts are plain functions, not components of their own: each resource they
 * create is a direct child of `parent`, the Cache, named from `name`, so the URNs stay those of one flat component.
 */
export interface CacheScope {
    /** The Cache: parent of every child resource. */
    parent: pulumi.Resource;
    /** The component's name, the prefix of every child's logical name. */
    name: string;
    /** `<project>-<stack>`: the stem of AWS-side names that must be unique in the account and region. */
    prefix: string;
    engine: CacheEngine;
    engineVersion: string;
    /** More than one shard: cluster mode enabled. */
    clusterMode: boolean;
    args: CacheArgs;
}
