// The demo's "phone": the messages the sandbox's send-sms took, newest first, so the visitor can read
// the code and type it into the widget. A real collector never shows a code anywhere.
const list = document.getElementById('sms');

async function refresh() {
  const res = await fetch('/demo/api/sms', { cache: 'no-store' });
  if (!res.ok) return;
  const { messages } = await res.json();
  const items = messages.map((m) => {
    const li = document.createElement('li');
    const head = document.createElement('strong');
    head.textContent = `${m.at} · ${m.sender} → ${m.to}`;
    li.append(head, document.createElement('br'), m.text);
    return li;
  });
  if (items.length === 0) items.push(Object.assign(document.createElement('li'), { textContent: 'Henüz SMS yok.' }));
  // Only when something changed: a live region repeats what it is given.
  if (list.textContent !== items.map((i) => i.textContent).join('')) list.replaceChildren(...items);
}

refresh();
setInterval(refresh, 1000);

// Why no code came, and how long to wait: the widget's own status says only "Gönderilemedi.".
const CAPS = {
  'sms-cap-number': ['bu numaraya çok fazla kod istendi', 'too many codes were asked for this number'],
  'sms-cap-ip': ['bu bağlantıdan çok fazla kod istendi', 'too many codes were asked from this connection'],
  'sms-cap-global': ['şu anda çok fazla kod gönderiliyor', 'too many codes are being sent right now'],
  'sms-cap-daily': ['bugünkü SMS kodu sınırına ulaşıldı', "today's limit on SMS codes is reached"],
  'sms-unavailable': ['SMS şu anda gönderilemiyor', 'SMS cannot be sent right now'],
};
/** Seconds as the person reads them: "12 dk" / "12 min", "40 sn" / "40 s". */
const wait = (s) => (s >= 60 ? [`${Math.ceil(s / 60)} dk`, `${Math.ceil(s / 60)} min`] : [`${s} sn`, `${s} s`]);
const result = document.getElementById('verify-result');
const widget = document.getElementById('consent-verify');
widget.addEventListener('iys-error', (e) => {
  const { reason, retryAfter } = e.detail;
  const why = CAPS[reason];
  if (!why) {
    result.textContent = reason === 'invalid' ? '' : `Gönderilemedi (${reason}). — Not sent (${reason}).`;
    return;
  }
  const [tr, en] = retryAfter ? wait(retryAfter) : [];
  result.textContent = `Kod gönderilmedi: ${why[0]}${tr ? `; ${tr} sonra yeniden deneyin` : ''}. — No code sent: ${why[1]}${en ? `; try again in ${en}` : ''}.`;
});
widget.addEventListener('iys-sent', () => { result.textContent = ''; });
