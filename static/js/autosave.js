// Autosave: an edit page's form (data-autosave-url) is saved to the server a few seconds after
// typing stops, when the page is hidden, and before the session times out
// (window.CaseFileAutosave.saveNow). Nothing of the case goes into browser storage: what is
// not yet saved lives only in the page. The server's answers are described in audits/autosave.py.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  if (!form) return;

  var QUIET_MS = 2500; // after the last keystroke
  var RETRY_MS = [2000, 5000, 10000, 20000, 30000];
  var status = form.querySelector("[data-autosave-status]") || document.querySelector("[data-autosave-status]");
  var guard = window.CaseFileForms;

  var edits = 0; // edits made on the page
  var savedEdits = 0; // edits the server holds
  var timer = null;
  var inFlight = null;
  var failures = 0;
  // After a conflict the page waits for the user's choice (the Save button), and after a refusal
  // or a sign-out for the user: autosave would otherwise save over what they must first see.
  var paused = form.hasAttribute("data-autosave-paused");

  function say(text, kind, extra) {
    if (!status) return;
    status.textContent = text;
    status.className = "govuk-body-s govuk-!-margin-bottom-0 app-autosave-status autosave-status" + (kind ? " autosave-" + kind : "");
    if (extra) {
      status.appendChild(document.createTextNode(" "));
      status.appendChild(extra);
    }
  }

  function link(text, href) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function compareButton() {
    // Posting the form normally brings the page back with both versions side by side, where
    // the page can (data-compare-action names the Save button's value); elsewhere the page's
    // own buttons say what changed when pressed, keeping what was typed.
    if (!form.hasAttribute("data-compare-action")) return null;
    var button = document.createElement("button");
    button.type = "submit";
    button.name = "action";
    button.value = form.getAttribute("data-compare-action");
    // No class: GOV.UK's button style would show it despite "hidden".
    button.textContent = "Compare and choose";
    form.appendChild(button);
    button.hidden = true;
    var visible = document.createElement("button");
    visible.type = "button";
    visible.className = "govuk-button govuk-button--warning govuk-!-margin-bottom-0";
    visible.textContent = "Compare and choose";
    visible.addEventListener("click", function () { form.requestSubmit(button); });
    return visible;
  }

  if (paused) say("Autosave is paused: choose what to keep, then save.", "paused");

  function pending() { return edits !== savedEdits; }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  function onEdit() {
    edits += 1;
    if (!paused) schedule(QUIET_MS);
  }
  form.addEventListener("input", onEdit);
  form.addEventListener("change", onEdit);

  function body() {
    var data = new FormData(form);
    data.delete("action"); // autosave saves a draft; it never submits
    // Django reads a posted csrfmiddlewaretoken before the X-CSRFToken header, so the field
    // must carry the cookie's current token too: the one the page was served with is refused
    // once a sign-in in another tab has replaced it.
    if (guard) data.set("csrfmiddlewaretoken", guard.csrfToken(form));
    return data;
  }

  function apply(answer) {
    var revision = form.querySelector("input[name$='revision']");
    if (revision) revision.value = String(answer.revision);
    Object.keys(answer.fields || {}).forEach(function (name) {
      var input = form.querySelector("[name='" + name + "']");
      if (input) input.value = String(answer.fields[name]);
    });
    if (answer.autosave_url) form.dataset.autosaveUrl = answer.autosave_url;
    if (answer.edit_url) {
      form.action = answer.edit_url;
      form.dataset.editUrl = answer.edit_url;
      if (window.location.pathname !== answer.edit_url && window.history.replaceState) {
        window.history.replaceState(null, "", answer.edit_url);
      }
    }
  }

  function save(options) {
    window.clearTimeout(timer);
    if (paused || !pending()) return inFlight || Promise.resolve(true);
    if (inFlight) {
      // One save at a time: the next starts when this one answers.
      return inFlight.then(function () { return save(options); });
    }
    var upTo = edits;
    var request = {
      method: "POST",
      body: body(),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": guard ? guard.csrfToken(form) : "" }
    };
    if (options && options.leaving) request.keepalive = true;
    say("Saving…", "saving");
    inFlight = fetch(form.dataset.autosaveUrl, request)
      .then(function (response) {
        return response.json().then(
          function (answer) { return { status: response.status, answer: answer }; },
          function () { return { status: response.status, answer: {} }; }
        );
      })
      .then(function (result) { return handle(result.status, result.answer, upTo); })
      .catch(function () { return offline(); })
      .then(function (ok) { inFlight = null; return ok; });
    return inFlight;
  }

  function handle(code, answer, upTo) {
    if (code === 200 && answer.saved) {
      failures = 0;
      apply(answer);
      savedEdits = upTo;
      if (!pending() && guard) guard.markClean(form);
      say("Saved at " + answer.saved_at_display, "saved");
      if (pending()) schedule(QUIET_MS);
      return true;
    }
    if (code === 409) {
      paused = true;
      say(answer.message || "This was saved from another page since you opened it. Nothing here is lost.", "conflict", compareButton());
      return false;
    }
    if (code === 400) {
      var first = (answer.errors || [])[0];
      say(
        (answer.message || "Not saved.") + (first ? " " + first.message : ""),
        "invalid",
        first && first.anchor ? link("Go to the problem", "#" + first.anchor) : null
      );
      return false;
    }
    if ((code === 401 || code === 403) && (answer.error === "signed_out" || answer.error === "csrf")) {
      paused = true;
      var where = answer.login_url || answer.reload_url;
      say(
        answer.kept
          ? "You have been signed out. What you typed is kept: sign in again to save it."
          : "You have been signed out. Sign in again in another tab, then save.",
        "signed-out",
        where ? link("Sign in again", where) : null
      );
      return false;
    }
    if (code === 403 || code === 404) {
      paused = true;
      say(answer.message || "This can no longer be saved here. Reload the page.", "refused");
      return false;
    }
    return offline();
  }

  function offline() {
    // The server or the network did not answer: keep what is on the page and try again.
    var wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)];
    failures += 1;
    say("Not saved — reconnecting…", "offline");
    schedule(wait);
    return false;
  }

  window.addEventListener("online", function () { if (pending() && !paused) save(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save({ leaving: true });
  });
  window.addEventListener("pagehide", function () { save({ leaving: true }); });

  // The Save and Submit buttons post the form themselves. An autosave still on its way when
  // one is pressed is waited for, so the page posts the revision that save produced. Heard on
  // the document after confirm.js: a submit whose question was answered "Cancel" is left alone
  // (autosave goes on), and one answered "OK" is not asked again when it goes on.
  document.addEventListener("submit", function (event) {
    if (event.target !== form || event.defaultPrevented) return;
    window.clearTimeout(timer);
    if (!inFlight) {
      savedEdits = edits; // the form itself carries the edits now
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    inFlight.then(function () {
      savedEdits = edits;
      paused = true;
      form.setAttribute("data-confirmed", "");
      form.requestSubmit(submitter);
    });
  });

  window.CaseFileAutosave = {
    saveNow: function () { return save(); },
    hasUnsavedChanges: pending
  };
})();
