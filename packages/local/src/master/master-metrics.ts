/**
 * The master's `/metrics/snapshot` (and operator GET_METRICS): every `master/*` and `system/*`
 * key a real Mesos 1.12 master publishes outside per-framework and operation metrics, so
 * exporters and dashboards find what they read. Counters (`messages_*`, `valid_*`,
 * `slave_registrations`, terminal `tasks_*`) count since the master started; gauges
 * (resources, `frameworks_*`, `slaves_*`, live `tasks_*`) are computed from the state at
 * each read. Keys for features the local master lacks (revocable resources, operations,
 * unreachable agents) are present and 0, as on a master that never saw them.
 */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { scalarOf, TERMINAL_TASK_STATES, type TaskState } from '@mesosgot/common/internal';
import type { MasterState } from './master-state.js';

/** Counters the master's handlers increment: the part of a key after `master/`. */
export type MasterCounter =
  | 'messages_register_framework'
  | 'messages_reregister_framework'
  | 'messages_unregister_framework'
  | 'messages_deactivate_framework'
  | 'messages_kill_task'
  | 'messages_status_update_acknowledgement'
  | 'messages_resource_request'
  | 'messages_launch_tasks'
  | 'messages_decline_offers'
  | 'messages_revive_offers'
  | 'messages_suppress_offers'
  | 'messages_reconcile_tasks'
  | 'messages_framework_to_executor'
  | 'messages_executor_to_framework'
  | 'messages_register_slave'
  | 'messages_reregister_slave'
  | 'messages_status_update'
  | 'messages_exited_executor'
  | 'valid_framework_to_executor_messages'
  | 'invalid_framework_to_executor_messages'
  | 'valid_executor_to_framework_messages'
  | 'valid_status_updates'
  | 'invalid_status_updates'
  | 'valid_status_update_acknowledgements'
  | 'invalid_status_update_acknowledgements'
  | 'slave_registrations'
  | 'slave_reregistrations'
  | 'slave_removals'
  | 'slave_removals/reason_unregistered'
  | 'slave_removals/reason_unhealthy'
  | 'dropped_messages';

/** Counters written by the master's call and link handlers only. */
export class MasterCounters {
  readonly #counts = new Map<MasterCounter, number>();

  inc(counter: MasterCounter, by = 1): void {
    this.#counts.set(counter, (this.#counts.get(counter) ?? 0) + by);
  }

  get(counter: MasterCounter): number {
    return this.#counts.get(counter) ?? 0;
  }
}

const ALL_COUNTERS: readonly MasterCounter[] = [
  'messages_register_framework', 'messages_reregister_framework', 'messages_unregister_framework',
  'messages_deactivate_framework', 'messages_kill_task', 'messages_status_update_acknowledgement',
  'messages_resource_request', 'messages_launch_tasks', 'messages_decline_offers', 'messages_revive_offers',
  'messages_suppress_offers', 'messages_reconcile_tasks', 'messages_framework_to_executor',
  'messages_executor_to_framework', 'messages_register_slave', 'messages_reregister_slave',
  'messages_status_update', 'messages_exited_executor', 'valid_framework_to_executor_messages',
  'invalid_framework_to_executor_messages', 'valid_executor_to_framework_messages', 'valid_status_updates',
  'invalid_status_updates', 'valid_status_update_acknowledgements', 'invalid_status_update_acknowledgements',
  'slave_registrations', 'slave_reregistrations', 'slave_removals', 'slave_removals/reason_unregistered',
  'slave_removals/reason_unhealthy', 'dropped_messages',
];

