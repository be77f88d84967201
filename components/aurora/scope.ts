import type * as pulumi from "@pulumi/pulumi";
import type { AuroraClusterArgs } from "../auroraCluster";

/**
 * What every part of an AuroraCluster shares. The parts are plain functions, not components of their own: each
 * resource they create is a direct child of `parent`, the AuroraCluster, named from `name`, so the URNs stay
 * those of one flat component.
 */
export interface AuroraScope {
    /** The AuroraCluster: parent of every child resource and of every data-source call. */
    parent: pulumi.Resource;
    /** The component's name, the prefix of every child's logical name. */
    name: string;
    /** The cluster identifier (`args.clusterIdentifier`), the stem of AWS-side names. */
    id: string;
    args: AuroraClusterArgs;
}
