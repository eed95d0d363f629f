import { InvalidArgumentError, type FrameworkCapabilityType, type FrameworkInfo } from '@mesosgot/common/internal';

/** camelCase settings for a FrameworkInfo (docs/protocol.md, "FrameworkInfo"). */
export interface FrameworkSettings {
  name: string;
  /** Unix user for executors and tasks; HTTP frameworks must set it (docs/protocol.md, "FrameworkInfo"). Default: the current user. */
  user?: string;
  /** Roles to subscribe with (MULTI_ROLE). Default `['*']`. */
  roles?: readonly string[];
  /** Adds GPU_RESOURCES: without it Mesos offers no GPU agents' resources. */
  isGpuAware?: boolean;
  /** Extra capabilities (MULTI_ROLE is always set). */
  capabilities?: readonly FrameworkCapabilityType[];
  /** Seconds the master keeps tasks after the stream breaks (docs/protocol.md, "Failover timeout"). Default 0 = removal at once. */
  failoverTimeoutSeconds?: number;
  /** Agents checkpoint (needed for agent/executor recovery); immutable after first subscribe. */
  checkpoint?: boolean;
  principal?: string;
  hostname?: string;
  webuiUrl?: string;
  /** Set to fail over to an existing framework (docs/protocol.md, "Subscribing"). */
  frameworkId?: string;
}

/**
 * Builds the wire FrameworkInfo from camelCase settings. Always MULTI_ROLE (roles, not the
 * deprecated `role`). Throws InvalidArgumentError for an empty name, duplicate roles or a
 * negative failover timeout, before any I/O.
 */
export function buildFrameworkInfo(settings: FrameworkSettings): FrameworkInfo {
  if (typeof settings.name !== 'string' || settings.name === '') throw new InvalidArgumentError('name', settings.name, 'required');
  const roles = [...(settings.roles ?? ['*'])];
  if (roles.length === 0 || new Set(roles).size !== roles.length || roles.some((r) => typeof r !== 'string' || r === '')) {
    throw new InvalidArgumentError('roles', settings.roles, 'expected distinct, non-empty role names');
  }
  const timeout = settings.failoverTimeoutSeconds;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout >= 0)) {
    throw new InvalidArgumentError('failoverTimeoutSeconds', timeout, 'expected a number of seconds ≥ 0');
  }
  const capabilities = new Set<FrameworkCapabilityType>(['MULTI_ROLE', ...(settings.capabilities ?? [])]);
  if (settings.isGpuAware === true) capabilities.add('GPU_RESOURCES');
  const info: FrameworkInfo = {
    user: settings.user ?? process.env.USER ?? 'root',
    name: settings.name,
    roles,
    capabilities: [...capabilities].map((type) => ({ type })),
  };
  if (timeout !== undefined) info.failover_timeout = timeout;
  if (settings.checkpoint !== undefined) info.checkpoint = settings.checkpoint;
  if (settings.principal !== undefined) info.principal = settings.principal;
  if (settings.hostname !== undefined) info.hostname = settings.hostname;
  if (settings.webuiUrl !== undefined) info.webui_url = settings.webuiUrl;
  if (settings.frameworkId !== undefined) info.id = { value: settings.frameworkId };
  return info;
}
