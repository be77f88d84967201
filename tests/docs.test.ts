import { strict as assert } from "assert";
import { readFileSync } from "fs";
import * as prettier from "prettier";
import { z } from "zod";
import { PROJECT } from "../stacks/common";
import { defOf, unwrap } from "../stacks/schema";
import { SECTIONS } from "../stacks/settings";
import { REFERENCE_FILE, WIDTH, referenceMarkdown, renderReference } from "../tools/docs/config-reference";

/** Every key path under a schema: object keys, list items (`[]`) and map entries (`.<name>`). */
function keyPaths(schema: z.ZodType, at: string): string[] {
    const def = defOf(unwrap(schema).schema);
    const inner = def.type === "array" ? def.element : def.type === "record" ? def.valueType : undefined;
    if (inner) return keyPaths(inner, at);
    if (def.type !== "object") return [];
    return Object.entries(def.shape!).flatMap(([k, v]) => [`${at}.${k}`, ...keyPaths(v, `${at}.${k}`)]);
}

describe("docs/configuration.md, the generated config reference", () => {
    let text: string;
    before(() => {
        text = readFileSync(REFERENCE_FILE, "utf8");
    });

    it("is what `npm run docs` generates from the schemas today (not stale)", async () => {
        assert.equal(text, await renderReference(), "docs/configuration.md is stale: run npm run docs");
    });

    it("is Prettier-clean and no line is wider than 120 characters", async () => {
        const options = (await prettier.resolveConfig(REFERENCE_FILE)) ?? {};
        assert.equal(await prettier.format(text, { ...options, filepath: REFERENCE_FILE }), text);
        const wide = text.split("\n").filter((l) => l.length > WIDTH);
        assert.deepEqual(wide, []);
    });

    it("documents every registered section and every key in it, at every depth, plus aws:region", () => {
        assert.ok(text.includes("## `aws:region`"));
        for (const [name, schema] of Object.entries(SECTIONS)) {
            assert.ok(text.includes(`## \`${PROJECT}:${name}\``), name);
            for (const key of keyPaths(schema, name)) {
                const last = key.split(".").pop()!;
                assert.ok(text.includes(`\`${last}\` (`), `${key} is not documented`);
            }
        }
    });

    it("takes each description, default and range from the schema", () => {
        assert.match(text, /- `azCount` \(integer; default `3`; 2 to 6\): Availability Zones every tier spans/);
        assert.match(text, /- `natGateways` \(string; default `perAz`; one of `perAz`, `single`\):/);
        assert.match(text, /- `appSecrets` \(list of objects; default `\[\]`\): Application secrets/);
        assert.match(
            text,
            /Type: string; default `production`; a file name in policy\/config: development, production\./,
        );
    });

    it("is generic: a newly registered section is documented, and one without descriptions is refused", () => {
        const edge = z
            .strictObject({
                priceClass: z
                    .enum(["PriceClass_100", "PriceClass_All"])
                    .default("PriceClass_100")
                    .describe("Edge locations."),
                waf: z
                    .strictObject({ rateLimit: z.number().int().min(100).describe("Requests per 5 minutes.") })
                    .optional()
                    .describe("WAF."),
            })
            .describe("CloudFront in front of the VPC origin.");
        const md = referenceMarkdown({ ...SECTIONS, edge });
        assert.match(md, /## `aws-platform:edge`\n\nCloudFront in front of the VPC origin\./);
        assert.match(md, / {2}- `rateLimit` \(integer; required; at least 100\): Requests per 5 minutes\./);
        const undocumented = z.strictObject({ size: z.number() });
        assert.throws(
            () => referenceMarkdown({ ...SECTIONS, cache: undocumented }),
            /no description .*: aws-platform:cache, aws-platform:cache\.size/,
        );
    });
});
