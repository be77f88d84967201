/** Fargate services, the ECS cluster's Container Insights, Lambda functions and ECR repositories. */
import { CostContext, PlanResource, input, list, num, str } from "../model";
import { Pricer } from "./network";

export interface StrategyItem {
    capacityProvider: string;
    base: number;
    weight: number;
}

/**
 * How ECS spreads `count` tasks over a capacity provider strategy: the `base` tasks go to the provider that sets a
 * base, the rest in proportion to the weights. Fractions are kept: this is an average, not a placement.
 */
export function splitTasks(count: number, strategy: StrategyItem[]): Map<string, number> {
    const out = new Map<string, number>();
    let left = count;
    for (const s of strategy) {
        const base = Math.min(s.base, left);
        if (base > 0) out.set(s.capacityProvider, base);
        left -= base;
    }
    const weights = strategy.reduce((sum, s) => sum + s.weight, 0);
    for (const s of strategy) {
        if (weights > 0 && s.weight > 0) {
            out.set(s.capacityProvider, (out.get(s.capacityProvider) ?? 0) + (left * s.weight) / weights);
        }
    }
    return out;
}

function strategyOf(value: unknown): StrategyItem[] {
    return list(value).map((s) => ({
        capacityProvider: str((s as Record<string, unknown>).capacityProvider) ?? "",
        base: num((s as Record<string, unknown>).base) ?? 0,
        weight: num((s as Record<string, unknown>).weight) ?? 0,
    }));
}

/** The tasks a service runs at its baseline: desired count kept within its autoscaling target's bounds. */
export function baselineTasks(service: PlanResource, ctx: CostContext): { tasks: number; note?: string } {
    const desired = num(input(service, "desiredCount")) ?? 0;
    const target = ctx
        .referencing(service, "aws:appautoscaling/target:Target", "resourceId")
        .find((t) => str(input(t, "scalableDimension")) === "ecs:service:DesiredCount");
    if (!target) return { tasks: desired };
    const min = num(input(target, "minCapacity")) ?? desired;
    const max = num(input(target, "maxCapacity")) ?? desired;
    return { tasks: Math.min(Math.max(desired, min), max), note: `autoscales ${min}–${max}; priced at the baseline` };
}

function effectiveStrategy(service: PlanResource, ctx: CostContext): StrategyItem[] | string {
    const own = strategyOf(input(service, "capacityProviderStrategies"));
    if (own.length > 0) return own;
    const launchType = str(input(service, "launchType"));
    if (launchType) {
        return launchType === "FARGATE" ? [{ capacityProvider: "FARGATE", base: 0, weight: 1 }] : launchType;
    }
    for (const cluster of ctx.deps(service, "cluster", "aws:ecs/cluster:Cluster")) {
        for (const cp of ctx.referencing(
            cluster,
            "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",
            "clusterName",
        )) {
            const defaults = strategyOf(input(cp, "defaultCapacityProviderStrategies"));
            if (defaults.length > 0) return defaults;
        }
    }
    return "EC2 (no capacity provider strategy and no cluster default)";
}

