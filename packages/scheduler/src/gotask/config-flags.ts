/**
 * A small flag table engine: one row per setting gives its flag, environment variables,
 * default, type and help, and both the parser and `--help` read the same rows, so the help
 * cannot drift from what is accepted. Precedence: flag > environment > default.
 */
import { InvalidArgumentError } from '@mesosgot/common/internal';

/** A parsed flag value; undefined when neither flag, environment nor default sets it. */
export type FlagValue = string | number | boolean | undefined;

/** One setting of a flag table (an application's `extraFlags`): flag, environment, type, default and help. */
export interface FlagSpec {
  /** Flag name without dashes (`refuse-seconds`). */
  name: string;
  /** Environment variables, most specific first. */
  env?: readonly string[];
  /** How the text is parsed and checked; a `bool` flag is given as `--x` or `--no-x`. */
  kind: 'string' | 'int' | 'number' | 'bool' | 'choice';
  /** For `choice`: the allowed values. */
  choices?: readonly string[];
  /** Used when neither flag nor environment sets it; undefined = unset. */
  defaultValue?: string | number | boolean;
  /** Shown instead of the default in --help when the default is computed (e.g. the current user). */
  defaultText?: string;
  /** Placeholder in --help: `--master <url>`. */
  metavar?: string;
  /** Inclusive bounds for numbers. */
  min?: number;
  /** Inclusive upper bound for numbers. */
  max?: number;
  /** One line for `--help`. */
  help: string;
  /** Extra validation of a parsed value; returns a reason to refuse it. */
  check?: (value: string | number | boolean) => string | undefined;
}

export interface ParsedFlags {
  values: Map<string, FlagValue>;
  /** Where each value came from, for messages. */
  sources: Map<string, 'flag' | 'env' | 'default'>;
  /** Arguments after `--`. */
  rest: string[];
}

/**
 * Parses `argv` against `specs`, filling gaps from `env` and defaults. Accepts `--name value`,
 * `--name=value`, bare `--flag` / `--no-flag` for booleans, and `--` to end flags. Throws
 * InvalidArgumentError naming the flag (or variable) for an unknown flag, a missing or bad value,
 * or a stray positional argument.
 */
export function parseFlags(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, FlagValue>();
  const sources = new Map<string, 'flag' | 'env' | 'default'>();
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith('--') || arg.length === 2) {
      throw new InvalidArgumentError('argv', arg, 'unexpected argument: flags look like --name value; put application arguments after --');
    }
    const eq = arg.indexOf('=');
    let name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    let inline: string | undefined = eq < 0 ? undefined : arg.slice(eq + 1);
    let spec = byName.get(name);
    if (spec === undefined && name.startsWith('no-') && byName.get(name.slice(3))?.kind === 'bool' && inline === undefined) {
      name = name.slice(3);
      spec = byName.get(name);
      inline = 'false';
    }
    if (spec === undefined) throw new InvalidArgumentError(`--${name}`, arg, `unknown flag (see --help)`);
    let text: string;
    if (inline !== undefined) text = inline;
    else if (spec.kind === 'bool') text = 'true';
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        throw new InvalidArgumentError(`--${name}`, next, 'needs a value');
      }
      text = next;
      i++;
    }
    values.set(name, convert(spec, text, `--${name}`));
    sources.set(name, 'flag');
  }
  for (const spec of specs) {
    if (values.has(spec.name)) continue;
    const envName = spec.env?.find((e) => env[e] !== undefined && env[e] !== '');
    if (envName !== undefined) {
      values.set(spec.name, convert(spec, env[envName]!, envName));
      sources.set(spec.name, 'env');
    } else {
      values.set(spec.name, spec.defaultValue);
      sources.set(spec.name, 'default');
    }
  }
  return { values, sources, rest };
}

function convert(spec: FlagSpec, text: string, where: string): string | number | boolean {
  let value: string | number | boolean;
  switch (spec.kind) {
    case 'string':
      if (text === '') throw new InvalidArgumentError(where, text, 'must not be empty');
      value = text;
      break;
    case 'choice':
      if (!spec.choices?.includes(text)) throw new InvalidArgumentError(where, text, `must be one of ${spec.choices?.join(', ')}`);
      value = text;
      break;
    case 'bool':
      if (/^(true|1|yes)$/i.test(text)) value = true;
      else if (/^(false|0|no)$/i.test(text)) value = false;
      else throw new InvalidArgumentError(where, text, 'must be true or false');
      break;
    case 'int':
    case 'number': {
      const n = /^\s*$/.test(text) ? Number.NaN : Number(text);
      if (!Number.isFinite(n)) throw new InvalidArgumentError(where, text, 'must be a number');
      if (spec.kind === 'int' && !Number.isInteger(n)) throw new InvalidArgumentError(where, text, 'must be an integer');
      if (spec.min !== undefined && n < spec.min) throw new InvalidArgumentError(where, text, `must be ≥ ${spec.min}`);
      if (spec.max !== undefined && n > spec.max) throw new InvalidArgumentError(where, text, `must be ≤ ${spec.max}`);
      value = n;
      break;
    }
  }
  const reason = spec.check?.(value);
  if (reason !== undefined) throw new InvalidArgumentError(where, text, reason);
  return value;
}

/** Renders the rows as `--help` lines: flag, help, environment variables, default. */
export function formatFlagTable(specs: readonly FlagSpec[]): string {
  const heads = specs.map((s) => {
    const meta = s.kind === 'bool' ? '' : ` <${s.metavar ?? (s.kind === 'choice' ? s.choices!.join('|') : s.kind === 'string' ? 'text' : 'n')}>`;
    return `  --${s.name}${meta}`;
  });
  const width = Math.min(36, Math.max(...heads.map((h) => h.length)) + 2);
  return specs
    .map((s, i) => {
      const notes: string[] = [];
      if (s.env?.length) notes.push(`env ${s.env.join(', ')}`);
      const def = s.defaultText ?? (s.defaultValue === undefined ? undefined : String(s.defaultValue));
      if (def !== undefined) notes.push(`default ${def}`);
      const head = heads[i]!;
      const pad = head.length >= width ? `\n${' '.repeat(width)}` : ' '.repeat(width - head.length);
      return `${head}${pad}${s.help}${notes.length ? ` [${notes.join('; ')}]` : ''}`;
    })
    .join('\n');
}
