/** The two ids every executor call carries (docs/protocol.md, "Executor calls"). */
export interface ExecutorIds {
  frameworkId: string;
  executorId: string;
}
