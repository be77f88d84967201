/**
 * The shapes the estimate works on and produces, and the context a pricer gets: the plan's resources with their
 * relations, the price books of the regions they land in, and the assumptions.
 */
import { AssumptionName, Assumptions } from "./assumptions";
import { PriceBook, PriceRef } from "./prices";
import type { PlanDocument } from "../plan/render";

/**
 * One resource of a plan document (`npm run plan -- <stack> --update --json`): the plan's own shape, less what the
 * estimate never reads. Null provider for components, providers and the stack: they are not billed.
 */
export type PlanResource = Omit<PlanDocument["resources"][number], "protect">;

export interface CostInput {
    stack: string;
    region: string;
    resources: PlanResource[];
}

/** One billed quantity of one resource. */
export interface CostLine {
    urn: string;
    type: string;
    name: string;
    /** The component the resource belongs to (`FargateService app`), or "(stack)". */
    component: string;
    region: string;
    item: string;
    quantity: number;
    unit: string;
    unitPrice: number;
    monthly: number;
    priceKey: string;
    /** False when the price file marks the figure as not confirmed from a dated source. */
    confirmed: boolean;
    assumptions: AssumptionName[];
    note?: string;
}

/** A resource (or one billed aspect of it) the estimate cannot price: listed, never counted as zero. */
export interface UnpricedItem {
    urn: string;
    type: string;
    name: string;
    component: string;
    region: string | null;
    reason: string;
}

/** Resources that carry no charge of their own, by type, with the reason. */
export interface FreeGroup {
    type: string;
    count: number;
    reason: string;
}

export interface CostEstimate {
    stack: string;
    region: string;
    currency: "USD";
    /** Sum of the priced lines; unpriced items are not in it. */
    total: number;
    lines: CostLine[];
    unpriced: UnpricedItem[];
    free: FreeGroup[];
    warnings: string[];
    assumptions: Assumptions;
    /** The price files used, with their dates and how many of the prices used are unconfirmed. */
    priceFiles: { file: string; asOf: string }[];
}

export interface Charge {
    item: string;
    quantity: number;
    unit: string;
    priceKey: string;
    assumptions?: AssumptionName[];
    /** Multiplies the unit price (a discount, an I/O-Optimized premium). */
    factor?: number;
    /** Price the line with another region's book (a global service's resource in any region). */
    region?: string;
    note?: string;
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** What a pricer sees and how it records lines. */
export class CostContext {
    readonly byUrn: Map<string, PlanResource>;
    readonly lines: CostLine[] = [];
    readonly unpriced: UnpricedItem[] = [];
    readonly warnings: string[] = [];
    private readonly dependentsOf = new Map<string, PlanResource[]>();

    constructor(
        readonly input: CostInput,
        readonly books: Map<string, PriceBook>,
        readonly assumptions: Assumptions,
    ) {
        this.byUrn = new Map(input.resources.map((r) => [r.urn, r]));
        for (const r of input.resources) {
            for (const dep of new Set([...r.dependencies, ...Object.values(r.propertyDependencies).flat()])) {
                const list = this.dependentsOf.get(dep) ?? [];
                list.push(r);
                this.dependentsOf.set(dep, list);
            }
        }
    }

    /** An assumption's value. */
    a(name: AssumptionName): number {
        return this.assumptions[name].value;
    }

    /** The resources a property of `r` was computed from (of one type, if given). */
    deps(r: PlanResource, property: string, type?: string): PlanResource[] {
        return (r.propertyDependencies[property] ?? [])
            .map((u) => this.byUrn.get(u))
            .filter((d): d is PlanResource => d !== undefined && (!type || d.type === type));
    }

    /** The resources that depend on `r` (through any input or dependsOn), of one type if given. */
    dependents(r: PlanResource, type?: string): PlanResource[] {
        return (this.dependentsOf.get(r.urn) ?? []).filter((d) => !type || d.type === type);
    }

    /** Dependents that reference `r` through one property. */
    referencing(r: PlanResource, type: string, property: string): PlanResource[] {
        return this.dependents(r, type).filter((d) => (d.propertyDependencies[property] ?? []).includes(r.urn));
    }

    componentOf(r: PlanResource): string {
        let parent = r.parent ? this.byUrn.get(r.parent) : undefined;
        while (parent) {
            if (parent.provider === null && !parent.type.startsWith("pulumi:")) {
                return `${parent.type.split(":").pop()} ${parent.name}`;
            }
            parent = parent.parent ? this.byUrn.get(parent.parent) : undefined;
        }
        return "(stack)";
    }

    regionOf(r: PlanResource): string {
        return r.region ?? this.input.region;
    }

    price(region: string, key: string): PriceRef | undefined {
        return this.books.get(region)?.find(key);
    }

    /** Records a billed line; a price the files do not list makes the line unpriced instead. */
    charge(r: PlanResource, c: Charge): void {
        const region = c.region ?? this.regionOf(r);
        const price = this.price(region, c.priceKey);
        if (!price) {
            this.skip(r, `${c.item}: no price "${c.priceKey}" in tools/cost/prices/${region}.json`);
            return;
        }
        const unitPrice = price.usd * (c.factor ?? 1);
        this.lines.push({
            urn: r.urn,
            type: r.type,
            name: r.name,
            component: this.componentOf(r),
            region,
            item: c.item,
            quantity: round(c.quantity, 4),
            unit: c.unit,
            unitPrice: round(unitPrice, 8),
            monthly: round(c.quantity * unitPrice, 4),
            priceKey: c.priceKey,
            confirmed: price.confirmed,
            assumptions: c.assumptions ?? [],
            ...(c.note ? { note: c.note } : {}),
        });
    }

    /** Records something the estimate does not price, with the reason. */
    skip(r: PlanResource, reason: string): void {
        this.unpriced.push({
            urn: r.urn,
            type: r.type,
            name: r.name,
            component: this.componentOf(r),
            region: r.region,
            reason,
        });
    }

    warn(message: string): void {
        if (!this.warnings.includes(message)) this.warnings.push(message);
    }
}

/** Reads a nested input by path; undefined when any step is missing. */
export function input(r: PlanResource, ...path: (string | number)[]): unknown {
    let v: unknown = r.inputs;
    for (const step of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<string | number, unknown>)[step];
    }
    return v;
}

export function num(v: unknown): number | undefined {
    if (typeof v === "number" && Number.isFinite(v)) return v;
    if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
    return undefined;
}

export function str(v: unknown): string | undefined {
    return typeof v === "string" && v !== "[unknown]" && v !== "[secret]" ? v : undefined;
}

export function list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}
