import * as aws from "@pulumi/aws";
import { AuroraCluster } from "./components/auroraCluster";
import { Buckets } from "./components/buckets";
import { Cache } from "./components/cache";
import { SiteDomain } from "./components/domain";
import { EdgeCdn } from "./components/edgeCdn";
import { FargateService } from "./components/fargateService";
import { CACHE_COMPONENT, DATABASE_COMPONENT, SERVICES_COMPONENT } from "./components/fargate/naming";
import { Monitoring } from "./components/monitoring";
import { Network } from "./components/network";
import { SecretsStore } from "./components/secretsStore";
import { commonTags, costScopeTag } from "./platform";
import { loadSettings } from "./stacks";
import {
    definedOutputs,
    globalSecretsStoreArgs,
    hasWebService,
    iamDatabaseUsers,
    isProtected,
    minimumTasks,
    namePrefix,
    networkArgs,
    secretsStoreArgs,
    watchedDatabaseFacts,
} from "./stacks/wiring";

// Validate every config key before a single resource is registered.
const settings = loadSettings();
const prefix = namePrefix(settings);

// Explicit providers carry the region and the common tags, so every resource is tagged the same way in every region.
const defaultTags = { tags: commonTags(settings.project, settings.stack, settings.tags) };
const providerIn = (name: string, region: string) =>
    new aws.Provider(name, { region: region as aws.Region, defaultTags });
const provider = providerIn("aws", settings.region);
const opts = { providers: { aws: provider } };
// CloudFront's viewer certificate, its WAF web ACL and its metrics (and so their alarms) exist only in us-east-1,
// whatever the stack's region (AWS ACM "Supported Regions"; AWS WAF "Resources you can protect").
const usEast1 = providerIn("aws-us-east-1", "us-east-1");

// A protected stack's key, snapshots, cache snapshot and buckets outlive it (see isProtected).
const protectedStack = isProtected(settings);

const secrets = new SecretsStore("secrets", secretsStoreArgs(settings), opts);
// us-east-1 gets a key of its own for what CloudFront and WAF keep there (see globalSecretsStoreArgs).
const globalSecrets = new SecretsStore("global", globalSecretsStoreArgs(settings), { providers: { aws: usEast1 } });

const network = new Network("network", networkArgs(settings, secrets.keyArn), opts);

// The database sits in the isolated tier; services are admitted later with database.allowClient(name, sgId).
const database = new AuroraCluster(
    DATABASE_COMPONENT,
    {
        ...settings.database,
        clusterIdentifier: prefix.toLowerCase(),
        vpcId: network.vpcId,
        subnetIds: network.isolatedSubnetIds,
        availabilityZones: network.azNames,
        kmsKeyArn: secrets.keyArn,
        // The PostgreSQL users services log in as with IAM authentication, one per service that sets databaseIamUser.
        iamDatabaseUsers: iamDatabaseUsers(settings.services.apps),
    },
    opts,
);

// The cache, when the stack has one, also in the isolated tier; services that set cacheAccess are admitted below.
const cache = settings.cache
    ? new Cache(
          CACHE_COMPONENT,
          {
              ...settings.cache,
              vpcId: network.vpcId,
              subnetIds: network.isolatedSubnetIds,
              availabilityZones: network.azNames,
              kmsKeyArn: secrets.keyArn,
              namePrefix: prefix,
              recoveryWindowDays: settings.secrets.recoveryWindowDays,
              // Its final snapshot is encrypted with the stack's key: worth taking exactly when the key outlives the
              // stack, whatever Pulumi protect says about the cache itself.
              finalSnapshot: protectedStack,
          },
          opts,
      )
    : undefined;

// Application data buckets, when the stack declares any: encrypted with the stack's key, kept with the stack's data.
const buckets =
    Object.keys(settings.buckets).length > 0
        ? new Buckets(
              "buckets",
              { buckets: settings.buckets, kmsKeyArn: secrets.keyArn, namePrefix: prefix, protect: protectedStack },
              opts,
          )
        : undefined;

// The site's certificates, validated before the load balancer's HTTPS listener and the distribution use them.
const { domain, ...edgeSettings } = settings.edge;
const siteDomain = domain
    ? new SiteDomain(
          "domain",
          {
              ...domain,
              originCertificate: hasWebService(settings.services.apps),
              originCertificateArn: settings.services.loadBalancer.certificateArn,
              globalProvider: usEast1,
          },
          opts,
      )
    : undefined;

// Containerised services on one cluster, web ones behind an internal ALB that only CloudFront's VPC origin reaches.
const services =
    Object.keys(settings.services.apps).length > 0
        ? new FargateService(
              SERVICES_COMPONENT,
              {
                  vpcId: network.vpcId,
                  privateSubnetIds: network.privateSubnetIds,
                  kmsKeyArn: secrets.keyArn,
                  secretArns: secrets.secretArns,
                  secretVersions: secrets.secretVersions,
                  databaseSecurityGroupId: database.securityGroupId,
                  databasePort: database.port,
                  databaseSecretArn: database.masterSecretArn,
                  databaseEndpoint: database.writerEndpoint,
                  databaseReaderEndpoint: database.readerEndpoint,
                  databaseName: database.databaseName,
                  databaseClusterResourceId: database.clusterResourceId,
                  databaseUsersReady: database.iamUsersReady,
                  cache: cache && {
                      securityGroupId: cache.securityGroupId,
                      port: cache.port,
                      host: cache.host,
                      readerHost: cache.readerHost,
                      clusterMode: cache.clusterMode,
                      secretArn: cache.secretArn,
                      secretVersion: cache.secretVersion,
                  },
                  buckets: buckets?.grants,
                  privateEgress: network.privateEgress,
                  vpcEndpoints: network.endpointSecurityGroupId && {
                      securityGroupId: network.endpointSecurityGroupId,
                      s3PrefixListId: network.s3PrefixListId,
                  },
                  containerInsights: settings.services.cluster.containerInsights,
                  insightsLogRetentionDays: settings.services.cluster.insightsLogRetentionDays,
                  loadBalancer: {
                      ...settings.services.loadBalancer,
                      certificateArn: siteDomain?.originCertificateArn,
                      hostName: siteDomain?.originHostName,
                  },
                  services: settings.services.apps,
                  region: settings.region,
                  namePrefix: prefix,
              },
              opts,
          )
        : undefined;
