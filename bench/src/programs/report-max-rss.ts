/**
 * Preloaded (`node --import report-max-rss.js …`) into a process whose peak resident set the
 * bench wants: at exit it writes one line `max-rss-kib=<n>` to stderr. On Linux the figure is
 * VmHWM from /proc/self/status, the high-water mark of this program's own address space:
 * getrusage's maxRSS also remembers the address space the process had before exec (a fork of
 * its parent), so a child of a large bench process would report at least the parent's size.
 * Elsewhere it falls back to process.resourceUsage().maxRSS. Loads nothing else, so a bare
 * `node --import … -e 0` is the baseline of the same measurement.
 */
import { readFileSync, writeSync } from 'node:fs';

function peakKib(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]);
  } catch {
    // Not Linux: no /proc.
  }
  return process.resourceUsage().maxRSS;
}

process.once('exit', () => {
  writeSync(2, `\nmax-rss-kib=${peakKib()}\n`);
});
