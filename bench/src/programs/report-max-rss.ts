/**
 * Preloaded (`node --import report-max-rss.js …`) into a process whose peak resident set the
 * bench wants: at exit it writes one line `max-rss-kib=<n>` to stderr (the kernel's high-water
 * mark, process.resourceUsage().maxRSS). Loads nothing else, so a bare `node --import … -e 0`
 * is the baseline of the same measurement.
 */
import { writeSync } from 'node:fs';

process.once('exit', () => {
  writeSync(2, `\nmax-rss-kib=${process.resourceUsage().maxRSS}\n`);
});
