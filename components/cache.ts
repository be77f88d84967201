import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createAuth } from "./cache/auth";
import { CACHE_PORT, type CacheEngine, DEFAULT_ENGINE_VERSION } from "./cache/engine";
import { createSecurityGroup, createSubnetGroup } from "./cache/network";
import { createLogGroups, createParameterGroup } from "./cache/parameters";
import { createReplicationGroup } from "./cache/replicationGroup";
import type { CacheScope } from "./cache/scope";
import { cacheProblems } from "./cache/validate";

export { CACHE_PORT } from "./cache/engine";

export interface CacheArgs {
    /** VPC of the subnets. Required: the security group lives there. */
    vpcId: pulumi.Input<string>;
    /** Isolated-tier subnets for the subnet group, one per AZ. Required: no default-VPC fallback. */
    subnetIds: pulumi.Input<string>[];
    /**
     * The AZs of `subnetIds`, in order. Required: without cluster mode the primary and its replicas are placed
     * round-robin over them, so that no two share an AZ while there are AZs to spare.
     */
    availabilityZones: pulumi.Input<string[]>;
    /**
     * The platform CMK: data at rest, snapshots, the credential secret and the log groups. Required: nothing of the
     * cache is under an AWS-owned key.
     */
    kmsKeyArn: pulumi.Input<string>;
    /**
     * `<project>-<stack>`: the stem of names that must be unique in the account and region (user and user-group
     * ids, the secret, log groups). Required, because two stacks share an account.
     */
    namePrefix: string;
    /** valkey or redis (Redis OSS). Default valkey: open source, and cheaper per node on ElastiCache. */
    engine?: CacheEngine;
    /**
     * "<major>.<minor>". Default 8.2 for valkey, 7.1 for redis: a current Valkey, and the last Redis OSS line
     * ElastiCache offers. The parameter-group family follows it.
     */
    engineVersion?: string;
    /** Node type of every node. Default cache.r7g.large: Graviton, memory-optimised. */
    nodeType?: string;
    /**
     * Shards. Default 1 (cluster mode disabled): one shard serves until the data or writes outgrow a node, with simpler
     * clients; more turns cluster mode on.
     */
    shards?: number;
    /** Replicas per shard, 0-5. Default 2: after a failover one is promoted and the other still serves reads. */
    replicas?: number;
    /**
     * Multi-AZ with automatic failover. Default true: losing the primary's AZ promotes a replica in another AZ.
     * Needs at least one replica. Disposable stacks turn it off.
     */
    multiAz?: boolean;
    /** Days of daily snapshots, 0-35. Default 7: a week to notice and restore lost data; 0 takes none. */
    snapshotRetentionDays?: number;
    /** Daily snapshot window (UTC), at least 60 minutes. Default 03:00-04:00: at night in Europe. */
    snapshotWindow?: string;
    /** Weekly maintenance window (UTC), at least 60 minutes, apart from snapshots. Default sun:05:00-sun:06:00. */
    maintenanceWindow?: string;
    /**
     * Minor and patch releases applied by AWS in the maintenance window. Default true: fixes without a deploy. While
     * on, Pulumi leaves the group's version to AWS (ignoreChanges), because the provider would replace a group whose
     * configured version is below the running one. Turn it off in the update that changes `engineVersion` on purpose.
     */
    autoMinorVersionUpgrade?: boolean;
    /** Apply changes at once rather than in the maintenance window. Default false: no restarts during the day. */
    applyImmediately?: boolean;
    /** Retention of the slow-log and engine-log groups. Default 365 days: a year of evidence for incident review. */
    logRetentionDays?: number;
    /**
     * Pulumi `protect` on the replication group. Default true: the state of a running system (seed 003 keeps live
     * auctions here) is not thrown away by a destroy. Deleting a protected cache takes turning this off first.
     */
    protect?: boolean;
    /**
     * A final snapshot when the replication group is deleted, whatever `protect` says (turning protect off to delete
     * the cache must not also drop its last copy). Default true. The snapshot is encrypted with the platform key, so
     * it is worth taking only when that key outlives the stack: index.ts passes whether the stack keeps its key.
     */
    finalSnapshot?: boolean;
    /** The application user's name. Default app. Never `default`, the disabled user every group holds. */
    userName?: string;
    /** The application user's ACL. Default "on ~* &* +@all": every key, channel and allowed command. */
    accessString?: string;
    /**
     * Recovery window of the credential secret. Default 30 days, the longest AWS allows, to undo a mistaken deletion; 0
     * deletes at once (disposable stacks).
     */
    recoveryWindowDays?: number;
}

