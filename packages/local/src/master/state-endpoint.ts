/**
 * Read-only GET endpoints of the master (docs/protocol.md, "Operator endpoints"; shapes as a
 * real Mesos 1.12 master answers them, test/fixtures/real-mesos/operator/master-*.json):
 * `/health`, `/redirect`, `/version`, `/flags`, `/metrics/snapshot`, `/master/state`
 * (also `/state`, `/state.json`), `/master/state-summary`, `/master/frameworks`,
 * `/master/slaves`, `/master/tasks` (`limit`, `offset`, `order`). Each `/master/x` is also
 * served as `/x`, as a real master's routes are.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  agentSummary,
  completedFrameworks,
  frameworkSummary,
  frameworksDocument,
  parseTasksQuery,
  slavesDocument,
  stateSummary,
  tasksDocument,
} from './classic-views.js';
import type { MasterState } from './master-state.js';
import { MESOS_VERSION } from './master-state.js';
import { sendText } from './scheduler-api.js';
import { versionInfo } from '../operator/version-info.js';

/** What the endpoints read besides the state (known to LocalMaster only). */
export interface ReadonlyEndpointsContext {
  state: MasterState;
  flags(): Record<string, string>;
  metrics(): Record<string, number>;
}

/** Paths that answer JSON documents, by name without the `/master` prefix. */
const DOCUMENTS: Record<string, (ctx: ReadonlyEndpointsContext, query: URLSearchParams) => unknown> = {
  '/state': (ctx) => masterStateJson(ctx),
  '/state.json': (ctx) => masterStateJson(ctx),
  '/state-summary': (ctx) => stateSummary(ctx.state),
  '/frameworks': (ctx) => frameworksDocument(ctx.state),
  '/slaves': (ctx) => slavesDocument(ctx.state),
  '/tasks': (ctx, query) => {
    const parsed = parseTasksQuery(query);
    return typeof parsed === 'string' ? new BadQuery(parsed) : tasksDocument(ctx.state, parsed);
  },
  '/tasks.json': (ctx, query) => DOCUMENTS['/tasks']!(ctx, query),
  '/flags': (ctx) => ({ flags: ctx.flags() }),
  '/version': () => versionInfo(),
  '/metrics/snapshot': (ctx) => ctx.metrics(),
};

const ROOT_ONLY = new Set(['/version', '/metrics/snapshot']);

/** Documents only the leading master serves; a follower redirects them (`Master::Http::redirect`). */
export const LEADER_ONLY_DOCUMENTS: ReadonlySet<string> = new Set(
  ['/state', '/state.json', '/state-summary', '/frameworks', '/slaves', '/tasks', '/tasks.json'].flatMap((p) => [p, `/master${p}`]),
);

/** A query parameter a document refused: answered 400 with its text. */
class BadQuery {
  constructor(readonly message: string) {}
}

/** Answers a GET on one of the endpoints; false if the path is not one of them. */
export function handleStateEndpoints(ctx: ReadonlyEndpointsContext, req: IncomingMessage, res: ServerResponse, path: string): boolean {
  const { state } = ctx;
  switch (path) {
    case '/health':
    case '/master/health':
      sendText(res, 200, '');
      return true;
    case '/redirect':
    case '/master/redirect':
      // Protocol-relative, like a real master's (docs/protocol.md, "Master detection").
      res.writeHead(307, { Location: `//${state.hostname}:${state.port}`, 'Content-Length': '0' });
      res.end();
      return true;
  }
  const name = path.startsWith('/master/') ? path.slice('/master'.length) : path;
  // libprocess serves these at the root only; every other document also under /master.
  const document = name !== path && ROOT_ONLY.has(name) ? undefined : DOCUMENTS[name];
  if (!document) return false;
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    req.resume();
    sendText(res, 405, `405 Method Not Allowed. Expecting one of { 'GET', 'HEAD' }, but received '${req.method ?? ''}'.`, {
      Allow: 'GET, HEAD',
    });
    return true;
  }
  const answer = document(ctx, new URL(req.url ?? '/', 'http://master').searchParams);
  if (answer instanceof BadQuery) {
    sendText(res, 400, answer.message);
    return true;
  }
  const body = Buffer.from(JSON.stringify(answer), 'utf8');
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}

/** The /master/state document (field names as Mesos' operator JSON). */
export function masterStateJson(ctx: ReadonlyEndpointsContext): Record<string, unknown> {
  const { state } = ctx;
  const info = state.masterInfo();
  const { build_date, build_time, build_user } = versionInfo();
  return {
    version: MESOS_VERSION,
    build_date,
    build_time,
    build_user,
    capabilities: (info.capabilities ?? []).map((c) => c.type),
    id: info.id,
    pid: info.pid,
    hostname: info.hostname,
    activated_slaves: state.agents.all().length,
    deactivated_slaves: 0,
    leader: info.pid,
    leader_info: info,
    flags: ctx.flags(),
    slaves: state.agents.all().map((a) => agentSummary(state, a)),
    frameworks: state.frameworks.all().map((fw) => frameworkSummary(state, fw)),
    completed_frameworks: completedFrameworks(state),
    orphan_tasks: [],
    recovered_slaves: [],
    unreachable_slaves: 0,
    unregistered_frameworks: [],
    start_time: state.startedAt,
    elected_time: state.startedAt,
  };
}
