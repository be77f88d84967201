/**
 * The shared internal Application Load Balancer of a FargateService's web services: its access-log bucket, its
 * security group (CloudFront's origin-facing addresses in), the load balancer and its one listener.
 * Services add their own target groups, listener rules and egress rules from this group (see service.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_ALB_TLS_POLICY } from "../../policy/albTlsPolicies";
import { accountBucketName } from "../s3/bucket";
import { LEGACY_ELB_LOG_REGIONS, logBucketPolicy } from "./documents";
import type { FargateScope } from "./scope";

/**
 * The managed prefix list of CloudFront's origin-facing addresses, which the load balancer admits (AWS CloudFront
 * 'Restrict access with VPC origins').
 */
export const CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing";

/** Key prefix of the access logs in their bucket. */
const LOG_PREFIX = "alb";

export interface FargateLoadBalancer {
    alb: aws.lb.LoadBalancer;
    securityGroup: aws.ec2.SecurityGroup;
    listener: aws.lb.Listener;
    accessLogBucket: aws.s3.Bucket;
    /** True when the listener is HTTPS (a certificate was given). */
    https: boolean;
}

export function createLoadBalancer(scope: FargateScope): FargateLoadBalancer {
    const { parent, name, args } = scope;
    const lbArgs = args.loadBalancer ?? {};
    const https = lbArgs.certificateArn !== undefined;
    const listenerPort = https ? 443 : 80;

    const { bucket, bucketPolicy } = createAccessLogBucket(scope);

    const securityGroup = new aws.ec2.SecurityGroup(
        `${name}-alb`,
        {
            vpcId: args.vpcId,
            // No inline rules: each rule is its own resource. The provider revokes AWS's default allow-all
            // egress rule when it creates a VPC security group, so egress is only what is declared below.
            description: `Load balancer ${name}: CloudFront origin-facing addresses in, services out`,
            tags: { Name: `${name}-alb` },
        },
        { parent },
    );
    // CloudFront reaches an internal ALB through its VPC origin; AWS documents admitting the origin-facing
    // managed prefix list (or the CloudFront-VPCOrigins-Service-SG, which only exists after the VPC origin
    // and so cannot be referenced here). Only the listener's port is opened; no CIDR is ever opened.
    const cloudfront = aws.ec2.getManagedPrefixListOutput({ name: CLOUDFRONT_ORIGIN_FACING }, { parent });
    new aws.vpc.SecurityGroupIngressRule(
        `${name}-alb-from-cloudfront`,
        {
            securityGroupId: securityGroup.id,
            prefixListId: cloudfront.id,
            ipProtocol: "tcp",
            fromPort: listenerPort,
            toPort: listenerPort,
            description: `${https ? "HTTPS" : "HTTP"} from CloudFront origin-facing addresses`,
        },
        { parent },
    );

    const alb = new aws.lb.LoadBalancer(
        `${name}-alb`,
        {
            loadBalancerType: "application",
            // Internal in the private subnets: CloudFront's VPC origin is the only way in, nothing faces the internet.
            internal: true,
            subnets: args.privateSubnetIds,
            securityGroups: [securityGroup.id],
            ipAddressType: "ipv4",
            dropInvalidHeaderFields: true,
            desyncMitigationMode: "strictest",
            enableDeletionProtection: lbArgs.deletionProtection ?? true,
            idleTimeout: lbArgs.idleTimeoutSeconds ?? 60,
            accessLogs: { bucket: bucket.id, prefix: LOG_PREFIX, enabled: true },
        },
        // ELB checks write access when logging is enabled: without the bucket policy creation fails.
        { parent, dependsOn: [bucketPolicy] },
    );

    // Requests that match no service's rule get a 404 from the load balancer itself.
    const notFound = {
        type: "fixed-response",
        fixedResponse: { contentType: "text/plain", statusCode: "404", messageBody: "Not Found" },
    };
    // Named after its protocol: adding a certificate creates the HTTPS listener (another port) before the HTTP one
    // is deleted, and the listener rules, bound to a listener for good, are recreated on it.
    const listener = new aws.lb.Listener(
        `${name}-${https ? "https" : "http"}`,
        https
            ? {
                  loadBalancerArn: alb.arn,
                  port: 443,
                  protocol: "HTTPS",
                  sslPolicy: lbArgs.sslPolicy ?? DEFAULT_ALB_TLS_POLICY,
                  certificateArn: lbArgs.certificateArn,
                  defaultActions: [notFound],
              }
            : {
                  // Plain HTTP only between CloudFront's VPC origin and an internal ALB that nothing else
                  // can reach (the security group admits the origin-facing prefix list only). There is no
                  // HTTP→HTTPS redirect listener: nothing but CloudFront could ever use it.
                  loadBalancerArn: alb.arn,
                  port: 80,
                  protocol: "HTTP",
                  defaultActions: [notFound],
              },
        { parent },
    );

    return { alb, securityGroup, listener, accessLogBucket: bucket, https };
}

