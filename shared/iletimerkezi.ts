import { z } from 'zod';
import { iysRecordShape } from './iys-record.ts';

/** iletiMerkezi refuses lists longer than this with 475. */
export const MAX_BATCH = 5000;

/** The request body of POST /v1/consent/create/json. */
export const consentCreateRequestSchema = z.object({
  request: z.object({
    authentication: z.object({
      key: z.string().min(1),
      hash: z.string().min(1),
    }),
    consent: z.object({
      brandCode: z.union([z.string().min(1), z.number().int().positive()]),
      list: z.array(iysRecordShape).min(1),
    }),
  }),
});
export type ConsentCreateRequest = z.infer<typeof consentCreateRequestSchema>;

/** Every answer of the API: `response.status.code` and `.message`; the code in the body is the one to trust. */
export const consentCreateResponseSchema = z.object({
  response: z.object({
    status: z.object({
      code: z.coerce.number().int(),
      message: z.string(),
    }),
  }),
});
export type ConsentCreateResponse = z.infer<typeof consentCreateResponseSchema>;

/** The messages of the API document, by code. */
export const API_MESSAGES = {
  200: 'İşlem başarılı',
  401: 'Üyelik bilgileri hatalı',
  403: 'Aktif abonelik bulunamadı',
  405: 'Aylık kota aşıldı',
  422: 'İstekte gönderilen bazı değerler doğrulanamadı',
  475: 'Alıcı sayısı 5000 kişiyi geçemez',
} as const;
