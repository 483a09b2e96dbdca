import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../../server/stores/sqlite-store.ts';
import { formatTurkeyTime } from '../../shared/turkey-time.ts';
import { formulaPieces } from '../helpers/spreadsheet-pieces.ts';

const BIN = join(import.meta.dirname, '../../bin/iys-consent.mjs');
const run = promisify(execFile);

describe('iys-consent import FILE.csv', () => {
  let dir: string;
  let dbUrl: string;
  const at = formatTurkeyTime(Date.now() - 3600_000);

  async function importFile(name: string, content: string, flags: string[] = [], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    const file = join(dir, name);
    writeFileSync(file, content);
    try {
      // Run from another directory: the launcher must find tsx and the sources from its own place.
      const { stdout, stderr } = await run(process.execPath, [BIN, 'import', ...flags, file], { cwd: tmpdir(), env: { ...process.env, IYS_DATABASE_URL: dbUrl, ...env } });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }
  async function stored(): Promise<string[]> {
    const store = new SqliteStore(join(dir, 'ledger.db'));
    await store.init();
    try {
      const out: string[] = [];
      for await (const r of store.exportRange(0, Date.now() + 1)) out.push(`${r.recipient} ${r.type} ${r.source} ${r.recipientType}`);
      return out;
    } finally {
      await store.close();
    }
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iys-import-'));
    dbUrl = `file:${join(dir, 'ledger.db')}`;
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('reports every bad line with its number and reason, stores nothing, exits 1', async () => {
    const r = await importFile('bad.csv', [
      'recipient,type,status,source,consentDate,recipientType',
      `0532 123 45 67,MESAJ,ONAY,HS_CAGRI_MERKEZI,${at},BIREYSEL`,
      `0532 123 45,MESAJ,ONAY,HS_CAGRI_MERKEZI,${at},BIREYSEL`,
      `0532 123 45 68,MESAJ,ONAY,HS_CAGRI_MERKEZI,2026/11/26 10:00,BIREYSEL`,
    ].join('\n'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv:3: recipient: .*10 digits/);
    expect(r.stderr).toMatch(/bad\.csv:4: consentDate: must be Turkey time/);
    expect(r.stderr).toContain('2 bad lines: nothing was stored');
    expect(r.stdout).toBe('');
    expect(await stored()).toEqual([]);
  });

  it('queues a header-less, semicolon-separated file with a BOM and CRLF (Excel, Turkish locale)', async () => {
    const r = await importFile('excel.csv', `\uFEFF0532 123 45 67;MESAJ;ONAY;HS_ISLAK_IMZA;${at};BIREYSEL\r\n"ayse@example.com";EPOSTA;;HS_ETKINLIK;${at};TACIR\r\n`);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('queued 2 records');
    expect(r.stdout).toContain(': 1 MESAJ, 1 EPOSTA; 2 ONAY; 1 HS_ISLAK_IMZA, 1 HS_ETKINLIK');
    expect(await stored()).toEqual(['+905321234567 MESAJ HS_ISLAK_IMZA BIREYSEL', 'ayse@example.com EPOSTA HS_ETKINLIK TACIR']);
  });

  it('queues a comma-separated file with a header', async () => {
    const r = await importFile('crm.csv', `recipient,type,source,consentDate\n+905321234599,ARAMA,HS_CAGRI_MERKEZI,${at}\n`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('queued 1 record ');
    expect(await stored()).toContain('+905321234599 ARAMA HS_CAGRI_MERKEZI BIREYSEL');
  });

  it('refuses lines the İYS state rules would refuse (RET first, a second ONAY, ONAY after the ledger\'s), naming their lines', async () => {
    const r = await importFile('states.csv', [
      'recipient;type;status;source;consentDate',
      `0532 123 45 67;MESAJ;ONAY;HS_ISLAK_IMZA;${formatTurkeyTime(Date.now() - 1800_000)}`, // the ledger has it already (excel.csv)
      `0532 700 00 01;MESAJ;RET;HS_KARAR;${at}`,
      `0532 700 00 02;ARAMA;ONAY;HS_ETKINLIK;${formatTurkeyTime(Date.now() - 7200_000)}`,
      `0532 700 00 02;ARAMA;ONAY;HS_ETKINLIK;${at}`,
    ].join('\n'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/states\.csv:2: status: ONAY after ONAY: the ledger's pending ONAY record/);
    expect(r.stderr).toMatch(/states\.csv:3: status: RET cannot be the first record/);
    expect(r.stderr).toMatch(/states\.csv:5: status: ONAY after ONAY: line 4 \(ONAY\)/);
    expect(r.stderr).toContain('3 bad lines: nothing was stored');
    expect((await stored()).some((l) => l.startsWith('+905327000002'))).toBe(false);
  });

  it('refuses lines the collector could not send in time, naming them: HS_2015, 4 min from the deadline; IYS_FLUSH_MS widens the headroom', async () => {
    const ago = (ms: number) => formatTurkeyTime(Date.now() - ms);
    const r = await importFile('late.csv', [
      'recipient,type,status,source,consentDate',
      '0532 910 00 01,MESAJ,ONAY,HS_2015,2015-05-01 00:00:00',
      `0532 910 00 02,ARAMA,ONAY,HS_CAGRI_MERKEZI,${ago(72 * 3600_000 - 4 * 60_000)}`,
    ].join('\n'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/late\.csv:2: consentDate: HS_2015 .*cannot be registered through iletiMerkezi/);
    expect(r.stderr).toMatch(/late\.csv:3: consentDate: is too close to its 72-hour İYS deadline/);
    // Ten minutes before its deadline: taken with the default flush window, refused beside a collector that waits 10 min to fill a batch.
    const tenLeft = `recipient,type,source,consentDate\n0532 910 00 03,ARAMA,HS_CAGRI_MERKEZI,${ago(72 * 3600_000 - 10 * 60_000)}\n`;
    const slow = await importFile('slow.csv', tenLeft, [], { IYS_FLUSH_MS: '600000' });
    expect(slow.code).toBe(1);
    expect(slow.stderr).toMatch(/slow\.csv:2: consentDate: is too close .* needs up to 12 min after intake/);
    expect((await stored()).filter((l) => /^\+90532910000[123] /.test(l))).toEqual([]);
    expect(await importFile('slow.csv', tenLeft, [], { IYS_FLUSH_MS: 'soon' })).toMatchObject({ code: 2, stderr: expect.stringContaining('IYS_FLUSH_MS must be a whole number') });
    expect(await importFile('slow.csv', tenLeft)).toMatchObject({ code: 0, stdout: expect.stringContaining('queued 1 record ') });
  });

  it('prints the cell text it echoes so that no piece of a line, split by , or ;, starts a formula', async () => {
    const noted = await importFile('evil-columns.csv', `recipient,type,source,consentDate,"a;=1+1","-2+3,@SUM(A1)"\n0532 910 00 09,ARAMA,HS_CAGRI_MERKEZI,${at},x,y\n`);
    expect(noted.code).toBe(0);
    const note = noted.stdout.split('\n').find((l) => l.startsWith('note: '))!;
    expect(note).toContain(`ignored the columns "a;'=1+1",' "-2+3,'@SUM(A1)"`);
    expect(formulaPieces(note)).toEqual([]);

    const refused = await importFile('evil-title.csv', `"x,=1+1",a,b,c,d\n0532 910 00 08,SMS,Onay,Çağrı Merkezi,${at}\n`);
    expect(refused.code).toBe(1);
    const report = refused.stderr.split('\n').find((l) => l.includes('neither a header nor a record'))!;
    expect(report).toContain(`"x,'=1+1"`);
    expect(formulaPieces(report)).toEqual([]);
  });

  it('with --idempotency-key, a second run of the same file stores nothing again; another file with the key is refused', async () => {
    const content = `recipient,type,source,consentDate\n0532 800 00 01,ARAMA,HS_CAGRI_MERKEZI,${at}\n`;
    const first = await importFile('keyed.csv', content, ['--idempotency-key', 'crm-export-0001']);
    expect(first).toMatchObject({ code: 0, stdout: expect.stringContaining('queued 1 record ') });
    const again = await importFile('keyed.csv', content, ['--idempotency-key=crm-export-0001']);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining('already queued') });
    expect((await stored()).filter((l) => l.startsWith('+905328000001'))).toHaveLength(1);
    const other = await importFile('other.csv', `recipient,type,source,consentDate\n0532 800 00 02,ARAMA,HS_CAGRI_MERKEZI,${at}\n`, ['--idempotency-key', 'crm-export-0001']);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/already used for other records/);
    expect(await importFile('keyed.csv', content, ['--idempotency-key', 'no'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--idempotency-key.*'no' is invalid\. it needs 8–128 letters/) });
  });

  it('reads a Turkish call-centre export: Turkish headers and values, an extra column ignored with a note', async () => {
    const excel = (ms: number) => formatTurkeyTime(ms).replace(/^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}):\d{2}$/, '$3.$2.$1 $4');
    const content = `\uFEFFAd Soyad;Telefon;Kanal;Durum;Kaynak;Tarih\r\nAyşe Yılmaz;0532 900 00 01;SMS;Onay;Çağrı Merkezi;${excel(Date.now() - 7200_000)}\r\nAli Kaya;0532 900 00 02;Arama;Onay;Çağrı Merkezi;${excel(Date.now() - 3600_000)}\r\n`;
    const r = await importFile('cagri-merkezi.csv', content);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^note: .*cagri-merkezi\.csv: ignored the column "Ad Soyad" \(not part of an İYS record\)\n/);
    expect(r.stdout).toContain('queued 2 records');
    expect(r.stdout).toContain(': 1 MESAJ, 1 ARAMA; 2 ONAY; 2 HS_CAGRI_MERKEZI');
    expect(await stored()).toEqual(expect.arrayContaining(['+905329000001 MESAJ HS_CAGRI_MERKEZI BIREYSEL', '+905329000002 ARAMA HS_CAGRI_MERKEZI BIREYSEL']));

    // The same file again: already in the ledger, nothing stored twice, and that is no error.
    const again = await importFile('cagri-merkezi.csv', content);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toContain('already in the ledger: all 2 records of');
    expect((await stored()).filter((l) => l.startsWith('+90532900000'))).toHaveLength(2);

    // One line seen before beside a new one: the old one is named as already there, nothing stored.
    const mixed = await importFile('mixed.csv', `${content}Can Er;0532 900 00 03;SMS;Onay;Çağrı Merkezi;${excel(Date.now() - 600_000)}\r\n`);
    expect(mixed.code).toBe(1);
    expect(mixed.stderr).toMatch(/mixed\.csv:2: already in the ledger \(record \w+, pending\): this line was imported before; leave it out/);
    expect(mixed.stderr).toMatch(/mixed\.csv:3: already in the ledger/);
    expect(mixed.stderr).not.toMatch(/ONAY after ONAY/);
    expect(mixed.stderr).toContain('2 bad lines: nothing was stored');
    expect((await stored()).some((l) => l.startsWith('+905329000003'))).toBe(false);
  });

  it('says what is wrong when the first row is neither a header nor a record', async () => {
    const r = await importFile('title.csv', `Ekim kampanyası;;;;\n0532 900 00 09;SMS;Onay;Çağrı Merkezi;${at}\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/title\.csv:1: neither a header nor a record: .*Name the columns in a first row, e\.g\. Telefon;Kanal;Durum;Kaynak;Tarih/);
  });

  it('prints its usage and exits 2 without a file', async () => {
    const r = await run(process.execPath, [BIN, 'import'], { cwd: tmpdir() }).catch((e) => e as { code: number; stderr: string });
    expect(r).toMatchObject({ code: 2, stderr: expect.stringContaining("error: missing required argument 'file'") });
    const help = await run(process.execPath, [BIN, 'import', '--help'], { cwd: tmpdir() });
    expect(help.stdout).toContain('Usage: iys-consent import [options] <file>');
    expect(help.stdout).toMatch(/recipient +Telefon, Cep, E-posta/);
  });
});
