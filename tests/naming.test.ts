import { strict as assert } from "assert";
import * as path from "path";
import * as aws from "@pulumi/aws";
import {
    COMPONENT_CHILDREN,
    DATABASE_COMPONENT,
    SERVICES_COMPONENT,
    SERVICE_CHILDREN,
    databaseClientRuleName,
    serviceNameCollisions,
} from "../components/fargate/naming";
import { parseSettings } from "../stacks/settings";
import { usesDatabase } from "../stacks/services";
import { listStacks, readStackConfig } from "../tools/plan/project";
import { ProgramError } from "../tools/plan/runner";
import { planOf, runIsolated } from "./helpers/plan";

const ROOT = path.resolve(__dirname, "..");

/** The (type, name) pairs naming.ts predicts for a component and its services; `task-<n>` stands for every n. */
function predicted(component: string, services: string[]): Set<string> {
    const names = new Set(COMPONENT_CHILDREN.map((c) => `${c.type}::${component}-${c.suffix}`));
    for (const svc of services) for (const c of SERVICE_CHILDREN) names.add(`${c.type}::${component}-${c.suffix(svc)}`);
    return names;
}

describe("FargateService child names (components/fargate/naming.ts)", () => {
    for (const stack of listStacks(ROOT)) {
        it(`predicts every child FargateService registers in stack ${stack}, and the database's client rules`, async () => {
            const settings = parseSettings(readStackConfig(ROOT, stack).raw, stack);
            const services = Object.keys(settings.services.apps);
            const r = await planOf(stack, "update");
            const component = r.resources.find((x) => x.type === "aws-platform:index:FargateService");
            assert.equal(component?.name, services.length > 0 ? SERVICES_COMPONENT : undefined);
            const expected = predicted(SERVICES_COMPONENT, services);
            for (const child of r.resources.filter((x) => x.parent === component?.urn && component)) {
                const key = `${child.type}::${child.name.replace(/-task-\d+$/, "-task-0")}`;
                assert.ok(expected.has(key), `naming.ts does not know ${key}`);
            }
            const database = r.resources.find((x) => x.type === "aws-platform:index:AuroraCluster")!;
            assert.equal(database.name, DATABASE_COMPONENT);
            const rules = r.resources
                .filter((x) => x.parent === database.urn && x.type.endsWith("SecurityGroupIngressRule"))
                .map((x) => x.name)
                .sort();
            const clients = Object.entries(settings.services.apps).filter(([, app]) => usesDatabase(app));
            assert.deepEqual(rules, clients.map(([svc]) => databaseClientRuleName(DATABASE_COMPONENT, svc)).sort());
        });
    }

    it("finds no collision among the services of the committed stacks", () => {
        for (const stack of listStacks(ROOT)) {
            const apps = Object.keys(parseSettings(readStackConfig(ROOT, stack).raw, stack).services.apps);
            assert.deepEqual(serviceNameCollisions(apps), [], stack);
        }
    });

    it("finds the collisions with the component's own children and between two services", () => {
        assert.deepEqual(
            serviceNameCollisions(["insights", "alb", "alb-to-web", "web-https"]).map((c) => [
                c.service,
                c.otherService,
                c.name,
            ]),
            [
                ["insights", undefined, "app-insights"],
                ["alb", undefined, "app-alb"],
                ["web-https", "alb-to-web", "app-alb-to-web-https"],
            ],
        );
    });

    it("is right about the collision: a service named insights would register app-insights twice", async () => {
        // Bypassing the settings, the component itself produces the duplicate URN that the settings refuse.
        await assert.rejects(
            runIsolated({
                stack: "t",
                config: { "aws:region": "eu-west-1" },
                program: async () => {
                    const { FargateService } = await import("../components/fargateService");
                    const key = new aws.kms.Key("key", {});
                    new FargateService(SERVICES_COMPONENT, {
                        vpcId: "vpc-0123",
                        privateSubnetIds: ["subnet-a", "subnet-b"],
                        kmsKeyArn: key.arn,
                        region: "eu-west-1",
                        namePrefix: "shop-t",
                        services: {
                            insights: { image: "public.ecr.aws/docker/library/node:20-alpine", cpu: 256, memory: 512 },
                        } as never,
                    });
                },
            }),
            (e: unknown) =>
                e instanceof ProgramError &&
                /Duplicate resource URN '[^']*aws:cloudwatch\/logGroup:LogGroup::app-insights'/.test(e.message),
        );
    });
});
