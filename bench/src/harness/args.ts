/**
 * Command-line arguments of `npm run bench`.
 */
export interface RunArgs {
  quick: boolean;
  /** Exit 1 when a goal fails (by default only a benchmark error does: CI machines are noisy). */
  strict: boolean;
  only: string[];
  help: boolean;
  out: string;
}

/** The --help text, listing the benchmark names `--only` accepts. */
export function usage(names: readonly string[]): string {
  return `usage: npm run bench [-- --quick] [-- --strict] [-- --only NAME[,NAME]] [-- --out FILE]
  --quick        fewer rounds and smaller sizes (under a minute)
  --strict       exit 1 when a goal fails (default: only when a benchmark errors)
  --only NAME    run only these benchmarks (repeatable or comma-separated)
  --out FILE     results file (default bench/results.json)
  --help         this text
benchmarks: ${names.join(', ')}`;
}

/**
 * Parses argv (without node and the script). Throws an Error naming the argument on an
 * unknown flag, a missing value or a benchmark name not in `names`.
 */
export function parseArgs(argv: readonly string[], names: readonly string[], defaultOut: string): RunArgs {
  const args: RunArgs = { quick: false, strict: false, only: [], help: false, out: defaultOut };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick':
        args.quick = true;
        break;
      case '--strict':
        args.strict = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      case '--only':
        args.only.push(...value().split(',').filter((s) => s !== ''));
        break;
      case '--out':
        args.out = value();
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  const known = new Set(names);
  const unknown = args.only.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new Error(`unknown benchmark ${unknown.join(', ')}`);
  return args;
}
