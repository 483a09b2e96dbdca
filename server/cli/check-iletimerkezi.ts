import { createIletiMerkeziClient } from '../iletimerkezi/client.ts';
import type { ShowOutcome } from '../iletimerkezi/outcome.ts';
import { SANDBOX_ACCOUNT } from '../runtime/collector.ts';
import type { Config } from '../runtime/config.ts';
import { createSandbox, startSandboxServer } from '../sandbox/index.ts';

/**
 * Whether iletiMerkezi answers and accepts the account: one consent/show, a read that changes
 * nothing and costs nothing, of a fixed number no subscriber has (+90 500: no operator's prefix).
 * Found or "no record" both prove the credentials; İYS answers an unknown brand code with "no
 * record" too, so a wrong brand shows only at the first send (the dispatcher's circuit breaker).
 */
const PROBE_KEY = { recipient: '+905000000000', recipientType: 'BIREYSEL', type: 'MESAJ' } as const;

// A check waits less than the dispatcher, which must not give up on a slow but working service.
const TIMEOUT_MS = 15_000;

export type Verdict = { ok: string } | { problem: string };

/** What an answer of consent/show says about the account at `base`. */
export function judgeShow(outcome: ShowOutcome, base: string, brandCode: string | number): Verdict {
  switch (outcome.kind) {
    case 'found':
    case 'none':
      return { ok: `iletiMerkezi at ${base} answered and accepted the credentials (consent/show, brand ${brandCode})` };
    case 'account':
      return outcome.code === 401
        ? { problem: `ILETIMERKEZI_API_KEY, ILETIMERKEZI_API_HASH: iletiMerkezi refused them (401: ${outcome.message}): check the key and hash, and that API access is switched on in the panel (Settings → Security)` }
        : { problem: `IYS_BRAND_CODE: iletiMerkezi answered 403 (${outcome.message}): the account has no active İYS subscription, or brand ${brandCode} is not the account's` };
    case 'transient':
      return outcome.code === null
        ? { problem: `ILETIMERKEZI_BASE_URL: cannot reach iletiMerkezi at ${base}: ${outcome.message}` }
        : { problem: `ILETIMERKEZI_BASE_URL: iletiMerkezi at ${base} is not answering now (${outcome.code}: ${outcome.message}); try again later` };
    case 'unreadable':
      return { problem: `ILETIMERKEZI_BASE_URL: the answer from ${base} is not iletiMerkezi's (${outcome.message}): is the URL right?` };
  }
}

async function show(account: { baseUrl: string; apiKey: string; apiHash: string; brandCode: string | number }): Promise<ShowOutcome> {
  const client = createIletiMerkeziClient({ ...account, connectTimeoutMs: TIMEOUT_MS, headersTimeoutMs: TIMEOUT_MS, bodyTimeoutMs: TIMEOUT_MS });
  try {
    return await client.show(PROBE_KEY);
  } finally {
    await client.close();
  }
}

/** The check against the configured account, or with IYS_SANDBOX=1 against a built-in sandbox started here for it. */
export async function checkIletiMerkezi(config: Config): Promise<Verdict> {
  if (!config.sandbox) {
    const account = { baseUrl: config.iletimerkezi.baseUrl, apiKey: config.iletimerkezi.apiKey!, apiHash: config.iletimerkezi.apiHash!, brandCode: config.brandCode! };
    return judgeShow(await show(account), account.baseUrl, account.brandCode);
  }
  const account = { ...SANDBOX_ACCOUNT, brandCode: config.brandCode ?? SANDBOX_ACCOUNT.brandCode };
  const server = await startSandboxServer(createSandbox(account));
  try {
    const verdict = judgeShow(await show({ ...account, baseUrl: server.url }), 'the built-in sandbox', account.brandCode);
    return 'ok' in verdict ? { ok: `the built-in İYS sandbox answered (IYS_SANDBOX=1: nothing goes to iletiMerkezi)` } : verdict;
  } finally {
    await server.close();
  }
}
