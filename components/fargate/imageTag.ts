import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Directories that never belong in a build context's identity. */
const SKIP = new Set([".git", "node_modules"]);

/**
 * A tag derived from the build context's files and the build options. The repositories have IMMUTABLE tags,
 * so a tag must never be pushed twice with different content: the same sources give the same tag (no push, no
 * new deployment), changed sources give a new one. Deterministic across machines (relative paths, sorted).
 */
export function contextTag(context: string, extra: Record<string, string | undefined>): string {
    const hash = createHash("sha256");
    const walk = (dir: string) => {
        for (const entry of fs
            .readdirSync(dir, { withFileTypes: true })
            .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
            if (SKIP.has(entry.name)) continue;
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (entry.isFile()) {
                hash.update(path.relative(context, full).split(path.sep).join("/"));
                hash.update("\0");
                hash.update(fs.readFileSync(full));
                hash.update("\0");
            }
        }
    };
    walk(context);
    for (const key of Object.keys(extra).sort()) hash.update(`${key}=${extra[key] ?? ""}\0`);
    return `src-${hash.digest("hex").slice(0, 16)}`;
}
