/** An Executor that records every callback (name and arguments) and lets a test hook any of them. */
import type { Executor, ExecutorDriver } from '../../src/index.js';

export interface Seen {
  name: keyof Executor;
  args: unknown[];
}

export type Hooks = { [K in keyof Executor]?: (driver: ExecutorDriver, ...args: unknown[]) => void | Promise<void> };

export class RecordingExecutor implements Executor {
  readonly seen: Seen[] = [];
  constructor(private readonly hooks: Hooks = {}) {}

  names(): string[] {
    return this.seen.map((s) => s.name);
  }
  has(name: keyof Executor): boolean {
    return this.seen.some((s) => s.name === name);
  }
  argsOf(name: keyof Executor): unknown[][] {
    return this.seen.filter((s) => s.name === name).map((s) => s.args);
  }

  #record(name: keyof Executor, driver: ExecutorDriver, args: unknown[]): void | Promise<void> {
    this.seen.push({ name, args });
    return this.hooks[name]?.(driver, ...args);
  }

  registered(driver: ExecutorDriver, ...args: unknown[]) { return this.#record('registered', driver, args); }
  reregistered(driver: ExecutorDriver, ...args: unknown[]) { return this.#record('reregistered', driver, args); }
  disconnected(driver: ExecutorDriver) { return this.#record('disconnected', driver, []); }
  launchTask(driver: ExecutorDriver, ...args: unknown[]) { return this.#record('launchTask', driver, args); }
  killTask(driver: ExecutorDriver, ...args: unknown[]) { return this.#record('killTask', driver, args); }
  frameworkMessage(driver: ExecutorDriver, ...args: unknown[]) { return this.#record('frameworkMessage', driver, args); }
  shutdown(driver: ExecutorDriver) { return this.#record('shutdown', driver, []); }
  error(driver: ExecutorDriver, ...args: unknown[]) { return this.#record('error', driver, args); }
}
