import { strict as assert } from "assert";
import { COST_SCOPE_TAG, commonTags, costScopeTag } from "../platform";
import { tagCostFilter } from "../components/monitoring/budget";

describe("platform tags (platform.ts)", () => {
    it("keeps the platform's own tags when the user's tags use the same keys", () => {
        const user = { team: "payments", stack: "other", project: "x", "managed-by": "hand", [COST_SCOPE_TAG]: "all" };
        assert.deepEqual(commonTags("shop", "prod", user), {
            team: "payments",
            project: "shop",
            stack: "prod",
            "managed-by": "pulumi",
            "cost-scope": "shop-prod",
        });
    });

    it("scopes costs by project and stack, so two projects' prod stacks never share a budget", () => {
        assert.deepEqual(costScopeTag("shop", "prod"), { key: "cost-scope", value: "shop-prod" });
        assert.notDeepEqual(tagCostFilter(costScopeTag("shop", "prod")), tagCostFilter(costScopeTag("blog", "prod")));
        assert.deepEqual(tagCostFilter(costScopeTag("shop", "prod")), {
            name: "TagKeyValue",
            values: ["user:cost-scope$shop-prod"],
        });
    });
});
