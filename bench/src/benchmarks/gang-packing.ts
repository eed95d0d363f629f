/**
 * Gang packing: GangAllocator.plan() placing 100,000 tasks of three shapes into 10,000 offers
 * (one per agent) all or nothing, executor charged once per agent (goal ≤ 200 ms). Offers and
 * tasks are built before the clock starts; the plan must place every task.
 */
import { performance } from 'node:perf_hooks';
import type { Offer } from '@mesosgot/common';
import type { ResourceRequest } from '@mesosgot/common/internal';
import type { GangAllocator, GangAllocatorOptions, GangTask } from '@mesosgot/scheduler/internal';
import { requireExport, type Benchmark, type MetricSpec } from '../harness/benchmark.js';
import { measure } from '../harness/measure.js';
import { judge, unavailableRows, type Row } from '../harness/row.js';

type AllocatorCtor = new (options: GangAllocatorOptions) => GangAllocator;
type ParseResourceMap = (map: Record<string, number>) => ResourceRequest;

const TASKS = 100_000;
const OFFERS = 10_000;
/** Three shapes, 50/30/20 % of the tasks; the last asks for a port. Fills agents to ~65 %. */
const SHAPES: { name: string; share: number; map: Record<string, number> }[] = [
  { name: 'small', share: 0.5, map: { cpus: 0.1, mem: 64 } },
  { name: 'medium', share: 0.3, map: { cpus: 0.2, mem: 128 } },
  { name: 'ported', share: 0.2, map: { cpus: 0.05, mem: 32, ports: 1 } },
];
const EXECUTOR_MAP = { cpus: 0.1, mem: 32 };

const METRIC: MetricSpec = {
  metric: 'gang packing 100k tasks into 10k offers',
  unit: 'ms',
  goals: [{ kind: 'max', value: 200 }],
};

function makeOffers(count: number): Offer[] {
  return Array.from({ length: count }, (_, i) => ({
    id: { value: `gang-offer-${i}` },
    framework_id: { value: 'bench-framework' },
    agent_id: { value: `gang-agent-S${i}` },
    hostname: `agent-${i}.bench`,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 2 }, role: '*' },
      { name: 'mem', type: 'SCALAR', scalar: { value: 2048 }, role: '*' },
      { name: 'disk', type: 'SCALAR', scalar: { value: 4096 }, role: '*' },
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000, end: 31099 }] }, role: '*' },
    ],
  }));
}

export const gangPacking: Benchmark = {
  name: 'gang-packing',
  metrics: [METRIC],
  async run({ plan }): Promise<Row[]> {
    const allocator = await requireExport('@mesosgot/scheduler', 'GangAllocator', ['plan']);
    if (!allocator.ok) return unavailableRows(this.metrics, allocator.reason);
    const parser = await requireExport('@mesosgot/common', 'parseResourceMap');
    if (!parser.ok) return unavailableRows(this.metrics, parser.reason);
    const Allocator = allocator.value as AllocatorCtor;
    const parse = parser.value as ParseResourceMap;

    const offers = makeOffers(OFFERS);
    const tasks: GangTask[] = [];
    for (const shape of SHAPES) {
      const request = parse(shape.map);
      const n = Math.round(TASKS * shape.share);
      for (let i = 0; i < n; i++) tasks.push({ name: shape.name, index: i, request });
    }
    const gang = new Allocator({ executor: parse(EXECUTOR_MAP), executorId: 'bench-executor' });
    const round = (): number => {
      const start = performance.now();
      const result = gang.plan(offers, tasks);
      const elapsed = performance.now() - start;
      if (!result.fits) throw new Error(`gang did not fit: ${JSON.stringify(result.shortfall).slice(0, 200)}`);
      const placed = result.agents.reduce((n, a) => n + a.tasks.length, 0);
      if (placed !== tasks.length) throw new Error(`placed ${placed} of ${tasks.length} tasks`);
      return elapsed;
    };
    const got = await measure(round, plan);
    return [judge({ ...METRIC, value: got.median, note: `${tasks.length} tasks, 3 shapes, ${OFFERS} offers, median of ${plan.rounds}` })];
  },
};
