/**
 * Shared Mesos v1 messages, spelled exactly as Mesos' JSON (docs/protocol.md, "JSON encoding", "Shared messages"):
 * snake_case fields, enum strings, `bytes` as standard base64 strings.
 * Written by hand from the protocol reference; only the fields we use or pass through.
 */

/**
 * Never set: the key of the compile-time brand that tells id kinds apart. It has no value at
 * run time, so ids stay plain `{ value }` objects on the wire.
 */
declare const idKind: unique symbol;

/**
 * A Mesos id: `{ value }` on the wire. `K` names its kind: a `TaskID` is not an `OfferID`, so
 * passing one where the other is expected does not compile, while a plain `{ value: 'x' }`
 * literal is any kind of id (the brand is an optional property it simply lacks).
 */
export interface Id<K extends string = string> {
  value: string;
  /** Compile-time only: the id's kind; never present at run time. */
  readonly [idKind]?: K;
}
/** A framework's id, assigned by the master on the first SUBSCRIBE. */
export type FrameworkID = Id<'FrameworkID'>;
/** An offer's id; usable in one ACCEPT or DECLINE only. */
export type OfferID = Id<'OfferID'>;
/** An agent's id, assigned by the master when the agent registers. */
export type AgentID = Id<'AgentID'>;
/** A task's id, chosen by the framework (mesosgot names tasks `<name>-<index>`). */
export type TaskID = Id<'TaskID'>;
/** An executor's id, chosen by the framework; unique per framework and agent. */
export type ExecutorID = Id<'ExecutorID'>;
/** The id of an offer operation that asks for operation status updates. */
export type OperationID = Id<'OperationID'>;
/** The id of a resource provider on an agent. */
export type ResourceProviderID = Id<'ResourceProviderID'>;
/** The id of a container on an agent, with its parent for nested containers. */
export interface ContainerID {
  value: string;
  parent?: ContainerID;
}

/** Base64 text of raw bytes, as Mesos encodes `bytes` fields. */
export type Base64 = string;

/** A point in time, in nanoseconds since the epoch (a number, or a decimal string when exact). */
export interface TimeInfo {
  nanoseconds: number | string;
}
/** A duration in nanoseconds, shaped as TimeInfo. */
export type DurationInfo = TimeInfo;

/** One key/value label. */
export interface Label {
  key: string;
  value?: string;
}
/** Free-form key/value metadata on frameworks, tasks and statuses. */
export interface Labels {
  labels?: Label[];
}

// ---- Values and resources -------------------------------------------------

/** The kind of value a resource or attribute holds. */
export type ValueType = 'SCALAR' | 'RANGES' | 'SET' | 'TEXT';
/** A scalar value; Mesos keeps three decimal digits. */
export interface Scalar {
  value: number;
}
/** An inclusive range of integers, such as ports. */
export interface Range {
  begin: number;
  end: number;
}
/** A list of inclusive ranges. */
export interface Ranges {
  range?: Range[];
}
/** A set of strings. */
export interface ValueSet {
  item?: string[];
}
/** A text value (attributes only). */
export interface Text {
  value: string;
}

/** One level of a resource's reservation (refined reservation format). */
export interface ReservationInfo {
  type?: 'STATIC' | 'DYNAMIC';
  role?: string;
  principal?: string;
  labels?: Labels;
}
/**
 * What a disk resource is: a persistent volume when `persistence` and `volume` are set (created
 * by a CREATE operation on reserved disk, offered back until DESTROY), or a disk of a resource
 * provider when `source` is.
 */
export interface DiskInfo {
  /** The volume's id, unique on its agent, and the principal that created it. */
  persistence?: { id: string; principal?: string };
  /** Where the volume appears in the container: `container_path` is relative to the sandbox. */
  volume?: { mode: 'RW' | 'RO'; container_path: string; host_path?: string };
  /** The disk's kind on a resource provider (PATH, MOUNT, BLOCK, RAW); passed through. */
  source?: Record<string, unknown>;
}
/** The role an offered resource is allocated to. */
export interface AllocationInfo {
  role?: string;
}

/**
 * One resource of an agent, offer, task or executor, in either reservation format
 * (docs/protocol.md, "Resources").
 */
