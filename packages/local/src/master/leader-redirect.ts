/**
 * How a master that does not lead answers (docs/protocol.md, "Leader redirects", "Master detection"), after
 * Mesos' `Master::Http::redirect`: 307 with a protocol-relative Location on the leader
 * (`//<hostname>:<port>` plus the request path under `/master`), an empty body; 503
 * `No leader elected` when no leader is known. Recorded: zk-ha-layout.json.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MasterInfo } from '@mesosgot/common/internal';
import { sendText } from './scheduler-api.js';
import type { Leadership } from './zk-membership.js';

/** The route name a real master serves under (its libprocess id), kept in redirected paths. */
const MASTER_ROUTE = '/master';

/** The leader's MasterInfo as this master sees it: its own when leading, none when unknown. */
export function leaderInfo(leadership: Leadership, self: MasterInfo): MasterInfo | undefined {
  switch (leadership.state) {
    case 'leading':
      return self;
    case 'following':
      return leadership.leader;
    case 'no-leader':
      return undefined;
  }
}

/**
 * The Location a real master gives for `path`: `/redirect` and `/master/redirect` go to the
 * leader's base URL (no loop); `/master/...` keeps its path; any other path gets `/master`
 * in front (a POST to `/api/v1/scheduler` → `//127.0.0.1:5062/master/api/v1/scheduler`).
 */
export function leaderLocation(leader: MasterInfo, path: string): string {
  const host = leader.hostname ?? leader.address?.hostname ?? leader.address?.ip ?? '127.0.0.1';
  const base = `//${host}:${leader.port}`;
  if (path === '/redirect' || path === `${MASTER_ROUTE}/redirect`) return base;
  if (path.startsWith(`${MASTER_ROUTE}/`)) return `${base}${path}`;
  return `${base}${MASTER_ROUTE}${path}`;
}

/** Answers with the redirect (or the 503); the request body is drained, never read. */
export function redirectToLeader(req: IncomingMessage, res: ServerResponse, leader: MasterInfo | undefined): void {
  req.resume();
  const path = (req.url ?? '/').split('?')[0]!;
  if (!leader) return sendText(res, 503, 'No leader elected');
  res.writeHead(307, { Location: leaderLocation(leader, path), 'Content-Length': '0' });
  res.end();
}
