/**
 * The machine a run was measured on, written into results.json so figures from different
 * machines are never compared as if they were alike.
 */
import os from 'node:os';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
  arch: string;
  /** ISO 8601 time the run started. */
  date: string;
}

/** Describes this machine now (no I/O beyond `os` queries). */
export function describeMachine(now: Date = new Date()): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: os.platform(),
    arch: os.arch(),
    date: now.toISOString(),
  };
}
