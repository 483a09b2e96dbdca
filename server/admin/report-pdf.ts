import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { ReportData, ReportRecord } from '../../shared/console-api.ts';
import { canonicalJson } from './canonical-json.ts';
import type { BuiltReport } from './audit-report.ts';

/**
 * The audit report as a PDF, made on the server with pdfkit so the same file comes out for anyone
 * who asks, from the console or with curl, without a browser. The fonts are DejaVu from the
 * `dejavu-fonts-ttf` package (Bitstream Vera licence), embedded as subsets: every Turkish letter
 * prints on any machine. The report's canonical JSON rides along as an attachment
 * (REPORT_ATTACHMENT), so the SHA-256 printed on the page can be checked against it with sha256sum.
 */

export const REPORT_ATTACHMENT = 'iys-consent-report.json';
export type ReportLang = 'tr' | 'en';

const font = (file: string) => createRequire(import.meta.url).resolve(`dejavu-fonts-ttf/ttf/${file}`);
const FONTS = { regular: font('DejaVuSans.ttf'), bold: font('DejaVuSans-Bold.ttf'), mono: font('DejaVuSansMono.ttf') };

const WORDS = {
  tr: {
    title: 'İYS izin denetim raporu', recipient: 'Alıcı', asOf: 'Defterin kapsadığı son olay', generatedAt: 'Raporun üretildiği an',
    purpose: 'Amaç', timeZone: 'Saat dilimi', hash: 'SHA-256 (raporun kanonik JSON verisi)', channel: 'Kanal',
    given: 'izin verildi', withdrawn: 'izin geri alındı', state: 'Durum', reason: 'Neden', registeredAt: 'İYS kaydı', deadline: 'Son gün (72 saat)',
    requeueOf: 'Yeniden kuyruğa alınan kayıt', evidence: 'Kanıt', asEntered: 'Yazıldığı biçim', clientDate: 'İstemcinin gönderdiği tarih',
    receivedAt: 'Toplayıcıya ulaştığı an', ticked: 'Aynı anda işaretlenen kanallar', notice: 'Metin (sürüm, özet, dil)', page: 'Sayfa',
    origin: 'Köken', ip: 'IP adresi', ua: 'Tarayıcı (User-Agent)', widget: 'Bileşen sürümü', answers: 'İYS (iletiMerkezi) cevapları', none: 'henüz gönderilmedi',
    source: 'Kaynak', record: 'Kayıt', batch: 'kayıtlık istek',
    noticeMatch: 'Kayıtlı metinle eşleşme', readback: "İYS'den geri okuma", confirmedAt: "İYS'de doğrulandı",
    checkState: 'Sorgu sonucu', observed: "İYS'de görülen, toplayıcının göndermediği kayıt", verification: 'SMS kodu ile doğrulama',
    verificationLine: '{m}: kod {s} gönderildi, {v} doğrulandı, {a} deneme, ileti {id}, tıklamanın tarihi {c}', formToken: 'Form anahtarının yaşı',
    notices: 'Kayıtlı onay metinleri', noticeHead: 'Sürüm {v} · {l} · kayıt {t}', noNotices: 'Bu alıcının izinleri kayıtlı bir metinle eşleşmedi.',
    verify: `Doğrulama: bu PDF'e eklenmiş ${REPORT_ATTACHMENT} dosyasının SHA-256 özeti yukarıdaki değere eşittir (sha256sum ${REPORT_ATTACHMENT}). Aynı rapor daha sonra toplayıcıdan yeniden alınırsa, defterde bu alıcı için yeni bir olay olmadıkça özet aynı çıkar.`,
  },
  en: {
    title: 'İYS consent audit report', recipient: 'Recipient', asOf: 'Latest ledger event covered', generatedAt: 'Report generated at',
    purpose: 'Purpose', timeZone: 'Time zone', hash: "SHA-256 (of the report's canonical JSON data)", channel: 'Channel',
    given: 'consent given', withdrawn: 'consent withdrawn', state: 'State', reason: 'Reason', registeredAt: 'Registered with İYS', deadline: 'Deadline (72 hours)',
    requeueOf: 'Re-queued record', evidence: 'Evidence', asEntered: 'As typed', clientDate: 'Date the client sent',
    receivedAt: 'Received by the collector', ticked: 'Channels ticked together', notice: 'Notice (version, hash, language)', page: 'Page',
    origin: 'Origin', ip: 'IP address', ua: 'Browser (User-Agent)', widget: 'Widget version', answers: 'Answers of İYS (through iletiMerkezi)', none: 'not sent yet',
    source: 'Source', record: 'Record', batch: 'record request',
    noticeMatch: 'Matched a registered text', readback: 'Read-back from İYS', confirmedAt: 'Confirmed at İYS',
    checkState: 'Look-up found', observed: 'Seen at İYS, not sent by the collector', verification: 'Verified by SMS code',
    verificationLine: '{m}: code sent {s}, verified {v}, {a} tries, message {id}, the click dated {c}', formToken: "Form token's age",
    notices: 'Registered notice texts', noticeHead: 'Version {v} · {l} · registered {t}', noNotices: "No consent of this recipient matched a registered text.",
    verify: `To verify: the SHA-256 of ${REPORT_ATTACHMENT}, attached to this PDF, equals the value above (sha256sum ${REPORT_ATTACHMENT}). Fetched again from the collector later, the report gives the same hash unless the ledger gained an event for this recipient.`,
  },
} as const;

type Words = (typeof WORDS)[ReportLang];
type Doc = InstanceType<typeof PDFDocument>;

