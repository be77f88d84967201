import type * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { EdgeCdnArgs } from "../edgeCdn";

/**
 * What every part of an EdgeCdn shares. The parts are plain functions: each resource they create is a direct child of
 * `parent`, the EdgeCdn, named from `name`.
 */
export interface EdgeScope {
    /** The EdgeCdn: parent of every child resource and of every data-source call. */
    parent: pulumi.Resource;
    /** The component's name, the prefix of every child's logical name. */
    name: string;
    /** Prefix of physical names unique per account. */
    prefix: string;
    args: EdgeCdnArgs;
    /** us-east-1: the WAF web ACL, its logs and CloudFront's access-log delivery live there. */
    global: aws.Provider;
    accountId: pulumi.Output<string>;
    partition: pulumi.Output<string>;
}
