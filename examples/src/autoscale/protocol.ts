/**
 * The autoscale example's typed protocol, imported by both scripts: the scheduler sends a
 * worker a job (how many milliseconds of work it stands for), the worker answers when done.
 */
import { defineProtocol, jsonCodec } from '@mesosgot/common';

export type Job = { job: number; workMs: number };
export type Done = { job: number };

export const autoscaleProtocol = defineProtocol({
  worker: { toTask: jsonCodec<Job>(), fromTask: jsonCodec<Done>() },
});
export type AutoscaleProtocol = typeof autoscaleProtocol.kinds;