export interface Resource {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  /** Deprecated pre-refinement format: `"*"` = unreserved. */
  role?: string;
  allocation_info?: AllocationInfo;
  reservation?: ReservationInfo;
  reservations?: ReservationInfo[];
  disk?: DiskInfo;
  revocable?: Record<string, never>;
  shared?: Record<string, never>;
  provider_id?: ResourceProviderID;
}

/** An agent attribute (a name with a scalar, ranges, set or text value). */
export interface Attribute {
  name: string;
  type: ValueType;
  scalar?: Scalar;
  ranges?: Ranges;
  set?: ValueSet;
  text?: Text;
}

// ---- Framework, master, agent ---------------------------------------------

/** Framework capabilities; each changes what Mesos sends (docs/protocol.md, "FrameworkInfo"). */
export type FrameworkCapabilityType =
  | 'REVOCABLE_RESOURCES'
  | 'TASK_KILLING_STATE'
  | 'GPU_RESOURCES'
  | 'SHARED_RESOURCES'
  | 'PARTITION_AWARE'
  | 'MULTI_ROLE'
  | 'RESERVATION_REFINEMENT'
  | 'REGION_AWARE';

/** What a framework says about itself in SUBSCRIBE (docs/protocol.md, "FrameworkInfo"). */
export interface FrameworkInfo {
  user: string;
  name: string;
  id?: FrameworkID;
  failover_timeout?: number;
  checkpoint?: boolean;
  role?: string;
  roles?: string[];
  hostname?: string;
  principal?: string;
  webui_url?: string;
  capabilities?: { type: FrameworkCapabilityType }[];
  labels?: Labels;
  offer_filters?: Record<string, unknown>;
}

/** A network address as Mesos reports it. */
export interface Address {
  hostname?: string;
  ip?: string;
  port: number;
}

/** A URL as Mesos reports it, such as an offer's agent endpoint. */
export interface URL {
  scheme: string;
  address: Address;
  path?: string;
  query?: { key: string; value?: string }[];
  fragment?: string;
}

/** The leading master, as sent in SUBSCRIBED and stored in ZooKeeper (docs/protocol.md, "MasterInfo"). */
export interface MasterInfo {
  id: string;
  /** IPv4 packed in network byte order read as a host integer: 127.0.0.1 ⇒ 16777343. */
  ip: number;
  port: number;
  pid?: string;
  hostname?: string;
  version?: string;
  address?: Address;
  domain?: Record<string, unknown>;
  capabilities?: { type: string }[];
}

/** An agent, as sent to executors in SUBSCRIBED. */
export interface AgentInfo {
  hostname: string;
  port?: number;
  resources?: Resource[];
  attributes?: Attribute[];
  id?: AgentID;
  domain?: Record<string, unknown>;
}

// ---- Commands, executors, tasks -------------------------------------------

/** A file the agent fetches into the sandbox before starting a command (docs/protocol.md, "CommandInfo and URIs"). */
export interface CommandURI {
  value: string;
  executable?: boolean;
  extract?: boolean;
  cache?: boolean;
  output_file?: string;
}

/** One environment variable of a command. */
export interface EnvironmentVariable {
  name: string;
  type?: 'VALUE' | 'SECRET';
  value?: string;
  secret?: Record<string, unknown>;
}
/** Environment variables a command is started with. */
export interface Environment {
  variables?: EnvironmentVariable[];
}

/** A command an agent runs: shell or exec form, fetched URIs, environment (docs/protocol.md, "CommandInfo and URIs"). */
export interface CommandInfo {
  uris?: CommandURI[];
  environment?: Environment;
  shell?: boolean;
  value?: string;
  arguments?: string[];
  user?: string;
}

/** A custom executor: its id, command and resources (docs/protocol.md, "TaskInfo and ExecutorInfo"). */
export interface ExecutorInfo {
  type?: 'UNKNOWN' | 'DEFAULT' | 'CUSTOM';
  executor_id: ExecutorID;
  framework_id?: FrameworkID;
  command?: CommandInfo;
  container?: Record<string, unknown>;
  resources?: Resource[];
  name?: string;
  source?: string;
  data?: Base64;
  discovery?: Record<string, unknown>;
  shutdown_grace_period?: DurationInfo;
  labels?: Labels;
}

