/**
 * LIST_FILES and READ_FILE, the files calls that Mesos' `master::Call` and `agent::Call` share
 * (docs/protocol.md, "Operator endpoints"): the v1 form of `/files/browse` and `/files/read`,
 * answered from the same sandboxes with the same confinement (files-api.ts `confine`). A path
 * outside, missing or unreadable is 404 with an empty body, a directory given to READ_FILE is
 * 400 `Cannot read a directory.`, as a real master or agent answers.
 */
import { lstat, open, readdir, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { confine, MAX_READ_LENGTH, userName, virtualPath } from '../agent/files-api.js';
import { sendText } from '../master/scheduler-api.js';
import { timeInfo } from '../master/operator-views.js';
import type { OperatorRequest } from './operator-call.js';

/**
 * Answers `request` when it is LIST_FILES or READ_FILE and resolves true; resolves false (nothing
 * written) for any other type. `roots` are the directories the caller serves (its sandboxes); a
 * path must resolve inside one of them. `validator` names the message in 400 texts.
 */
export async function answerFileCall(request: OperatorRequest, res: ServerResponse, roots: readonly string[], validator: string): Promise<boolean> {
  const { type } = request.call;
  if (type !== 'LIST_FILES' && type !== 'READ_FILE') return false;
  const field = type.toLowerCase();
  const payload = request.call[field] as { path?: unknown; offset?: unknown; length?: unknown } | undefined;
  if (payload === undefined || payload === null || typeof payload !== 'object') {
    sendText(res, 400, `Failed to validate ${validator}: Expecting '${field}' to be present`);
    return true;
  }
  const requested = typeof payload.path === 'string' ? payload.path : '';
  const target = await resolveIn(roots, requested);
  if (target === undefined) {
    sendText(res, 404, '');
    return true;
  }
  const info = await stat(target);
  if (type === 'LIST_FILES') {
    const entries = info.isDirectory()
      ? await Promise.all((await readdir(target)).sort().map((name) => fileInfo(join(requested, name), join(target, name))))
      : [await fileInfo(requested, target)];
    request.reply(type, { file_infos: entries.filter((e) => e !== undefined) });
    return true;
  }
  if (info.isDirectory()) {
    sendText(res, 400, 'Cannot read a directory.\n');
    return true;
  }
  const offset = Number(payload.offset ?? 0);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    sendText(res, 400, `Failed to validate ${validator}: 'read_file.offset' must be a non-negative integer`);
    return true;
  }
  // No length: to the end of the file; either way at most 16 pages, as Mesos caps one read.
  const length = Math.min(payload.length === undefined ? info.size : Number(payload.length) || 0, MAX_READ_LENGTH, Math.max(0, info.size - offset));
  const data = Buffer.alloc(Math.max(0, length));
  if (data.length > 0) {
    const handle = await open(target, 'r');
    try {
      await handle.read(data, 0, data.length, offset);
    } finally {
      await handle.close();
    }
  }
  request.reply(type, { size: info.size, data: data.toString('base64') });
  return true;
}

/** The real path of `requested` inside the first root that holds it (after `..` and symlinks). */
async function resolveIn(roots: readonly string[], requested: string): Promise<string | undefined> {
  for (const root of roots) {
    const target = await confine(root, await virtualPath(root, requested));
    if (target !== undefined) return target;
  }
  return undefined;
}

/** One `FileInfo` as the v1 API writes it: mode as the numeric `st_mode`, mtime as a TimeInfo. */
async function fileInfo(shownPath: string, realPath: string): Promise<Record<string, unknown> | undefined> {
  try {
    const s = await lstat(realPath);
    return { path: shownPath, nlink: s.nlink, size: s.size, mtime: timeInfo(Math.floor(s.mtimeMs / 1000)), mode: s.mode, uid: userName(s.uid), gid: s.gid === s.uid ? userName(s.gid) : String(s.gid) };
  } catch {
    return undefined; // removed between readdir and lstat: not listed
  }
}
