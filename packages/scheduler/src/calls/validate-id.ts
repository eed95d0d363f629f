import { InvalidArgumentError, type Id } from '@mesosgot/common/internal';

/**
 * Throws InvalidArgumentError unless `id` is a Mesos id object with a non-empty string value.
 * Checked before any I/O so that a typo (`{ id: 'x' }`, a bare string) names its field instead of
 * becoming a 400 from the master (unknown JSON fields are silently dropped, docs/protocol.md, "JSON encoding").
 */
export function validateId(field: string, id: unknown): asserts id is Id {
  if (typeof id !== 'object' || id === null || typeof (id as Id).value !== 'string' || (id as Id).value === '') {
    throw new InvalidArgumentError(field, id, 'expected { value: <non-empty string> }');
  }
}

/** validateId for every element of a list; `allowEmpty` false also refuses `[]`. */
export function validateIds(field: string, ids: unknown, allowEmpty = false): asserts ids is Id[] {
  if (!Array.isArray(ids)) throw new InvalidArgumentError(field, ids, 'expected an array of ids');
  if (!allowEmpty && ids.length === 0) throw new InvalidArgumentError(field, ids, 'expected at least one id');
  ids.forEach((id, i) => validateId(`${field}[${i}]`, id));
}

/** Copies an id to a fresh `{ value }` object, dropping any extra fields a caller's object carries. */
export function copyId<T extends Id>(id: T): T {
  // Only `value` exists at run time (the kind is a compile-time brand), so the copy is a T.
  return { value: id.value } as T;
}
