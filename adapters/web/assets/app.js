// The review page works without this file. With it: each UTC time also shows in the reader's
// own time zone (as a tooltip), the blameless check runs while a section is typed (the same
// check as after a save), and a form asks before leaving with unsaved text.
'use strict';
(function () {
  for (const t of document.querySelectorAll('time[datetime]')) {
    const when = new Date(t.getAttribute('datetime'));
    if (!isNaN(when)) t.title = when.toLocaleString();
  }

  function show(list, findings) {
    list.replaceChildren();
    for (const f of findings) {
      const item = document.createElement('li');
      item.className = f.kind;
      const kind = document.createElement('strong');
      kind.textContent = f.kind;
      item.append(kind, ' \u201c' + f.phrase + '\u201d \u2014 ' + f.suggestion);
      list.append(item);
    }
  }

  for (const box of document.querySelectorAll('textarea[data-check]')) {
    const form = box.form;
    const list = document.getElementById(box.dataset.findings);
    const token = form && form.querySelector('input[name="csrf"]');
    if (!list || !token) continue;
    let timer = 0;
    let asked = 0;
    box.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const mine = ++asked;
        try {
          const answer = await fetch(box.dataset.check, {
            method: 'POST',
            headers: { 'Content-Type': 'application/x-www-form-urlencoded',
                       'X-CSRF-Token': token.value },
            body: 'text=' + encodeURIComponent(box.value),
            credentials: 'same-origin',
          });
          if (!answer.ok || mine !== asked) return;
          show(list, (await answer.json()).findings);
        } catch (e) {
          // Offline or signed out: the check after saving still runs.
        }
      }, 400);
    });
  }

  let dirty = false;
  for (const f of document.querySelectorAll('form[data-edit]')) {
    f.addEventListener('input', () => { dirty = true; });
    f.addEventListener('submit', () => { dirty = false; });
  }
  window.addEventListener('beforeunload', (e) => {
    if (dirty) { e.preventDefault(); e.returnValue = ''; }
  });
})();
