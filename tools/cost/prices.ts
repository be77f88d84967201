/**
 * The dated price files the estimate reads: one per region (`prices/<region>.json`) plus `prices/global.json` for
 * services AWS prices by viewer geography or account rather than by region (CloudFront, Route 53, Budgets). Every
 * price names its source and says whether that source was confirmed, so the estimate can say which figures are
 * soft.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";

export const PRICES_DIR = path.resolve(__dirname, "prices");

/** The file that holds the prices AWS does not set per region. */
export const GLOBAL_PRICES = "global";

const priceSchema = z.strictObject({
    usd: z.number().nonnegative(),
    unit: z.string().min(1),
    source: z.string().min(1),
    confirmed: z.boolean(),
    note: z.string().optional(),
});

const fileSchema = z
    .strictObject({
        region: z.string().min(1),
        asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date, yyyy-mm-dd"),
        currency: z.literal("USD"),
        sources: z.record(z.string(), z.string().min(1)),
        prices: z.record(z.string(), priceSchema),
    })
    .superRefine((file, ctx) => {
        for (const [key, price] of Object.entries(file.prices)) {
            if (!(price.source in file.sources)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["prices", key, "source"],
                    message: `source "${price.source}" is not one of the file's sources`,
                });
            }
        }
    });

export type Price = z.infer<typeof priceSchema>;
export type PriceFile = z.infer<typeof fileSchema>;

/** A price as the estimate uses it: the figure, where it came from and when. */
export interface PriceRef extends Price {
    key: string;
    /** The price file (`eu-west-1`, `global`) it was read from. */
    file: string;
    asOf: string;
    sourceText: string;
}

/** A region the stack uses has no price file: the estimate cannot be made. */
export class MissingPricesError extends Error {
    constructor(
        public readonly region: string,
        dir: string,
    ) {
        const file = path.relative(process.cwd(), path.join(dir, `${region}.json`)) || `${region}.json`;
        super(
            `no price data for region ${region}: add ${file} with the same keys as the other files in ` +
                `${path.relative(process.cwd(), dir) || dir} (dated, each price with its source)`,
        );
    }
}

export function readPriceFile(name: string, dir = PRICES_DIR): PriceFile {
    const file = path.join(dir, `${name}.json`);
    if (!fs.existsSync(file)) throw new MissingPricesError(name, dir);
    const parsed = fileSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
    if (!parsed.success) {
        const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
        throw new Error(`${file} is not a valid price file:\n${problems}`);
    }
    if (parsed.data.region !== name) {
        throw new Error(`${file} says region "${parsed.data.region}"; a price file is named after its region`);
    }
    return parsed.data;
}

/** The regions that have a price file. */
export function pricedRegions(dir = PRICES_DIR): string[] {
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => f.slice(0, -".json".length))
        .filter((r) => r !== GLOBAL_PRICES)
        .sort();
}

/** Prices of one region, with the global file's prices beside them. */
export class PriceBook {
    constructor(
        public readonly region: string,
        private readonly regional: PriceFile,
        private readonly global: PriceFile,
    ) {}

    /** The price for a key, or undefined when the files do not list it (the line is then shown as unpriced). */
    find(key: string): PriceRef | undefined {
        for (const file of [this.regional, this.global]) {
            const p = file.prices[key];
            if (p) return { ...p, key, file: file.region, asOf: file.asOf, sourceText: file.sources[p.source] };
        }
        return undefined;
    }
}

/** Loads the price books for the given regions; a region without a file is an error naming the file to add. */
export function loadPriceBooks(regions: Iterable<string>, dir = PRICES_DIR): Map<string, PriceBook> {
    const global = readPriceFile(GLOBAL_PRICES, dir);
    const books = new Map<string, PriceBook>();
    for (const region of [...new Set(regions)].sort()) {
        books.set(region, new PriceBook(region, readPriceFile(region, dir), global));
    }
    return books;
}
