/**
 * Which requests need which credentials, as Mesos' flags decide it, applied by GuardedServer
 * before any route runs — so an endpoint added later is covered by the class its path falls in
 * (everything not listed is read-only):
 *
 * - `framework`: the scheduler API. Checked by the scheduler endpoint itself (it needs the
 *   principal for FrameworkInfo), whenever credentials are configured (Mesos
 *   `--authenticate_http_frameworks`).
 * - `executor`: the agent's executor API, with `authenticateHttpExecutors` (Mesos
 *   `--authenticate_http_executors`): `Authorization: Bearer <token>`, the token the agent gave
 *   that executor in MESOS_EXECUTOR_AUTHENTICATION_TOKEN. The endpoint then checks the token
 *   belongs to the call's framework and executor (403 otherwise).
 * - `readwrite`: the v1 operator API (`/api/v1`), with `authenticateHttpReadwrite` (Mesos
 *   `--authenticate_http_readwrite`): HTTP Basic with the configured credentials.
 * - `readonly`: every other endpoint (state, flags, metrics, files, …), with
 *   `authenticateHttpReadonly` (Mesos `--authenticate_http_readonly`): HTTP Basic.
 * - `open`: `/health` and the leader redirect, never authenticated (as in Mesos).
 */
import type { IncomingMessage } from 'node:http';
import { InvalidArgumentError } from '@mesosgot/common/internal';
import { authenticate, type Credential } from '../master/auth.js';

export type EndpointClass = 'framework' | 'executor' | 'readwrite' | 'readonly' | 'open';

export interface HttpAuthSettings {
  /** Principals and secrets for HTTP Basic (frameworks, read-only and read-write endpoints). */
  credentials?: readonly Credential[];
  /** Require HTTP Basic on read-only endpoints (Mesos `--authenticate_http_readonly`). */
  authenticateHttpReadonly?: boolean;
  /** Require HTTP Basic on the operator API (Mesos `--authenticate_http_readwrite`). */
  authenticateHttpReadwrite?: boolean;
  /** Require each executor's token on the executor API (Mesos `--authenticate_http_executors`); agents only. */
  authenticateHttpExecutors?: boolean;
}

/** What to answer instead of the route: 401 with the realm's challenge. */
export interface AuthRefusal {
  status: 401;
  challenge: string;
}

/** Throws InvalidArgumentError when a Basic-authenticated class is switched on without credentials. */
export function checkHttpAuthSettings(settings: HttpAuthSettings): void {
  const hasCredentials = (settings.credentials?.length ?? 0) > 0;
  for (const flag of ['authenticateHttpReadonly', 'authenticateHttpReadwrite'] as const) {
    if (settings[flag] === true && !hasCredentials) {
      throw new InvalidArgumentError(flag, true, 'needs credentials (principals and secrets to check against)');
    }
  }
}

/**
 * The layer's check for one request: undefined when it may go on to its route, else the 401 to
 * send. `role` names the realm (`mesos-master-readonly`, `mesos-agent-executor`, …);
 * `isExecutorToken` says whether a Bearer token is one this agent issued.
 */
export function checkHttpAuth(
  req: IncomingMessage,
  endpoint: EndpointClass,
  settings: HttpAuthSettings,
  role: 'master' | 'agent',
  isExecutorToken: (token: string) => boolean = () => false,
): AuthRefusal | undefined {
  switch (endpoint) {
    case 'open':
    case 'framework':
      return undefined;
    case 'executor': {
      if (settings.authenticateHttpExecutors !== true) return undefined;
      const token = bearerToken(req);
      return token !== undefined && isExecutorToken(token) ? undefined : { status: 401, challenge: `Bearer realm="mesos-${role}-executor"` };
    }
    case 'readwrite':
    case 'readonly': {
      const required = endpoint === 'readonly' ? settings.authenticateHttpReadonly : settings.authenticateHttpReadwrite;
      if (required !== true || authenticate(req, settings.credentials).ok) return undefined;
      return { status: 401, challenge: `Basic realm="mesos-${role}-${endpoint}"` };
    }
  }
}

/** The token of an `Authorization: Bearer <token>` header, if that is what the request carries. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1];
}
