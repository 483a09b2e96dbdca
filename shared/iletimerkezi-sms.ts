import { z } from 'zod';

/**
 * iletiMerkezi's send-sms (POST {base}/v1/send-sms/json), as the verification code uses it: one
 * transactional message (`iys: "0"`: a code is not a commercial message) from an approved sender
 * header. `receipents` is upstream's own spelling, nested inside `message`.
 */
export const SEND_SMS_PATH = '/v1/send-sms/json';

export const sendSmsRequestSchema = z.object({
  request: z.object({
    authentication: z.object({ key: z.string().min(1), hash: z.string().min(1) }),
    order: z.object({
      sender: z.string().min(1).max(11),
      iys: z.enum(['0', '1']),
      message: z.object({
        text: z.string().min(1).max(918),
        receipents: z.object({ number: z.array(z.string().regex(/^\d{10,12}$/)).min(1) }),
      }),
    }),
  }),
});
export type SendSmsRequest = z.infer<typeof sendSmsRequestSchema>;

/** The answer: `response.status` as everywhere, and the order's id when it was taken. */
export const sendSmsResponseSchema = z.object({
  response: z.object({
    status: z.object({ code: z.coerce.number().int(), message: z.string() }),
    order: z.object({ id: z.coerce.string() }).optional(),
  }),
});
export type SendSmsResponse = z.infer<typeof sendSmsResponseSchema>;

/** `+905321234567` as send-sms takes a number: digits only, with the country code. */
export const smsNumberOf = (recipient: string): string => recipient.replace(/^\+/, '');
