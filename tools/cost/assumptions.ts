/**
 * Every usage figure the estimate assumes, in one place. The plan says what is provisioned (how many NAT gateways,
 * which instance class, how many tasks); these say how it is used (traffic, storage, log volume). They are printed
 * with every estimate and can be overridden per run (`--assume name=value`): they are guesses to be replaced by a
 * month of Cost Explorer data, not facts. No figure depends on the stack's name, so a stack's estimate differs from
 * another's only through its config.
 */

export interface Assumption {
    value: number;
    unit: string;
    description: string;
}

export const ASSUMPTIONS = {
    hoursPerMonth: {
        value: 730,
        unit: "hours",
        description: "Hours in an average month (8,760 / 12); every always-on resource runs all of them",
    },
    natGbPerGateway: {
        value: 50,
        unit: "GB/month",
        description: "Data each NAT gateway processes (image pulls without endpoints, package and API calls out)",
    },
    interfaceEndpointGbPerEndpoint: {
        value: 5,
        unit: "GB/month",
        description: "Data each interface endpoint processes, all its AZs together",
    },
    albAverageLcu: {
        value: 1,
        unit: "LCU",
        description: "Load balancer capacity units used on average (1 LCU: 25 new connections/s, 1 GB/h processed)",
    },
    auroraStorageGb: {
        value: 20,
        unit: "GB",
        description: "Data stored in each Aurora cluster volume",
    },
    auroraIoMillionPerMonth: {
        value: 20,
        unit: "million I/O",
        description: "Storage I/O requests per cluster and month (billed on Aurora Standard storage only)",
    },
    backupDailyChangeRate: {
        value: 0.05,
        unit: "fraction",
        description:
            "Share of the volume changed per day; backups beyond the free allowance (one volume) are " +
            "volume × rate × (retention days − 1)",
    },
    serverlessAverageAcu: {
        value: 1,
        unit: "ACU",
        description: "Average Aurora Serverless v2 capacity while active, kept within the configured min and max",
    },
    serverlessActiveHours: {
        value: 200,
        unit: "hours/month",
        description:
            "Hours a Serverless v2 instance that can pause (min 0 ACU) is awake; one with a higher minimum " +
            "runs all month",
    },
    enhancedMonitoringGbPerInstance: {
        value: 0.05,
        unit: "GB/month",
        description: "RDSOSMetrics log data per instance at a 60 s interval (scales with 60 / interval)",
    },
    fargateSpotDiscount: {
        value: 0.7,
        unit: "fraction",
        description: "Fargate Spot discount off on-demand, used when the price file has no Spot price",
    },
    serviceLogGbPerTask: {
        value: 0.5,
        unit: "GB/month",
        description: "Application log data each running ECS task writes",
    },
    flowLogGbPerVpc: {
        value: 5,
        unit: "GB/month",
        description: "VPC flow log data per VPC (ALL traffic, 60 s aggregation)",
    },
    otherLogGbPerGroup: {
        value: 0.5,
        unit: "GB/month",
        description: "Data written to any other log group (database, Lambda, Container Insights, WAF, CloudFront)",
    },
    logCompressionRatio: {
        value: 0.15,
        unit: "fraction",
        description: "Archived (gzip-compressed) size of ingested log data, on which storage is billed",
    },
    logRetentionCapMonths: {
        value: 12,
        unit: "months",
        description: "Months of logs held at steady state for a group that never expires (and the cap for long ones)",
    },
    kmsRequestsPerKey: {
        value: 100000,
        unit: "requests/month",
        description: "KMS API requests per key (log, secret, database and SNS encryption)",
    },
    kmsKeyAgeYears: {
        value: 1,
        unit: "years",
        description: "Age of each rotating key: every yearly rotation adds one billed key version, for the first two",
    },
    secretsApiCallsPerSecret: {
        value: 10000,
        unit: "calls/month",
        description: "GetSecretValue and other calls per secret (task starts, rotations)",
    },
    cloudfrontRequests: {
        value: 5000000,
        unit: "requests/month",
        description: "HTTPS requests each CloudFront distribution serves (also the WAF request count)",
    },
    cloudfrontGbOut: {
        value: 50,
        unit: "GB/month",
        description: "Data each CloudFront distribution sends to viewers",
    },
    cloudfrontEuropeShare: {
        value: 1,
        unit: "fraction",
        description: "Share of viewers in Europe; the rest are priced at North America rates",
    },
    cloudfrontLogBytesPerRequest: {
        value: 600,
        unit: "bytes",
        description: "Size of one CloudFront access log record",
    },
    wafLogBytesPerRequest: {
        value: 1500,
        unit: "bytes",
        description: "Size of one WAF log record (request headers and the rules that matched)",
    },
    route53QueriesMillion: {
        value: 1,
        unit: "million/month",
        description: "Standard (non-alias) DNS queries per hosted zone; alias queries to AWS resources are free",
    },
    s3GbPerBucket: {
        value: 5,
        unit: "GB",
        description: "Data stored in each bucket (access logs, static assets)",
    },
    ecrGbPerRepository: {
        value: 1,
        unit: "GB",
        description: "Image data kept in each ECR repository after its lifecycle policy",
    },
    lambdaInvocations: {
        value: 10,
        unit: "invocations/month",
        description: "Invocations of each Lambda function (deploy-time helpers run once per deployment)",
    },
    lambdaAverageSeconds: {
        value: 5,
        unit: "seconds",
        description: "Average duration of one Lambda invocation",
    },
    budgetsInAccount: {
        value: 2,
        unit: "budgets",
        description: "Budgets the account already has; the first two are free",
    },
} satisfies Record<string, Assumption>;

export type AssumptionName = keyof typeof ASSUMPTIONS;
export type Assumptions = Record<AssumptionName, Assumption>;

/** The assumptions with overrides (`name=value`) applied; every bad override is reported at once. */
export function withOverrides(overrides: Record<string, string>, base: Assumptions = ASSUMPTIONS): Assumptions {
    const out = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, { ...v }])) as Assumptions;
    const problems: string[] = [];
    for (const [name, raw] of Object.entries(overrides)) {
        if (!(name in base)) {
            problems.push(`--assume ${name}: not a known assumption; expected one of ${Object.keys(base).join(", ")}`);
            continue;
        }
        const value = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(value) || value < 0) {
            problems.push(`--assume ${name}=${raw}: expected a number >= 0 (${base[name as AssumptionName].unit})`);
            continue;
        }
        out[name as AssumptionName].value = value;
    }
    if (problems.length > 0) throw new AssumptionError(problems);
    return out;
}

export class AssumptionError extends Error {
    constructor(public readonly problems: string[]) {
        super(problems.join("\n"));
    }
}
