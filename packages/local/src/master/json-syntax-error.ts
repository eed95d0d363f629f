/**
 * Finds the first JSON syntax error the way Mesos' parser (picojson, through stout) reports
 * it, so a malformed body gets the same 400 text as a real master:
 * `syntax error at line 1 near: not json` for the body `{not json` (scheduler-contract.json).
 * picojson stops at the first complete value and ignores what follows, so do we.
 */

export type JsonScan = { ok: true; end: number } | { ok: false; message: string };

/** Scans one JSON value from the start of `text`. */
export function scanJson(text: string): JsonScan {
  const scanner = new Scanner(text);
  const ok = scanner.value();
  if (ok) return { ok: true, end: scanner.pos };
  return { ok: false, message: scanner.errorMessage() };
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  errorMessage(): string {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    let rest = '';
    for (const ch of this.text.slice(this.pos)) {
      if (ch === '\n') break;
      if (ch >= ' ') rest += ch;
    }
    return `syntax error at line ${line} near: ${rest}`;
  }

  value(): boolean {
    this.ws();
    const ch = this.text[this.pos];
    switch (ch) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true');
      case 'f':
        return this.literal('false');
      case 'n':
        return this.literal('null');
      default:
        return this.number();
    }
  }

  private ws(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos]!)) this.pos++;
  }

  private expect(ch: string): boolean {
    this.ws();
    if (this.text[this.pos] !== ch) return false;
    this.pos++;
    return true;
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    this.pos += word.length;
    return true;
  }

  private number(): boolean {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (!m || m[0].length === 0) return false;
    this.pos += m[0].length;
    return true;
  }

  private string(): boolean {
    this.pos++; // opening quote
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === '"') {
        this.pos++;
        return true;
      }
      if (ch === '\\') {
        const next = this.text[this.pos + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) return false;
          this.pos += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          this.pos += 2;
        } else {
          return false;
        }
        continue;
      }
      if (ch < ' ') return false;
      this.pos++;
    }
    return false;
  }

  private array(): boolean {
    this.pos++;
    if (this.expect(']')) return true;
    for (;;) {
      if (!this.value()) return false;
      if (this.expect(']')) return true;
      if (!this.expect(',')) return false;
    }
  }

  private object(): boolean {
    this.pos++;
    if (this.expect('}')) return true;
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"' || !this.string()) return false;
      if (!this.expect(':')) return false;
      if (!this.value()) return false;
      if (this.expect('}')) return true;
      if (!this.expect(',')) return false;
    }
  }
}
