/**
 * One service of a FargateService: its security group and rules, its task (task.ts), its target group and
 * listener rule when it has a port, the ECS service, and its autoscaling.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { FargateAppArgs } from "../fargateService";
import type { FargateCluster } from "./cluster";
import type { FargateLoadBalancer } from "./loadBalancer";
import type { FargateScope } from "./scope";
import { ServiceUnit, createImage, createLogGroup, createRoles, createTaskDefinition } from "./task";
import { usesDatabase } from "./validate";

/** What the component exposes of one service. */
export interface CreatedService {
    service: aws.ecs.Service;
    securityGroup: aws.ec2.SecurityGroup;
    logGroup: aws.cloudwatch.LogGroup;
    /** Web services only. */
    targetGroup?: aws.lb.TargetGroup;
    /** Services whose image is built here only. */
    repository?: aws.ecr.Repository;
}

export function createService(
    scope: FargateScope,
    cluster: FargateCluster,
    lb: FargateLoadBalancer | undefined,
    unit: ServiceUnit,
): CreatedService {
    const securityGroup = createSecurityGroup(scope, unit, lb);
    const logGroup = createLogGroup(scope, unit);
    const { image, repository } = createImage(scope, unit);
    const roles = createRoles(scope, unit, logGroup, repository);
    const taskDefinition = createTaskDefinition(scope, unit, { image, logGroup, roles });
    const routing = lb && unit.app.port !== undefined ? createRouting(scope, unit, lb) : undefined;
    const service = createEcsService(scope, unit, { cluster, taskDefinition, securityGroup, routing });
    if (unit.app.autoscaling) createAutoscaling(scope, unit, cluster, service, lb, routing?.targetGroup);
    return { service, securityGroup, logGroup, targetGroup: routing?.targetGroup, repository };
}

/** The security group's egress tag: what its egress rules reach, e.g. `HTTPS and database`. */
export function egressSummary(app: FargateAppArgs, dbAccess: boolean): string {
    const https = app.internetEgress === false ? "VPC endpoints" : "HTTPS";
    return [https, ...(dbAccess ? ["database"] : []), ...(app.cacheAccess ? ["cache"] : [])].join(" and ");
}

/**
 * HTTPS out: image pulls (ECR API, registry, S3 layers through the gateway endpoint), CloudWatch Logs, Secrets
 * Manager and the app's own HTTPS calls; without a path to them a task stops with ResourceInitializationError before
 * its container starts. DNS to the VPC resolver is not subject to security groups, and these are egress rules only:
 * nothing can connect in.
 */
function createHttpsEgress(scope: FargateScope, id: string, app: FargateAppArgs, sg: aws.ec2.SecurityGroup): void {
    const { parent, args } = scope;
    const https = { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443 };
    if (app.internetEgress !== false) {
        // With interface endpoints the AWS APIs resolve to endpoint addresses inside the VPC, without them to public
        // AWS ranges through the NAT; S3 is always a public range, so the destination cannot be narrower.
        new aws.vpc.SecurityGroupEgressRule(
            `${id}-https`,
            { ...https, cidrIpv4: "0.0.0.0/0", description: "HTTPS to AWS APIs and external services" },
            { parent },
        );
        return;
    }
    // Without internet egress: the interface endpoints (their group admits HTTPS from the VPC), and S3's prefix list,
    // which the gateway endpoint routes inside the VPC, for ECR's image layers and the data buckets.
    const endpoints = args.vpcEndpoints!;
    new aws.vpc.SecurityGroupEgressRule(
        `${id}-to-endpoints`,
        { ...https, referencedSecurityGroupId: endpoints.securityGroupId, description: "HTTPS to the VPC endpoints" },
        { parent },
    );
    new aws.vpc.SecurityGroupEgressRule(
        `${id}-to-s3`,
        { ...https, prefixListId: endpoints.s3PrefixListId, description: "HTTPS to S3 through the gateway endpoint" },
        { parent },
    );
}

