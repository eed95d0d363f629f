import { describe, expect, it } from '@jest/globals';
import { ProtocolError } from '@mesosgot/common';
import { leaderRedirectTarget, statusKind } from '@mesosgot/common/internal';

describe('http/leader-redirect leaderRedirectTarget', () => {
  it.each([
    { n: 1, from: 'http://10.0.0.1:5050/api/v1/scheduler', location: '//127.0.0.1:5062/master/api/v1/scheduler', to: 'http://127.0.0.1:5062/master/api/v1/scheduler' },
    { n: 2, from: 'https://10.0.0.1:5050/api/v1/scheduler', location: '//m2.example:5050/master/api/v1/scheduler', to: 'https://m2.example:5050/master/api/v1/scheduler' },
    { n: 3, from: 'http://10.0.0.1:5050/api/v1/scheduler', location: 'http://m3:5051/api/v1/scheduler', to: 'http://m3:5051/api/v1/scheduler' },
    { n: 4, from: 'http://10.0.0.1:5050/api/v1/scheduler', location: '/master/api/v1/scheduler', to: 'http://10.0.0.1:5050/master/api/v1/scheduler' },
  ])('case $n: $location from $from → $to', ({ from, location, to }) => {
    expect(leaderRedirectTarget(new URL(from), location).href).toBe(to);
  });

  it.each([
    { n: 5, location: undefined, message: /without a Location/ },
    { n: 6, location: '', message: /without a Location/ },
    { n: 7, location: 'ftp://m:21/x', message: /non-HTTP Location/ },
    { n: 8, location: 'http://[bad', message: /bad Location/ },
  ])('case $n: rejects Location $location with ProtocolError', ({ location, message }) => {
    expect(() => leaderRedirectTarget(new URL('http://10.0.0.1:5050/api'), location)).toThrow(ProtocolError);
    expect(() => leaderRedirectTarget(new URL('http://10.0.0.1:5050/api'), location)).toThrow(message);
  });

  it('case 9: refuses an https → http downgrade with ProtocolError', () => {
    const from = new URL('https://10.0.0.1:5050/api/v1/scheduler');
    expect(() => leaderRedirectTarget(from, 'http://10.0.0.2:5050/api/v1/scheduler')).toThrow(/would downgrade https to http/);
  });
});

describe('http/status-errors statusKind', () => {
  it.each([
    [200, 'success'], [202, 'success'], [204, 'success'], [307, 'leader-redirect'],
    [301, 'refused'], [302, 'refused'], [308, 'refused'], [400, 'refused'], [503, 'refused'], [100, 'refused'],
  ] as const)('maps %i to %s', (status, kind) => {
    expect(statusKind(status)).toBe(kind);
  });
});
