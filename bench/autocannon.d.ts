// autocannon ships no typings: only what the load generator uses.
declare module 'autocannon' {
  type Request = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (req: Request, context: Record<string, unknown>) => Request;
    onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
  };
  type Options = { url: string; connections?: number; duration?: number; amount?: number; requests?: Request[]; timeout?: number; pipelining?: number };
  type Histogram = { average: number; p50: number; p99: number; max: number; total: number };
  type Result = { requests: Histogram; latency: Histogram; '2xx': number; non2xx: number; errors: number; timeouts: number; duration: number };
  function autocannon(opts: Options): Promise<Result>;
  export default autocannon;
}
