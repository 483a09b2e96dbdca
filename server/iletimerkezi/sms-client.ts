import { request, type Dispatcher } from 'undici';
import { SEND_SMS_PATH, sendSmsResponseSchema, smsNumberOf, type SendSmsRequest } from '../../shared/iletimerkezi-sms.ts';
import { maskRecipient } from '../../shared/recipient.ts';
import { silentLogger, type Logger } from '../log/logger.ts';

/** What one send-sms ended in: taken (with iletiMerkezi's order id), or not, with why. */
export type SmsOutcome = { ok: true; messageId: string | null } | { ok: false; reason: string };

export interface SmsSender {
  /** Sends `text` to one normalised number (+90…). Never throws: a failure is an outcome. */
  send(recipient: string, text: string): Promise<SmsOutcome>;
}

export type SmsClientOptions = {
  baseUrl: string;
  apiKey: string;
  apiHash: string;
  /** The approved sender header (IYS_SMS_SENDER). */
  sender: string;
  /** The client's keep-alive pool to iletiMerkezi (client.ts), shared with consent/create. */
  dispatcher?: Dispatcher;
  timeoutMs?: number;
  logger?: Logger;
};

/**
 * send-sms for the verification code. The text holds the code, so neither it nor the full number is
 * logged: the log line has the masked number, the answer's code and the order id.
 */
export function createSmsClient(opts: SmsClientOptions): SmsSender {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const logger = opts.logger ?? silentLogger;
  const timeout = opts.timeoutMs ?? 10_000;
  return {
    async send(recipient, text) {
      const envelope: SendSmsRequest = {
        request: {
          authentication: { key: opts.apiKey, hash: opts.apiHash },
          order: { sender: opts.sender, iys: '0', message: { text, receipents: { number: [smsNumberOf(recipient)] } } },
        },
      };
      let outcome: SmsOutcome;
      let code: number | null = null;
      try {
        const res = await request(`${base}${SEND_SMS_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify(envelope),
          dispatcher: opts.dispatcher,
          headersTimeout: timeout,
          bodyTimeout: timeout,
        });
        const parsed = sendSmsResponseSchema.safeParse(await res.body.json().catch(() => null));
        code = parsed.success ? parsed.data.response.status.code : res.statusCode;
        outcome = parsed.success && code === 200
          ? { ok: true, messageId: parsed.data.response.order?.id ?? null }
          : { ok: false, reason: `send-sms answered ${code}${parsed.success ? `: ${parsed.data.response.status.message}` : ''}` };
      } catch (err) {
        outcome = { ok: false, reason: `send-sms failed: ${(err as Error).message}` };
      }
      logger.info(
        { event: 'iletimerkezi.send-sms', recipient: maskRecipient(recipient), ok: outcome.ok, code, messageId: outcome.ok ? outcome.messageId : null },
        outcome.ok ? 'send-sms: verification code sent' : `send-sms: not sent: ${outcome.reason}`,
      );
      return outcome;
    },
  };
}
