// Keeps the visitor on the page until every ticked consent is acknowledged, then opens the ledger
// view so the demo can show the records travel to İYS. The widget sends on the form's submit by
// itself (in the capture phase, before this handler); this only reports what happened.
const LEDGER = '/demo/ledger.html';
const out = document.getElementById('result');
const say = (text) => { if (out) out.textContent = text; };
const withdraw = document.querySelector('iys-consent[mode="withdraw"]') !== null;
let waiting = 0;
let ids = 0;

for (const el of document.querySelectorAll('iys-consent')) {
  el.addEventListener('iys-sent', (e) => {
    ids += e.detail.ids.length;
    if (--waiting > 0) return;
    say(withdraw
      ? `Geri alma kaydedildi (${ids} kayıt). Kayıt defterine geçiliyor…`
      : `İzin kaydedildi (${ids} kayıt). Kayıt defterine geçiliyor…`);
    // A moment to read the message; a navigation cannot lose the consent (keepalive + outbox).
    setTimeout(() => { window.location.href = LEDGER; }, 1200);
  });
  el.addEventListener('iys-error', (e) => {
    waiting = 0;
    const { reason } = e.detail;
    // The widget retries by itself after a network failure, a 429 or a 5xx (widget/sender.ts).
    const retrying = reason === 'network' || /^http-(429|5\d\d)$/.test(reason);
    say(reason === 'invalid' ? 'Lütfen işaretli kanallar için geçerli bir alıcı girin.'
      : retrying ? `İzin henüz gönderilemedi (${reason}); widget kendisi yeniden deneyecek.`
      : `İzin gönderilemedi (${reason}).`);
  });
}

for (const form of document.querySelectorAll('form')) {
  form.addEventListener('submit', (e) => {
    e.preventDefault(); // a single-page app would do this too; the widget has already sent
    // `ticked` is the widget's list of ticked channels: a widget with none ticked sends nothing.
    waiting = [...form.querySelectorAll('iys-consent')].filter((el) => el.ticked?.length > 0).length;
    ids = 0;
    say(waiting > 0 ? 'Gönderiliyor…' : withdraw ? 'Geri alınacak bir kanal seçin.' : 'Üyeliğiniz alındı. İleti izni vermediniz: kayıt defterine bir şey gitmez.');
  });
}
