/**
 * The master's v1 operator API, `POST /api/v1` (also `/master/api/v1`), after Mesos 1.12's
 * `master::Call`: GET_HEALTH, GET_VERSION, GET_FLAGS, GET_METRICS, GET_LOGGING_LEVEL,
 * GET_STATE, GET_AGENTS, GET_FRAMEWORKS, GET_EXECUTORS, GET_TASKS, GET_ROLES, GET_MASTER, LIST_FILES,
 * READ_FILE (file-calls.ts, over the sandboxes the master is given) and
 * the SUBSCRIBE event stream, and RESERVE_RESOURCES, UNRESERVE_RESOURCES, CREATE_VOLUMES and
 * DESTROY_VOLUMES (operator-resource-calls.ts). The other call types of that message
 * (maintenance, quota, …) answer 501: the local master has none of those features.
 * Answers were checked against a real master's (test/fixtures/real-mesos/operator/master-get-*.json).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MasterState } from './master-state.js';
import { getAgents, getExecutors, getFrameworks, getMaster, getState, getTasks } from './operator-views.js';
import { applyOperatorResourceCall, isOperatorResourceCall } from './operator-resource-calls.js';
import { OperatorStream } from './operator-stream.js';
import { sendText } from './scheduler-api.js';
import { answerFileCall } from '../operator/file-calls.js';
import { answerSelfCall, readOperatorCall, sendNotImplemented, type OperatorCodecs } from '../operator/operator-call.js';
import { addResources } from '@mesosgot/common/internal';
import { MASTER_CALL_CODEC, MASTER_RESPONSE_CODEC } from '@mesosgot/common/protobuf';

/** Every `master::Call::Type` of Mesos 1.12. */
export const MASTER_CALL_TYPES: ReadonlySet<string> = new Set([
  'UNKNOWN', 'GET_HEALTH', 'GET_FLAGS', 'GET_VERSION', 'GET_METRICS', 'GET_LOGGING_LEVEL', 'SET_LOGGING_LEVEL',
  'LIST_FILES', 'READ_FILE', 'GET_STATE', 'GET_AGENTS', 'GET_FRAMEWORKS', 'GET_EXECUTORS', 'GET_OPERATIONS',
  'GET_TASKS', 'GET_ROLES', 'GET_WEIGHTS', 'UPDATE_WEIGHTS', 'GET_MASTER', 'SUBSCRIBE', 'RESERVE_RESOURCES',
  'UNRESERVE_RESOURCES', 'CREATE_VOLUMES', 'DESTROY_VOLUMES', 'GROW_VOLUME', 'SHRINK_VOLUME',
  'GET_MAINTENANCE_STATUS', 'GET_MAINTENANCE_SCHEDULE', 'UPDATE_MAINTENANCE_SCHEDULE', 'START_MAINTENANCE',
  'STOP_MAINTENANCE', 'DRAIN_AGENT', 'DEACTIVATE_AGENT', 'REACTIVATE_AGENT', 'GET_QUOTA', 'UPDATE_QUOTA',
  'SET_QUOTA', 'REMOVE_QUOTA', 'TEARDOWN', 'MARK_AGENT_GONE',
]);

/** The master's operator messages, in either encoding. */
const MASTER_OPERATOR_CODECS: OperatorCodecs = {
  validator: 'master::Call',
  knownTypes: MASTER_CALL_TYPES,
  call: MASTER_CALL_CODEC,
  response: MASTER_RESPONSE_CODEC,
};

/** The calls answered with one view of the state (operator-views.ts). */
const STATE_VIEWS = {
  GET_STATE: getState,
  GET_AGENTS: getAgents,
  GET_FRAMEWORKS: getFrameworks,
  GET_EXECUTORS: getExecutors,
  GET_TASKS: getTasks,
  GET_MASTER: getMaster,
} as const;

/** What the API reads besides the state (known to LocalMaster only). */
export interface OperatorApiContext {
  state: MasterState;
  flags(): Record<string, string>;
  metrics(): Record<string, number>;
  /** Directories the files calls serve. */
  filesRoots(): readonly string[];
}

export class OperatorApi {
  readonly #ctx: OperatorApiContext;
  readonly #streams = new Set<OperatorStream>();

  constructor(ctx: OperatorApiContext) {
    this.#ctx = ctx;
  }

  /** Open SUBSCRIBE streams (`master/operator_event_stream_subscribers`). */
  get streamCount(): number {
    return this.#streams.size;
  }

  /** Answers one request; rejects only if reading the body fails (the caller answers 500). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await readOperatorCall(req, res, MASTER_OPERATOR_CODECS);
    if (!request) return;
    const { state } = this.#ctx;
    const { type } = request.call;
    if (answerSelfCall(request, this.#ctx)) return;
    if (await answerFileCall(request, res, this.#ctx.filesRoots(), MASTER_OPERATOR_CODECS.validator)) return;
    switch (type) {
      case 'GET_LOGGING_LEVEL':
        // glog's default verbosity, which a real master answers until SET_LOGGING_LEVEL.
        return request.reply(type, { level: 0 });
      case 'GET_STATE':
      case 'GET_AGENTS':
      case 'GET_FRAMEWORKS':
      case 'GET_EXECUTORS':
      case 'GET_TASKS':
      case 'GET_MASTER':
        return request.reply(type, STATE_VIEWS[type](state));
      case 'GET_ROLES':
        return request.reply(type, { roles: this.#roles() });
      case 'SUBSCRIBE': {
        const stream = new OperatorStream(state, res, request.encoding, (s) => this.#streams.delete(s));
        this.#streams.add(stream);
        return;
      }
      default:
        if (isOperatorResourceCall(type)) {
          const answer = applyOperatorResourceCall(state, { ...request.call, type });
          return sendText(res, answer.status, answer.body);
        }
        return sendNotImplemented(res, type);
    }
  }

  /** Ends every stream (the master is stopping). */
  closeAll(): void {
    for (const stream of [...this.#streams]) stream.close();
    this.#streams.clear();
  }

  /** Roles in use, with their frameworks and allocations (GET_ROLES' `Role` messages). */
  #roles(): Record<string, unknown>[] {
    const { state } = this.#ctx;
    const byRole = new Map<string, string[]>();
    for (const fw of state.frameworks.all()) for (const role of fw.roles) byRole.set(role, [...(byRole.get(role) ?? []), fw.id]);
    return [...byRole].map(([name, frameworkIds]) => {
      const used = state.tasks.all().filter((t) => frameworkIds.includes(t.frameworkId) && !t.resourcesReleased).flatMap((t) => t.resources);
      return { name, weight: 1, frameworks: frameworkIds.map((value) => ({ value })), resources: addResources([], used) };
    });
  }
}
