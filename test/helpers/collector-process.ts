import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

/** A collector running in a child process, as the tests watch it: its output so far and its exit. */
export type WatchedCollector = { out(): string; err(): string; exited: Promise<number | null> };

/** Keeps what a child writes and when it exits. */
export function watch<C extends ChildProcessByStdio<null, Readable, Readable>>(child: C): WatchedCollector & { child: C } {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

/** The port from the collector's `collector.started` log line (it was started with PORT=0), or why it exited first. */
export function startedPort(p: WatchedCollector): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /"event":"collector\.started"[^\n]*"port":(\d+)/.exec(p.out());
      if (m) {
        clearInterval(timer);
        resolve(Number(m[1]));
      }
    }, 50);
    void p.exited.then((code) => {
      clearInterval(timer);
      reject(new Error(`exited ${code}: ${p.err()}`));
    });
  });
}
