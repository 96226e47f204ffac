// Progressive enhancements; every journey works without this file.
(function () {
  'use strict';

  // Session time-out warning (the GOV.UK "warn users before a time out"
  // pattern): two minutes before the session ends, a modal dialog offers to
  // stay signed in; at the end the page goes to sign-in. The dialog's form
  // posts to /session/extend, which also works without JavaScript.
  var body = document.body;
  var remaining = parseInt(body.getAttribute('data-session-remaining') || '', 10);
  var dialog = document.getElementById('app-timeout-dialog');
  if (!isNaN(remaining) && dialog && typeof dialog.showModal === 'function') {
    var warnBefore = parseInt(body.getAttribute('data-session-warn') || '120', 10);
    var warnTimer, endTimer;
    var schedule = function (secs) {
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      warnTimer = setTimeout(function () {
        if (!dialog.open) { dialog.showModal(); }
      }, Math.max(0, secs - warnBefore) * 1000);
      // At the end, sign out for real (the server may still count the
      // session alive for a second), then show sign-in.
      endTimer = setTimeout(function () {
        form.querySelector('[data-app-timeout]').value = '1';
        form.action = '/sign-out';
        HTMLFormElement.prototype.submit.call(form);
      }, secs * 1000);
    };
    var form = dialog.querySelector('form');
    schedule(remaining);
    form.addEventListener('submit', function (e) {
      if (e.submitter && e.submitter.hasAttribute('data-app-signout')) { return; }
      e.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      fetch(form.action, { method: 'POST', body: data, credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (j) { dialog.close(); schedule(j.remaining_seconds); })
        .catch(function () { form.submit(); });
    });
  }
})();
