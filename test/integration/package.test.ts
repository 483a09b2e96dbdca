import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startedPort, watch } from '../helpers/collector-process.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';

/**
 * The packages as a newcomer gets them: both packed from a clean copy of the checkout (`npm pack`,
 * which builds at prepack), installed from the tarballs into empty folders with no registry (`npm ci
 * --offline`: only the npm cache that the checkout's own install filled), and used there as the
 * README says: `npx iys-consent serve`, `check-config`, and a Vite page importing the widget.
 * better-sqlite3's install script finds its binding as a local prebuild made from the checkout's
 * own (where a user's install downloads one): compiling it from source, what an install does with
 * neither, took 234 s on the loaded 2-core machine. Each step logs how long it took.
 */

const ROOT = join(import.meta.dirname, '../..');
const exec = promisify(execFile);
const MINUTES = 60_000;
const ADMIN_TOKEN = 'package-test-admin-token';

type Packed = { name: string; filename: string; integrity: string; size: number; entryCount: number; files: { path: string }[] };

const dir = mkdtempSync(join(tmpdir(), 'iys-package-'));
const packs = join(dir, 'packs');
const serverApp = join(dir, 'server-app');
const widgetApp = join(dir, 'widget-app');
const packed = new Map<string, Packed>();
const children: ChildProcess[] = [];

function timed<T>(what: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  return run().finally(() => console.log(`package test: ${what} took ${((Date.now() - started) / 1000).toFixed(1)} s`));
}

async function npm(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await exec('npm', args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  return stdout;
}

/** The checkout as git sees it (tracked and new files, nothing ignored), with its node_modules linked. */
async function cleanCopy(to: string): Promise<void> {
  const { stdout } = await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, maxBuffer: 64 << 20 });
  for (const file of stdout.split('\0').filter(Boolean)) {
    if (!existsSync(join(ROOT, file))) continue; // deleted, not yet committed
    // A worktree's node_modules may be a symlink, which .gitignore's `node_modules/` does not match: it is linked below.
    if (file === 'node_modules') continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    cpSync(join(ROOT, file), join(to, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(to, 'node_modules'));
}

async function pack(cwd: string, args: string[] = []): Promise<Packed> {
  const out = await npm(cwd, ['pack', '--json', '--pack-destination', packs, ...args]);
  const [result] = JSON.parse(out.slice(out.indexOf('[\n'))) as Packed[];
  packed.set(result!.name, result!);
  return result!;
}

type LockEntry = Record<string, unknown> & { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };

/**
 * A lockfile for an app that depends on the tarball: the tarball's entry and, for its dependencies,
 * the very entries of the checkout's package-lock.json (the production closure). With it, npm
 * installs offline from the cache `npm ci` filled; without one, npm 11 asks the registry for full
 * package documents, which that cache does not hold.
 */
function appLock(name: string, tarball: Packed): Record<string, unknown> {
  const checkout = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = JSON.parse(readFileSync(join(ROOT, tarball.name === 'iys-consent' ? 'package.json' : 'packages/widget/package.json'), 'utf8')) as LockEntry;
  const resolved = `file:${join(packs, tarball.filename)}`;
  const packages: Record<string, LockEntry> = {
    '': { name, dependencies: { [tarball.name]: resolved } },
    [`node_modules/${tarball.name}`]: {
      version: manifest.version, resolved, integrity: tarball.integrity,
      ...Object.fromEntries(['license', 'bin', 'engines', 'dependencies', 'peerDependencies', 'peerDependenciesMeta'].filter((k) => manifest[k] !== undefined).map((k) => [k, manifest[k]])),
    },
  };
  const wanted = (entry: LockEntry) => [
    ...Object.keys(entry.dependencies ?? {}),
    ...Object.keys(entry.optionalDependencies ?? {}),
    ...Object.keys(entry.peerDependencies ?? {}).filter((p) => !entry.peerDependenciesMeta?.[p]?.optional),
  ];
  const queue: [string, LockEntry][] = [['', manifest]];
  while (queue.length > 0) {
    const [from, entry] = queue.shift()!;
    for (const dep of wanted(entry)) {
      // Node's lookup: the nearest node_modules/dep at or above `from`.
      let at = from;
      for (;;) {
        const path = `${at ? `${at}/` : ''}node_modules/${dep}`;
        if (checkout.packages[path]) {
          if (!packages[path]) {
            const { dev: _dev, devOptional: _devOptional, ...kept } = checkout.packages[path]!;
            packages[path] = kept;
            queue.push([path, kept]);
          }
          break;
        }
        if (at === '') throw new Error(`${dep} (needed by ${from || 'the package'}) is not in package-lock.json`);
        at = at.includes('/node_modules/') ? at.slice(0, at.lastIndexOf('/node_modules/')) : '';
      }
    }
  }
  return { name, lockfileVersion: 3, requires: true, packages };
}

/**
 * better-sqlite3's binding, built by the checkout's install, as the prebuild its installer would
 * download (prebuild-install's name for it), in a folder its installer is pointed at.
 */
async function localPrebuilds(): Promise<string> {
  const at = join(dir, 'prebuilds');
  mkdirSync(at);
  const sqlite = join(ROOT, 'node_modules/better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(sqlite, 'package.json'), 'utf8')) as { version: string };
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  await exec('tar', ['-czf', join(at, name), '-C', sqlite, 'build/Release/better_sqlite3.node']);
  return at;
}

async function install(app: string, tarball: Packed, env: NodeJS.ProcessEnv = {}): Promise<void> {
  mkdirSync(app, { recursive: true });
  // The npm 11 install-script policy: better-sqlite3 builds its binding at install (see the README).
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { [tarball.name]: `file:${join(packs, tarball.filename)}` }, allowScripts: { 'better-sqlite3': true } }, null, 2));
  writeFileSync(join(app, 'package-lock.json'), JSON.stringify(appLock('app', tarball), null, 2));
  await npm(app, ['ci', '--offline', '--no-audit', '--no-fund'], env);
}

