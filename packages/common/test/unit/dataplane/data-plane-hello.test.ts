import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  ProtocolError,
  decodeHello,
  decodeReply,
  encodeHello,
  encodeRefusal,
  encodeWelcome,
  parseDataPlaneControl,
  encodeDataPlaneControl,
} from '../../../src/internal.js';

describe('data-plane handshake records', () => {
  it('round-trips a HELLO with any id and credential (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 200 }), fc.uint8Array({ maxLength: 64 }), (executorId, cred) => {
        fc.pre(!/\p{Cs}/u.test(executorId));
        const hello = decodeHello(encodeHello({ executorId, credential: Buffer.from(cred) }));
        expect(hello.executorId).toBe(executorId);
        expect([...hello.credential]).toEqual([...cred]);
      }),
    );
  });

  it('rejects truncated or padded HELLOs and other records with ProtocolError', () => {
    const good = encodeHello({ executorId: 'e1', credential: Buffer.alloc(32, 1) });
    for (let n = 0; n < good.length; n++) expect(() => decodeHello(good.subarray(0, n))).toThrow(ProtocolError);
    expect(() => decodeHello(Buffer.concat([good, Buffer.of(0)]))).toThrow(ProtocolError);
    expect(() => decodeHello(encodeWelcome())).toThrow(/kind 2 where 1/);
    expect(() => decodeHello(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(/bad magic/);
  });

  it('tells WELCOME from REFUSED and keeps the reason', () => {
    expect(decodeReply(encodeWelcome())).toEqual({ accepted: true });
    expect(decodeReply(encodeRefusal('wrong credential for executor e1'))).toEqual({ accepted: false, reason: 'wrong credential for executor e1' });
    expect(() => decodeReply(Buffer.of(0xd7, 1, 9))).toThrow(ProtocolError);
  });

  it('round-trips control messages and names the bad field', () => {
    const offer = { type: 'OFFER' as const, host: '10.0.0.1', port: 4000, credential: 'c2VjcmV0', tls: { ca: 'PEM' } };
    expect(parseDataPlaneControl(encodeDataPlaneControl(offer))).toEqual(offer);
    expect(parseDataPlaneControl(Buffer.from(encodeDataPlaneControl({ type: 'RELAY', reason: 'refused' })))).toEqual({ type: 'RELAY', reason: 'refused' });
    expect(() => parseDataPlaneControl('{"type":"OFFER","host":"h","port":0,"credential":"x"}')).toThrow(/bad port/);
    expect(() => parseDataPlaneControl('{"type":"HUH"}')).toThrow(/unknown data-plane control type/);
    expect(() => parseDataPlaneControl('nope')).toThrow(ProtocolError);
  });
});
