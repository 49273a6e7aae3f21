// On every page: nothing typed is lost by leaving, or by a sign-in in another tab.
// - A form with edits not yet saved makes leaving the page ask first (the browser's own
//   "Leave site?" question). Submitting the form, or autosave saving it, makes it clean.
// - Signing in again in another tab gives the browser a new CSRF cookie, and the token this
//   page was served with no longer matches it: a form posts the cookie's current token instead,
//   so its save is not refused.
// Forms marked data-no-guard (sign-in, filters) are left alone.
(function () {
  "use strict";

  var dirty = new Set();

  function guarded(form) {
    return form && form.method && form.method.toLowerCase() === "post" && !form.hasAttribute("data-no-guard");
  }

  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function onEdit(event) {
    var form = event.target && event.target.form;
    if (guarded(form)) dirty.add(form);
  }
  document.addEventListener("input", onEdit, true);
  document.addEventListener("change", onEdit, true);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!guarded(form)) return;
    var token = csrfCookie();
    var field = form.querySelector("input[name='csrfmiddlewaretoken']");
    if (token && field) field.value = token;
    // Checked after every other submit listener (capture order is not enough: confirm.js may
    // still cancel it), so a cancelled submit leaves the form dirty.
    window.setTimeout(function () {
      if (!event.defaultPrevented) dirty.delete(form);
    }, 0);
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty.size === 0) return;
    if (window.CaseFileAutosave) window.CaseFileAutosave.saveNow();
    event.preventDefault();
    event.returnValue = "";
  });

  window.CaseFileForms = {
    csrfToken: function (form) {
      var field = form.querySelector("input[name='csrfmiddlewaretoken']");
      return csrfCookie() || (field ? field.value : "");
    },
    isDirty: function (form) { return dirty.has(form); },
    markClean: function (form) { dirty.delete(form); },
    markDirty: function (form) { dirty.add(form); }
  };
})();
