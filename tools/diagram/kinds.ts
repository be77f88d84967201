/**
 * How each known resource type appears: as a node with a label drawn from its inputs, folded into an aggregate
 * node (alarms, log groups), or not at all because it only wires other resources together (it still gives edges).
 */
import { PlanResource } from "../cost/model";

export interface NodeSpec {
    /** Short kind, used in node ids and styles. */
    kind: string;
    label: (r: PlanResource) => string;
    /** Drawn across its tier even when its subnets are in one AZ. */
    spansTier?: boolean;
    /** Kept out of the network groups (drawn in its component) even if it references subnets. */
    outsideNetwork?: boolean;
    shape?: "box" | "cylinder" | "circle" | "hexagon";
}

const inp = (r: PlanResource, key: string): unknown => (r.inputs as Record<string, unknown> | null)?.[key];
const text = (v: unknown) => (typeof v === "string" && v !== "[unknown]" ? v : undefined);
const nested = (r: PlanResource, ...path: string[]) =>
    path.reduce<unknown>(
        (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
        r.inputs,
    );
const count = (v: unknown) => (Array.isArray(v) ? v.length : 0);

export const KINDS: Record<string, NodeSpec> = {
    "aws:cloudfront/distribution:Distribution": {
        kind: "cdn",
        label: (r) => `CloudFront distribution ${r.name}`,
    },
    "aws:wafv2/webAcl:WebAcl": {
        kind: "waf",
        label: (r) => `WAF web ACL ${r.name} (${count(inp(r, "rules"))} rules, ${text(inp(r, "scope")) ?? "REGIONAL"})`,
        shape: "hexagon",
    },
    "aws:cloudfront/vpcOrigin:VpcOrigin": {
        kind: "vpcorigin",
        label: (r) =>
            `CloudFront VPC origin ${r.name} (${text(nested(r, "vpcOriginEndpointConfig", "originProtocolPolicy")) ?? "?"})`,
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        kind: "alb",
        label: (r) => `${inp(r, "internal") === true ? "internal " : ""}load balancer ${r.name}`,
        spansTier: true,
    },
    "aws:lb/targetGroup:TargetGroup": {
        kind: "tg",
        label: (r) => `target group ${r.name} (${text(inp(r, "protocol")) ?? ""} ${String(inp(r, "port") ?? "")})`,
    },
    "aws:ecs/service:Service": {
        kind: "svc",
        label: (r) => `ECS service ${r.name} (${String(inp(r, "desiredCount") ?? "?")} tasks)`,
        spansTier: true,
    },
    "aws:ecs/cluster:Cluster": {
        kind: "ecs",
        label: (r) => `ECS cluster ${text(inp(r, "name")) ?? r.name}`,
        outsideNetwork: true,
    },
    "aws:rds/cluster:Cluster": {
        kind: "db",
        label: (r) => {
            const engine = [text(inp(r, "engine")), text(inp(r, "engineVersion"))].filter(Boolean).join(" ");
            return `Aurora cluster ${text(inp(r, "clusterIdentifier")) ?? r.name}${engine ? ` (${engine})` : ""}`;
        },
        spansTier: true,
        shape: "cylinder",
    },
    "aws:rds/clusterInstance:ClusterInstance": {
        kind: "dbi",
        label: (r) => `instance ${text(inp(r, "identifier")) ?? r.name} (${text(inp(r, "instanceClass")) ?? "?"})`,
        shape: "cylinder",
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        kind: "cache",
        label: (r) => `ElastiCache ${text(inp(r, "engine")) ?? "redis"} ${r.name} (${text(inp(r, "nodeType")) ?? "?"})`,
        spansTier: true,
        shape: "cylinder",
    },
    "aws:ec2/natGateway:NatGateway": { kind: "nat", label: (r) => `NAT gateway ${r.name}` },
    "aws:ec2/internetGateway:InternetGateway": { kind: "igw", label: (r) => `internet gateway ${r.name}` },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        kind: "vpce",
        label: (r) =>
            `${text(inp(r, "vpcEndpointType")) ?? "Gateway"} endpoint ${(text(inp(r, "serviceName")) ?? r.name).split(".").slice(3).join(".")}`,
        spansTier: true,
    },
    "aws:kms/key:Key": { kind: "key", label: (r) => `KMS key ${r.name}`, shape: "hexagon" },
    "aws:secretsmanager/secret:Secret": { kind: "secret", label: (r) => `secret ${r.name}`, shape: "hexagon" },
    "aws:s3/bucket:Bucket": { kind: "bucket", label: (r) => `S3 bucket ${r.name}`, shape: "cylinder" },
    "aws:s3/bucketV2:BucketV2": { kind: "bucket", label: (r) => `S3 bucket ${r.name}`, shape: "cylinder" },
    "aws:ecr/repository:Repository": { kind: "ecr", label: (r) => `ECR repository ${r.name}`, shape: "cylinder" },
    "aws:lambda/function:Function": { kind: "fn", label: (r) => `Lambda ${r.name}`, outsideNetwork: true },
    "aws:sns/topic:Topic": { kind: "topic", label: (r) => `SNS topic ${r.name}` },
    "aws:sns/topicSubscription:TopicSubscription": {
        kind: "sub",
        label: (r) => `${text(inp(r, "protocol")) ?? "?"} subscription ${r.name}`,
    },
    "aws:cloudwatch/dashboard:Dashboard": { kind: "dash", label: (r) => `CloudWatch dashboard ${r.name}` },
    "aws:budgets/budget:Budget": { kind: "budget", label: (r) => `AWS Budget ${r.name}` },
    "aws:cloudwatch/eventRule:EventRule": { kind: "rule", label: (r) => `EventBridge rule ${r.name}` },
    "aws:acm/certificate:Certificate": { kind: "cert", label: (r) => `ACM certificate ${r.name}` },
    "aws:route53/zone:Zone": { kind: "zone", label: (r) => `Route 53 zone ${text(inp(r, "name")) ?? r.name}` },
    "aws:route53/record:Record": { kind: "dns", label: (r) => `DNS ${text(inp(r, "type")) ?? ""} ${r.name}` },
    "awsx:ecr:Image": { kind: "image", label: (r) => `image build ${r.name}` },
};

/** Resources folded into one node per group and target: many alarms or log groups read better as a count. */
export const AGGREGATED: Record<string, string> = {
    "aws:cloudwatch/metricAlarm:MetricAlarm": "CloudWatch alarms",
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": "CloudWatch alarms",
    "aws:cloudwatch/logGroup:LogGroup": "log groups",
};

/** Types that only wire other resources together, or configure one: they give edges, not nodes. */
export const HIDDEN = new Set([
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/route:Route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/eip:Eip",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:ec2/flowLog:FlowLog",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:kms/alias:Alias",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
    "aws:ecs/taskDefinition:TaskDefinition",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:appautoscaling/target:Target",
    "aws:appautoscaling/policy:Policy",
    "aws:rds/subnetGroup:SubnetGroup",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup",
    "aws:rds/parameterGroup:ParameterGroup",
    "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:elasticache/parameterGroup:ParameterGroup",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketLoggingV2:BucketLoggingV2",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
    "aws:secretsmanager/secretVersion:SecretVersion",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:lambda/permission:Permission",
    "aws:lambda/invocation:Invocation",
    "aws:cloudfront/originAccessControl:OriginAccessControl",
    "aws:cloudfront/cachePolicy:CachePolicy",
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "aws:cloudfront/function:Function",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/logDelivery:LogDelivery",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "random:index/randomId:RandomId",
    "random:index/randomPassword:RandomPassword",
]);
