/**
 * The examples' own flags (`--elevators 3`), split off before the rest of argv goes to
 * loadSchedulerConfig. A bad value is a one-line error and exit code 2, like every script here.
 */
export interface AppFlagSpec {
  name: string;
  help: string;
  defaultValue: number;
  min: number;
}

export interface SplitFlags {
  values: Record<string, number>;
  rest: string[];
}

export class AppFlagError extends Error {}

export function splitAppFlags(argv: readonly string[], specs: readonly AppFlagSpec[]): SplitFlags {
  const values: Record<string, number> = {};
  for (const spec of specs) values[spec.name] = spec.defaultValue;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
    const spec = specs.find((s) => s.name === flag);
    if (!spec) {
      rest.push(arg);
      continue;
    }
    const text = inline ?? argv[++i];
    const value = Number(text);
    if (text === undefined || !Number.isInteger(value) || value < spec.min) {
      throw new AppFlagError(`--${spec.name} needs an integer ≥ ${spec.min}, got ${text ?? 'nothing'}`);
    }
    values[spec.name] = value;
  }
  return { values, rest };
}

export function formatAppFlags(specs: readonly AppFlagSpec[]): string {
  return specs.map((s) => `  --${s.name.padEnd(22)} ${s.help} (default ${s.defaultValue})`).join('\n');
}
