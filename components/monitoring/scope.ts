import type * as pulumi from "@pulumi/pulumi";
import type { MonitoringArgs } from "../monitoring";

/**
 * What every part of a Monitoring component shares. The parts are plain functions: each resource they create is a
 * direct child of `parent`, named from `name`, so the URNs stay those of one flat component.
 */
export interface MonitoringScope {
    /** The Monitoring component: parent of every child resource and of every data-source call. */
    parent: pulumi.Resource;
    /** The component's name, the prefix of every child's logical name. */
    name: string;
    args: MonitoringArgs;
    accountId: pulumi.Output<string>;
    partition: pulumi.Output<string>;
    /** The stack's region (the component's provider). */
    region: pulumi.Output<string>;
}
