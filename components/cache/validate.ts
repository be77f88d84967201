/**
 * What a Cache relies on, checked before any resource is registered, so that a program that bypasses the settings
 * validation still fails with a readable message before AWS does. Pure: args in, problems out.
 */
import type { CacheArgs } from "../cache";
import { DEFAULT_ACCESS_STRING, DEFAULT_USER_NAME } from "./auth";
import { DEFAULT_ENGINE_VERSION, MAX_NODES, accessStringProblem, parameterFamily, versionsOf } from "./engine";

/** Every problem of `args`, each naming the component; empty when the args can be deployed. */
export function cacheProblems(name: string, args: CacheArgs): string[] {
    const at = `Cache ${name}`;
    const problems: string[] = [];
    const engine = args.engine ?? "valkey";
    const version = args.engineVersion ?? DEFAULT_ENGINE_VERSION[engine];
    const replicas = args.replicas ?? 2;
    const shards = args.shards ?? 1;
    const multiAz = args.multiAz ?? true;
    if (!parameterFamily(engine, version)) {
        problems.push(
            `${at}: engineVersion "${version}" is not a ${engine} version; expected ${versionsOf(engine).join(", ")}`,
        );
    }
    if (!Number.isInteger(replicas) || replicas < 0 || replicas > 5) {
        problems.push(`${at}: replicas ${replicas} is not 0-5`);
    }
    if (!Number.isInteger(shards) || shards < 1) problems.push(`${at}: shards ${shards} is not a positive integer`);
    if ((multiAz || shards > 1) && replicas < 1) {
        problems.push(`${at}: ${multiAz ? "multiAz" : "cluster mode"} needs at least one replica per shard`);
    }
    if (shards * (replicas + 1) > MAX_NODES) {
        problems.push(`${at}: ${shards * (replicas + 1)} nodes; ElastiCache allows at most ${MAX_NODES}`);
    }
    // A subnet group in one AZ leaves nowhere to fail over to.
    if (multiAz && args.subnetIds.length < 2) {
        problems.push(`${at}: ${args.subnetIds.length} subnet(s); Multi-AZ needs subnets in at least 2 AZs`);
    }
    if (args.subnetIds.length < 1) problems.push(`${at}: no subnets`);
    const accessProblem = accessStringProblem(args.accessString ?? DEFAULT_ACCESS_STRING);
    if (accessProblem) problems.push(`${at}: accessString ${accessProblem}`);
    if ((args.userName ?? DEFAULT_USER_NAME) === "default") {
        problems.push(`${at}: userName "default" is the disabled user every user group holds; choose another`);
    }
    return problems;
}
