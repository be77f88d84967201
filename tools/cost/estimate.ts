/**
 * A monthly estimate from a plan: every billed resource is priced from its Pulumi type and inputs, line by line.
 * Three kinds of resource exist for the estimate: priced (a pricer below), free (a reason says why: no charge, or
 * billed through another resource), and everything else, which is listed as unpriced and never counted as zero.
 */
import { ASSUMPTIONS, Assumptions } from "./assumptions";
import { CostContext, CostEstimate, CostInput, FreeGroup, PlanResource } from "./model";
import { PRICES_DIR, loadPriceBooks, readPriceFile } from "./prices";
import { ecrRepository, ecsCluster, ecsService, lambdaFunction } from "./pricers/compute";
import {
    auroraCluster,
    auroraInstance,
    elasticacheCluster,
    elasticacheReplicationGroup,
    s3Bucket,
    secret,
} from "./pricers/data";
import { distribution, hostedZone, logDelivery, webAcl } from "./pricers/edge";
import { elasticIp, loadBalancer, natGateway, Pricer, vpcEndpoint } from "./pricers/network";
import {
    budget,
    compositeAlarm,
    dashboard,
    kmsKey,
    logGroup,
    metricAlarm,
    scalingPolicy,
} from "./pricers/observability";

export const PRICERS: Record<string, Pricer> = {
    "aws:ec2/natGateway:NatGateway": natGateway,
    "aws:ec2/eip:Eip": elasticIp,
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpcEndpoint,
    "aws:lb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:alb/loadBalancer:LoadBalancer": loadBalancer,
    "aws:ecs/service:Service": ecsService,
    "aws:ecs/cluster:Cluster": ecsCluster,
    "aws:lambda/function:Function": lambdaFunction,
    "aws:ecr/repository:Repository": ecrRepository,
    "aws:rds/cluster:Cluster": auroraCluster,
    "aws:rds/clusterInstance:ClusterInstance": auroraInstance,
    "aws:elasticache/replicationGroup:ReplicationGroup": elasticacheReplicationGroup,
    "aws:elasticache/cluster:Cluster": elasticacheCluster,
    "aws:s3/bucket:Bucket": s3Bucket,
    "aws:s3/bucketV2:BucketV2": s3Bucket,
    "aws:secretsmanager/secret:Secret": secret,
    "aws:kms/key:Key": kmsKey,
    "aws:cloudwatch/logGroup:LogGroup": logGroup,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metricAlarm,
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": compositeAlarm,
    "aws:appautoscaling/policy:Policy": scalingPolicy,
    "aws:cloudwatch/dashboard:Dashboard": dashboard,
    "aws:budgets/budget:Budget": budget,
    "aws:cloudfront/distribution:Distribution": distribution,
    "aws:cloudwatch/logDelivery:LogDelivery": logDelivery,
    "aws:wafv2/webAcl:WebAcl": webAcl,
    "aws:route53/zone:Zone": hostedZone,
};

const NO_CHARGE = "no charge of its own";
const S3_CONFIG = "bucket configuration: no charge (storage is priced on the bucket)";

