/**
 * The logical names of FargateService's children, and which service names would make two of them collide.
 *
 * The engine builds a child's URN from its parent's type, its own type and its name, so two children of one type with
 * the same name are a duplicate URN and `pulumi up` fails. Every child is named `<component>-<suffix>`; the names are
 * frozen (renaming a child replaces the resource), so a service name that would produce a name twice is refused by
 * the settings instead. `fargateService.ts` names its children exactly as listed here.
 */

/** The name index.ts gives the FargateService component. */
export const SERVICES_COMPONENT = "app";
/** The name index.ts gives the AuroraCluster component, which admits each service with `allowClient(<service>)`. */
export const DATABASE_COMPONENT = "database";
/**
 * The name index.ts gives the Cache component, which admits each service that sets cacheAccess with
 * `allowClient(<service>)`: `<cache>-from-<service>` is the only ingress rule it has, so those never collide.
 */
export const CACHE_COMPONENT = "cache";

/** A child the component creates once: its type token, the suffix after `<component>-`, and what it is. */
export interface ComponentChild {
    type: string;
    suffix: string;
    what: string;
}

/** A child the component creates for each service `<svc>`: the suffix after `<component>-`, as a function of it. */
export interface ServiceChild {
    type: string;
    suffix: (svc: string) => string;
    what: string;
}

const T = {
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    scalingPolicy: "aws:appautoscaling/policy:Policy",
} as const;

/** Children created once per component (some only when there is a web service or Container Insights). */
export const COMPONENT_CHILDREN: readonly ComponentChild[] = [
    { type: T.logGroup, suffix: "insights", what: "the Container Insights log group" },
    { type: "aws:ecs/cluster:Cluster", suffix: "cluster", what: "the ECS cluster" },
    {
        type: "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
        suffix: "capacity",
        what: "the cluster's capacity providers",
    },
    ...[
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketPolicy:BucketPolicy",
    ].map((type) => ({ type, suffix: "alb-logs", what: "the access-log bucket" })),
    { type: T.sg, suffix: "alb", what: "the load balancer's security group" },
    { type: T.ingress, suffix: "alb-from-cloudfront", what: "the load balancer's CloudFront ingress rule" },
    { type: "aws:lb/loadBalancer:LoadBalancer", suffix: "alb", what: "the load balancer" },
    { type: "aws:lb/listener:Listener", suffix: "https", what: "the HTTPS listener" },
    { type: "aws:lb/listener:Listener", suffix: "http", what: "the HTTP listener" },
];

/**
 * Children created per service (each only for the services that need it). Policy attachments are numbered
 * `<svc>-task-<n>`; `n` is the same for two services only at the same position, so `0` stands for all of them.
 */
export const SERVICE_CHILDREN: readonly ServiceChild[] = [
    { type: T.sg, suffix: (s) => s, what: "security group" },
    { type: T.ingress, suffix: (s) => `${s}-from-alb`, what: "ingress rule from the load balancer" },
    { type: T.egress, suffix: (s) => `alb-to-${s}`, what: "load-balancer egress rule" },
    { type: T.egress, suffix: (s) => `${s}-https`, what: "HTTPS egress rule" },
    { type: T.egress, suffix: (s) => `${s}-to-endpoints`, what: "VPC endpoints egress rule" },
    { type: T.egress, suffix: (s) => `${s}-to-s3`, what: "S3 gateway egress rule" },
    { type: T.egress, suffix: (s) => `${s}-to-database`, what: "database egress rule" },
    { type: T.egress, suffix: (s) => `${s}-to-cache`, what: "cache egress rule" },
    { type: T.logGroup, suffix: (s) => s, what: "log group" },
    { type: "aws:ecr/repository:Repository", suffix: (s) => s, what: "ECR repository" },
    { type: "aws:ecr/lifecyclePolicy:LifecyclePolicy", suffix: (s) => s, what: "ECR lifecycle policy" },
    { type: "awsx:ecr:Image", suffix: (s) => s, what: "image build" },
    { type: T.role, suffix: (s) => `${s}-exec`, what: "execution role" },
    { type: T.role, suffix: (s) => `${s}-task`, what: "task role" },
    { type: T.rolePolicy, suffix: (s) => `${s}-exec`, what: "execution role policy" },
    { type: T.rolePolicy, suffix: (s) => `${s}-exec-command`, what: "ECS Exec policy" },
    { type: T.rolePolicy, suffix: (s) => `${s}-db-connect`, what: "IAM database authentication policy" },
    { type: T.rolePolicy, suffix: (s) => `${s}-buckets`, what: "bucket access policy" },
    { type: T.attachment, suffix: (s) => `${s}-task-0`, what: "managed policy attachment" },
    { type: "aws:ecs/taskDefinition:TaskDefinition", suffix: (s) => s, what: "task definition" },
    { type: "aws:lb/targetGroup:TargetGroup", suffix: (s) => s, what: "target group" },
    { type: "aws:lb/listenerRule:ListenerRule", suffix: (s) => s, what: "listener rule" },
    { type: "aws:ecs/service:Service", suffix: (s) => s, what: "ECS service" },
    { type: "aws:appautoscaling/target:Target", suffix: (s) => s, what: "autoscaling target" },
    { type: T.scalingPolicy, suffix: (s) => `${s}-cpu`, what: "CPU scaling policy" },
    { type: T.scalingPolicy, suffix: (s) => `${s}-requests`, what: "request-count scaling policy" },
];

