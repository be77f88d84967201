/**
 * Parity between the offline evaluator and the real policy-pack server: the same plan is fed to
 * `@pulumi/policy`'s own analyze / analyzeStack RPC handlers (as protobuf requests, the way the engine sends
 * them) and to tools/plan/policy-eval.ts, and the diagnostics must match. If @pulumi/policy changes its
 * semantics, this is the test that notices.
 */
import { strict as assert } from "assert";

import { packEnforcementLevel, packName, packVersion } from "../policy/pack";
import { policies } from "../policy/policies";
import { deserializeProperties, evaluatePolicies, resolvePolicyConfig } from "../tools/plan/policy-eval";
import { T } from "../policy/tokens";
import { UNKNOWN, type PlannedResource, type Violation } from "../tools/plan/types";
import { platformStack } from "./helpers/graph-fixtures";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const server = require("@pulumi/policy/server") as {
    makeAnalyzeRpcFun: (...args: unknown[]) => (call: unknown, cb: (err: unknown, res: any) => void) => Promise<void>;
    makeAnalyzeStackRpcFun: (
        ...args: unknown[]
    ) => (call: unknown, cb: (err: unknown, res: any) => void) => Promise<void>;
};
const analyzerproto = require("@pulumi/pulumi/proto/analyzer_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

function struct(props: Record<string, unknown>): unknown {
    return structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(deserializeProperties(props))));
}

function fill(msg: any, r: PlannedResource, props: Record<string, unknown>): void {
    msg.setType(r.type);
    msg.setUrn(r.urn);
    msg.setName(r.name);
    msg.setProperties(struct(props));
    const opts = new analyzerproto.AnalyzerResourceOptions();
    opts.setProtect(r.protect);
    if (r.parent) {
        opts.setParent(r.parent);
    }
    msg.setOptions(opts);
}

function toViolations(res: any, urn?: string): Violation[] {
    return res.getDiagnosticsList().map((d: any) => ({
        policy: d.getPolicyname(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()],
        urn: d.getUrn() || urn,
        message: d.getMessage(),
    }));
}

function call<T>(
    fn: (call: unknown, cb: (err: unknown, res: any) => void) => Promise<void>,
    request: unknown,
): Promise<T> {
    return new Promise((resolve, reject) => {
        void fn({ request }, (err, res) => (err ? reject(err) : resolve(res)));
    });
}

/** What the real server reports for `resources`: analyze per custom resource, then analyzeStack. */
async function viaServer(resources: PlannedResource[]): Promise<Violation[]> {
    const args = [packName, packVersion, packEnforcementLevel, policies];
    const analyze = server.makeAnalyzeRpcFun(...args);
    const analyzeStack = server.makeAnalyzeStackRpcFun(...args);
    const out: Violation[] = [];
    for (const r of resources.filter((x) => x.custom)) {
        const req = new analyzerproto.AnalyzeRequest();
        fill(req, r, r.inputs);
        out.push(...toViolations(await call(analyze, req), r.urn));
    }
    const stackReq = new analyzerproto.AnalyzeStackRequest();
    stackReq.setResourcesList(
        resources.map((r) => {
            const ar = new analyzerproto.AnalyzerResource();
            fill(ar, r, r.outputs);
            if (r.parent) {
                ar.setParent(r.parent);
            }
            ar.setDependenciesList(r.dependencies);
            const map = ar.getPropertydependenciesMap();
            for (const [k, urns] of Object.entries(r.propertyDependencies)) {
                const deps = new analyzerproto.AnalyzerPropertyDependencies();
                deps.setUrnsList(urns);
                map.set(k, deps);
            }
            return ar;
        }),
    );
    out.push(...toViolations(await call(analyzeStack, stackReq)));
    return out;
}

function sorted(vs: Violation[]): string[] {
    return vs.map((v) => JSON.stringify([v.policy, v.enforcementLevel, v.urn ?? null, v.message])).sort();
}

describe("offline evaluator parity with @pulumi/policy's server", () => {
    // The server is driven without a `configure` call, i.e. with the pack's own defaults.
    const defaults = resolvePolicyConfig(policies, {});

    const cases: [string, () => PlannedResource[]][] = [
        ["a compliant stack", () => platformStack().resources],
        [
            "a stack with resource and stack violations and a preview-time unknown",
            () => {
                const p = platformStack({ natPerAz: false, readers: 0, azs: ["eu-west-1a", "eu-west-1b"] });
                p.patch("cmk", { enableKeyRotation: false });
                p.patch("db", { storageEncrypted: false });
                p.patch("assets-policy", { policy: p.out(p.get("assets"), "arn") });
                p.remove("alb-logs-pab");
                return p.resources;
            },
        ],
        [
            "a stack that needs the narrowed exceptions and the VPC-origin policy, with unknowns they depend on",
            () => {
                const p = platformStack({ vpcOriginProtocolPolicy: "http-only" });
                // An SSE-S3 bucket that only claims ELB log delivery, and the real log bucket's logging unknown.
                const decoy = p.add(T.bucket[0], "decoy", { bucket: "decoy-bucket" });
                p.add(T.bucketEncryption[0], "decoy-sse", {
                    bucket: p.out(decoy),
                    rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
                });
                p.patch("alb", { accessLogs: { bucket: p.out(p.get("alb-logs")), enabled: UNKNOWN } });
                // 443 from the world on the tasks' group, and on the ALB's group while `internal` is unknown.
                for (const sg of ["app-sg", "alb-sg"]) {
                    p.add(T.securityGroupIngressRule[0], `${sg}-world`, {
                        securityGroupId: p.out(p.get(sg)),
                        cidrIpv4: "0.0.0.0/0",
                        ipProtocol: "tcp",
                        fromPort: 443,
                        toPort: 443,
                    });
                }
                p.patch("alb", { internal: UNKNOWN });
                const resources = p.resources;
                // The case is only worth comparing if those three policies really fire, both ways.
                const offline = evaluatePolicies(policies, resources, defaults).map(
                    (v) => `${v.policy}:${v.enforcementLevel}`,
                );
                for (const entry of [
                    "s3-bucket-kms-encryption:mandatory",
                    "s3-bucket-kms-encryption:advisory",
                    "security-group-no-public-ingress:mandatory",
                    "security-group-no-public-ingress:advisory",
                    "cloudfront-vpc-origin-https:mandatory",
                ]) {
                    assert.ok(offline.includes(entry), `${entry} missing from ${offline.join(", ")}`);
                }
                return resources;
            },
        ],
    ];
    for (const [name, build] of cases) {
        it(`reports the same diagnostics for ${name}`, async () => {
            const resources = build();
            const offline = evaluatePolicies(policies, resources, defaults);
            const real = await viaServer(resources);
            assert.deepStrictEqual(sorted(offline), sorted(real));
            if (name !== "a compliant stack") {
                assert.ok(offline.length >= 6, `expected several violations, got ${offline.length}`);
                assert.ok(offline.some((v) => v.enforcementLevel === "advisory"));
            }
        });
    }
});