// The database admits exactly the services that use it, each by its own security group.
for (const [name, sgId] of Object.entries(services?.databaseClientSecurityGroupIds ?? {})) {
    database.allowClient(name, sgId);
}
// The cache admits exactly the services that set cacheAccess.
for (const [name, sgId] of Object.entries(services?.cacheClientSecurityGroupIds ?? {})) {
    cache?.allowClient(name, sgId);
}

// CloudFront in front of everything. Its VPC origin used to be FargateService's child: the alias moves it.
const edge = new EdgeCdn(
    "edge",
    {
        ...edgeSettings,
        globalProvider: usEast1,
        kmsKeyArn: secrets.keyArn,
        globalKmsKeyArn: globalSecrets.keyArn,
        origin: services?.origin && {
            ...services.origin,
            aliases: [{ name: `${SERVICES_COMPONENT}-origin`, parent: services }],
        },
        bucketOrigins: buckets?.origins,
        domain: siteDomain && { ...domain!, viewerCertificateArn: siteDomain.viewerCertificateArn },
        providerDefaultTags: defaultTags.tags,
        forceDestroyAssets: !protectedStack,
        namePrefix: prefix,
    },
    opts,
);

// The served buckets' policies name the distribution, which is created after them: only it may read what it serves.
buckets?.serveThrough(edge.distributionArn);

// Alarms on everything above, failover and deployment events, a dashboard and the budget, on encrypted topics whose
// keys let CloudWatch, EventBridge and Budgets publish.
const apps = Object.entries(settings.services.apps);
const monitoring = new Monitoring(
    "monitoring",
    {
        namePrefix: prefix,
        kmsKeyArn: secrets.keyArn,
        global: { kmsKeyArn: globalSecrets.keyArn, provider: usEast1 },
        emails: settings.monitoring.emails,
        httpsEndpoints: settings.monitoring.httpsEndpoints,
        thresholds: settings.monitoring.thresholds,
        database: {
            clusterIdentifier: database.clusterIdentifier,
            clusterArn: database.clusterArn,
            ...watchedDatabaseFacts(settings.database),
        },
        services: services && {
            clusterName: services.clusterName,
            containerInsights: settings.services.cluster.containerInsights !== "disabled",
            loadBalancerArnSuffix: services.loadBalancerArnSuffix,
            services: Object.fromEntries(
                apps.map(([name, app]) => [
                    name,
                    {
                        serviceName: services.serviceNames[name],
                        serviceArn: services.serviceArns[name],
                        minimumTasks: minimumTasks(app),
                        targetGroupArnSuffix: services.targetGroupArnSuffixes[name],
                    },
                ]),
            ),
        },
        natGatewayIds: network.natGatewayIds,
        cloudFront: {
            distributionId: edge.distributionId,
            additionalMetrics: settings.monitoring.cloudFront.additionalMetrics,
        },
        budget: settings.monitoring.budget && {
            ...settings.monitoring.budget,
            costAllocationTag: costScopeTag(settings.project, settings.stack),
        },
    },
    opts,
);

// Stack outputs; only values that exist are exported (see definedOutputs).
const outputs: Record<string, unknown> = {
    vpcId: network.vpcId,
    azNames: network.azNames,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    isolatedSubnetIds: network.isolatedSubnetIds,
    kmsKeyArn: secrets.keyArn,
    globalKmsKeyArn: globalSecrets.keyArn,
    secretArns: secrets.secretArns,
    writerEndpoint: database.writerEndpoint,
    readerEndpoint: database.readerEndpoint,
    databasePort: database.port,
    databaseSecurityGroupId: database.securityGroupId,
    databaseMasterSecretArn: database.masterSecretArn,
    databaseClusterIdentifier: database.clusterIdentifier,
    databaseInstanceIdentifiers: database.instanceIdentifiers,
    cacheReplicationGroupId: cache?.replicationGroupId,
    cacheHost: cache?.host,
    cacheReaderHost: cache?.readerHost,
    cachePort: cache?.port,
    cacheSecurityGroupId: cache?.securityGroupId,
    cacheSecretArn: cache?.secretArn,
    bucketNames: buckets?.bucketNames,
    clusterName: services?.clusterName,
    clusterArn: services?.clusterArn,
    serviceNames: services?.serviceNames,
    serviceSecurityGroupIds: services?.securityGroupIds,
    loadBalancerArn: services?.loadBalancerArn,
    loadBalancerArnSuffix: services?.loadBalancerArnSuffix,
    loadBalancerDnsName: services?.loadBalancerDnsName,
    targetGroupArnSuffixes: services?.targetGroupArnSuffixes,
    alarmTopicArn: monitoring.topicArn,
    globalAlarmTopicArn: monitoring.globalTopicArn,
    dashboardName: monitoring.dashboardName,
    vpcOriginId: edge.vpcOriginId,
    vpcOriginArn: edge.vpcOriginArn,
    distributionId: edge.distributionId,
    distributionDomainName: edge.distributionDomainName,
    assetsBucketName: edge.assetsBucketName,
    webAclArn: edge.webAclArn,
    siteUrl: edge.siteUrl,
};
export = definedOutputs(outputs);
