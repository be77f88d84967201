/**
 * Entry point the Pulumi CLI runs for `--policy-pack policy`. Constructing a `PolicyPack` starts a gRPC
 * server and exits the process on a bad pack, so nothing else may import this file: tests and the offline
 * plan import `./policies` instead.
 */
import { PolicyPack } from "@pulumi/policy";

import { packDescription, packEnforcementLevel, packName } from "./pack";
import { policies } from "./policies";

new PolicyPack(packName, {
    policies,
    enforcementLevel: packEnforcementLevel,
    description: packDescription,
    displayName: "AWS platform guard rails",
    provider: "aws",
    tags: ["encryption", "networking", "data-protection", "multi-az", "edge", "monitoring"],
});
