/**
 * The repository explains itself: comments, tests and READMEs cite only what a reader of the
 * repository can open (docs/design.md, "Layers"). Two checks over every source, test and
 * Markdown file: no citation of documents kept outside the repository (a protocol reference,
 * design or style notes, a sibling `shared` folder, issue numbers, section signs), and every
 * `docs/<file>.md, "<Section>"` citation names a file in docs/ and a heading in it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, expect } from '@jest/globals';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** Directories that are generated, installed, or copied verbatim from a real Mesos. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', 'reports', '.work', 'real-mesos']);
/** TypeDoc's output (`npm run docs`), generated from the sources scanned here. */
const GENERATED = join(ROOT, 'docs', 'api');
const SCANNED = /\.(?:ts|mts|cts|js|mjs|cjs|md)$/;

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const sub = join(dir, entry.name);
      if (!SKIPPED_DIRS.has(entry.name) && sub !== GENERATED) yield* walk(sub);
    } else if (SCANNED.test(entry.name)) {
      yield join(dir, entry.name);
    }
  }
}

const FILES = [...walk(ROOT)].map((path) => ({ path, rel: relative(ROOT, path).split(sep).join('/') }));

/** Each pattern is built from pieces so that this file does not match itself. */
const FORBIDDEN: { what: string; re: RegExp }[] = [
  { what: 'the outside protocol reference', re: new RegExp(['mesos', 'v1', 'protocol'].join('-')) },
  { what: 'a section sign (cite docs/<file>.md, "<Section>" instead)', re: new RegExp('\u00a7') },
  { what: 'design notes kept outside the repository', re: new RegExp(['DESIGN', 'md'].join('\\.')) },
  { what: 'style notes kept outside the repository', re: new RegExp(['STYLE', 'md'].join('\\.')) },
  { what: 'an absolute path to the shared folder', re: new RegExp(['', 'work', 'shared'].join('/')) },
  { what: 'an issue number', re: new RegExp(['\\bissues?', '#?\\d+'].join('\\s+'), 'i') },
  { what: 'an issue number', re: new RegExp('(?<![\\w&/#])' + '#' + '\\d+\\b') },
];

/** A relative path to a `shared` folder (any depth) that does not resolve to a directory inside the repository. */
function outsideSharedRefs(path: string, text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/((?:\.\.\/)+)shared\b/g)) {
    const target = resolve(dirname(path), m[1]!, 'shared');
    if (!target.startsWith(ROOT + sep) || !existsSync(target)) found.push(m[0]);
  }
  return found;
}

/** Comment continuations (` * `, `// `) joined, so a citation wrapped over lines reads as one. */
const unwrap = (text: string): string => text.replace(/\n[ \t]*(?:\*(?!\/)|\/\/)?[ \t]*/g, ' ');

/** `docs/<file>.md, "A", "B", rule 3, "C"`: the file and every quoted section name. */
const CITATION = /docs\/([\w.-]+\.md),\s*("[^"]+"(?:,\s*(?:rules?\s+[\d, and]+|"[^"]+"))*)/g;

function headings(docFile: string): Set<string> {
  const text = readFileSync(join(ROOT, 'docs', docFile), 'utf8');
  return new Set([...text.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*$/gm)].map((m) => m[1]!));
}

describe('repository citations', () => {
  it('scans the sources, tests and docs of every package', () => {
    const rels = FILES.map((f) => f.rel);
    expect(rels).toContain('README.md');
    expect(rels).toContain('docs/protocol.md');
    expect(rels.filter((r) => r.startsWith('packages/')).length).toBeGreaterThan(100);
  });

  it('cites no document kept outside the repository, and no issue number', () => {
    const problems: string[] = [];
    for (const { path, rel } of FILES) {
      const text = readFileSync(path, 'utf8');
      text.split('\n').forEach((line, i) => {
        for (const { what, re } of FORBIDDEN) if (re.test(line)) problems.push(`${rel}:${i + 1}: ${what}: ${line.trim()}`);
      });
      for (const ref of outsideSharedRefs(path, text)) problems.push(`${rel}: ${ref} points outside the repository`);
    }
    expect(problems).toEqual([]);
  });

  it('cites docs/<file>.md only with sections that exist as headings', () => {
    const cache = new Map<string, Set<string> | undefined>();
    const problems: string[] = [];
    let citations = 0;
    for (const { path, rel } of FILES) {
      for (const m of unwrap(readFileSync(path, 'utf8')).matchAll(CITATION)) {
        const docFile = m[1]!;
        if (!cache.has(docFile)) cache.set(docFile, existsSync(join(ROOT, 'docs', docFile)) ? headings(docFile) : undefined);
        const known = cache.get(docFile);
        for (const [, section] of m[2]!.matchAll(/"([^"]+)"/g)) {
          citations++;
          if (known === undefined) problems.push(`${rel}: docs/${docFile} does not exist`);
          else if (!known.has(section!)) problems.push(`${rel}: docs/${docFile} has no heading "${section}"`);
        }
      }
    }
    expect(problems).toEqual([]);
    expect(citations).toBeGreaterThan(100);
  });

  it('finds a missing heading and an outside citation (the checks can fail)', () => {
    const fake = `x // see ${'docs'}/protocol.md, "Heartbeats", "No such heading"\n`;
    const sections = [...unwrap(fake).matchAll(CITATION)].flatMap((m) => [...m[2]!.matchAll(/"([^"]+)"/g)].map((s) => s[1]));
    expect(sections).toEqual(['Heartbeats', 'No such heading']);
    const known = headings('protocol.md');
    expect(sections.filter((s) => !known.has(s!))).toEqual(['No such heading']);
    const outside = ['see issue', '12'].join(' ');
    expect(FORBIDDEN.some(({ re }) => re.test(outside))).toBe(true);
    const up = '../../' + 'shared';
    expect(outsideSharedRefs(join(ROOT, 'packages', 'x.ts'), `'${up}/notes'`)).toEqual([up]);
  });
});
