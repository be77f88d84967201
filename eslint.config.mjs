// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";
import globals from "globals";

export default tseslint.config(
    { ignores: ["**/node_modules/**", "bin/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        // The JavaScript files all run on Node.js: the loader (tools/register.js), the Lambda handler, the example
        // apps' containers, all CommonJS, and this ES module.
        files: ["**/*.js", "**/*.cjs"],
        languageOptions: { sourceType: "commonjs", globals: { ...globals.node } },
        rules: {
            "@typescript-eslint/no-require-imports": "off",
            // A CommonJS module's top-level names are its own: `const crypto = require("crypto")` is not a
            // redeclaration of Node's global `crypto`.
            "no-redeclare": ["error", { builtinGlobals: false }],
        },
    },
    {
        files: ["**/*.mjs"],
        languageOptions: { sourceType: "module", globals: { ...globals.node } },
    },
    {
        files: ["**/*.ts"],
        rules: {
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
    {
        // Small files and functions: a file over 500 lines or a function over 150 is split by concern.
        files: ["tools/**/*.ts", "stacks/**/*.ts"],
        rules: {
            "max-lines": ["error", { max: 500 }],
            "max-lines-per-function": ["error", { max: 150 }],
        },
    },
    {
        // The Pulumi rules need type information; the program is where Outputs live.
        files: ["index.ts", "platform.ts", "components/**/*.ts", "stacks/**/*.ts"],
        languageOptions: { parserOptions: { project: "./tsconfig.json", tsconfigRootDir: import.meta.dirname } },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
        },
    },
    {
        // Components take everything from their arguments: index.ts reads the stack's config and identity and passes
        // them, so a component behaves the same in any stack and under test, and its inputs say what it depends on.
        files: ["components/**/*.ts"],
        rules: {
            "no-restricted-properties": [
                "error",
                ...["getStack", "getProject", "getOrganization", "Config"].map((property) => ({
                    object: "pulumi",
                    property,
                    message: "components do not read the stack's config or identity; take it as an argument",
                })),
                { object: "process", property: "env", message: "components take settings as arguments" },
            ],
            "no-restricted-syntax": [
                "error",
                {
                    selector:
                        "ImportDeclaration[source.value='@pulumi/pulumi'] > ImportSpecifier[imported.name=/^(getStack|getProject|getOrganization|Config)$/]",
                    message: "components do not read the stack's config or identity; take it as an argument",
                },
            ],
        },
    },
    {
        // Each concern fits on a few screens: no file over 500 lines, no function over 150, counted as an editor
        // shows them (blank lines and comments included). tools/ and stacks/ get the same rule separately.
        files: ["components/**/*.ts", "policy/**/*.ts"],
        rules: {
            "max-lines": ["error", { max: 500, skipBlankLines: false, skipComments: false }],
            "max-lines-per-function": ["error", { max: 150, skipBlankLines: false, skipComments: false, IIFEs: true }],
        },
    },
);