function installedPackages(app: string): string[] {
  const lock = JSON.parse(readFileSync(join(app, 'node_modules/.package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
  return Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/'));
}

function duBytes(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += readFileSync(join(entry.parentPath, entry.name)).length;
  }
  return total;
}

/** A process's descendants, nearest first (Linux /proc). */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((c) => [c, ...descendants(c)]);
}

/** The collector among the processes npx started: npx runs the command through a shell, which passes no signal on. */
function collectorProcess(npxPid: number): number {
  const found = descendants(npxPid).find((pid) => {
    try {
      return /iys-consent\0serve/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      return false;
    }
  });
  if (found === undefined) throw new Error('no iys-consent serve process under npx');
  return found;
}

function npx(app: string, args: string[], env: Record<string, string>) {
  const child = spawn('npx', ['--offline', 'iys-consent', ...args], { cwd: app, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return watch(child);
}

/** Serves a folder on 127.0.0.1, for Chromium to load a built page. */
function serveFolder(folder: string): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((req, res) => {
    const path = join(folder, (req.url ?? '/').split('?')[0] === '/' ? 'index.html' : (req.url ?? '').split('?')[0]!);
    if (!path.startsWith(folder) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server })));
}

/** Builds a one-page Vite app importing `specifier` in `app`, loads it in Chromium, and says whether <iys-consent> was defined and rendered its boxes. */
async function viteBuildAndLoad(app: string, specifier: string): Promise<{ defined: boolean; checkboxes: number; bundle: string }> {
  const page = join(app, 'page');
  mkdirSync(page, { recursive: true });
  writeFileSync(join(page, 'index.html'), '<!doctype html><html lang="tr"><body><form><iys-consent channels="MESAJ ARAMA" brand="Test"></iys-consent></form><script type="module" src="./main.js"></script></body></html>');
  writeFileSync(join(page, 'main.js'), `import '${specifier}';\n`);
  await exec(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: page });
  const assets = join(page, 'dist/assets');
  const bundle = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f), 'utf8')).join('\n');
  const { url, server } = await serveFolder(join(page, 'dist'));
  const browser = await chromium.launch({ executablePath: process.env.IYS_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const tab = await browser.newPage();
    await tab.goto(url);
    await tab.waitForFunction(() => customElements.get('iys-consent') !== undefined, undefined, { timeout: 15_000 }).catch(() => undefined);
    return await tab.evaluate(async (b) => {
      const el = document.querySelector('iys-consent') as (HTMLElement & { updateComplete?: Promise<unknown> }) | null;
      await el?.updateComplete;
      return { defined: customElements.get('iys-consent') !== undefined, checkboxes: el?.shadowRoot?.querySelectorAll('input[type=checkbox]').length ?? 0, bundle: b };
    }, bundle);
  } finally {
    await browser.close();
    server.close();
  }
}

