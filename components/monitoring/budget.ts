/**
 * A monthly AWS Budgets cost budget for the stack: what its resources cost, found by the cost-allocation tag the
 * provider's default tags put on every resource, with alerts before and when the limit is reached.
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { MonitoringScope } from "./scope";

export interface BudgetArgs {
    /** Monthly limit in USD. Required: only the owner knows what the stack may cost. */
    monthlyLimitUsd: number;
    /** Addresses notified directly by Budgets, besides the alarm topic. Default none; AWS allows 10. */
    emails?: string[];
    /**
     * The user-defined cost-allocation tag that identifies the stack's resources, and only them: a default tag of the
     * provider whose value is unique to the project and stack (`cost-scope: <project>-<stack>`), since a `stack` tag
     * alone would also count other projects' stacks of the same name. Required: the tag is the caller's. It must be
     * activated in the Billing console, which takes up to 24 hours, before the budget sees any cost.
     */
    costAllocationTag: { key: string; value: string };
}

/**
 * The notifications: ACTUAL at 80 % (time to act) and 100 % (over), FORECASTED at 100 % (over by month's end at this
 * rate, the earliest warning). Each goes to the topic, and to the budget's own addresses.
 */
export function budgetNotifications<T>(topicArn: T, emails: string[] = []) {
    const notify = (notificationType: "ACTUAL" | "FORECASTED", threshold: number) => ({
        notificationType,
        comparisonOperator: "GREATER_THAN",
        threshold,
        thresholdType: "PERCENTAGE",
        subscriberSnsTopicArns: [topicArn],
        ...(emails.length > 0 ? { subscriberEmailAddresses: emails } : {}),
    });
    return [notify("ACTUAL", 80), notify("ACTUAL", 100), notify("FORECASTED", 100)];
}

/**
 * The cost filter on a user-defined tag: `TagKeyValue` with `user:<key>$<value>` (the @pulumi/aws v7 `Budget`
 * reference, "Create a cost filter using resource tags").
 */
export function tagCostFilter(tag: { key: string; value: string }) {
    return { name: "TagKeyValue", values: [`user:${tag.key}$${tag.value}`] };
}

/** The budget. Budgets is global; the topic it notifies must be in the same account (AWS Cost Management). */
export function createBudget(
    scope: MonitoringScope,
    args: BudgetArgs,
    topicArn: pulumi.Input<string>,
    dependsOn: pulumi.Resource[],
): aws.budgets.Budget {
    return new aws.budgets.Budget(
        `${scope.name}-budget`,
        {
            name: `${scope.args.namePrefix}-monthly`,
            budgetType: "COST",
            timeUnit: "MONTHLY",
            limitAmount: String(args.monthlyLimitUsd),
            limitUnit: "USD",
            costFilters: [tagCostFilter(args.costAllocationTag)],
            notifications: budgetNotifications(topicArn, args.emails),
        },
        // The topic policy must admit Budgets before the first notification.
        { parent: scope.parent, dependsOn },
    );
}