/** Present on a real master, always 0 here (no such feature or no such event locally). */
const ZERO_KEYS: readonly string[] = [
  'event_queue_dispatches', 'event_queue_http_requests', 'event_queue_messages', 'http_cache_hits',
  'invalid_executor_to_framework_messages', 'invalid_operation_status_update_acknowledgements',
  'invalid_operation_status_updates', 'valid_operation_status_update_acknowledgements', 'valid_operation_status_updates',
  'messages_authenticate', 'messages_operation_status_update', 'messages_operation_status_update_acknowledgement',
  'messages_reconcile_operations', 'messages_unregister_slave', 'messages_update_slave', 'recovery_slave_removals',
  'slave_removals/reason_registered', 'slave_shutdowns_canceled', 'slave_shutdowns_completed', 'slave_shutdowns_scheduled',
  'slave_unreachable_canceled', 'slave_unreachable_completed', 'slave_unreachable_scheduled', 'slaves_unreachable',
  'slaves_inactive', 'slaves_disconnected', 'frameworks_inactive',
  'operations/dropped', 'operations/error', 'operations/failed', 'operations/finished', 'operations/gone_by_operator',
  'operations/pending', 'operations/recovering', 'operations/total', 'operations/unreachable',
];

/** `master/tasks_<state>` keys: live states are gauges, terminal ones counters. */
const LIVE_TASK_STATES: readonly TaskState[] = ['TASK_STAGING', 'TASK_STARTING', 'TASK_RUNNING', 'TASK_KILLING', 'TASK_UNREACHABLE'];
const RESOURCE_NAMES = ['cpus', 'mem', 'disk', 'gpus'] as const;

/** The flat `{ "master/…": n, "system/…": n }` document; `operatorStreams` = open operator SUBSCRIBEs. */
export function masterMetrics(state: MasterState, operatorStreams: number): Record<string, number> {
  const m: Record<string, number> = {};
  const put = (key: string, value: number): void => {
    m[`master/${key}`] = value;
  };
  for (const key of ZERO_KEYS) put(key, 0);
  for (const counter of ALL_COUNTERS) put(counter, state.counters.get(counter));
  const agents = state.agents.all();
  for (const name of RESOURCE_NAMES) {
    const total = agents.reduce((sum, a) => sum + scalarOf(a.total, name), 0);
    const used = agents.reduce((sum, a) => sum + scalarOf(a.used, name), 0);
    put(`${name}_total`, total);
    put(`${name}_used`, used);
    put(`${name}_percent`, total > 0 ? used / total : 0);
    put(`${name}_revocable_total`, 0);
    put(`${name}_revocable_used`, 0);
    put(`${name}_revocable_percent`, 0);
  }
  const frameworks = state.frameworks.all();
  const connected = frameworks.filter((f) => f.isConnected).length;
  put('frameworks_active', connected);
  put('frameworks_connected', connected);
  put('frameworks_disconnected', frameworks.length - connected);
  put('slaves_active', agents.length);
  put('slaves_connected', agents.length);
  put('elected', 1);
  put('uptime_secs', Date.now() / 1000 - state.startedAt);
  put('outstanding_offers', state.offers.all().length);
  put('operator_event_stream_subscribers', operatorStreams);
  const live = new Map<TaskState, number>();
  for (const task of state.tasks.all()) live.set(task.state, (live.get(task.state) ?? 0) + 1);
  for (const s of LIVE_TASK_STATES) put(`tasks_${s.slice(5).toLowerCase()}`, live.get(s) ?? 0);
  for (const s of TERMINAL_TASK_STATES) put(`tasks_${s.slice(5).toLowerCase()}`, state.tasks.terminalCounts.get(s) ?? 0);
  Object.assign(m, systemMetrics());
  return m;
}

/** The `system/*` keys a Mesos master and agent both publish. */
export function systemMetrics(): Record<string, number> {
  const [load1 = 0, load5 = 0, load15 = 0] = loadavg();
  return {
    'system/cpus_total': cpus().length,
    'system/load_1min': load1,
    'system/load_5min': load5,
    'system/load_15min': load15,
    'system/mem_free_bytes': freemem(),
    'system/mem_total_bytes': totalmem(),
  };
}
