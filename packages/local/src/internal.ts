// @mesosgot/local/internal: everything tests and sibling packages use; not a stable API. Applications
// import the main entry (index.ts) instead.
export * from './links.js';
export * from './agent/local-agent.js';
export * from './agent/local-agent-options.js';
export * from './cluster.js';
export { LocalMaster, DEFAULT_ALLOCATION_INTERVAL_MS } from './master/master.js';
export type { LocalMasterOptions } from './master/master.js';
export type { Leadership } from './master/zk-membership.js';
export type { Credential } from './master/auth.js';
export { runLocalCli } from './local-cli.js';
