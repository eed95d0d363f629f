/**
 * The live status page in a real browser: the elevator example runs on the embedded cluster,
 * headless Chromium (Debian's `chromium`, driven by puppeteer-core, which never downloads a
 * browser) opens the URL the scheduler printed, and the page must show every task row, their
 * states and non-zero message rates, and keep updating. A screenshot goes to reports/.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { waitFor } from '@mesosgot/local/testing';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ELEVATORS = 3;
const FLOORS = 10;

describe('status page in headless Chromium (elevator on --master local)', () => {
  let app: ChildProcess | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let profile: string | undefined;
  let url = '';
  let appOutput = '';

  beforeAll(async () => {
    // Like the ZooKeeper tests: the Debian package is installed when missing (scripts/test-prereqs).
    if (!existsSync(CHROMIUM)) expect(spawnSync('bash', [join(root, 'scripts', 'test-prereqs')], { stdio: 'inherit' }).status).toBe(0);
    expect(spawnSync(process.execPath, [join(root, 'scripts', 'bundle.js')], { cwd: root }).status).toBe(0);
    // Enough requests to outlive the test; the test stops it.
    app = spawn(process.execPath, ['examples/dist/elevator/app_scheduler.js', '--elevators', String(ELEVATORS), '--floors', String(FLOORS), '--requests', '10000000'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    app.stdout!.on('data', (c: Buffer) => (appOutput += c.toString()));
    app.stderr!.on('data', (c: Buffer) => (appOutput += c.toString()));
    url = await waitFor(() => /status page: (http:\S+)/.exec(appOutput)?.[1], { timeoutMs: 30_000, what: 'the status page URL on stderr' });
    profile = mkdtempSync(join(tmpdir(), 'mesosgot-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      userDataDir: profile,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    if (app && app.exitCode === null && app.signalCode === null) {
      const exited = new Promise((resolve) => app!.once('exit', resolve));
      app.kill('SIGTERM');
      const timer = setTimeout(() => app!.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    if (profile) rmSync(profile, { recursive: true, force: true });
  }, 30_000);

  const text = (selector: string): Promise<string> => page!.$eval(selector, (el) => el.textContent ?? '');
  const number = (shown: string): number => {
    const m = /([\d.]+)\s*(k|M)?/.exec(shown);
    return m ? Number(m[1]) * (m[2] === 'M' ? 1e6 : m[2] === 'k' ? 1e3 : 1) : NaN;
  };

  it('shows every task running with non-zero message rates, updating live; saves a screenshot', async () => {
    await page!.goto(url, { waitUntil: 'domcontentloaded' });
    const ids = [...Array.from({ length: ELEVATORS }, (_, i) => `elevator-${i}`), ...Array.from({ length: FLOORS }, (_, i) => `floor-${i}`)];
    await waitFor(
      async () => {
        const phases = await page!.$$eval('#tasks tbody tr', (rows) => rows.map((r) => `${r.getAttribute('data-task')}=${r.getAttribute('data-phase')}`));
        return ids.every((id) => phases.includes(`${id}=running`));
      },
      { timeoutMs: 60_000, what: `${ids.length} task rows, all running` },
    );
    const rate = async (): Promise<number> => number(await text('[data-total="msgs/s in"] b'));
    await waitFor(async () => (await rate()) > 0, { timeoutMs: 30_000, what: 'a non-zero total msgs/s in' });
    const rowRates = await page!.$$eval('#tasks tbody tr', (rows) => rows.map((r) => r.querySelectorAll('td')[4]?.textContent));
    expect(rowRates.filter((r) => Number.parseFloat(r ?? '0') > 0).length).toBeGreaterThan(0);
    expect(await text('#alloc')).toBe('launched');
    expect((await page!.$$('#links tbody tr')).length).toBeGreaterThan(0);

    // Live: the server pushes a new document every second; the page's totals move on.
    const before = number(await text('[data-total="msgs in"] b'));
    const stamp = await text('#live');
    await waitFor(async () => (await text('#live')) !== stamp && number(await text('[data-total="msgs in"] b')) > before, { timeoutMs: 10_000, what: 'the page updating' });

    mkdirSync(join(root, 'reports'), { recursive: true });
    await page!.screenshot({ path: join(root, 'reports', 'status-page.png'), fullPage: true });
  }, 120_000);
});
