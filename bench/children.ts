import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The servers under test and the load generator run as separate Node processes (tsx, IPC channel),
 * so the load generator never shares an event loop with what it measures.
 */
export type Child = {
  pid: number;
  /** The first message the child sent (its "ready", e.g. `{url}`). */
  ready: Record<string, unknown>;
  /** Sends a request and waits for the answer with the same id. */
  ask<T = Record<string, unknown>>(msg: Record<string, unknown>): Promise<T>;
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Waits for the exit without signalling (children that end by themselves). */
  exited: Promise<number | null>;
  /** The first message of type 'result' (children that report once and exit). */
  result: Promise<Record<string, unknown>>;
};

export function serverPath(name: string): string {
  return fileURLToPath(new URL(`./servers/${name}.ts`, import.meta.url));
}

export function startChild(name: string, opts: { env?: Record<string, string>; args?: string[]; timeoutMs?: number } = {}): Promise<Child> {
  const proc: ChildProcess = fork(serverPath(name), opts.args ?? [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const waiting = new Map<number, (m: Record<string, unknown>) => void>();
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  let gotResult: (m: Record<string, unknown>) => void = () => {};
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    gotResult = resolve;
    void exited.then((code) => reject(new Error(`${name} exited with ${code} without a result`)));
  });
  result.catch(() => {});
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready within ${opts.timeoutMs ?? 30_000} ms`)), opts.timeoutMs ?? 30_000);
    proc.once('error', reject);
    void exited.then((code) => reject(new Error(`${name} exited with ${code} before it was ready`)));
    proc.on('message', (raw) => {
      const m = raw as Record<string, unknown>;
      if (typeof m.replyTo === 'number') {
        waiting.get(m.replyTo)?.(m);
        waiting.delete(m.replyTo);
        return;
      }
      if (m.type === 'result') {
        gotResult(m);
        return;
      }
      if (m.type === 'ready') {
        clearTimeout(timer);
        resolve({
          pid: proc.pid!,
          ready: m,
          exited,
          result,
          ask: <T>(msg: Record<string, unknown>) =>
            new Promise<T>((done, fail) => {
              const id = nextId++;
              waiting.set(id, (answer) => (answer.error ? fail(new Error(`${name}: ${String(answer.error)}`)) : done(answer as T)));
              proc.send({ ...msg, id });
            }),
          async stop(graceMs = 15_000) {
            if (proc.exitCode !== null || proc.signalCode !== null) return;
            proc.kill('SIGTERM');
            const kill = setTimeout(() => proc.kill('SIGKILL'), graceMs);
            await exited;
            clearTimeout(kill);
          },
        });
      }
    });
  });
}

/** Current and peak resident set of a process, in MB (Linux /proc). */
export function rssOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** The child side: answer requests from the parent until told to stop. */
export function serveParent(handle: (msg: Record<string, unknown>) => Promise<Record<string, unknown>> | Record<string, unknown>): void {
  process.on('message', (raw) => {
    const msg = raw as Record<string, unknown> & { id: number };
    Promise.resolve()
      .then(() => handle(msg))
      .then(
        (answer) => process.send?.({ ...answer, replyTo: msg.id }),
        (err: unknown) => process.send?.({ error: err instanceof Error ? err.message : String(err), replyTo: msg.id }),
      );
  });
}