/** How long a task has between a kill request and being killed. */
export interface KillPolicy {
  grace_period?: DurationInfo;
}

/** A task to launch (docs/protocol.md, "TaskInfo and ExecutorInfo"). */
export interface TaskInfo {
  name: string;
  task_id: TaskID;
  agent_id: AgentID;
  resources?: Resource[];
  executor?: ExecutorInfo;
  command?: CommandInfo;
  container?: Record<string, unknown>;
  health_check?: Record<string, unknown>;
  check?: Record<string, unknown>;
  kill_policy?: KillPolicy;
  data?: Base64;
  labels?: Labels;
  discovery?: Record<string, unknown>;
  max_completion_time?: DurationInfo;
  limits?: Record<string, { value: number | 'Infinity' }>;
}

/** Tasks launched together by LAUNCH_GROUP. */
export interface TaskGroupInfo {
  tasks?: TaskInfo[];
}

// ---- Task status -----------------------------------------------------------

/** A task's state (docs/protocol.md, "Task states and reasons"). */
export type TaskState =
  | 'TASK_STAGING'
  | 'TASK_STARTING'
  | 'TASK_RUNNING'
  | 'TASK_KILLING'
  | 'TASK_FINISHED'
  | 'TASK_FAILED'
  | 'TASK_KILLED'
  | 'TASK_ERROR'
  | 'TASK_LOST'
  | 'TASK_DROPPED'
  | 'TASK_UNREACHABLE'
  | 'TASK_GONE'
  | 'TASK_GONE_BY_OPERATOR'
  | 'TASK_UNKNOWN';

/** Mesos' internal terminal set (docs/protocol.md, "Task states and reasons"). */
export const TERMINAL_TASK_STATES: ReadonlySet<TaskState> = new Set<TaskState>([
  'TASK_FINISHED',
  'TASK_FAILED',
  'TASK_KILLED',
  'TASK_LOST',
  'TASK_ERROR',
  'TASK_DROPPED',
  'TASK_GONE',
  'TASK_GONE_BY_OPERATOR',
]);

/** Whether Mesos counts `state` as terminal (docs/protocol.md, "Task states and reasons"). */
export function isTerminalState(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.has(state);
}

/** Who produced a status update. */
export type TaskStatusSource = 'SOURCE_MASTER' | 'SOURCE_AGENT' | 'SOURCE_EXECUTOR';

/** Why a task reached its state (docs/protocol.md, "Task states and reasons"). */
export type TaskStatusReason =
  | 'REASON_COMMAND_EXECUTOR_FAILED'
  | 'REASON_CONTAINER_LAUNCH_FAILED'
  | 'REASON_CONTAINER_LIMITATION'
  | 'REASON_CONTAINER_LIMITATION_DISK'
  | 'REASON_CONTAINER_LIMITATION_MEMORY'
  | 'REASON_CONTAINER_PREEMPTED'
  | 'REASON_CONTAINER_UPDATE_FAILED'
  | 'REASON_MAX_COMPLETION_TIME_REACHED'
  | 'REASON_EXECUTOR_REGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_REREGISTRATION_TIMEOUT'
  | 'REASON_EXECUTOR_TERMINATED'
  | 'REASON_EXECUTOR_UNREGISTERED'
  | 'REASON_FRAMEWORK_REMOVED'
  | 'REASON_GC_ERROR'
  | 'REASON_INVALID_FRAMEWORKID'
  | 'REASON_INVALID_OFFERS'
  | 'REASON_IO_SWITCHBOARD_EXITED'
  | 'REASON_MASTER_DISCONNECTED'
  | 'REASON_RECONCILIATION'
  | 'REASON_RESOURCES_UNKNOWN'
  | 'REASON_AGENT_DISCONNECTED'
  | 'REASON_AGENT_REMOVED'
  | 'REASON_AGENT_REMOVED_BY_OPERATOR'
  | 'REASON_AGENT_REREGISTERED'
  | 'REASON_AGENT_RESTARTED'
  | 'REASON_AGENT_UNKNOWN'
  | 'REASON_AGENT_DRAINING'
  | 'REASON_TASK_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_HEALTH_CHECK_STATUS_UPDATED'
  | 'REASON_TASK_GROUP_INVALID'
  | 'REASON_TASK_GROUP_UNAUTHORIZED'
  | 'REASON_TASK_INVALID'
  | 'REASON_TASK_KILLED_DURING_LAUNCH'
  | 'REASON_TASK_UNAUTHORIZED'
  | 'REASON_TASK_UNKNOWN';

