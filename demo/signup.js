// Keeps the visitor on the page after the consent is acknowledged, so the demo can show the ids.
// The widget sends on the form's submit by itself; this only reports what happened.
for (const el of document.querySelectorAll('iys-consent')) {
  el.addEventListener('iys-sent', (e) => {
    const out = document.getElementById('result');
    if (out) out.textContent = `İzin kaydedildi (${e.detail.ids.length} kayıt). Kayıt defterinde İYS'ye gidişini izleyin.`;
  });
  el.addEventListener('iys-error', (e) => {
    const out = document.getElementById('result');
    if (out) out.textContent = `İzin gönderilemedi: ${e.detail.reason}`;
  });
}
for (const form of document.querySelectorAll('form')) {
  form.addEventListener('submit', (e) => {
    e.preventDefault(); // a single-page app would do this too; the widget still sends
    const out = document.getElementById('result');
    if (out && !out.textContent) out.textContent = 'Gönderiliyor…';
    setTimeout(() => { window.location.href = '/demo/ledger.html'; }, 1500);
  });
}
