import { HOW_TO_ADD_REGION, REGIONS_AS_OF, regionInfo } from "../../stacks/aws-regions";
import { ACCOUNT_ID, azId, hex } from "./fakes";

export interface InvokeContext {
    region: string;
}

/**
 * The AZ names a new account sees in a region, from the platform's region table (stacks/regions.json). A region
 * that is not in the table fails the invoke, as the settings refuse such a stack before it gets here.
 */
function azNames(region: string): string[] {
    const info = regionInfo(region);
    if (!info) {
        throw new Error(
            `aws.getAvailabilityZones: ${region} is not in stacks/regions.json (checked ${REGIONS_AS_OF}); ${HOW_TO_ADD_REGION}`,
        );
    }
    return info.azs;
}

function partitionOf(region: string): { partition: string; dnsSuffix: string } {
    if (region.startsWith("cn-")) return { partition: "aws-cn", dnsSuffix: "amazonaws.com.cn" };
    if (region.startsWith("us-gov-")) return { partition: "aws-us-gov", dnsSuffix: "amazonaws.com" };
    return { partition: "aws", dnsSuffix: "amazonaws.com" };
}

/** Regional ELB accounts for access logs (AWS "Enable access logs for your Application Load Balancer"). */
export const ELB_ACCOUNTS: Record<string, string> = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-west-3": "009996457667",
    "eu-central-1": "054676820928",
    "eu-north-1": "897822967062",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "sa-east-1": "507241528517",
};

/** Managed prefix lists the platform looks up, by name. */
const PREFIX_LISTS: Record<string, { entries: string[]; maxEntries: number }> = {
    "com.amazonaws.global.cloudfront.origin-facing": {
        entries: ["3.172.0.0/18", "13.32.0.0/15", "18.64.0.0/14", "52.84.0.0/15", "130.176.0.0/17"],
        maxEntries: 55,
    },
};

type Stmt = Record<string, unknown>;

/** Renders `aws.iam.getPolicyDocument` inputs as the provider would: the IAM JSON document. */
function policyDocument(inputs: Record<string, unknown>): string {
    const asList = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? undefined : [v]);
    const one = (list: unknown[] | undefined) => (list && list.length === 1 ? list[0] : list);
    const statements = ((inputs.statements as Stmt[] | undefined) ?? []).map((s) => {
        const out: Record<string, unknown> = {};
        if (s.sid) out.Sid = s.sid;
        out.Effect = (s.effect as string | undefined) ?? "Allow";
        const principals = (key: string) => {
            const ps = s[key] as { type: string; identifiers: string[] }[] | undefined;
            if (!ps) return undefined;
            const byType: Record<string, unknown> = {};
            for (const p of ps)
                byType[p.type] = one([...((asList(byType[p.type]) as string[]) ?? []), ...p.identifiers]);
            return byType;
        };
        if (s.principals) out.Principal = principals("principals");
        if (s.notPrincipals) out.NotPrincipal = principals("notPrincipals");
        if (s.actions) out.Action = one(asList(s.actions));
        if (s.notActions) out.NotAction = one(asList(s.notActions));
        if (s.resources) out.Resource = one(asList(s.resources));
        if (s.notResources) out.NotResource = one(asList(s.notResources));
        const conditions = s.conditions as { test: string; variable: string; values: string[] }[] | undefined;
        if (conditions) {
            const c: Record<string, Record<string, unknown>> = {};
            for (const cond of conditions) (c[cond.test] ??= {})[cond.variable] = one(cond.values);
            out.Condition = c;
        }
        return out;
    });
    return JSON.stringify({ Version: (inputs.version as string | undefined) ?? "2012-10-17", Statement: statements });
}

/**
 * Answers the data-source invokes the program makes, derived from the stack's region. An invoke the
 * runner does not know is an error: returning `{}` would let the program run on undefined values.
 */
export function answerInvoke(
    token: string,
    inputs: Record<string, unknown>,
    ctx: InvokeContext,
): Record<string, unknown> {
    const region = (inputs.region as string | undefined) ?? ctx.region;
    const { partition, dnsSuffix } = partitionOf(region);
    switch (token) {
        case "aws:index/getAvailabilityZones:getAvailabilityZones": {
            const names = azNames(region);
            return {
                id: region,
                names,
                zoneIds: names.map((n) => azId(region, n)),
                groupNames: [region],
                state: inputs.state ?? "available",
            };
        }
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                id: ACCOUNT_ID,
                accountId: ACCOUNT_ID,
                arn: `arn:${partition}:sts::${ACCOUNT_ID}:assumed-role/platform-deployer/pulumi`,
                userId: `AROA${hex("deployer", 17).toUpperCase()}:pulumi`,
            };
        case "aws:index/getRegion:getRegion":
            return { id: region, name: region, region, endpoint: `ec2.${region}.${dnsSuffix}`, description: region };
        case "aws:index/getPartition:getPartition":
            return { id: partition, partition, dnsSuffix, reverseDnsPrefix: dnsSuffix.split(".").reverse().join(".") };
        case "aws:elb/getServiceAccount:getServiceAccount": {
            const account = ELB_ACCOUNTS[region];
            if (!account) {
                throw new Error(
                    `aws.elb.getServiceAccount: ${region} has no legacy ELB account; grant logdelivery.elasticloadbalancing.amazonaws.com instead`,
                );
            }
            return { id: account, arn: `arn:${partition}:iam::${account}:root`, region };
        }
        case "aws:ec2/getManagedPrefixList:getManagedPrefixList": {
            const name =
                (inputs.name as string | undefined) ??
                ((inputs.filters as { name: string; values: string[] }[] | undefined) ?? []).find(
                    (f) => f.name === "prefix-list-name",
                )?.values[0];
            const list = name ? PREFIX_LISTS[name] : undefined;
            if (!name || !list)
                throw new Error(
                    `aws.ec2.getManagedPrefixList: no managed prefix list named ${String(name)} in the offline plan`,
                );
            const id = `pl-${hex(name + region, 8)}`;
            return {
                id,
                name,
                addressFamily: "IPv4",
                arn: `arn:${partition}:ec2:${region}:aws:prefix-list/${id}`,
                entries: list.entries.map((cidr) => ({ cidr, description: "" })),
                maxEntries: list.maxEntries,
                ownerId: "AWS",
                version: 1,
                tags: {},
            };
        }
        case "aws:rds/getClusters:getClusters":
            // The offline plan is that of a new stack: no cluster exists yet.
            return { id: region, clusterIdentifiers: [], filters: inputs.filters };
        case "aws:iam/getPolicyDocument:getPolicyDocument": {
            const json = policyDocument(inputs);
            return { id: hex(json, 10), json, minifiedJson: json };
        }
        default:
            throw new Error(`the offline plan has no answer for invoke ${token}; add it to tools/plan/invokes.ts`);
    }
}
