/**
 * The flags the local master answers to `/flags` and operator GET_FLAGS, as a real master
 * lists its command-line flags (names and stout-formatted values). Values describe what the
 * local master does: its allocation interval, heartbeat, address, authentication, ZooKeeper.
 */
import { formatStoutDuration } from '@mesosgot/common/internal';
import type { MasterState } from './master-state.js';

export interface MasterFlagInputs {
  /** Schedulers must authenticate (`--authenticate_http_frameworks`). */
  authenticatesFrameworks: boolean;
  /** `--zk`, when the master contends through ZooKeeper. */
  zk: string | undefined;
}


export function masterFlags(state: MasterState, inputs: MasterFlagInputs): Record<string, string> {
  const { settings } = state;
  return {
    agent_ping_timeout: '15secs',
    agent_reregister_timeout: '10mins',
    allocator_agent_recovery_factor: '0.8',
    allocator_recovery_timeout: '10mins',
    authentication_v0_timeout: '15secs',
    filter_gpu_resources: 'true',
    help: 'false',
    initialize_driver_logging: 'true',
    log_auto_initialize: 'true',
    logbufsecs: '0',
    max_operator_event_stream_subscribers: '1000',
    max_unreachable_tasks_per_framework: '1000',
    memory_profiling: 'false',
    min_allocatable_resources: 'cpus:0.01|mem:32',
    offer_constraints_re2_max_mem: '4KB',
    offer_constraints_re2_max_program_size: '100',
    publish_per_framework_metrics: 'false',
    quiet: 'false',
    recovery_agent_removal_limit: '100%',
    registry_fetch_timeout: '1mins',
    registry_gc_interval: '15mins',
    registry_max_agent_age: '2weeks',
    registry_max_agent_count: '102400',
    registry_store_timeout: '20secs',
    registry_strict: 'false',
    require_agent_domain: 'false',
    // No web UI and no replicated log: nothing is served or stored from these.
    webui_dir: '',
    work_dir: '',
    allocation_interval: formatStoutDuration(settings.allocationIntervalMs),
    allocator: 'hierarchical',
    authenticate_agents: 'false',
    authenticate_frameworks: 'false',
    authenticate_http_frameworks: String(inputs.authenticatesFrameworks),
    authenticate_http_readonly: 'false',
    authenticate_http_readwrite: 'false',
    authenticators: 'crammd5',
    authorizers: 'local',
    framework_sorter: 'drf',
    hostname: state.hostname,
    hostname_lookup: 'true',
    http_authenticators: 'basic',
    ip: state.hostname,
    logging_level: 'INFO',
    max_agent_ping_timeouts: '5',
    max_completed_frameworks: '50',
    max_completed_tasks_per_framework: '1000',
    port: String(state.port),
    registry: 'in_memory',
    role_sorter: 'drf',
    root_submissions: 'true',
    version: 'false',
    ...(inputs.zk !== undefined ? { zk: inputs.zk, quorum: '1' } : {}),
    zk_session_timeout: '10secs',
  };
}