/** Types that cost nothing by themselves, and why. */
export const FREE: Record<string, string> = {
    "aws:ec2/vpc:Vpc": NO_CHARGE,
    "aws:ec2/subnet:Subnet": NO_CHARGE,
    "aws:ec2/routeTable:RouteTable": NO_CHARGE,
    "aws:ec2/route:Route": NO_CHARGE,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": NO_CHARGE,
    "aws:ec2/internetGateway:InternetGateway": "no charge (data transfer out is not estimated)",
    "aws:ec2/securityGroup:SecurityGroup": NO_CHARGE,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": NO_CHARGE,
    "aws:ec2/securityGroupRule:SecurityGroupRule": NO_CHARGE,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": NO_CHARGE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": NO_CHARGE,
    "aws:ec2/flowLog:FlowLog": "billed as log ingestion on its log group",
    "aws:iam/role:Role": NO_CHARGE,
    "aws:iam/rolePolicy:RolePolicy": NO_CHARGE,
    "aws:iam/policy:Policy": NO_CHARGE,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": NO_CHARGE,
    "aws:kms/alias:Alias": NO_CHARGE,
    "aws:kms/keyPolicy:KeyPolicy": NO_CHARGE,
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders": NO_CHARGE,
    "aws:ecs/taskDefinition:TaskDefinition": "billed through the services that run it",
    "aws:lb/listener:Listener": "billed with its load balancer",
    "aws:lb/listenerRule:ListenerRule": "billed with its load balancer",
    "aws:lb/targetGroup:TargetGroup": "billed with its load balancer",
    "aws:appautoscaling/target:Target": "no charge (its bounds set the task and reader counts)",
    "aws:rds/subnetGroup:SubnetGroup": NO_CHARGE,
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": NO_CHARGE,
    "aws:rds/parameterGroup:ParameterGroup": NO_CHARGE,
    "aws:elasticache/subnetGroup:SubnetGroup": NO_CHARGE,
    "aws:elasticache/parameterGroup:ParameterGroup": NO_CHARGE,
    "aws:s3/bucketPolicy:BucketPolicy": S3_CONFIG,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": S3_CONFIG,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": S3_CONFIG,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": S3_CONFIG,
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": S3_CONFIG,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": S3_CONFIG,
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2": S3_CONFIG,
    "aws:s3/bucketVersioning:BucketVersioning": S3_CONFIG,
    "aws:s3/bucketVersioningV2:BucketVersioningV2": S3_CONFIG,
    "aws:s3/bucketLogging:BucketLogging": S3_CONFIG,
    "aws:s3/bucketLoggingV2:BucketLoggingV2": S3_CONFIG,
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": NO_CHARGE,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": NO_CHARGE,
    "aws:secretsmanager/secretVersion:SecretVersion": "billed with its secret",
    "aws:secretsmanager/secretPolicy:SecretPolicy": NO_CHARGE,
    "aws:lambda/permission:Permission": NO_CHARGE,
    "aws:lambda/invocation:Invocation": "runs its function once per deployment (priced with the function)",
    "aws:cloudfront/vpcOrigin:VpcOrigin": "VPC origins carry no additional charge",
    "aws:cloudfront/originAccessControl:OriginAccessControl": NO_CHARGE,
    "aws:cloudfront/cachePolicy:CachePolicy": NO_CHARGE,
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": NO_CHARGE,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": NO_CHARGE,
    "aws:cloudfront/function:Function": "invocations are priced on the distribution",
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": NO_CHARGE,
    "aws:route53/record:Record": "queries are priced on the hosted zone; alias queries are free",
    "aws:sns/topic:Topic": "alarm and budget notifications stay within SNS's free first million publishes",
    "aws:sns/topicPolicy:TopicPolicy": NO_CHARGE,
    "aws:sns/topicSubscription:TopicSubscription": "email deliveries: the first 1,000 a month are free",
    "aws:cloudwatch/eventRule:EventRule": "rules matching AWS service events on the default bus are free",
    "aws:cloudwatch/eventTarget:EventTarget": NO_CHARGE,
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "priced on its log delivery",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "priced on its log delivery",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": NO_CHARGE,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "priced as WAF log data on its log group",
    "aws:wafv2/webAclAssociation:WebAclAssociation": NO_CHARGE,
};

/** Providers of resources that are not AWS services (random values): nothing to bill. */
const NOT_AWS = ["random:"];

export interface EstimateOptions {
    assumptions?: Assumptions;
    pricesDir?: string;
}

/** True for resources AWS bills: custom resources (not components, providers or the stack). */
const isCustom = (r: PlanResource) => r.provider !== null && !r.type.startsWith("pulumi:");

export function estimateCost(input: CostInput, opts: EstimateOptions = {}): CostEstimate {
    const custom = input.resources.filter(isCustom);
    const regions = new Set([input.region, ...custom.map((r) => r.region ?? input.region)]);
    const books = loadPriceBooks(regions, opts.pricesDir);
    const assumptions = opts.assumptions ?? ASSUMPTIONS;
    const ctx = new CostContext(input, books, assumptions);
    const free = new Map<string, FreeGroup>();
    for (const r of custom) {
        const pricer = PRICERS[r.type];
        const reason = FREE[r.type] ?? (NOT_AWS.some((p) => r.type.startsWith(p)) ? "not an AWS resource" : undefined);
        if (pricer) {
            pricer(r, ctx);
        } else if (reason) {
            const group = free.get(r.type) ?? { type: r.type, count: 0, reason };
            group.count += 1;
            free.set(r.type, group);
        } else {
            ctx.skip(r, "no pricer for this resource type");
        }
    }
    const total = Math.round(ctx.lines.reduce((sum, l) => sum + l.monthly, 0) * 100) / 100;
    const dir = opts.pricesDir ?? PRICES_DIR;
    const files = [...books.keys(), "global"].map((f) => ({ file: f, asOf: readPriceFile(f, dir).asOf }));
    const unconfirmed = ctx.lines.filter((l) => !l.confirmed && l.monthly > 0).length;
    if (unconfirmed > 0) {
        ctx.warn(`${unconfirmed} priced lines use figures the price files mark as not confirmed from a dated source`);
    }
    return {
        stack: input.stack,
        region: input.region,
        currency: "USD",
        total,
        lines: ctx.lines,
        unpriced: ctx.unpriced,
        free: [...free.values()].sort((a, b) => a.type.localeCompare(b.type)),
        warnings: ctx.warnings,
        assumptions,
        priceFiles: files,
    };
}
