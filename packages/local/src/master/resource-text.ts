/**
 * Resources as text, the way a real master writes them: in validation messages
 * (`cpus(allocated: *):3.8; mem(allocated: *):4032; ports(allocated: *):[31000-31099]`,
 * session-scheduler.jsonl) and as the per-name summary of /master/state.
 */
import { rangesOf, scalarOf, type Resource } from '@mesosgot/common/internal';

/** Mesos' `Resources` stream format; `role` adds the `(allocated: role)` annotation. */
export function formatResources(rs: readonly Resource[], role: string | undefined): string {
  const suffix = role === undefined ? '' : `(allocated: ${role})`;
  return rs
    .map((r) => {
      const text =
        r.type === 'SCALAR'
          ? String(r.scalar?.value ?? 0)
          : r.type === 'RANGES'
            ? `[${(r.ranges?.range ?? []).map((x) => `${x.begin}-${x.end}`).join(', ')}]`
            : `{${(r.set?.item ?? []).join(', ')}}`;
      return `${r.name}${suffix}${reservationText(r)}${diskText(r)}:${text}`;
    })
    .join('; ');
}

/** Mesos writes a reservation stack as `(reservations: [(DYNAMIC,role,principal)])`. */
function reservationText(r: Resource): string {
  if (!r.reservations || r.reservations.length === 0) return '';
  const levels = r.reservations.map((x) => `(${[x.type ?? 'UNKNOWN', x.role ?? '*', ...(x.principal !== undefined ? [x.principal] : [])].join(',')})`);
  return `(reservations: [${levels.join(',')}])`;
}

/** A persistent volume as `[<persistence id>:<container path>]`. */
function diskText(r: Resource): string {
  const id = r.disk?.persistence?.id;
  return id === undefined ? '' : `[${id}:${r.disk?.volume?.container_path ?? ''}]`;
}

/** `{cpus, mem, disk, gpus, ports: "[a-b, c-d]"}` as /master/state shows resources. */
export function resourcesSummary(rs: readonly Resource[]): Record<string, number | string> {
  const out: Record<string, number | string> = { cpus: 0, mem: 0, disk: 0, gpus: 0 };
  for (const name of new Set(rs.map((r) => r.name))) {
    const type = rs.find((r) => r.name === name)?.type;
    if (type === 'SCALAR') out[name] = scalarOf(rs, name);
    else if (type === 'RANGES') out[name] = `[${rangesOf(rs, name).map((x) => `${x.begin}-${x.end}`).join(', ')}]`;
  }
  return out;
}
