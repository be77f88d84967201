/**
 * Services without internet egress (`apps.<name>.internetEgress: false`): what the settings demand of the network
 * and the image, and what the whole program registers for such a service.
 */
import { strict as assert } from "assert";
import { ConfigError, formatIssue } from "../stacks/common";
import { endpointsNeeded } from "../stacks/egress";
import { parseSettings } from "../stacks/settings";
import { PROJECT_DIR } from "../tools/plan/runner";
import { readStackConfig } from "../tools/plan/project";
import type { PlannedResource } from "../tools/plan/types";
import { depsOf, named, ofType, runIsolated } from "./helpers/plan";

const S = "aws-platform:services";
const N = "aws-platform:network";
const T = {
    sg: "aws:ec2/securityGroup:SecurityGroup",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
};

/** The prod stack's config with its worker's settings and the network's endpoints replaced. */
function prodWith(worker: Record<string, unknown>, endpoints?: string[]): Record<string, unknown> {
    const raw = structuredClone(readStackConfig(PROJECT_DIR, "prod").raw);
    const services = raw[S] as { apps: Record<string, Record<string, unknown>> };
    services.apps.worker = { ...services.apps.worker, ...worker };
    if (endpoints) (raw[N] as Record<string, unknown>).interfaceEndpoints = endpoints;
    return raw;
}

function issuesOf(raw: Record<string, unknown>): string[] {
    try {
        parseSettings(raw, "prod");
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return e.issues.map(formatIssue);
        throw e;
    }
}

describe("internetEgress settings", () => {
    it("defaults to true, and false is accepted when the endpoints and the image allow it", () => {
        const prod = parseSettings(readStackConfig(PROJECT_DIR, "prod").raw, "prod");
        assert.equal(prod.services.apps.worker.internetEgress, true);
        const closed = parseSettings(prodWith({ internetEgress: false }), "prod");
        assert.equal(closed.services.apps.worker.internetEgress, false);
    });

    it("names the endpoints a service needs: ECR for its image, logs always, Secrets Manager for secrets", () => {
        const app = parseSettings(prodWith({}), "prod").services.apps.worker;
        const image = { ...app, build: undefined, image: "public.ecr.aws/nginx/nginx:1.27" };
        assert.deepEqual(endpointsNeeded({ ...image, secrets: {}, cacheAccess: false }), ["logs"]);
        assert.deepEqual(endpointsNeeded({ ...app, secrets: {}, cacheAccess: false }), ["ecr.api", "ecr.dkr", "logs"]);
        assert.deepEqual(endpointsNeeded({ ...app, secrets: { K: "app-signing-key" }, cacheAccess: false }), [
            "ecr.api",
            "ecr.dkr",
            "logs",
            "secretsmanager",
        ]);
        assert.deepEqual(endpointsNeeded({ ...app, secrets: {}, cacheAccess: true }).at(-1), "secretsmanager");
    });

    it("reports every missing endpoint, a foreign image and ECS Exec at once, each under its key", () => {
        const issues = issuesOf(
            prodWith(
                {
                    internetEgress: false,
                    build: undefined,
                    image: "public.ecr.aws/nginx/nginx:1.27",
                    secrets: { SIGNING_KEY: "app-signing-key" },
                    enableExecuteCommand: true,
                },
                ["ecr.api"],
            ),
        );
        assert.deepEqual(
            issues.filter((i) => i.includes("apps.worker")),
            [
                `${S}.apps.worker.image: "public.ecr.aws/nginx/nginx:1.27" is not in ECR in the stack's region (eu-west-1), which is all a service without internetEgress can pull from; use build, or copy the image to ECR`,
                `${S}.apps.worker.internetEgress: false needs the interface endpoints logs, secretsmanager in aws-platform:network.interfaceEndpoints: without internet egress the task pulls its image, sends its logs and reads its secrets through them, or never starts`,
                `${S}.apps.worker.enableExecuteCommand: true needs internetEgress: ECS Exec's channel (ssmmessages) has no VPC endpoint here`,
            ],
        );
    });

    it("accepts an ECR image of the stack's region and refuses one of another region", () => {
        const ecr = (region: string) => `111122223333.dkr.ecr.${region}.amazonaws.com/jobs:1.0`;
        const closed = (image: string) => prodWith({ internetEgress: false, build: undefined, image, secrets: {} });
        assert.deepEqual(issuesOf(closed(ecr("eu-west-1"))), []);
        assert.equal(issuesOf(closed(ecr("us-east-1"))).length, 1);
        assert.deepEqual(issuesOf(prodWith({ internetEgress: true, image: undefined }, [])), []);
    });
});

describe("a service without internet egress, through the whole program", () => {
    const egressOf = (r: Awaited<ReturnType<typeof runIsolated>>, svc: string) => {
        const sg = named(r, `app-${svc}`, T.sg);
        const to = (x: PlannedResource) =>
            (x.inputs.cidrIpv4 as string | undefined) ??
            [...depsOf(r, x, "referencedSecurityGroupId"), ...depsOf(r, x, "prefixListId")].map((d) => d.name).join();
        return {
            tag: (sg.inputs.tags as Record<string, string>).egress,
            rules: ofType(r, T.egress)
                .filter((x) => depsOf(r, x, "securityGroupId").includes(sg))
                .map((x) => [x.name, to(x), x.inputs.fromPort]),
        };
    };

    it("reaches the interface endpoints and S3's gateway endpoint on 443, and nothing on the internet", async () => {
        const r = await runIsolated({ stack: "prod", mode: "update", config: prodWith({ internetEgress: false }) });
        const worker = egressOf(r, "worker");
        assert.deepEqual(worker.rules, [
            ["app-worker-to-endpoints", "network-endpoints", 443],
            ["app-worker-to-s3", "network-s3", 443],
            ["app-worker-to-database", "database-sg", 5432],
        ]);
        assert.equal(worker.tag, "VPC endpoints and database");
        // The web service keeps the default.
        const web = egressOf(r, "web");
        assert.deepEqual(web.rules[0], ["app-web-https", "0.0.0.0/0", 443]);
        assert.match(web.tag, /^HTTPS/);
    });
});
