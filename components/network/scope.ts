import type * as pulumi from "@pulumi/pulumi";
import type { NetworkArgs } from "../network";

/**
 * What every part of a Network shares. The parts are plain functions, not components of their own: each
 * resource they create is a direct child of `parent`, the Network, named from `name`, so the URNs stay those of
 * one flat component.
 */
export interface NetworkScope {
    /** The Network: parent of every child resource and of every data-source call. */
    parent: pulumi.Resource;
    /** The component's name, the prefix of every child's logical name. */
    name: string;
    args: NetworkArgs;
}
