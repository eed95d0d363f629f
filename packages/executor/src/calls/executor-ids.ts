/** The two ids every executor call carries (mesos-v1-protocol.md §7.2). */
export interface ExecutorIds {
  frameworkId: string;
  executorId: string;
}
