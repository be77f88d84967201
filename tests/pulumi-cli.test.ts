import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { checkRequiredPulumiVersion, minimumCli } from "../tools/pulumi-cli";

const project = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));

describe("the Pulumi CLI this project needs", () => {
    it("is 3.187.0 or later, because Pulumi.yaml declares object-typed config", () => {
        const { version, because } = minimumCli(project);
        assert.equal(version, "3.187.0");
        assert.deepEqual(because, ["project config of `type: object` (pulumi/pulumi#20129, #20132)"]);
    });

    it("is required by Pulumi.yaml itself (requiredPulumiVersion, which the CLI enforces from 3.219.0)", () => {
        assert.deepEqual(checkRequiredPulumiVersion(project), []);
        assert.equal(project.requiredPulumiVersion, ">=3.187.0");
    });

    it("follows the features in use: any Pulumi 3 CLI without typed config, 3.44.0 for scalar types", () => {
        assert.deepEqual(minimumCli({}), { version: "3.0.0", because: [] });
        assert.deepEqual(minimumCli({ config: { size: "t3.micro" } }), { version: "3.0.0", because: [] });
        assert.equal(minimumCli({ config: { count: { type: "integer", default: 2 } } }).version, "3.44.0");
        assert.equal(
            minimumCli({ config: { count: { type: "integer" }, network: { type: "object" } } }).version,
            "3.187.0",
        );
    });

    it("reports a missing, malformed or too low requiredPulumiVersion, naming the value and what is expected", () => {
        const config = { network: { type: "object", default: {} } };
        assert.deepEqual(checkRequiredPulumiVersion({ config }), [
            'requiredPulumiVersion: is not set; expected a range whose lowest version is at least 3.187.0, e.g. ">=3.187.0" (project config of `type: object` (pulumi/pulumi#20129, #20132))',
        ]);
        assert.deepEqual(checkRequiredPulumiVersion({ config, requiredPulumiVersion: "three" }), [
            'requiredPulumiVersion: "three" is not a version range; expected a range whose lowest version is at least 3.187.0, e.g. ">=3.187.0"',
        ]);
        assert.match(
            checkRequiredPulumiVersion({ config, requiredPulumiVersion: ">=3.186.0" })[0],
            /^requiredPulumiVersion: ">=3\.186\.0" admits 3\.186\.0; expected .* at least 3\.187\.0/,
        );
        assert.match(checkRequiredPulumiVersion({ config, requiredPulumiVersion: "^3" })[0], /admits 3\.0\.0/);
        assert.deepEqual(checkRequiredPulumiVersion({ config, requiredPulumiVersion: ">=3.187.0 <4" }), []);
        assert.deepEqual(checkRequiredPulumiVersion({ requiredPulumiVersion: ">=3.0.0" }), []);
    });
});
