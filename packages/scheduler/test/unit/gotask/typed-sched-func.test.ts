import { describe, it, expect, afterEach } from '@jest/globals';
import { MessageDecodeError, defineProtocol, jsonCodec, stringCodec, type SchedInMsg } from '@mesosgot/common';
import { parseResourceFlags } from '@mesosgot/common/internal';
import { GoTaskScheduler, parseSchedulerConfig, type SchedEvent } from '../../../src/internal.js';
import { FakeGoTaskDriver, fakeOffer } from './fake-gotask-driver.js';

let driver: FakeGoTaskDriver | undefined;
afterEach(async () => {
  await driver?.stop();
  driver = undefined;
});

// The fake executor echoes `<args>:<data>` as text: a `plain` task's reply decodes as a string,
// a `strict` task's reply is not JSON, so it cannot be decoded.
const protocol = defineProtocol({
  plain: { toTask: jsonCodec<{ n: number }>(), fromTask: stringCodec },
  strict: { toTask: jsonCodec<{ n: number }>(), fromTask: jsonCodec<{ n: number }>() },
});

describe('GoTaskScheduler typed scheduler function', () => {
  it('encodes schedOut by kind, and turns a reply it cannot decode into an Error event naming task, kind and reason while schedIn goes on', async () => {
    const cfg = parseSchedulerConfig(['--master', 'm:5050', '--executor-command', 'node exec.js'], {});
    const s = new GoTaskScheduler(cfg, {
      createDriver: (sc, info) => (driver = new FakeGoTaskDriver(sc, info, [fakeOffer('O1', 'A1', parseResourceFlags('cpus:2;mem:1024'))])),
      drainTimeoutMs: 2_000,
    });
    s.spawnTask('plain', 1, { cpus: 0.2 });
    s.spawnTask('strict', 1, { cpus: 0.2 });
    const replies: SchedInMsg<typeof protocol.kinds>[] = [];
    const errors: SchedEvent[] = [];
    s.registerSchedFunc(protocol, async (schedIn, schedOut, schedEvents) => {
      const watching = (async () => {
        for await (const e of schedEvents) if (e.type === 'Error') errors.push(e);
      })();
      await schedOut.send({ taskName: 'strict-0', data: { n: 1 } });
      await schedOut.send({ taskName: 'plain-0', data: { n: 2 } });
      await schedOut.send({ taskName: 'plain-0', data: { n: 3 } });
      for await (const m of schedIn) {
        replies.push(m);
        if (replies.length === 2) break;
      }
      void watching;
    });
    await s.run();
    expect(replies).toEqual([
      { kind: 'plain', taskName: 'plain-0', data: ':{"n":2}' },
      { kind: 'plain', taskName: 'plain-0', data: ':{"n":3}' },
    ]);
    const decodeError = errors.find((e) => e.type === 'Error' && e.error instanceof MessageDecodeError);
    expect(decodeError).toBeDefined();
    const error = (decodeError as unknown as { error: MessageDecodeError }).error;
    expect([error.taskName, error.kind]).toEqual(['strict-0', 'strict']);
    expect(error.reason).toMatch(/^json: /);
  });
});
