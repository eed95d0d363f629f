/**
 * The embedded Mesos-compatible cluster (our `mesos-local`): a master and agents in this
 * process on loopback ports, speaking the v1 HTTP APIs and starting executors as real child
 * processes. Loaded by the scheduler for `--master local`.
 *
 * @packageDocumentation
 * @module @mesosgot/local
 */
// @mesosgot/local: the embedded Mesos-compatible cluster as README documents it (LocalCluster
// and its options). The master, agents and their link types are in ./internal.ts
// (`@mesosgot/local/internal`); test helpers are in `@mesosgot/local/testing`.
export { LocalCluster, DEFAULT_AGENT_RESOURCES, type LocalClusterOptions } from './cluster.js';
export type { AgentSnapshot, AgentTaskSnapshot } from './links.js';
export type { KeptSandbox } from './kept-sandboxes.js';
export type { FailedExecutor } from './agent/local-agent-options.js';
export type { Credential } from './master/auth.js';
export { DEFAULT_MAX_ARTIFACT_BYTES, DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_MAX_EXTRACTED_BYTES, DEFAULT_MAX_ARCHIVE_ENTRIES } from './agent/fetcher.js';
export type { FetchLimits } from './agent/fetcher.js';
export { DEFAULT_HTTP_LIMITS } from './http/http-limits.js';
export type { HttpLimits } from './http/http-limits.js';