const dash = (v: string | null) => (v === null || v === '' ? '—' : v);
const fill = (text: string, vars: Record<string, string | number>) => text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));

function pair(doc: Doc, label: string, value: string): void {
  doc.font('bold').fontSize(8.5).fillColor('#333').text(`${label}: `, { continued: true }).font('regular').fillColor('#000').text(value);
}

function recordBlock(doc: Doc, r: ReportRecord, w: Words): void {
  doc.moveDown(0.6);
  doc.font('bold').fontSize(10.5).fillColor('#000').text(`${r.status} (${r.event === 'given' ? w.given : w.withdrawn}) · ${r.consentDate} · ${r.state}`);
  pair(doc, w.record, r.id);
  pair(doc, w.source, `${r.source} · ${r.recipientType}`);
  if (r.reason) pair(doc, w.reason, r.reason);
  if (r.registeredAt) pair(doc, w.registeredAt, r.registeredAt);
  pair(doc, w.deadline, r.deadlineAt);
  if (r.requeueOf) pair(doc, w.requeueOf, r.requeueOf);
  const e = r.evidence;
  doc.font('bold').fontSize(9).text(w.evidence);
  pair(doc, w.asEntered, e.recipientAsEntered);
  pair(doc, w.clientDate, dash(e.clientConsentDate));
  pair(doc, w.receivedAt, e.receivedAt);
  pair(doc, w.ticked, e.channelsTicked);
  pair(doc, w.notice, [e.notice.version, e.notice.hash, e.notice.lang].map(dash).join(' · '));
  pair(doc, w.page, dash(e.pageUrl));
  pair(doc, w.origin, dash(e.origin));
  pair(doc, w.ip, dash(e.ipAddress));
  pair(doc, w.ua, dash(e.userAgent));
  pair(doc, w.widget, dash(e.widgetVersion));
  if (e.notice.match) pair(doc, w.noticeMatch, `${e.notice.match}${e.notice.registered ? ` (${e.notice.registered})` : ''}`);
  const v = e.verification;
  if (v) pair(doc, w.verification, fill(w.verificationLine, { m: v.method, s: v.sentAt, v: v.verifiedAt, a: v.attempts, id: dash(v.messageId), c: v.clickConsentDate }));
  if (e.formTokenAgeMs !== null) pair(doc, w.formToken, `${e.formTokenAgeMs} ms`);
  const rb = r.readback;
  if (rb.checkState || r.observed) {
    doc.font('bold').fontSize(9).text(w.readback);
    if (r.observed) pair(doc, w.observed, `${r.observed.by} · ${r.observed.drift} · ${JSON.stringify(r.observed.iys)}`);
    if (rb.confirmedAt) pair(doc, w.confirmedAt, rb.confirmedAt);
    if (rb.checkState) pair(doc, w.checkState, `${rb.checkState}${rb.checkNote ? `: ${rb.checkNote}` : ''}`);
  }
  doc.font('bold').fontSize(9).text(w.answers);
  if (r.attempts.length === 0) doc.font('regular').fontSize(8.5).text(w.none);
  for (const a of r.attempts) {
    doc.font('regular').fontSize(8.5).text(`${a.at} · ${a.outcome}${a.code === null ? '' : ` ${a.code}`} · ${a.message} · ${a.batchSize} ${w.batch}`);
  }
}

/** The PDF's bytes. */
export function reportPdf(built: BuiltReport, lang: ReportLang = 'tr'): Promise<Buffer> {
  const w = WORDS[lang];
  const data: ReportData = built.report;
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: `${w.title}: ${data.recipient}`, Subject: built.sha256 }, lang });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('regular', FONTS.regular).registerFont('bold', FONTS.bold).registerFont('mono', FONTS.mono);

  doc.font('bold').fontSize(16).text(w.title);
  doc.moveDown(0.4);
  pair(doc, w.recipient, data.recipient);
  pair(doc, w.asOf, data.asOf);
  pair(doc, w.generatedAt, built.generatedAt);
  pair(doc, w.purpose, `${data.purpose} · ${data.jurisdiction}`);
  pair(doc, w.timeZone, data.timeZone);
  doc.font('bold').fontSize(8.5).text(w.hash);
  doc.font('mono').fontSize(8.5).text(built.sha256);

  for (const channel of data.channels) {
    doc.moveDown(0.8);
    doc.font('bold').fontSize(13).fillColor('#000').text(`${w.channel}: ${channel.type}`);
    for (const r of channel.records) recordBlock(doc, r, w);
  }
  // The exact words the person was shown, as registered: what a matched hash stands for.
  doc.moveDown(0.8);
  doc.font('bold').fontSize(13).fillColor('#000').text(w.notices);
  if (data.notices.length === 0) doc.font('regular').fontSize(8.5).text(w.noNotices);
  for (const n of data.notices) {
    doc.moveDown(0.4);
    doc.font('bold').fontSize(9).text(fill(w.noticeHead, { v: n.version, l: n.lang, t: n.registeredAt }));
    doc.font('mono').fontSize(7.5).text(n.hash);
    doc.font('regular').fontSize(8.5).text(n.text);
  }

  doc.moveDown(1);
  doc.font('regular').fontSize(8).fillColor('#333').text(w.verify);
  doc.font('mono').fontSize(8).text(built.sha256);
  doc.file(Buffer.from(canonicalJson(data), 'utf8'), { name: REPORT_ATTACHMENT, type: 'application/json', description: `SHA-256 ${built.sha256}` });
  doc.end();
  return done;
}
