/**
 * Helpers for tests of frameworks and drivers: `waitFor` (wait on a condition with a deadline),
 * a scripted FakeMaster, a CuttingProxy for network faults, recorded Mesos events, a
 * ScriptedHttpServer for misbehaving peers, and a real ZooKeeperServer.
 *
 * @packageDocumentation
 * @module @mesosgot/local/testing
 */
// @mesosgot/local/testing: helpers for tests of frameworks and drivers.
export * from './wait-for.js';
export { FakeMaster, type CallMatcher, type FakeMasterOptions, type FakeReply, type RecordedCall } from './fake-master.js';
export { FakeStream } from './fake-stream.js';
export { CuttingProxy, type CuttingProxyOptions } from './cutting-proxy.js';
export { ScriptedHttpServer, type ScriptedAnswer } from './scripted-http-server.js';
export { mesosJson, recordedEvents, type RecordedEvent } from './recorded-events.js';
export * from './zookeeper-server.js';
