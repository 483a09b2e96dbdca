import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The shape of the code, checked: every room of the server sits on a floor, and a module imports
 * only from its own floor or below (docs/architecture.md); no import cycles; no source file grows
 * past the size a reader takes in at once. Imports are read with TypeScript's own pre-processor.
 */

const ROOT = resolve(import.meta.dirname, '../..');

/** Floors from the ground up. Rooms on one floor may use each other (no cycle), never a floor above. */
const FLOORS: readonly (readonly string[])[] = [
  ['shared'],
  ['server/log'],
  ['server/http'],
  ['server/stores', 'server/iletimerkezi'],
  ['server/intake', 'server/dispatch', 'server/sandbox', 'server/readback'],
  ['server/observability', 'server/admin'],
  ['server/demo'],
  ['server/runtime'],
  ['server/cli'],
];
const MAX_LINES = 350;

const sources = execFileSync('git', ['ls-files', 'shared', 'server', 'widget', 'console'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.ts$/.test(f) && !f.endsWith('.d.ts'));

/** Rooms that ship to browsers: each stands on shared/ alone, and nothing imports them. */
const BROWSER_ROOMS = ['widget', 'console'];

function roomOf(file: string): string {
  if (file.startsWith('widget/')) return 'widget';
  if (file.startsWith('console/')) return 'console';
  const parts = file.split('/');
  return parts[0] === 'server' ? `server/${parts[1]}` : parts[0]!;
}

function floorOf(room: string): number {
  const floor = FLOORS.findIndex((rooms) => rooms.includes(room));
  if (floor < 0) throw new Error(`room ${room} is on no floor: add it to FLOORS and docs/architecture.md`);
  return floor;
}

/** The widget and the console stand on shared/ and themselves alone (they ship to browsers); nothing else imports them. */
function mayImport(from: string, to: string): boolean {
  if (BROWSER_ROOMS.includes(from)) return to === from || to === 'shared';
  return !BROWSER_ROOMS.includes(to) && floorOf(to) <= floorOf(from);
}

/** Relative imports of a file, as repository paths. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => relative(ROOT, resolve(ROOT, dirname(file), name)));
}

const graph = new Map(sources.map((f) => [f, importsOf(f)]));

describe('architecture', () => {
  it('every module imports only from its own floor or below', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        if (sources.includes(target) && !mayImport(roomOf(file), roomOf(target))) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it(`keeps every source file under ${MAX_LINES} lines`, () => {
    const long = sources
      .map((f) => ({ f, lines: readFileSync(join(ROOT, f), 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ f, lines }) => `${f}: ${lines}`);
    expect(long).toEqual([]);
  });

  it('the checks see the code: the rooms hold modules and modules import', () => {
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((f) => roomOf(f) === 'console').length).toBeGreaterThan(5);
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
  });
});
