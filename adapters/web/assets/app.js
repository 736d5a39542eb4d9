// The review page works without this file. With it: each UTC time also shows in the reader's
// own time zone (as a tooltip), and a form asks before leaving with unsaved text.
'use strict';
(function () {
  for (const t of document.querySelectorAll('time[datetime]')) {
    const when = new Date(t.getAttribute('datetime'));
    if (!isNaN(when)) t.title = when.toLocaleString();
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
