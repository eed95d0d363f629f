/**
 * Why did an executor die? The last lines of its stderr, read the way a Mesos user would: through
 * the agent's files API, `GET /files/read?path=<sandbox>/stderr&offset=&length=`, answered with
 * `{"data": "...", "offset": N}` (offset -1 asks for the size only). The sandbox path comes from
 * the executor itself (a label on its status updates, SANDBOX_LABEL); the agent's address from
 * its offers. Works the same on a real agent and on the embedded cluster's.
 */
import { getJson, SANDBOX_LABEL, type Offer, type TaskStatus } from '@mesosgot/common/internal';
/** How much of the end of stderr an event carries. */
export const STDERR_TAIL_BYTES = 2048;
/** Bound on reading it (the agent may be gone too). */
const READ_TIMEOUT_MS = 2_000;

/** `http://ip:port` of the agent that made `offer`, when the offer says (Mesos sets `url`). */
export function agentUrlOf(offer: Offer): string | undefined {
  const address = offer.url?.address;
  if (address === undefined) return undefined;
  return `${offer.url!.scheme || 'http'}://${address.ip ?? address.hostname}:${address.port}`;
}

/** The sandbox a GoTaskExecutor put on `status`, if any. */
export function sandboxOf(status: TaskStatus): string | undefined {
  return status.labels?.labels?.find((l) => l.key === SANDBOX_LABEL)?.value;
}

/**
 * Resolves with the last `bytes` of `<sandbox>/stderr` on the agent at `agentUrl` (from a line
 * start when it can), or undefined when it cannot be read within the bound. Never rejects.
 */
export async function readStderrTail(agentUrl: string, sandbox: string, options: { bytes?: number; headers?: Record<string, string> } = {}): Promise<string | undefined> {
  const bytes = options.bytes ?? STDERR_TAIL_BYTES;
  const signal = AbortSignal.timeout(READ_TIMEOUT_MS);
  const read = async (offset: number, length: number): Promise<{ data: string; offset: number }> => {
    const url = `${agentUrl}/files/read?path=${encodeURIComponent(`${sandbox}/stderr`)}&offset=${offset}&length=${length}`;
    const got = await getJson(url, { signal, ...(options.headers ? { headers: options.headers } : {}) });
    if (got === undefined) throw new Error(`no file at ${url}`);
    return got as { data: string; offset: number };
  };
  try {
    const { offset: size } = await read(-1, 0);
    const start = Math.max(0, size - bytes);
    const { data } = await read(start, size - start);
    const text = start > 0 && data.includes('\n') ? data.slice(data.indexOf('\n') + 1) : data;
    return text.trimEnd();
  } catch {
    // No agent, no sandbox, no files API: the event goes out without a tail.
    return undefined;
  }
}
