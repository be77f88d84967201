/**
 * What index.ts decides for the stack as a whole, kept in a module of its own so that the settings and the tests can
 * read it without running the program: the tags every resource carries and the cost-allocation tag the budget
 * filters on.
 */

/**
 * The tag that scopes a stack's costs: `<project>-<stack>`. The `stack` tag alone is not enough for a budget, because
 * every project in the account can have a stack of the same name, and a filter on it would count their costs too.
 */
export const COST_SCOPE_TAG = "cost-scope";

/** The cost-allocation tag of a stack, as the provider's default tags set it and the budget filters on it. */
export function costScopeTag(project: string, stack: string): { key: string; value: string } {
    return { key: COST_SCOPE_TAG, value: `${project}-${stack}` };
}

/**
 * The provider's default tags. The user's tags come first, so that the platform's own keys always win: a user tag
 * named `stack`, `project`, `managed-by` or `cost-scope` would otherwise replace the platform's value and, for the last
 * one, leave the budget filtering on a tag no resource carries.
 */
export function commonTags(project: string, stack: string, userTags: Record<string, string>): Record<string, string> {
    const scope = costScopeTag(project, stack);
    return { ...userTags, project, stack, "managed-by": "pulumi", [scope.key]: scope.value };
}
