/**
 * `--master local`: the embedded cluster, loaded on demand. `@mesosgot/local` is an optional peer
 * of this package (a scheduler that talks to a real master does not install it), so it is
 * imported only when a run asks for it; when it is missing, run() rejects at once with a
 * MissingPackageError whose one-line message says what to install.
 */
import { MissingPackageError, type Resource } from '@mesosgot/common/internal';

/** The embedded cluster for `--master local` (the seam @mesosgot/local fills; see README). */
export interface LocalClusterHandle {
  /** `http://127.0.0.1:PORT` of its master. */
  masterUrl: string;
  /** Stops the master, agents and their executors. */
  stop(): Promise<void>;
  /**
   * Each agent's id and total resources, when the starter knows them: run() then refuses at
   * once a task that fits no agent (UnfittableTaskError) instead of waiting for offers for ever.
   */
  agents?: () => readonly { agentId: string; resources: readonly Resource[] }[];
}
/** Starts the embedded cluster for `--master local`; resolves once its master answers. */
export type LocalClusterStarter = (settings: {
  agents: number;
  agentResources: string;
  refuseSeconds: number;
  /** Where the cluster's log lines go (which failed executors' sandboxes it kept at stop). */
  log?: (line: string) => void;
}) => Promise<LocalClusterHandle>;

/** The package `--master local` loads. */
export const LOCAL_CLUSTER_PACKAGE = '@mesosgot/local';

/**
 * Imports `specifier` (the embedded cluster's package). Resolves with the module; rejects with
 * MissingPackageError when the package itself is not installed, and with the import's own error
 * for anything else (a broken install, a missing dependency of that package).
 */
export async function importOptionalPackage<T>(specifier: string, feature: string): Promise<T> {
  try {
    return (await import(specifier)) as T;
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    // Node names the package it could not find; a dependency missing inside it names another.
    if (code === 'ERR_MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${specifier}'`)) {
      throw new MissingPackageError(specifier, feature, { cause: error });
    }
    throw error;
  }
}

/**
 * Starts a LocalCluster (our mesos-local) in this process. Resolves once its master listens;
 * rejects with MissingPackageError when @mesosgot/local is not installed.
 */
export const startEmbeddedCluster: LocalClusterStarter = async ({ agents, agentResources, refuseSeconds, log }) => {
  const { LocalCluster } = await importOptionalPackage<typeof import('@mesosgot/local')>(LOCAL_CLUSTER_PACKAGE, '--master local');
  const cluster = new LocalCluster({ agents, agentResources, offerRefuseDefault: refuseSeconds, keepFailedSandboxes: true, ...(log === undefined ? {} : { log }) });
  const masterUrl = await cluster.start();
  return { masterUrl, stop: () => cluster.stop(), agents: () => cluster.agents.map((a) => ({ agentId: a.info.id.value, resources: a.info.resources ?? [] })) };
};
