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
