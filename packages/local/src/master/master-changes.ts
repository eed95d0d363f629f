/**
 * What the master's state announces to its operator event streams (Mesos' operator API
 * `SUBSCRIBE`: TASK_ADDED, TASK_UPDATED, AGENT_ADDED, AGENT_REMOVED, FRAMEWORK_ADDED,
 * FRAMEWORK_UPDATED, FRAMEWORK_REMOVED). The master's handlers call `emit`; listeners must not
 * throw and must not call back into the master's state synchronously.
 */
import type { FrameworkInfo, TaskStatus } from '@mesosgot/common/internal';
import type { AgentEntry } from './agent-registry.js';
import type { Framework } from './frameworks.js';
import type { MasterTask } from './task-registry.js';

export type MasterChange =
  | { kind: 'task-added'; task: MasterTask }
  | { kind: 'task-updated'; task: MasterTask; status: TaskStatus }
  | { kind: 'agent-added'; agent: AgentEntry }
  | { kind: 'agent-removed'; agentId: string }
  | { kind: 'framework-added'; framework: Framework }
  | { kind: 'framework-updated'; framework: Framework }
  | { kind: 'framework-removed'; info: FrameworkInfo };

export type MasterChangeListener = (change: MasterChange) => void;

/** The listener set. Emitting with no listener costs one size check (the common case). */
export class MasterChanges {
  readonly #listeners = new Set<MasterChangeListener>();

  /** Adds a listener; returns the function that removes it. */
  listen(listener: MasterChangeListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  emit(change: MasterChange): void {
    if (this.#listeners.size === 0) return;
    for (const listener of [...this.#listeners]) listener(change);
  }
}