/** What the agent knows of a task's container (network addresses, executor pid). */
export interface ContainerStatus {
  container_id?: ContainerID;
  network_infos?: { ip_addresses?: { protocol?: string; ip_address?: string }[] }[];
  executor_pid?: number;
}

/**
 * A task's status update; one with a `uuid` must be acknowledged
 * (docs/protocol.md, "TaskStatus and uuids", "Acknowledgements").
 */
export interface TaskStatus {
  task_id: TaskID;
  state: TaskState;
  message?: string;
  source?: TaskStatusSource;
  reason?: TaskStatusReason;
  data?: Base64;
  agent_id?: AgentID;
  executor_id?: ExecutorID;
  /** Seconds since the epoch. */
  timestamp?: number;
  /** Base64 of the 16 raw bytes of an RFC 4122 UUID; present ⇔ must be acknowledged. */
  uuid?: Base64;
  healthy?: boolean;
  check_status?: Record<string, unknown>;
  labels?: Labels;
  container_status?: ContainerStatus;
  unreachable_time?: TimeInfo;
  limitation?: { resources?: Resource[] };
}

// ---- Offers and operations -------------------------------------------------

/** Resources of one agent offered to a framework for one role (docs/protocol.md, "Offer fields"). */
export interface Offer {
  id: OfferID;
  framework_id: FrameworkID;
  agent_id: AgentID;
  hostname: string;
  url?: URL;
  domain?: Record<string, unknown>;
  resources?: Resource[];
  attributes?: Attribute[];
  executor_ids?: ExecutorID[];
  unavailability?: Record<string, unknown>;
  allocation_info?: AllocationInfo;
}

/** The operations ACCEPT can run on offered resources. */
export type OperationType =
  | 'LAUNCH'
  | 'LAUNCH_GROUP'
  | 'RESERVE'
  | 'UNRESERVE'
  | 'CREATE'
  | 'DESTROY'
  | 'GROW_VOLUME'
  | 'SHRINK_VOLUME'
  | 'CREATE_DISK'
  | 'DESTROY_DISK';

/** One operation of an ACCEPT call, such as LAUNCH. */
export interface OfferOperation {
  type: OperationType;
  id?: OperationID;
  launch?: { task_infos?: TaskInfo[] };
  launch_group?: { executor: ExecutorInfo; task_group: TaskGroupInfo };
  reserve?: { resources?: Resource[]; source?: Resource[] };
  unreserve?: { resources?: Resource[] };
  create?: { volumes?: Resource[] };
  destroy?: { volumes?: Resource[] };
}

/** How long declined resources stay away from this framework (docs/protocol.md, "Filters and declines"). */
export interface Filters {
  refuse_seconds?: number;
}

/** Default `Filters.refuse_seconds` (docs/protocol.md, "Filters and declines"). */
export const DEFAULT_REFUSE_SECONDS = 5;

/** The state of an offer operation that has an id. */
export type OperationState =
  | 'OPERATION_PENDING'
  | 'OPERATION_FINISHED'
  | 'OPERATION_FAILED'
  | 'OPERATION_ERROR'
  | 'OPERATION_DROPPED'
  | 'OPERATION_UNREACHABLE'
  | 'OPERATION_GONE_BY_OPERATOR'
  | 'OPERATION_RECOVERING'
  | 'OPERATION_UNKNOWN'
  | 'OPERATION_UNSUPPORTED';

/** A status update of an offer operation that has an id. */
export interface OperationStatus {
  operation_id?: OperationID;
  state: OperationState;
  message?: string;
  converted_resources?: Resource[];
  /** A UUID *message*, unlike TaskStatus.uuid (docs/protocol.md, "Shared messages"). */
  uuid?: { value: Base64 };
  agent_id?: AgentID;
  resource_provider_id?: ResourceProviderID;
}
