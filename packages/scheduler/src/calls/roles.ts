import { InvalidArgumentError } from '@mesosgot/common/internal';

/** Checks an optional role list (REVIVE/SUPPRESS); `undefined` or `[]` means every role (docs/protocol.md, "Scheduler calls"). */
export function validateRoles(field: string, roles: readonly string[] | undefined): string[] | undefined {
  if (roles === undefined) return undefined;
  if (!Array.isArray(roles)) throw new InvalidArgumentError(field, roles, 'expected an array of role names');
  roles.forEach((role, i) => {
    if (typeof role !== 'string' || role === '') throw new InvalidArgumentError(`${field}[${i}]`, role, 'expected a role name');
  });
  return roles.length === 0 ? undefined : [...roles];
}