/** Security group: no inline rules, AWS's default egress revoked by the provider (see the ALB's group). */
function createSecurityGroup(
    scope: FargateScope,
    { svc, id, app }: ServiceUnit,
    lb: FargateLoadBalancer | undefined,
): aws.ec2.SecurityGroup {
    const { parent, name, args } = scope;
    const isWeb = app.port !== undefined;
    const port = app.port ?? 0;
    const dbAccess = usesDatabase(app);
    // The description never changes: EC2 cannot update a group's description, so a new one would replace the group
    // while running tasks still use it. What the rules allow (which follows the port and database access) is in
    // tags, which update in place.
    const sg = new aws.ec2.SecurityGroup(
        id,
        {
            vpcId: args.vpcId,
            description: `ECS service ${svc}; its rules are separate resources, summarised in the ingress and egress tags`,
            tags: {
                Name: id,
                ingress: isWeb ? `load balancer on ${port}` : "none",
                egress: egressSummary(app, dbAccess),
            },
        },
        { parent },
    );
    if (isWeb && lb) {
        new aws.vpc.SecurityGroupIngressRule(
            `${id}-from-alb`,
            {
                securityGroupId: sg.id,
                referencedSecurityGroupId: lb.securityGroup.id,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: `Port ${port} from the load balancer`,
            },
            { parent },
        );
        // The ALB's group has no default egress either: it may reach each service on its port only.
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-alb-to-${svc}`,
            {
                securityGroupId: lb.securityGroup.id,
                referencedSecurityGroupId: sg.id,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: `Requests and health checks to ${svc}`,
            },
            { parent },
        );
    }
    createHttpsEgress(scope, id, app, sg);
    if (dbAccess) {
        new aws.vpc.SecurityGroupEgressRule(
            `${id}-to-database`,
            {
                securityGroupId: sg.id,
                referencedSecurityGroupId: args.databaseSecurityGroupId!,
                ipProtocol: "tcp",
                fromPort: args.databasePort ?? 5432,
                toPort: args.databasePort ?? 5432,
                description: "PostgreSQL to the database",
            },
            { parent },
        );
    }
    if (app.cacheAccess && args.cache) {
        new aws.vpc.SecurityGroupEgressRule(
            `${id}-to-cache`,
            {
                securityGroupId: sg.id,
                referencedSecurityGroupId: args.cache.securityGroupId,
                ipProtocol: "tcp",
                fromPort: args.cache.port,
                toPort: args.cache.port,
                description: "TLS to the cache",
            },
            { parent },
        );
    }
    return sg;
}

/** Target group and listener rule of a web service. */
function createRouting(
    scope: FargateScope,
    { id, app }: ServiceUnit,
    lb: FargateLoadBalancer,
): { targetGroup: aws.lb.TargetGroup; rule: aws.lb.ListenerRule } {
    const parent = scope.parent;
    const hc = app.healthCheck ?? { path: "/healthz" };
    const targetGroup = new aws.lb.TargetGroup(
        id,
        {
            vpcId: scope.args.vpcId,
            // Fargate tasks use awsvpc networking and register by IP: ECS rejects "instance" target groups for them.
            // Port, protocol and target type cannot change in place: a new port replaces the group, which is
            // auto-named, so the new one exists before the listener rule and the service (updated in place) move to it.
            targetType: "ip",
            protocol: "HTTP",
            protocolVersion: "HTTP1",
            port: app.port ?? 0,
            deregistrationDelay: app.deregistrationDelaySeconds ?? 15,
            healthCheck: {
                enabled: true,
                protocol: "HTTP",
                port: "traffic-port",
                path: hc.path,
                matcher: hc.matcher ?? "200-399",
                interval: hc.intervalSeconds ?? 15,
                timeout: hc.timeoutSeconds ?? 5,
                healthyThreshold: hc.healthyThreshold ?? 2,
                unhealthyThreshold: hc.unhealthyThreshold ?? 3,
            },
        },
        { parent },
    );
    const conditions: aws.types.input.lb.ListenerRuleCondition[] = [];
    if (app.routing?.pathPatterns?.length) conditions.push({ pathPattern: { values: app.routing.pathPatterns } });
    if (app.routing?.hostHeaders?.length) conditions.push({ hostHeader: { values: app.routing.hostHeaders } });
    const rule = new aws.lb.ListenerRule(
        id,
        {
            listenerArn: lb.listener.arn,
            priority: app.routing!.priority,
            actions: [{ type: "forward", targetGroupArn: targetGroup.arn }],
            conditions,
        },
        { parent },
    );
    return { targetGroup, rule };
}

function createEcsService(
    scope: FargateScope,
    { svc, id, app }: ServiceUnit,
    parts: {
        cluster: FargateCluster;
        taskDefinition: aws.ecs.TaskDefinition;
        securityGroup: aws.ec2.SecurityGroup;
        routing?: { targetGroup: aws.lb.TargetGroup; rule: aws.lb.ListenerRule };
    },
): aws.ecs.Service {
    const { cluster, taskDefinition, securityGroup, routing } = parts;
    const strategies = [
        { capacityProvider: "FARGATE", ...app.capacity?.fargate },
        { capacityProvider: "FARGATE_SPOT", weight: 0, ...app.capacity?.fargateSpot },
    ]
        .map((s) => ({ capacityProvider: s.capacityProvider, weight: s.weight ?? 1, base: s.base ?? 0 }))
        .filter((s) => s.weight > 0 || s.base > 0);
    const deployment = app.deployment ?? {};
    return new aws.ecs.Service(
        id,
        {
            cluster: cluster.cluster.arn,
            taskDefinition: taskDefinition.arn,
            desiredCount: app.desiredCount ?? 2,
            capacityProviderStrategies: strategies,
            // LATEST is 1.4.0, the first platform on which Fargate Spot runs ARM64 tasks (AWS ECS API
            // 'CapacityProviderStrategyItem'); X86_64 on Spot needs 1.3.0.
            platformVersion: "LATEST",
            networkConfiguration: {
                subnets: scope.args.privateSubnetIds,
                securityGroups: [securityGroup.id],
                // Private subnets reach AWS through NAT or endpoints; a public IP would only add exposure.
                assignPublicIp: false,
            },
            ...(routing
                ? {
                      loadBalancers: [
                          { targetGroupArn: routing.targetGroup.arn, containerName: svc, containerPort: app.port ?? 0 },
                      ],
                      healthCheckGracePeriodSeconds: app.healthCheck?.gracePeriodSeconds ?? 60,
                  }
                : {}),
            // Self-healing deployments: the circuit breaker works only with the rolling ECS controller (AWS ECS API
            // 'DeploymentCircuitBreaker') and returns to the last working task definition when new tasks keep failing.
            deploymentController: { type: "ECS" },
            deploymentCircuitBreaker: { enable: true, rollback: true },
            deploymentMinimumHealthyPercent: deployment.minimumHealthyPercent ?? 100,
            deploymentMaximumPercent: deployment.maximumPercent ?? 200,
            availabilityZoneRebalancing: "ENABLED",
            enableExecuteCommand: app.enableExecuteCommand ?? false,
            enableEcsManagedTags: true,
            propagateTags: "SERVICE",
            // `pulumi up` fails (instead of reporting success) when a deployment never becomes stable.
            waitForSteadyState: true,
            // ECS refuses a capacity-provider-strategy change on a running service without a new deployment.
            // Every rollout here deploys anyway (the task definition changes), so this costs nothing extra.
            forceNewDeployment: true,
        },
        {
            parent: scope.parent,
            // ECS rejects a target group that no listener uses yet, and strategies naming providers the cluster does
            // not have. The first tasks start as soon as the service exists: without the private tier's routes and
            // endpoints they cannot pull their image or read their secrets, and without the secrets' values ECS has
            // nothing to inject; either way the circuit breaker fails the deployment. A service that logs in as an IAM
            // database user waits until that user exists.
            dependsOn: [
                cluster.capacityProviders,
                ...(routing ? [routing.rule] : []),
                ...(scope.args.privateEgress ?? []),
                ...secretValuesReadBy(scope, app),
                ...(app.databaseIamUser && scope.args.databaseUsersReady ? [scope.args.databaseUsersReady] : []),
            ],
            // Application Auto Scaling owns the running count; re-applying desiredCount on every update would undo it.
            ...(app.autoscaling ? { ignoreChanges: ["desiredCount"] } : {}),
        },
    );
}

/**
 * The secret values a service's tasks read at start: its SecretsStore secrets' versions and, with cacheAccess, the
 * cache credential's. The RDS master secret (`database:*`) needs none: RDS sets its value when it creates the cluster.
 */
export function secretValuesReadBy(scope: FargateScope, app: FargateAppArgs): pulumi.Resource[] {
    const own = Object.values(app.secrets ?? {})
        .filter((ref) => !ref.startsWith("database:"))
        .flatMap((ref) => {
            const version = scope.args.secretVersions?.[ref];
            return version ? [version] : [];
        });
    const cache = app.cacheAccess ? scope.args.cache?.secretVersion : undefined;
    return [...new Set([...own, ...(cache ? [cache] : [])])];
}

/** Target tracking on average CPU and, for web services, on ALB requests per target. */
function createAutoscaling(
    scope: FargateScope,
    { id, app }: ServiceUnit,
    cluster: FargateCluster,
    service: aws.ecs.Service,
    lb: FargateLoadBalancer | undefined,
    targetGroup: aws.lb.TargetGroup | undefined,
): void {
    const parent = scope.parent;
    const as = app.autoscaling!;
    const target = new aws.appautoscaling.Target(
        id,
        {
            serviceNamespace: "ecs",
            scalableDimension: "ecs:service:DesiredCount",
            // Built from the cluster and service outputs, so the target follows the service.
            resourceId: pulumi.interpolate`service/${cluster.cluster.name}/${service.name}`,
            minCapacity: as.minCount,
            maxCapacity: as.maxCount,
        },
        { parent },
    );
    const tracking = (metric: string, value: number, resourceLabel?: pulumi.Input<string>) => ({
        policyType: "TargetTrackingScaling",
        resourceId: target.resourceId,
        scalableDimension: target.scalableDimension,
        serviceNamespace: target.serviceNamespace,
        targetTrackingScalingPolicyConfiguration: {
            targetValue: value,
            scaleInCooldown: as.scaleInCooldownSeconds ?? 300,
            scaleOutCooldown: as.scaleOutCooldownSeconds ?? 60,
            predefinedMetricSpecification: {
                predefinedMetricType: metric,
                ...(resourceLabel ? { resourceLabel } : {}),
            },
        },
    });
    new aws.appautoscaling.Policy(`${id}-cpu`, tracking("ECSServiceAverageCPUUtilization", as.cpuTargetPercent ?? 60), {
        parent,
    });
    if (as.requestsPerTarget !== undefined && lb && targetGroup) {
        new aws.appautoscaling.Policy(
            `${id}-requests`,
            tracking(
                "ALBRequestCountPerTarget",
                as.requestsPerTarget,
                pulumi.interpolate`${lb.alb.arnSuffix}/${targetGroup.arnSuffix}`,
            ),
            { parent },
        );
    }
}
