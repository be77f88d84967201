/**
 * Pulumi type tokens of the AWS resources the pack inspects.
 *
 * Kept as plain strings so the pack never loads `@pulumi/aws` (hundreds of modules) just to compare types.
 * Each group lists every token a resource can appear under in @pulumi/aws v7, aliases included, because a
 * program may use either spelling (`aws.lb` / `aws.alb`, `Bucket` / the deprecated `BucketV2`).
 */
export const T = {
    bucket: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
    bucketEncryption: [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    ],
    bucketPublicAccessBlock: ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"],
    bucketPolicy: ["aws:s3/bucketPolicy:BucketPolicy"],
    bucketVersioning: ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"],
    bucketOwnershipControls: ["aws:s3/bucketOwnershipControls:BucketOwnershipControls"],
    loadBalancer: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
    listener: ["aws:lb/listener:Listener", "aws:alb/listener:Listener"],
    listenerRule: ["aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"],
    vpcOrigin: ["aws:cloudfront/vpcOrigin:VpcOrigin"],
    distribution: ["aws:cloudfront/distribution:Distribution"],
    originAccessControl: ["aws:cloudfront/originAccessControl:OriginAccessControl"],
    responseHeadersPolicy: ["aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy"],
    webAcl: ["aws:wafv2/webAcl:WebAcl"],
    logDeliverySource: ["aws:cloudwatch/logDeliverySource:LogDeliverySource"],
    logDelivery: ["aws:cloudwatch/logDelivery:LogDelivery"],
    vpc: ["aws:ec2/vpc:Vpc"],
    subnet: ["aws:ec2/subnet:Subnet"],
    route: ["aws:ec2/route:Route"],
    routeTable: ["aws:ec2/routeTable:RouteTable", "aws:ec2/defaultRouteTable:DefaultRouteTable"],
    defaultRouteTable: ["aws:ec2/defaultRouteTable:DefaultRouteTable"],
    routeTableAssociation: ["aws:ec2/routeTableAssociation:RouteTableAssociation"],
    mainRouteTableAssociation: ["aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"],
    internetGateway: ["aws:ec2/internetGateway:InternetGateway"],
    natGateway: ["aws:ec2/natGateway:NatGateway"],
    securityGroup: ["aws:ec2/securityGroup:SecurityGroup"],
    securityGroupRule: ["aws:ec2/securityGroupRule:SecurityGroupRule"],
    securityGroupIngressRule: ["aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"],
    securityGroupEgressRule: ["aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"],
    managedPrefixList: ["aws:ec2/managedPrefixList:ManagedPrefixList"],
    rdsCluster: ["aws:rds/cluster:Cluster"],
    rdsClusterInstance: ["aws:rds/clusterInstance:ClusterInstance"],
    rdsClusterParameterGroup: ["aws:rds/clusterParameterGroup:ClusterParameterGroup"],
    rdsSubnetGroup: ["aws:rds/subnetGroup:SubnetGroup"],
    ecsService: ["aws:ecs/service:Service"],
    autoscalingTarget: ["aws:appautoscaling/target:Target"],
    kmsKey: ["aws:kms/key:Key"],
    kmsAlias: ["aws:kms/alias:Alias"],
    kmsKeyPolicy: ["aws:kms/keyPolicy:KeyPolicy"],
    targetGroup: ["aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"],
    metricAlarm: ["aws:cloudwatch/metricAlarm:MetricAlarm"],
    snsTopic: ["aws:sns/topic:Topic"],
    ecrRepository: ["aws:ecr/repository:Repository"],
    secret: ["aws:secretsmanager/secret:Secret"],
    logGroup: ["aws:cloudwatch/logGroup:LogGroup"],
    elasticacheReplicationGroup: ["aws:elasticache/replicationGroup:ReplicationGroup"],
    elasticacheSubnetGroup: ["aws:elasticache/subnetGroup:SubnetGroup"],
} as const satisfies Record<string, readonly string[]>;

/** A group of equivalent type tokens. */
export type TypeGroup = readonly string[];
