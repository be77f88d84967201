/**
 * What an Aurora PostgreSQL instance can hold, for thresholds that depend on it: memory per instance class and the
 * default `max_connections` that follows from it. Pure, so the alarm table and the settings check share it.
 */

/** GiB in bytes: AWS's instance-class tables give memory in GiB. */
export const GIB = 1024 ** 3;

/**
 * When the class table below was written, from AWS 'Hardware specifications for DB instance classes for Aurora'. A
 * family AWS adds later is not in it: the settings then require the memory-based thresholds explicitly.
 */
export const CLASS_TABLE_AS_OF = "2026-11";

/**
 * Memory per vCPU of the Aurora PostgreSQL classes by family: the memory-optimised R families (Intel and Graviton,
 * with or without local NVMe for Optimized Reads) have 8 GiB per vCPU, the X2g family 16 GiB.
 */
const GIB_PER_VCPU: Record<string, number> = {
    r5: 8,
    r6g: 8,
    r6gd: 8,
    r6i: 8,
    r6id: 8,
    r7g: 8,
    r7i: 8,
    r8g: 8,
    r8gd: 8,
    x2g: 16,
};

/** Burstable classes, which do not follow the per-vCPU rule. */
const BURSTABLE_GIB: Record<string, number> = {
    "db.t3.medium": 4,
    "db.t3.large": 8,
    "db.t4g.medium": 4,
    "db.t4g.large": 8,
};

/** vCPUs of a size: large 2, xlarge 4, <n>xlarge 4n. */
function vcpus(size: string): number | undefined {
    if (size === "large") return 2;
    const m = /^(\d*)xlarge$/.exec(size);
    if (!m) return undefined;
    return 4 * (m[1] === "" ? 1 : Number(m[1]));
}

/** One Aurora Serverless v2 capacity unit is about 2 GiB of memory with matching CPU (AWS 'Aurora Serverless v2'). */
export const GIB_PER_ACU = 2;

/**
 * Memory in GiB of an Aurora PostgreSQL instance: from the class, or for `db.serverless` from its maximum capacity
 * (Serverless v2 reports FreeableMemory as the memory left if the instance were scaled to its maximum). Undefined
 * for a class the table does not know.
 */
export function instanceMemoryGiB(instanceClass: string, serverlessMaxCapacity?: number): number | undefined {
    if (instanceClass === "db.serverless") {
        return serverlessMaxCapacity === undefined ? undefined : serverlessMaxCapacity * GIB_PER_ACU;
    }
    if (instanceClass in BURSTABLE_GIB) return BURSTABLE_GIB[instanceClass];
    const m = /^db\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceClass);
    if (!m || !(m[1] in GIB_PER_VCPU)) return undefined;
    const cpus = vcpus(m[2]);
    return cpus === undefined ? undefined : cpus * GIB_PER_VCPU[m[1]];
}

/**
 * The default `max_connections` of Aurora PostgreSQL, `LEAST({DBInstanceClassMemory/9531392}, 5000)` (AWS 'Maximum
 * connections to an Aurora PostgreSQL DB instance'), computed from the class's nominal memory as AWS's own worked
 * example does (16 GiB gives 1802). Aurora reserves some memory for itself, so the real value is somewhat lower.
 */
export function defaultMaxConnections(memoryGiB: number): number {
    return Math.min(Math.floor((memoryGiB * GIB) / 9531392), 5000);
}
