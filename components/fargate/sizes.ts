/**
 * The task sizes Fargate accepts (Linux), from AWS "Task CPU and memory" (ECS developer guide,
 * `task-cpu-memory-error.html`). Pure data, shared by the settings validator and the component.
 */
export interface FargateCpuOption {
    /** CPU units (1024 = 1 vCPU). */
    cpu: number;
    /** Smallest memory in MiB. */
    min: number;
    /** Largest memory in MiB. */
    max: number;
    /** Memory increment in MiB between `min` and `max`. */
    step: number;
}

export const FARGATE_CPU_OPTIONS: readonly FargateCpuOption[] = [
    { cpu: 256, min: 512, max: 2048, step: 512 }, // 512, 1024, 2048 only: 1536 is not offered
    { cpu: 512, min: 1024, max: 4096, step: 1024 },
    { cpu: 1024, min: 2048, max: 8192, step: 1024 },
    { cpu: 2048, min: 4096, max: 16384, step: 1024 },
    { cpu: 4096, min: 8192, max: 30720, step: 1024 },
    // 8 and 16 vCPU need Linux platform 1.4.0+, which LATEST is.
    { cpu: 8192, min: 16384, max: 61440, step: 4096 },
    { cpu: 16384, min: 32768, max: 122880, step: 8192 },
];

/** The memory sizes (MiB) Fargate accepts with this CPU, or [] when the CPU value itself is not offered. */
export function memoryOptions(cpu: number): number[] {
    const option = FARGATE_CPU_OPTIONS.find((o) => o.cpu === cpu);
    if (!option) return [];
    const out: number[] = [];
    for (let m = option.min; m <= option.max; m += option.step) {
        // 256 CPU units pair with 512, 1024 and 2048 MiB; the 512 step would also give 1536, which AWS rejects.
        if (cpu === 256 && m === 1536) continue;
        out.push(m);
    }
    return out;
}

export function isFargateSize(cpu: number, memory: number): boolean {
    return memoryOptions(cpu).includes(memory);
}

/** One line describing what is allowed with this CPU, for error messages. */
export function describeMemoryOptions(cpu: number): string {
    const option = FARGATE_CPU_OPTIONS.find((o) => o.cpu === cpu);
    if (!option) return `cpu must be one of ${FARGATE_CPU_OPTIONS.map((o) => o.cpu).join(", ")}`;
    if (cpu === 256) return "with cpu 256 memory must be 512, 1024 or 2048";
    return `with cpu ${cpu} memory must be ${option.min}-${option.max} in steps of ${option.step}`;
}
