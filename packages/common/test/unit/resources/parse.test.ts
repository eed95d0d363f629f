import { describe, it, expect } from '@jest/globals';
import { InvalidArgumentError } from '@mesosgot/common';
import { parseResourceFlags, parseResourceList, parseResourceMap } from '@mesosgot/common/internal';
import type { Resource, ResourceMap } from '@mesosgot/common';

const scalar = (name: string, value: number, extra: Partial<Resource> = {}): Resource => ({ name, type: 'SCALAR', scalar: { value }, ...extra });
const ranges = (name: string, ...r: [number, number][]): Resource => ({ name, type: 'RANGES', ranges: { range: r.map(([begin, end]) => ({ begin, end })) } });
const set = (name: string, ...item: string[]): Resource => ({ name, type: 'SET', set: { item } });

describe('resources/parse parseResourceFlags', () => {
  const ok: [number, string, Resource[]][] = [
    [1, 'cpus:4;mem:4096;disk:10000;ports:[31000-32000];zones:{a,b}', [scalar('cpus', 4), scalar('mem', 4096), scalar('disk', 10000), ranges('ports', [31000, 32000]), set('zones', 'a', 'b')]],
    [2, ' cpus : 0.5 ; mem:32; ', [scalar('cpus', 0.5), scalar('mem', 32)]],
    [3, 'ports:[1-2, 5-6,3-4]', [ranges('ports', [1, 6])]],
    [4, 'cpus(prod):2;cpus:1', [scalar('cpus', 2, { reservations: [{ type: 'STATIC', role: 'prod' }] }), scalar('cpus', 1)]],
    [5, 'cpus(*):2;cpus:1', [scalar('cpus', 3)]],
    [6, 'cpus:0.1;cpus:0.2', [scalar('cpus', 0.3)]],
    [7, 'cpus:1.23456', [scalar('cpus', 1.235)]],
    [8, '[{"name":"cpus","type":"SCALAR","scalar":{"value":2}}]', [scalar('cpus', 2)]],
    [9, '', []],
    [10, 'gpus:0', []],
    [11, 'cpus:1e1', [scalar('cpus', 10)]],
  ];
  it.each(ok)('case %i parses %j', (_n, text, expected) => {
    expect(parseResourceFlags(text)).toEqual(expected);
  });

  const bad: [number, string, RegExp][] = [
    [1, 'cpus:-1', /resources\.cpus.*negative/],
    [2, 'cpus', /name:value/],
    [3, 'cpus:abc', /resources\.cpus \("abc"\).*unknown type/],
    [4, 'ports:[31000-]', /bad range/],
    [5, 'ports:[32000-31000]', /begin is greater than end/],
    [6, 'ports:[1-2', /must end with/],
    [7, 'zones:{a,b', /must end with/],
    [8, 'cpus:NaN', /unknown type/],
    [9, 'cpus:Infinity', /unknown type/],
    [10, '[{"name":"cpus","type":"TEXT"}]', /resources\[0\]\.type.*unknown resource type/],
    [11, '[not json', /not a JSON array/],
    [12, 'cpus(a:1', /name:value/],
  ];
  it.each(bad)('case %i rejects %j with InvalidArgumentError', (_n, text, message) => {
    let error: unknown;
    try {
      parseResourceFlags(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('resources/parse parseResourceMap', () => {
  it('reads numbers as scalars and ports as a count or exact ranges', () => {
    expect(parseResourceMap({ cpus: 0.1, mem: 32, gpus: 1, disk: 10, ports: 2 })).toEqual({
      resources: [scalar('cpus', 0.1), scalar('mem', 32), scalar('gpus', 1), scalar('disk', 10)],
      rangeCounts: { ports: 2 },
    });
    expect(parseResourceMap({ ports: [[31000, 31010]], zones: ['a'], custom: 3 })).toEqual({
      resources: [ranges('ports', [31000, 31010]), set('zones', 'a'), scalar('custom', 3)],
      rangeCounts: {},
    });
    expect(parseResourceMap({ cpus: 0, ports: 0, mem: undefined })).toEqual({ resources: [], rangeCounts: {} });
  });

  const bad: [number, unknown, RegExp][] = [
    [1, { cpus: -0.5 }, /resources\.cpus \(-0\.5\).*negative/],
    [2, { mem: Number.NaN }, /resources\.mem \(NaN\).*finite/],
    [3, { mem: Number.POSITIVE_INFINITY }, /resources\.mem \(Infinity\).*finite/],
    [4, { ports: 1.5 }, /resources\.ports.*integer/],
    [5, { ports: [[5, 1]] }, /begin is greater than end/],
    [6, { ports: [[1, 2, 3]] }, /\[begin, end\]/],
    [7, { cpus: '1' }, /resources\.cpus.*unknown type/],
    [8, { cpus: { value: 1 } }, /unknown type/],
    [9, null, /must be an object/],
    [10, { ports: [[-1, 3]] }, /begin.*non-negative integer/],
  ];
  it.each(bad)('case %i rejects %j with InvalidArgumentError', (_n, map, message) => {
    expect(() => parseResourceMap(map as ResourceMap)).toThrow(InvalidArgumentError);
    expect(() => parseResourceMap(map as ResourceMap)).toThrow(message);
  });
});

describe('resources/parse parseResourceList', () => {
  it('accepts both role formats, passes identity through and merges equal identities', () => {
    const list = [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 1 }, role: '*', allocation_info: { role: 'r' } },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, reservations: [{ type: 'DYNAMIC', role: 'r', principal: 'p' }] },
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, role: '*', allocation_info: { role: 'r' } },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 10, end: 12 }] } },
    ];
    expect(parseResourceList(list)).toEqual([
      scalar('cpus', 1.5, { role: '*', allocation_info: { role: 'r' } }),
      scalar('cpus', 2, { reservations: [{ type: 'DYNAMIC', role: 'r', principal: 'p' }] }),
      ranges('ports', [10, 12]),
    ]);
  });

  const bad: [number, unknown, RegExp][] = [
    [1, {}, /resources \(\{\}\): must be an array/],
    [2, [{ type: 'SCALAR', scalar: { value: 1 } }], /resources\[0\]\.name/],
    [3, [{ name: 'cpus', type: 'SCALAR', scalar: { value: -1 } }], /resources\[0\]\.scalar\.value \(-1\)/],
    [4, [{ name: 'cpus', type: 'SCALAR' }], /resources\[0\]\.scalar\.value \(undefined\)/],
    [5, [{ name: 'x', type: 'FOO' }], /resources\[0\]\.type \("FOO"\)/],
    [6, [{ name: 'p', type: 'RANGES', ranges: { range: [{ begin: 1.5, end: 2 }] } }], /range\[0\]\.begin/],
    [7, [{ name: 's', type: 'SET', set: { item: [1] } }], /set\.item/],
    [8, [42], /resources\[0\] \(42\)/],
  ];
  it.each(bad)('case %i rejects %j with InvalidArgumentError', (_n, list, message) => {
    expect(() => parseResourceList(list)).toThrow(InvalidArgumentError);
    expect(() => parseResourceList(list)).toThrow(message);
  });
});
