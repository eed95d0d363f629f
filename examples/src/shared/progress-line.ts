/**
 * A live progress line on a terminal (rewritten in place), plain lines at most once a second
 * when stdout is not a TTY (CI logs, pipes).
 */
const PLAIN_LINE_INTERVAL_MS = 1_000;

export class ProgressLine {
  private lastPlainAt = 0;
  private lastText = '';
  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {}

  update(text: string): void {
    if (text === this.lastText) return;
    this.lastText = text;
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${text}`);
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainAt >= PLAIN_LINE_INTERVAL_MS) {
      this.lastPlainAt = now;
      this.out.write(`${text}\n`);
    }
  }

  /** Ends the live line so the next output starts on a fresh line. */
  done(): void {
    if (this.out.isTTY && this.lastText) this.out.write('\n');
  }
}
