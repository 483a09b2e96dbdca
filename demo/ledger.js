// The demo's live ledger: polls the collector's demo API and redraws two tables. No inline script (CSP).
const STATE_LABEL = { pending: 'bekliyor', registered: 'kaydedildi', rejected: 'reddedildi', expired: 'süresi doldu' };
const MODE_LABEL = {
  normal: 'Sandbox normal çalışıyor: kayıtlar birkaç saniye içinde "kaydedildi" olur.',
  'refuse-next':
    "On kişilik bir kayıt dalgası eklendi; içindeki uydurma numarayı (+90532*****00) sandbox reddediyor (422). " +
    'Dispatcher kötü kaydı ayıklar ("reddedildi"), kalan dokuzunu kaydeder.',
  transient: "Sandbox isteklerin yarısına 503 veriyor: dispatcher bekleyip yeniden dener (İstek sütunu artar).",
  quota: 'Sandbox kotası doldu (405): gönderim durur, yeni kayıtlar bekler; "Normal" ile kota açılınca kendiliğinden devam eder.',
  drop: 'Sandbox kaydeder ama cevap vermeden bağlantıyı koparır: dispatcher kaydı çift göndermeden çözer.',
};

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  return td;
}

function emptyRow(text, span) {
  const tr = document.createElement('tr');
  const td = cell(text);
  td.colSpan = span;
  tr.append(td);
  return tr;
}

// The visitor plays the citizen: RET through İYS's short message (3338), made in the sandbox only.
function retCell(r, readback) {
  const td = cell('');
  if (!r.canRet) return td;
  // Without read-back the collector never reads İYS, so the citizen's RET would never show here.
  if (!readback) {
    td.textContent = "Kapalı: İYS okuması kapalı (IYS_READBACK=0), vatandaşın RET'i burada görünmez";
    td.className = 'note';
    return td;
  }
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = "Vatandaş RET (3338)";
  button.setAttribute('aria-label', `${r.recipient} ${r.type}: vatandaş İYS'ye RET gönderir`);
  button.addEventListener('click', async () => {
    button.disabled = true;
    const res = await fetch('/demo/api/citizen-ret', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: r.id }),
    });
    document.getElementById('mode').textContent = res.ok
      ? "Vatandaş İYS'ye RET gönderdi (collector'a haber verilmedi). Collector İYS'yi okuyunca RET, İYS kaynağıyla yeni bir satır olarak görünür."
      : 'RET yapılamadı: İYS bu değişikliği kabul etmezdi.';
    refresh();
  });
  td.append(button);
  return td;
}

function summary(records) {
  const counts = {};
  for (const r of records) counts[r.state] = (counts[r.state] ?? 0) + 1;
  return Object.entries(STATE_LABEL).filter(([s]) => counts[s]).map(([s, label]) => `${counts[s]} ${label}`).join(' · ');
}

async function refresh() {
  const res = await fetch('/demo/api/ledger', { cache: 'no-store' });
  if (!res.ok) return;
  const data = await res.json();
  document.querySelector('#records tbody').replaceChildren(...(data.records.length === 0
    ? [emptyRow('Henüz kayıt yok. Üye ol sayfasından bir izin verin.', 10)]
    : data.records.map((r) => {
        const tr = document.createElement('tr');
        tr.dataset.state = r.state;
        tr.dataset.type = r.type;
        tr.dataset.status = r.status;
        tr.append(cell(r.consentDate), cell(r.recipient, 'mono'), cell(r.type), cell(r.status), cell(r.source), cell(String(r.requests)),
          cell(STATE_LABEL[r.state] ?? r.state, `state state-${r.state}`), cell(r.note, 'note'), cell(r.iys, 'note iys'), retCell(r, data.readback));
        return tr;
      })));
  document.getElementById('summary').textContent = summary(data.records);
  document.querySelector('#requests tbody').replaceChildren(...(data.sandbox.requests.length === 0
    ? [emptyRow('Henüz istek yok.', 4)]
    : data.sandbox.requests.map((q) => {
        const tr = document.createElement('tr');
        tr.append(cell(q.at), cell(String(q.size ?? '—')), cell(String(q.code ?? '—'), q.code === 200 ? 'ok' : 'bad'), cell(q.message, 'note'));
        return tr;
      })));
  showMode(data.sandbox.mode);
  document.getElementById('health').textContent = data.health ? `Collector sağlığı (/healthz): ${data.health}` : '';
}

function showMode(mode) {
  for (const b of document.querySelectorAll('[data-mode]')) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
  const text = MODE_LABEL[mode] ?? '';
  const out = document.getElementById('mode');
  if (out.textContent !== text) out.textContent = text; // unchanged text: no repeat for screen readers
}

for (const button of document.querySelectorAll('[data-mode]')) {
  button.addEventListener('click', async () => {
    await fetch('/demo/api/sandbox', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ mode: button.dataset.mode }),
    });
    refresh();
  });
}

refresh();
setInterval(refresh, 1000);
