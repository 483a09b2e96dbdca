// The demo's live ledger: polls the collector's demo API and redraws two tables. No inline script (CSP).
const STATE_LABEL = { pending: 'bekliyor', registered: 'kaydedildi', rejected: 'reddedildi', expired: 'süresi doldu' };
const MODE_LABEL = {
  normal: 'Sandbox normal çalışıyor.',
  'refuse-next': 'Sandbox sonraki yeni alıcıyı reddedecek (422): dispatcher kötü kaydı ayıklar, gerisini kaydeder.',
  transient: "Sandbox isteklerin yarısına 503 veriyor: dispatcher bekleyip yeniden dener.",
  quota: 'Sandbox kotası doldu (405): gönderim durur, kayıtlar bekler, kota açılınca kendiliğinden devam eder.',
  drop: 'Sandbox kaydeder ama cevap vermeden bağlantıyı koparır: dispatcher çift kayıt yapmadan çözer.',
};

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  return td;
}

function emptyRow(text) {
  const tr = document.createElement('tr');
  const td = cell(text);
  td.colSpan = 8;
  tr.append(td);
  return tr;
}

function fill(tbody, rows) {
  tbody.replaceChildren(...rows);
}

async function refresh() {
  const res = await fetch('/demo/api/ledger', { cache: 'no-store' });
  if (!res.ok) return;
  const data = await res.json();
  const records = document.querySelector('#records tbody');
  fill(records, data.records.length === 0
    ? [emptyRow('Henüz kayıt yok.')]
    : data.records.map((r) => {
        const tr = document.createElement('tr');
        tr.dataset.state = r.state;
        tr.dataset.type = r.type;
        tr.dataset.status = r.status;
        tr.append(cell(r.consentDate), cell(r.recipient), cell(r.type), cell(r.status), cell(r.source), cell(String(r.attempts)),
          cell(STATE_LABEL[r.state] ?? r.state, `state state-${r.state}`), cell(r.reason ?? ''));
        return tr;
      }));
  const requests = document.querySelector('#requests tbody');
  fill(requests, data.sandbox.requests.map((q) => {
    const tr = document.createElement('tr');
    tr.append(cell(q.at), cell(String(q.size)), cell(String(q.code ?? '—'), q.code === 200 ? 'ok' : 'bad'), cell(q.message));
    return tr;
  }));
  document.getElementById('mode').textContent = MODE_LABEL[data.sandbox.mode] ?? '';
  document.getElementById('health').textContent = data.health ? `Collector: ${data.health}` : '';
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