/**
 * AuroraCluster names the ingress rule that admits a client `<database>-from-<client>`; index.ts uses the service
 * name as the client, and the component's own `clientSecurityGroupIds` option uses `client-<n>`.
 */
export function databaseClientRuleName(database: string, client: string): string {
    return `${database}-from-${client}`;
}
const DATABASE_OWN_CLIENTS = /^client-\d+$/;

/** Two children of one type that would get the same name. */
export interface NameCollision {
    /** The service whose name causes the collision. */
    service: string;
    /** The other owner: another service's name, or undefined for the component's (or database's) own child. */
    otherService?: string;
    type: string;
    /** The colliding child name. */
    name: string;
    /** What the two children are, for the error message. */
    what: string;
}

/**
 * The collisions among the children FargateService (named `component`) and AuroraCluster would create for these
 * services. Conservative: every child a service could have is counted, whatever its settings, so renaming a setting
 * later can never turn a valid stack into a duplicate URN.
 */
export function serviceNameCollisions(services: readonly string[], component = SERVICES_COMPONENT): NameCollision[] {
    const collisions: NameCollision[] = [];
    const seen = new Map<string, { service?: string; what: string }>();
    for (const child of COMPONENT_CHILDREN)
        seen.set(`${child.type}::${component}-${child.suffix}`, { what: child.what });
    for (const service of services) {
        for (const child of SERVICE_CHILDREN) {
            const name = `${component}-${child.suffix(service)}`;
            const key = `${child.type}::${name}`;
            const what = `service ${service}'s ${child.what}`;
            const other = seen.get(key);
            if (other) {
                collisions.push({
                    service,
                    otherService: other.service,
                    type: child.type,
                    name,
                    what: `${what} and ${other.what}`,
                });
            } else {
                seen.set(key, { service, what });
            }
        }
        if (DATABASE_OWN_CLIENTS.test(service)) {
            collisions.push({
                service,
                type: T.ingress,
                name: databaseClientRuleName(DATABASE_COMPONENT, service),
                what: `the database's ingress rule for service ${service} and the one for its own clientSecurityGroupIds`,
            });
        }
    }
    return collisions;
}

/** Service names that collide with the component's own children, whatever the other services are called. */
export function reservedServiceNames(component = SERVICES_COMPONENT): string[] {
    const candidates = new Set(COMPONENT_CHILDREN.map((c) => c.suffix));
    return [...candidates].filter((name) => serviceNameCollisions([name], component).length > 0).sort();
}

/** The environment variable a service reads an application data bucket's name from: BUCKET_<NAME>, '-' as '_'. */
export function bucketEnvName(bucket: string): string {
    return `BUCKET_${bucket.toUpperCase().replace(/-/g, "_")}`;
}
