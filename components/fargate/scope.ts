import type * as pulumi from "@pulumi/pulumi";
import type { FargateServiceArgs } from "../fargateService";

/**
 * What every part of a FargateService shares. The parts are plain functions, not components of their own: each
 * resource they create is a direct child of `parent`, the FargateService, named from `name`, so the URNs stay
 * those of one flat component.
 */
export interface FargateScope {
    /** The FargateService: parent of every child resource and of every data-source call. */
    parent: pulumi.Resource;
    /** The component's name, the prefix of every child's logical name. */
    name: string;
    /** Prefix of physical names unique per account (task families, the cluster). */
    prefix: string;
    args: FargateServiceArgs;
    accountId: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    dnsSuffix: pulumi.Output<string>;
    region: pulumi.Output<string>;
}
