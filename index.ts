import * as aws from "@pulumi/aws";
import { Network } from "./components/network";
import { SecretsStore } from "./components/secretsStore";
import { loadSettings } from "./stacks";

// Validate every config key before a single resource is registered.
const settings = loadSettings();
const prefix = `${settings.project}-${settings.stack}`;

// One explicit provider carries the region and the common tags, so every resource is tagged the same way.
const provider = new aws.Provider("aws", {
    region: settings.region as aws.Region,
    defaultTags: {
        tags: { project: settings.project, stack: settings.stack, "managed-by": "pulumi", ...settings.tags },
    },
});
const opts = { providers: { aws: provider } };

const secrets = new SecretsStore(
    "secrets",
    {
        aliasName: prefix,
        keyDeletionWindowDays: settings.secrets.keyDeletionWindowDays,
        recoveryWindowDays: settings.secrets.recoveryWindowDays,
        appSecrets: settings.secrets.appSecrets,
    },
    opts,
);

const network = new Network(
    "network",
    {
        cidr: settings.network.cidr,
        azCount: settings.network.azCount,
        subnetCidrs: settings.network.subnets,
        natGateways: settings.network.natGateways,
        kmsKeyArn: secrets.keyArn,
        flowLogRetentionDays: settings.network.flowLogRetentionDays,
        interfaceEndpoints: settings.network.interfaceEndpoints,
    },
    opts,
);

export const vpcId = network.vpcId;
export const azNames = network.azNames;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const isolatedSubnetIds = network.isolatedSubnetIds;
export const kmsKeyArn = secrets.keyArn;
export const secretArns = secrets.secretArns;
