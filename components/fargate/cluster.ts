/**
 * The ECS cluster of a FargateService, its Container Insights log group and its capacity providers.
 */
import * as aws from "@pulumi/aws";
import type { FargateScope } from "./scope";

export interface FargateCluster {
    cluster: aws.ecs.Cluster;
    /** Services wait for it: their strategies name FARGATE / FARGATE_SPOT. */
    capacityProviders: aws.ecs.ClusterCapacityProviders;
}

export function createCluster(scope: FargateScope): FargateCluster {
    const { parent, name, prefix, args } = scope;
    // Container Insights writes to /aws/ecs/containerinsights/<cluster>/performance and creates it unencrypted and
    // kept forever unless it exists first, as RDS does for its log exports. So the cluster gets a fixed name and its
    // group is created, on the stack's key and with a retention, before the cluster.
    const insights = args.containerInsights ?? "enhanced";
    const clusterName = `${prefix}-${name}`;
    const insightsLogGroup =
        insights === "disabled"
            ? undefined
            : new aws.cloudwatch.LogGroup(
                  `${name}-insights`,
                  {
                      name: `/aws/ecs/containerinsights/${clusterName}/performance`,
                      retentionInDays: args.insightsLogRetentionDays ?? 30,
                      kmsKeyId: args.kmsKeyArn,
                  },
                  { parent },
              );
    const cluster = new aws.ecs.Cluster(
        `${name}-cluster`,
        {
            name: clusterName,
            settings: [{ name: "containerInsights", value: insights }],
            // ECS Exec sessions (when a service enables them) are encrypted with the stack's key and logged.
            ...(Object.values(args.services).some((a) => a.enableExecuteCommand)
                ? {
                      configuration: {
                          executeCommandConfiguration: { kmsKeyId: args.kmsKeyArn, logging: "DEFAULT" },
                      },
                  }
                : {}),
        },
        { parent, dependsOn: insightsLogGroup ? [insightsLogGroup] : [] },
    );
    // Services name FARGATE / FARGATE_SPOT in their strategies; the cluster must have them associated first.
    const capacityProviders = new aws.ecs.ClusterCapacityProviders(
        `${name}-capacity`,
        {
            clusterName: cluster.name,
            capacityProviders: ["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategies: [{ capacityProvider: "FARGATE", weight: 1, base: 0 }],
        },
        { parent },
    );
    return { cluster, capacityProviders };
}
