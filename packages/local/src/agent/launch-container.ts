/**
 * The launch path a custom executor and a command task share (docs/protocol.md, "Launch path", as
 * Mesos' containerizer runs it): the sandbox, the fetch of CommandInfo.uris into it, then the
 * process with the executor environment (docs/protocol.md, "Executor environment"). What each reports around it differs, so the
 * callers keep their own error handling.
 */
import { formatStoutDuration, type CommandInfo, type Resource } from '@mesosgot/common/internal';
import type { AgentContext } from './agent-context.js';
import { executorEnvironment } from './executor-env.js';
import { fetchUris } from './fetcher.js';
import { ContainerProcess } from './launcher.js';
import { linkVolumes } from './persistent-volumes.js';
import { createSandbox } from './sandbox.js';

export interface ContainerLaunch {
  frameworkId: string;
  /** The executor id; a command task's is its task id (docs/protocol.md, "Ids"). */
  executorId: string;
  containerId: string;
  command: CommandInfo;
  /** The framework checkpoints: the recovery variables are exported (docs/protocol.md, "Executor environment"). */
  checkpoint: boolean;
  /** MESOS_EXECUTOR_SHUTDOWN_GRACE_PERIOD (docs/protocol.md, "Executor environment"). */
  shutdownGracePeriodMs: number;
  /** Told the path as soon as the sandbox exists, so the agent lists it even if the fetch fails. */
  onSandbox(sandbox: string): void;
  /** The persistent volumes to link into the sandbox, asked for right after `onSandbox`. */
  volumes(): readonly Resource[];
  /** Asked after the fetch: a container shut down or killed meanwhile is not started. */
  isCancelled(): boolean;
}

/**
 * Resolves with the started process, or undefined if `isCancelled()` said so after the fetch.
 * Rejects when the sandbox cannot be made, a URI cannot be fetched or the process cannot be
 * spawned (the caller reports REASON_CONTAINER_LAUNCH_FAILED, docs/protocol.md, "Executor termination"); nothing is left running then.
 */
export async function launchContainer(ctx: AgentContext, launch: ContainerLaunch): Promise<ContainerProcess | undefined> {
  const { frameworkId, executorId, command } = launch;
  const sandbox = await createSandbox({ workDir: ctx.workDir, agentId: ctx.agentId, frameworkId, executorId, containerId: launch.containerId });
  launch.onSandbox(sandbox);
  await linkVolumes(ctx.workDir, sandbox, launch.volumes());
  const fetched = await fetchUris(command.uris ?? [], sandbox, { limits: ctx.fetchLimits });
  if (fetched.kind === 'failed') throw new Error(fetched.message);
  if (launch.isCancelled()) return undefined;
  const token = ctx.executorToken(frameworkId, executorId);
  return ContainerProcess.launch(command, {
    cwd: sandbox,
    env: executorEnvironment({
      frameworkId,
      executorId,
      agentId: ctx.agentId,
      agentEndpoint: ctx.endpoint,
      sandbox,
      checkpoint: launch.checkpoint,
      shutdownGracePeriod: formatStoutDuration(launch.shutdownGracePeriodMs),
      recoveryTimeout: ctx.timeouts.recoveryTimeout,
      subscriptionBackoffMax: formatStoutDuration(ctx.timeouts.reregistrationTimeoutMs),
      command,
      ...(token !== undefined ? { authenticationToken: token } : {}),
    }),
  });
}