/**
 * The access-log bucket and its policy (AWS 'Enable access logs for your Application Load Balancer'): same region,
 * SSE-S3 (ELB cannot write to SSE-KMS buckets), no ACLs, no public access, TLS only, a lifecycle, and a policy that
 * lets only ELB log delivery write.
 */
function createAccessLogBucket(scope: FargateScope): { bucket: aws.s3.Bucket; bucketPolicy: aws.s3.BucketPolicy } {
    const { parent, name, prefix, args } = scope;
    const lbArgs = args.loadBalancer ?? {};
    // Named from the stack and the account rather than auto-named, so the bucket ARN (and with it the bucket
    // policy) is known at preview and policies can judge the policy document before `pulumi up`.
    const bucketName = accountBucketName(`FargateService ${name}`, `${prefix}-${name}-alb-logs`, scope.accountId);
    const bucketArn = pulumi.interpolate`arn:${scope.partition}:s3:::${bucketName}`;
    const bucket = new aws.s3.Bucket(
        `${name}-alb-logs`,
        // A disposable stack (no deletion protection) can be destroyed with its logs.
        { bucket: bucketName, forceDestroy: !(lbArgs.deletionProtection ?? true) },
        { parent },
    );
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
        `${name}-alb-logs`,
        { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        { parent },
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
        `${name}-alb-logs`,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        { parent },
    );
    const ownership = new aws.s3.BucketOwnershipControls(
        `${name}-alb-logs`,
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        { parent },
    );
    new aws.s3.BucketLifecycleConfiguration(
        `${name}-alb-logs`,
        {
            bucket: bucket.id,
            rules: [
                {
                    id: "expire-access-logs",
                    status: "Enabled",
                    filter: { prefix: `${LOG_PREFIX}/` },
                    expiration: { days: lbArgs.accessLogRetentionDays ?? 90 },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                },
            ],
        },
        { parent },
    );
    // Decided from the given region, so that the policy's principals are known at preview. The provider's own region
    // is compared with it, so that a wrong argument fails rather than grant another region's ELB account.
    const elbAccountArn = LEGACY_ELB_LOG_REGIONS.has(args.region)
        ? aws.elb.getServiceAccountOutput({}, { parent }).arn
        : undefined;
    const bucketPolicy = new aws.s3.BucketPolicy(
        `${name}-alb-logs`,
        {
            bucket: bucket.id,
            policy: pulumi
                .all([bucketArn, scope.accountId, elbAccountArn, scope.region])
                .apply(([bucketArn, account, elbArn, providerRegion]) => {
                    if (providerRegion !== args.region) {
                        throw new pulumi.RunError(
                            `FargateService ${name}: region is ${args.region}, but the component's provider deploys to ${providerRegion}`,
                        );
                    }
                    return JSON.stringify(
                        logBucketPolicy({ bucketArn, prefix: LOG_PREFIX, account, elbAccountArn: elbArn }),
                    );
                }),
        },
        // S3 rejects concurrent configuration changes on one bucket ("conflicting conditional operation").
        { parent, dependsOn: [publicAccess, ownership, encryption] },
    );
    return { bucket, bucketPolicy };
}
