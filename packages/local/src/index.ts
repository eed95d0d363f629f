// @mesosgot/local: the embedded Mesos-compatible master and agents.
export * from './links.js';
export * from './agent/local-agent.js';
