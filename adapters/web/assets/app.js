// The review page works without this file. With it: each UTC time also shows in the reader's
// own time zone (as a tooltip); the blameless check runs while a section is typed (the same
// check as after a save) and marks the exact words it means in the box; a section saves
// without reloading the page; and a form asks before leaving with unsaved text.
'use strict';
(function () {
  for (const t of document.querySelectorAll('time[datetime]')) {
    const when = new Date(t.getAttribute('datetime'));
    if (!isNaN(when)) t.title = when.toLocaleString();
  }

  // The server counts UTF-8 bytes; the box counts UTF-16 code units.
  function unitIndex(text, bytes) {
    let b = 0;
    let i = 0;
    while (i < text.length && b < bytes) {
      const c = text.codePointAt(i);
      b += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
      i += c > 0xffff ? 2 : 1;
    }
    return i;
  }

  function spans(text, findings) {
    return findings
      .map((f) => ({ kind: f.kind, start: unitIndex(text, f.offset),
                     end: unitIndex(text, f.offset + f.length) }))
      .sort((a, b) => a.start - b.start);
  }

  // Behind the box, a copy of its text with transparent letters and the findings' words marked:
  // the marks show through the box's transparent background, under the words themselves.
  function paint(box, mirror, marks) {
    const text = box.value;
    mirror.replaceChildren();
    let at = 0;
    for (const m of marks) {
      if (m.start < at || m.end <= m.start) continue;
      const mark = document.createElement('mark');
      mark.className = m.kind;
      mark.textContent = text.slice(m.start, m.end);
      mirror.append(text.slice(at, m.start), mark);
      at = m.end;
    }
    mirror.append(text.slice(at) + '\n');
    mirror.scrollTop = box.scrollTop;
  }

  function show(box, list, mirror, findings) {
    const marks = spans(box.value, findings);
    paint(box, mirror, marks);
    list.replaceChildren();
    findings.forEach((f, i) => {
      const item = document.createElement('li');
      item.className = f.kind;
      const kind = document.createElement('strong');
      kind.textContent = f.kind;
      const where = document.createElement('button');
      where.type = 'button';
      where.className = 'quiet';
      where.textContent = 'Show';
      where.setAttribute('aria-label', 'Select \u201c' + f.phrase + '\u201d in the text');
      where.addEventListener('click', () => {
        const { start, end } = spans(box.value, [f])[0];
        box.focus();
        box.setSelectionRange(start, end);
      });
      item.append(kind, ' \u201c' + f.phrase + '\u201d \u2014 ' + f.suggestion + ' ', where);
      list.append(item);
    });
  }

  function post(url, token, body, json) {
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded',
                      'X-CSRF-Token': token };
    if (json) headers.Accept = 'application/json';
    return fetch(url, { method: 'POST', headers, body, credentials: 'same-origin' });
  }

  let dirty = false;

  // After a save in place: the review box (what holds publishing) and the draft, as the server
  // renders them now.
  async function refresh() {
    try {
      const answer = await fetch(location.pathname, { credentials: 'same-origin' });
      if (!answer.ok) return;
      const fresh = new DOMParser().parseFromString(await answer.text(), 'text/html');
      for (const id of ['review-box', 'draft-text']) {
        const now = document.getElementById(id);
        const then = fresh.getElementById(id);
        if (now && then) now.replaceWith(document.importNode(then, true));
      }
    } catch (e) {
      // The next reload shows them.
    }
  }

  for (const box of document.querySelectorAll('textarea[data-check]')) {
    const form = box.form;
    const list = document.getElementById(box.dataset.findings);
    const token = form && form.querySelector('input[name="csrf"]');
    const version = form && form.querySelector('input[name="version"]');
    const status = form && form.querySelector('[data-saved]');
    if (!list || !token || !version) continue;
    const frame = document.createElement('div');
    frame.className = 'marked';
    const mirror = document.createElement('div');
    mirror.className = 'mirror';
    mirror.setAttribute('aria-hidden', 'true');
    box.before(frame);
    frame.append(mirror, box);
    box.addEventListener('scroll', () => { mirror.scrollTop = box.scrollTop; });
    // The box grows with its text, so it never scrolls and the marks line up with the words.
    const fit = () => {
      box.style.height = 'auto';
      box.style.height = (box.scrollHeight + box.offsetHeight - box.clientHeight) + 'px';
    };
    fit();

    let timer = 0;
    let asked = 0;
    async function check() {
      const mine = ++asked;
      try {
        const answer = await post(box.dataset.check, token.value,
                                  'text=' + encodeURIComponent(box.value), false);
        if (!answer.ok || mine !== asked) return;
        show(box, list, mirror, (await answer.json()).findings);
      } catch (e) {
        // Offline or signed out: the check after saving still runs.
      }
    }
    box.addEventListener('input', () => {
      fit();
      paint(box, mirror, []);  // the old marks no longer fit the text
      if (status) status.textContent = '';
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
    if (list.children.length) check();  // mark the words the page lists

    // Save in place; anything but a clean save (a 409 shows both texts, a refusal says why)
    // goes through the form as if there were no script.
    form.addEventListener('submit', async (e) => {
      if (e.submitter && e.submitter.name === 'reset') return;
      e.preventDefault();
      const body = new URLSearchParams(new FormData(form)).toString();
      if (status) status.textContent = 'Saving\u2026';
      try {
        const answer = await post(form.action, token.value, body, true);
        if (!answer.ok) throw new Error(String(answer.status));
        const saved = await answer.json();
        version.value = String(saved.version);
        show(box, list, mirror, saved.findings);
        dirty = false;
        if (status) status.textContent = 'Saved (version ' + saved.version + ').';
        await refresh();
      } catch (err) {
        dirty = false;
        form.submit();
      }
    });
  }

  for (const f of document.querySelectorAll('form[data-edit]')) {
    f.addEventListener('input', () => { dirty = true; });
    f.addEventListener('submit', () => { dirty = false; });
  }
  window.addEventListener('beforeunload', (e) => {
    if (dirty) { e.preventDefault(); e.returnValue = ''; }
  });
})();
