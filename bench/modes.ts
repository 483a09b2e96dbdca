/** How much each benchmark does. `quick` is the default; `smoke` is what the harness test runs. */
export type Mode = {
  name: 'quick' | 'full' | 'smoke';
  ingest: { connections: number[]; durationS: number };
  middleware: { posts: number; rounds: number };
  exportIntake: { records: number; durationS: number };
  dispatch: { records: number };
  isolation: { n: number; ks: number[]; placements: number };
  latency: { ratePerS: number; durationS: number; flushMs: number };
  memory: { records: number };
  widget: { loads: number };
  startup: { starts: number };
  console: { records: number; loads: number };
};

export const MODES: Record<Mode['name'], Mode> = {
  quick: {
    name: 'quick',
    ingest: { connections: [1, 16, 64], durationS: 3 },
    middleware: { posts: 10_000, rounds: 3 },
    exportIntake: { records: 200_000, durationS: 5 },
    dispatch: { records: 20_000 },
    isolation: { n: 5000, ks: [1, 5, 10, 50], placements: 20 },
    latency: { ratePerS: 20, durationS: 10, flushMs: 1000 },
    memory: { records: 100_000 },
    widget: { loads: 7 },
    startup: { starts: 5 },
    console: { records: 10_000, loads: 7 },
  },
  full: {
    name: 'full',
    ingest: { connections: [1, 16, 64], durationS: 10 },
    middleware: { posts: 20_000, rounds: 5 },
    exportIntake: { records: 200_000, durationS: 10 },
    dispatch: { records: 100_000 },
    isolation: { n: 5000, ks: [1, 5, 10, 50], placements: 100 },
    latency: { ratePerS: 20, durationS: 30, flushMs: 1000 },
    memory: { records: 1_000_000 },
    widget: { loads: 21 },
    startup: { starts: 11 },
    console: { records: 10_000, loads: 21 },
  },
  smoke: {
    name: 'smoke',
    ingest: { connections: [16], durationS: 1 },
    middleware: { posts: 2000, rounds: 1 },
    exportIntake: { records: 5000, durationS: 1 },
    dispatch: { records: 2000 },
    isolation: { n: 5000, ks: [1, 5, 10, 50], placements: 2 },
    latency: { ratePerS: 5, durationS: 2, flushMs: 200 },
    memory: { records: 5000 },
    widget: { loads: 1 },
    startup: { starts: 1 },
    console: { records: 1000, loads: 1 },
  },
};