/**
 * An ElastiCache replication group (Valkey or Redis OSS) in the isolated tier: encrypted at rest with the platform
 * key and in transit with TLS required, reachable only from the security groups admitted with `allowClient`, with
 * RBAC users (a disabled `default` user and the application user, whose generated password is in Secrets Manager),
 * Multi-AZ failover, daily snapshots, a final snapshot and its logs in pre-created, encrypted log groups.
 *
 * The parts live in components/cache/: network.ts (subnet group, security group), auth.ts (users, user group, the
 * credential secret), parameters.ts (parameter group, log groups), replicationGroup.ts, engine.ts (versions,
 * families, ids), validate.ts. Every resource is a direct child of this component.
 */
export class Cache extends pulumi.ComponentResource {
    public readonly replicationGroupId: pulumi.Output<string>;
    public readonly arn: pulumi.Output<string>;
    /** Where clients connect: the primary endpoint, or the configuration endpoint in cluster mode. */
    public readonly host: pulumi.Output<string>;
    /** The reader endpoint (cluster mode disabled only): reads spread over the replicas. */
    public readonly readerHost?: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;
    /** More than one shard: clients must be cluster-aware. */
    public readonly clusterMode: boolean;
    public readonly securityGroupId: pulumi.Output<string>;
    /** The application's credential, JSON `{username, password}`; services read it as container secrets. */
    public readonly secretArn: pulumi.Output<string>;
    /** The credential's value: services that read it wait for it, so that their first tasks find it. */
    public readonly secretVersion: aws.secretsmanager.SecretVersion;
    public readonly logGroupNames: pulumi.Output<string>[];

    private readonly componentName: string;
    private readonly sg: aws.ec2.SecurityGroup;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("aws-platform:index:Cache", name, {}, opts);
        this.componentName = name;
        const problems = cacheProblems(name, args);
        if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));

        const engine = args.engine ?? "valkey";
        const scope: CacheScope = {
            parent: this,
            name,
            prefix: args.namePrefix,
            engine,
            engineVersion: args.engineVersion ?? DEFAULT_ENGINE_VERSION[engine],
            clusterMode: (args.shards ?? 1) > 1,
            args,
        };
        const multiAz = args.multiAz ?? true;
        const azs = pulumi.output(args.availabilityZones).apply((names) => {
            if (multiAz && new Set(names).size < 2) {
                throw new pulumi.RunError(
                    `Cache ${name}: the subnets span ${new Set(names).size} AZ(s); Multi-AZ needs at least 2`,
                );
            }
            return names;
        });

        const subnetGroup = createSubnetGroup(scope);
        this.sg = createSecurityGroup(scope);
        const parameterGroup = createParameterGroup(scope);
        const logGroups = createLogGroups(scope);
        const auth = createAuth(scope);
        const group = createReplicationGroup(scope, {
            subnetGroup,
            securityGroup: this.sg,
            parameterGroup,
            userGroup: auth.userGroup,
            logGroups,
            azs,
        });

        this.replicationGroupId = group.replicationGroupId;
        this.arn = group.arn;
        this.clusterMode = scope.clusterMode;
        this.host = scope.clusterMode ? group.configurationEndpointAddress : group.primaryEndpointAddress;
        this.readerHost = scope.clusterMode ? undefined : group.readerEndpointAddress;
        this.port = group.port.apply((p) => p ?? CACHE_PORT);
        this.securityGroupId = this.sg.id;
        this.secretArn = auth.secret.arn;
        this.secretVersion = auth.secretVersion;
        this.logGroupNames = Object.values(logGroups).map((g) => g.name);
        this.registerOutputs({
            replicationGroupId: this.replicationGroupId,
            arn: this.arn,
            host: this.host,
            readerHost: this.readerHost,
            port: this.port,
            securityGroupId: this.securityGroupId,
            secretArn: this.secretArn,
        });
    }

    /**
     * Admits one more client security group on the cache port. The rule is a child of this component named
     * `<component>-from-<clientName>`, so services can be added after the cache without a cycle.
     */
    public allowClient(clientName: string, securityGroupId: pulumi.Input<string>): aws.vpc.SecurityGroupIngressRule {
        return new aws.vpc.SecurityGroupIngressRule(
            `${this.componentName}-from-${clientName}`,
            {
                securityGroupId: this.sg.id,
                referencedSecurityGroupId: securityGroupId,
                ipProtocol: "tcp",
                fromPort: CACHE_PORT,
                toPort: CACHE_PORT,
                description: `Cache (TLS) from ${clientName}`,
                tags: { Name: `${this.componentName}-from-${clientName}` },
            },
            { parent: this },
        );
    }
}
