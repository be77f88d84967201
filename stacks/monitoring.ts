import { z } from "zod";
import { instanceMemoryGiB } from "../components/monitoring/capacity";
import { ALARM_DEFINITIONS } from "../components/monitoring/definitions";
import { ConfigIssue } from "./common";
import type { DatabaseSettings } from "./database";

const KEY = "aws-platform:monitoring";

const email = z.email({ message: "is not an e-mail address" });

const emails = (what: string, max: number) =>
    z
        .array(email)
        .max(max)
        .default([])
        .refine((list) => new Set(list.map((e) => e.toLowerCase())).size === list.length, {
            message: "names an address twice",
        })
        .describe(what);

/**
 * One optional number per configurable alarm definition, in the definition's unit, described from the table itself,
 * so the config reference and the alarm reference cannot disagree.
 */
const thresholdsSchema = z
    .strictObject(
        Object.fromEntries(
            ALARM_DEFINITIONS.filter((d) => d.threshold.configurable).map((d) => [
                d.key,
                z
                    .number()
                    .min(0)
                    .optional()
                    .describe(`${d.title}, in ${d.threshold.unit}. Default: ${d.threshold.text}.`),
            ]),
        ),
    )
    .default({})
    .describe(
        "Alarm thresholds by alarm definition (docs/alarms.md lists each with its default and why). A key set here " +
            "applies to every resource the alarm watches.",
    );

export const monitoringSchema = z
    .strictObject({
        emails: emails(
            "Addresses subscribed to the alarm topics (the stack's region and us-east-1). SNS sends each a " +
                "confirmation e-mail per topic; nothing is delivered until it is confirmed.",
            100,
        ),
        httpsEndpoints: z
            .array(
                z.string().regex(/^https:\/\/[^\s/]+(\/\S*)?$/, {
                    message: "is not an https:// URL",
                }),
            )
            .max(20)
            .default([])
            .describe(
                "HTTPS endpoints (an incident tool's SNS integration) subscribed to the alarm topics; each must " +
                    "confirm the subscription. The URL is kept secret in the program; one that embeds a token does " +
                    "not belong in a committed stack file.",
            ),
        thresholds: thresholdsSchema,
        cloudFront: z
            .strictObject({
                additionalMetrics: z
                    .boolean()
                    .default(false)
                    .describe(
                        "Turn on CloudFront's additional metrics (a paid monitoring subscription) and alarm on origin " +
                            "latency.",
                    ),
            })
            .prefault({})
            .describe("Monitoring of the CloudFront distribution."),
        budget: z
            .strictObject({
                monthlyLimitUsd: z
                    .number()
                    .min(1)
                    .max(1_000_000_000)
                    .describe("The stack's monthly cost limit in USD."),
                emails: emails(
                    "Addresses Budgets notifies directly, besides the alarm topic; AWS allows 10 per notification.",
                    10,
                ),
            })
            .optional()
            .describe(
                "A monthly cost budget on the stack's cost-allocation tag (cost-scope: <project>-<stack>): alerts " +
                    "at 80 % and 100 % of actual cost and 100 % of forecast. Default: none. Activate the tag in " +
                    "Billing first.",
            ),
    })
    .describe(
        "Alarms on every Aurora role, ECS service, target group, load balancer, NAT gateway and CloudFront " +
            "distribution of the stack, deployment-failure and failover events, a dashboard and an optional budget, " +
            "all notifying encrypted SNS topics.",
    );

export type MonitoringSettings = z.output<typeof monitoringSchema>;

/**
 * The memory and connection thresholds come from the instance class; a class the table does not know needs them
 * set explicitly.
 */
export function checkMonitoring(m: MonitoringSettings, database: DatabaseSettings | undefined): ConfigIssue[] {
    return [...repeatedEndpoints(m), ...thresholdsWithoutDefault(m, database)];
}

/**
 * An HTTPS endpoint listed twice: SNS keeps one subscription per topic and endpoint, so two subscription resources
 * would share it and deleting either would unsubscribe both. The value is not echoed: such a URL may carry a token.
 */
function repeatedEndpoints(m: MonitoringSettings): ConfigIssue[] {
    return m.httpsEndpoints.flatMap((url, i) => {
        const first = m.httpsEndpoints.indexOf(url);
        return first < i
            ? [
                  {
                      key: `${KEY}.httpsEndpoints[${i}]`,
                      message: `is the same endpoint as httpsEndpoints[${first}]; list each endpoint once (SNS keeps one subscription per topic and endpoint)`,
                  },
              ]
            : [];
    });
}

function thresholdsWithoutDefault(m: MonitoringSettings, database: DatabaseSettings | undefined): ConfigIssue[] {
    // A Serverless v2 cluster without its capacity block is the database section's error, reported there.
    if (!database || (database.instanceClass === "db.serverless" && !database.serverless)) return [];
    const memory = instanceMemoryGiB(database.instanceClass, database.serverless?.maxCapacity);
    if (memory !== undefined) return [];
    return ["auroraFreeableMemory", "auroraConnections"]
        .filter((k) => m.thresholds[k] === undefined)
        .map((k) => ({
            key: `${KEY}.thresholds.${k}`,
            message:
                `is required: the memory of database.instanceClass ${database.instanceClass} is not in the ` +
                "alarm table (components/monitoring/capacity.ts), so its default cannot be derived",
        }));
}