export const ecsService: Pricer = (r, ctx) => {
    const taskDef = ctx.deps(r, "taskDefinition", "aws:ecs/taskDefinition:TaskDefinition")[0];
    if (!taskDef) {
        ctx.skip(r, "its task definition is not in the plan");
        return;
    }
    const strategy = effectiveStrategy(r, ctx);
    if (typeof strategy === "string") {
        ctx.skip(r, `launch type ${strategy}: only Fargate is priced`);
        return;
    }
    const vcpu = (num(input(taskDef, "cpu")) ?? 0) / 1024;
    const gb = (num(input(taskDef, "memory")) ?? 0) / 1024;
    const arch = str(input(taskDef, "runtimePlatform", "cpuArchitecture")) ?? "X86_64";
    const os = str(input(taskDef, "runtimePlatform", "operatingSystemFamily")) ?? "LINUX";
    if (os !== "LINUX") {
        ctx.skip(r, `${os} Fargate tasks are not in the price files`);
        return;
    }
    const family = arch === "ARM64" ? "arm" : "x86";
    const { tasks, note } = baselineTasks(r, ctx);
    const hours = ctx.a("hoursPerMonth");
    const extraDisk = Math.max(0, (num(input(taskDef, "ephemeralStorage", "sizeInGib")) ?? 20) - 20);
    for (const [provider, count] of splitTasks(tasks, strategy)) {
        const spot = provider === "FARGATE_SPOT";
        let factor = 1;
        let prefix = `fargate.${family}`;
        // Both architectures run on Fargate Spot: X86_64 on platform 1.3.0+, ARM64 on 1.4.0+ (AWS ECS API reference,
        // CapacityProviderStrategyItem; older developer-guide pages still say X86_64 only).
        if (spot) {
            if (ctx.price(ctx.regionOf(r), `fargate.spot.${family}.vcpuHour`)) prefix = `fargate.spot.${family}`;
            else factor = 1 - ctx.a("fargateSpotDiscount");
        }
        const label = `${count === tasks ? "" : `${fmt(count)} of `}${fmt(tasks)} tasks on ${provider} ${arch}`;
        const discount = factor !== 1 ? (["fargateSpotDiscount"] as const) : [];
        const n = note;
        ctx.charge(r, {
            item: `${label}: ${fmt(vcpu)} vCPU each`,
            quantity: count * vcpu * hours,
            unit: "vCPU-hours",
            priceKey: `${prefix}.vcpuHour`,
            factor,
            assumptions: ["hoursPerMonth", ...discount],
            note: n,
        });
        ctx.charge(r, {
            item: `${label}: ${fmt(gb)} GB each`,
            quantity: count * gb * hours,
            unit: "GB-hours",
            priceKey: `${prefix}.gbHour`,
            factor,
            assumptions: ["hoursPerMonth", ...discount],
        });
        if (extraDisk > 0) {
            ctx.charge(r, {
                item: `${label}: ${extraDisk} GB ephemeral storage above 20 GB`,
                quantity: count * extraDisk * hours,
                unit: "GB-hours",
                priceKey: "fargate.ephemeralGbHour",
                assumptions: ["hoursPerMonth"],
            });
        }
    }
};

const fmt = (n: number) => String(Math.round(n * 100) / 100);

/** Container Insights bills metrics and performance log events; its volume depends on the tasks, not on config. */
export const ecsCluster: Pricer = (r, ctx) => {
    const setting = list(input(r, "settings")).find(
        (s) => (s as Record<string, unknown>).name === "containerInsights",
    ) as Record<string, unknown> | undefined;
    const mode = str(setting?.value) ?? "disabled";
    if (mode !== "disabled") {
        ctx.skip(
            r,
            `Container Insights (${mode}): metrics are billed per metric or observation by task count; not estimated ` +
                "(its performance log group is priced as a log group)",
        );
    }
};

export const lambdaFunction: Pricer = (r, ctx) => {
    const arm = list(input(r, "architectures")).includes("arm64");
    const memoryGb = (num(input(r, "memorySize")) ?? 128) / 1024;
    const invocations = ctx.a("lambdaInvocations");
    ctx.charge(r, {
        item: "requests",
        quantity: invocations / 1e6,
        unit: "million requests",
        priceKey: "lambda.requestsMillion",
        assumptions: ["lambdaInvocations"],
    });
    ctx.charge(r, {
        item: `compute (${arm ? "arm64" : "x86_64"}, ${fmt(memoryGb * 1024)} MB)`,
        quantity: invocations * ctx.a("lambdaAverageSeconds") * memoryGb,
        unit: "GB-seconds",
        priceKey: arm ? "lambda.armGbSecond" : "lambda.x86GbSecond",
        assumptions: ["lambdaInvocations", "lambdaAverageSeconds"],
    });
};

export const ecrRepository: Pricer = (r, ctx) => {
    ctx.charge(r, {
        item: "image storage",
        quantity: ctx.a("ecrGbPerRepository"),
        unit: "GB-months",
        priceKey: "ecr.storageGbMonth",
        assumptions: ["ecrGbPerRepository"],
    });
};
