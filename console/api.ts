import type { NoticeMatches, Overview, RecipientView, Report, Reveal, SendingView } from '../shared/console-api.ts';
import type { RegisteredNoticeView } from '../shared/notice-api.ts';

/**
 * The console's calls to its collector (same origin). The admin token lives in sessionStorage only
 * (this tab, until it closes), goes out as `Authorization: Bearer`, never in a URL or a cookie; it is
 * kept only after the collector accepted it, and dropped on any 401.
 */

const TOKEN_KEY = 'iys-console-token';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  keep: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  drop: () => sessionStorage.removeItem(TOKEN_KEY),
};

/** A refusal of the collector, with its code (`unauthorized`, `not-found`, `requeue-refused`…) and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }
}

/** Called on every 401: the console forgets the token and shows the sign-in. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

async function call(path: string, init: RequestInit = {}, token = session.token()): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      ...init,
      credentials: 'omit',
      cache: 'no-store',
      headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${token ?? ''}`, ...init.headers },
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'the collector did not answer');
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const retry = res.headers.get('retry-after');
  const error = new ApiError(res.status, body?.error?.code ?? `http-${res.status}`, body?.error?.message ?? res.statusText, retry ? Number(retry) : null);
  if (res.status === 401) {
    session.drop();
    onUnauthorized();
  }
  throw error;
}

const getJson = async <T>(path: string, init?: RequestInit): Promise<T> => (await (await call(path, init)).json()) as T;

export const api = {
  /** Checks a token before it is kept: the overview answers 200 only to the right one. */
  async signIn(token: string): Promise<Overview> {
    const res = await call('/v1/admin/overview', {}, token);
    session.keep(token);
    return (await res.json()) as Overview;
  },
  overview: (hours: number) => getJson<Overview>(`/v1/admin/overview?hours=${hours}`),
  lookup: (recipient: string) => getJson<RecipientView>('/v1/admin/lookup', { method: 'POST', body: JSON.stringify({ recipient }) }),
  recipient: (ref: string) => getJson<RecipientView>(`/v1/admin/recipients/${encodeURIComponent(ref)}`),
  reveal: (ref: string) => getJson<Reveal>(`/v1/admin/recipients/${encodeURIComponent(ref)}/reveal`, { method: 'POST' }),
  requeue: (id: string) => getJson<{ id: string }>(`/v1/admin/records/${encodeURIComponent(id)}/requeue`, { method: 'POST' }),
  report: (ref: string) => getJson<Report>(`/v1/admin/recipients/${encodeURIComponent(ref)}/report`),
  async reportPdf(ref: string, sha256: string, lang: string): Promise<{ blob: Blob; name: string }> {
    const res = await call(`/v1/admin/recipients/${encodeURIComponent(ref)}/report.pdf?lang=${lang}&sha256=${sha256}`);
    const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'iys-consent-report.pdf';
    return { blob: await res.blob(), name };
  },
  notices: () => getJson<{ notices: Omit<RegisteredNoticeView, 'text'>[] }>('/v1/admin/notices'),
  notice: (version: string) => getJson<{ notices: RegisteredNoticeView[] }>(`/v1/admin/notices/${encodeURIComponent(version)}`),
  registerNotice: (n: { version: string; lang: string; text: string }) =>
    getJson<RegisteredNoticeView>('/v1/admin/notices', { method: 'POST', body: JSON.stringify(n) }),
  noticeMatches: () => getJson<NoticeMatches>('/v1/admin/notice-matches'),
  setSending: (action: 'pause' | 'resume') => getJson<{ sending: SendingView }>(`/v1/admin/sending/${action}`, { method: 'POST' }),
};