beforeAll(async () => {
  const source = join(dir, 'source');
  mkdirSync(packs);
  await timed('copying the checkout', () => cleanCopy(source));
  const server = await timed('npm pack (builds the widget and compiles the collector)', () => pack(source));
  const widget = await timed('npm pack --workspace packages/widget', () => pack(source, ['--workspace', 'packages/widget']));
  console.log(`package test: ${server.filename} ${server.size} B, ${server.entryCount} files; ${widget.filename} ${widget.size} B, ${widget.entryCount} files`);
  const prebuilds = await localPrebuilds();
  await timed('npm ci --offline of iys-consent', () => install(serverApp, server, { npm_config_better_sqlite3_local_prebuilds: prebuilds }));
  await timed('npm ci --offline of iys-consent-widget', () => install(widgetApp, widget));
}, 20 * MINUTES);

afterAll(() => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    for (const pid of descendants(child.pid!).reverse()) process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('the packed iys-consent', () => {
  it('ships compiled JavaScript, maps, the built widget, the demo and the docs: no TypeScript source, test or config', () => {
    const files = packed.get('iys-consent')!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/iys-consent.mjs', 'dist/server/cli/main.js', 'dist/server/cli/main.js.map', 'dist/widget/iys-consent.js', 'dist/widget/iys-consent.lit-external.js', 'dist/widget/iys-consent.d.ts', 'dist/console/index.html', 'demo/index.html', 'README.md', 'LICENSE', 'docs/contract.md']));
    expect(files.filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => /^(test|bench|scripts|server|shared|widget|packages)\/|^(vite|vitest|playwright)\.config|^tsconfig/.test(f))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(serverApp, 'node_modules/iys-consent/package.json'), 'utf8')) as { scripts?: Record<string, string>; dependencies: Record<string, string> };
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
    expect(Object.keys(manifest.dependencies)).not.toContain('tsx');
  });

  it('installs without anything TypeScript: no tsx, no typescript, no esbuild', () => {
    const names = installedPackages(serverApp).map((p) => p.slice(p.lastIndexOf('node_modules/') + 'node_modules/'.length));
    for (const absent of ['tsx', 'typescript', 'esbuild', 'vite']) expect(names).not.toContain(absent);
  });

  it('maps a stack trace of the compiled code back to the TypeScript sources', async () => {
    const config = join(serverApp, 'node_modules/iys-consent/dist/server/runtime/config.js');
    const script = `process.setSourceMapsEnabled(true); const { loadConfig } = await import(${JSON.stringify(config)}); try { loadConfig({ PORT: 'x' }); } catch (e) { console.log(e.stack); }`;
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: serverApp });
    expect(stdout).toMatch(/server\/runtime\/config\.ts:\d+:\d+/);
  });

  it('npx iys-consent serve: takes a consent, registers it with the sandbox, stops on SIGTERM with exit 0', async () => {
    const ledger = join(dir, 'serve.db');
    const p = npx(serverApp, ['serve'], { IYS_SANDBOX: '1', PORT: '0', IYS_DATABASE_URL: `file:${ledger}`, IYS_ADMIN_TOKEN: ADMIN_TOKEN, IYS_FLUSH_MS: '100' });
    const port = await startedPort(p);
    const base = `http://127.0.0.1:${port}`;
    const posted = await fetch(`${base}/v1/consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ recipient: '0532 123 45 67', channels: ['MESAJ'], consentDate: formatTurkeyTime(Date.now()) }),
    });
    expect(posted.status).toBe(202);
    let state = 'pending';
    for (let i = 0; i < 100 && state !== 'registered'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const lookup = await fetch(`${base}/v1/consents?recipient=05321234567`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      state = ((await lookup.json()) as { records: { state: string }[] }).records[0]?.state ?? 'none';
    }
    expect(state).toBe('registered');
    expect((await fetch(`${base}/iys-consent.js`)).status).toBe(200);
    const admin = await fetch(`${base}/admin/`);
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(await admin.text())![1]!;
    expect((await fetch(`${base}${script}`)).status).toBe(200);
    const report = await fetch(`${base}/v1/admin/lookup`, {
      method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ recipient: '05321234567' }),
    });
    const { ref } = (await report.json()) as { ref: string };
    const pdf = await fetch(`${base}/v1/admin/recipients/${ref}/report.pdf`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');
    // What a process manager does: SIGTERM to the collector itself; npx then exits with its code.
    process.kill(collectorProcess(p.child.pid!), 'SIGTERM');
    expect(await p.exited).toBe(0);
    expect(p.out()).toContain('"event":"collector.stopped"');
  }, 2 * MINUTES);

  it('npx iys-consent check-config: names a missing credential and exits non-zero', async () => {
    const p = npx(serverApp, ['check-config'], { IYS_SANDBOX: '0', ILETIMERKEZI_API_KEY: 'key-from-the-panel', IYS_BRAND_CODE: '1234', IYS_DATABASE_URL: `file:${join(dir, 'check.db')}` });
    expect(await p.exited).not.toBe(0);
    expect(p.err()).toMatch(/^ILETIMERKEZI_API_HASH is required when IYS_SANDBOX is 0/m);
    expect(p.err()).not.toContain('key-from-the-panel');
  }, MINUTES);

  it('npx iys-consent check-config: good settings pass, the default ledger under the working directory', async () => {
    const p = npx(serverApp, ['check-config'], { IYS_SANDBOX: '1' });
    expect(await p.exited, p.err()).toBe(0);
    expect(p.err()).toBe('');
    expect(existsSync(join(serverApp, 'data/iys-consent.db'))).toBe(true);
    expect(existsSync(join(serverApp, 'node_modules/iys-consent/data'))).toBe(false);
  }, MINUTES);

  it("keeps import 'iys-consent' working in a Vite app", async () => {
    const page = await viteBuildAndLoad(serverApp, 'iys-consent');
    expect(page).toMatchObject({ defined: true, checkboxes: 2 });
  }, 2 * MINUTES);
});

describe('the packed iys-consent-widget', () => {
  it('installs alone, without the collector\'s dependencies', () => {
    const installed = installedPackages(widgetApp);
    console.log(`package test: a widget-only install holds ${installed.length} package(s), ${duBytes(join(widgetApp, 'node_modules'))} B in node_modules`);
    expect(installed).toEqual(['node_modules/iys-consent-widget']);
    expect(packed.get('iys-consent-widget')!.files.map((f) => f.path).sort()).toEqual(['LICENSE', 'README.md', 'dist/iys-consent-verify.js', 'dist/iys-consent.d.ts', 'dist/iys-consent.js', 'dist/iys-consent.lit-external.d.ts', 'dist/iys-consent.lit-external.js', 'package.json']);
  });

  it('is the very bundle the collector serves', () => {
    expect(readFileSync(join(widgetApp, 'node_modules/iys-consent-widget/dist/iys-consent.js'))).toEqual(readFileSync(join(serverApp, 'node_modules/iys-consent/dist/widget/iys-consent.js')));
  });

  it('registers <iys-consent> from a Vite page importing it', async () => {
    const page = await viteBuildAndLoad(widgetApp, 'iys-consent-widget');
    expect(page).toMatchObject({ defined: true, checkboxes: 2 });
    expect(page.bundle).toContain('iys-consent');
  }, 2 * MINUTES);
});
