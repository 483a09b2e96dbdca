import { Hono } from 'hono';
import { SEND_SMS_PATH, sendSmsRequestSchema } from '../../shared/iletimerkezi-sms.ts';

/** One message send-sms took: what the phone would show. Only the sandbox keeps texts (they hold codes). */
export type SandboxSms = { id: string; at: number; sender: string; iys: string; number: string; text: string };

export type SandboxSmsBox = {
  /** The routes, mounted beside consent/create. */
  app: Hono;
  /** Every message taken, oldest first (the last 500). */
  messages(): readonly SandboxSms[];
  /** The latest message to a number (digits with the country code, or +90…), or undefined. */
  lastTo(number: string): SandboxSms | undefined;
  reset(): void;
};

const KEEP = 500;

/**
 * iletiMerkezi's send-sms, as far as the verification code needs it: the envelope checked as
 * documented (authentication, `iys`, `sender`, `message.receipents.number`), 401 for a wrong key,
 * 200 with an order id, and the message kept so the tests and the demo can read the code.
 */
export function sandboxSms(opts: { account: () => { apiKey: string; apiHash: string }; now: () => number }): SandboxSmsBox {
  let messages: SandboxSms[] = [];
  let orderNo = 0;
  const answer = (code: number, message: string, order?: { id: string }) =>
    new Response(JSON.stringify({ response: { status: { code: String(code), message }, ...(order ? { order } : {}) } }), {
      status: code, headers: { 'content-type': 'application/json; charset=utf-8' },
    });

  const app = new Hono().post(SEND_SMS_PATH, async (c) => {
    const parsed = sendSmsRequestSchema.safeParse(await c.req.json().catch(() => null));
    if (!parsed.success) return answer(400, `Geçersiz istek: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`);
    const { authentication, order } = parsed.data.request;
    const account = opts.account();
    if (authentication.key !== account.apiKey || authentication.hash !== account.apiHash) return answer(401, 'Üyelik bilgileri hatalı');
    const id = String(++orderNo);
    for (const number of order.message.receipents.number) {
      messages.push({ id, at: opts.now(), sender: order.sender, iys: order.iys, number, text: order.message.text });
    }
    if (messages.length > KEEP) messages = messages.slice(messages.length - KEEP);
    return answer(200, 'İşlem başarılı', { id });
  });

  return {
    app,
    messages: () => messages,
    lastTo(number) {
      const digits = number.replace(/^\+/, '');
      return messages.filter((m) => m.number === digits).at(-1);
    },
    reset() {
      messages = [];
      orderNo = 0;
    },
  };
}
