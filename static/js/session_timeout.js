// The GOV.UK timeout warning. The server puts on #session-timeout how long this session has
// left, which limit ends it ("idle" or "absolute") and how long before the end to warn. Before
// warning, and again just before the end, the page's form is saved (static/js/autosave.js's
// window.CaseFileAutosave, where the page has one). The server is asked before acting, since
// activity in another tab may have kept the session alive: its status answer does not count as
// activity; "Stay signed in" does. When the time has run out the page goes to the plain
// "You have been signed out" page, which offers signing in again and coming back here.
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function") return;

  var data = dialog.dataset;
  var warning = parseInt(data.warning, 10);
  // Seconds: how long before the warning the form is saved, when the last save before the end
  // is made, and how often the server is asked while the dialog is open.
  var SAVE_LEAD = Math.min(5, warning / 10);
  var LAST_SAVE = Math.min(15, warning / 4);
  var POLL = Math.min(15, warning / 4);
  var SAVE_TIMEOUT_MS = 10000;

  var deadline = 0; // performance.now() at which the session ends
  var limit = data.limit;
  var timer = null;
  var ticker = null;
  var nextPoll = 0;
  var lastSpoken = "";
  var lastSaveDone = false;
  var ending = false;
  var closingByScript = false;
  var savedFirst = false;
  var previousFocus = null;

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - performance.now()) / 1000));
  }

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function shownTime(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    if (!minutes) return plural(rest, "second");
    return plural(minutes, "minute") + (rest ? " " + plural(rest, "second") : "");
  }

  // What a screen reader hears changes only every minute, then every 15 seconds.
  function spokenTime(seconds) {
    if (seconds > 60) return plural(Math.ceil(seconds / 60), "minute");
    if (seconds > 45) return plural(1, "minute");
    return plural(Math.max(15, Math.ceil(seconds / 15) * 15), "second");
  }

  function csrfToken() {
    var name = data.csrfCookie + "=";
    var parts = document.cookie.split(";");
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i].trim();
      if (part.indexOf(name) === 0) return decodeURIComponent(part.slice(name.length));
    }
    return "";
  }

  function autosave() {
    var store = window.CaseFileAutosave;
    return store && typeof store.saveNow === "function" ? store : null;
  }

  // Save the page's form, if it has one; never waits more than SAVE_TIMEOUT_MS, never fails.
  function saveFirst() {
    var store = autosave();
    if (!store) return Promise.resolve();
    var gaveUp = new Promise(function (resolve, reject) {
      window.setTimeout(reject, SAVE_TIMEOUT_MS);
    });
    return Promise.race([Promise.resolve().then(function () { return store.saveNow(); }), gaveUp])
      .then(function () {
        savedFirst = typeof store.hasUnsavedChanges === "function" ? !store.hasUnsavedChanges() : true;
      }, function () {
        savedFirst = false;
      });
  }

  function ask(url, method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") headers["X-CSRFToken"] = csrfToken();
    return fetch(url, { method: method, headers: headers, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) return { signed_in: false };
        if (!response.ok) throw new Error("status " + response.status);
        return response.json();
      });
  }

  function signedOut() {
    var here = window.location.pathname + window.location.search;
    var query = "?next=" + encodeURIComponent(here) + "&limit=" + encodeURIComponent(limit);
    if (savedFirst) query += "&saved=1";
    window.location.assign(data.signedOutUrl + query);
  }

  // What the server said: carry on, warn, or go to the signed-out page.
  function follow(status) {
    if (!status.signed_in) {
      signedOut();
      return;
    }
    schedule(status.remaining, status.limit);
  }

  function schedule(seconds, limitName) {
    window.clearTimeout(timer);
    deadline = performance.now() + seconds * 1000;
    limit = limitName || limit;
    if (seconds <= warning) {
      open();
      return;
    }
    close();
    var untilSave = seconds - warning - SAVE_LEAD;
    if (untilSave > 0) {
      timer = window.setTimeout(beforeWarning, untilSave * 1000);
    } else {
      // Saved and asked just now (beforeWarning): warn on time, without asking again.
      timer = window.setTimeout(open, (seconds - warning) * 1000);
    }
  }

  function beforeWarning() {
    saveFirst()
      .then(function () { return ask(data.statusUrl, "GET"); })
      .then(follow, function () { open(); });
  }

  function showVariant() {
    var parts = dialog.querySelectorAll("[data-when]");
    for (var i = 0; i < parts.length; i++) {
      parts[i].hidden = parts[i].getAttribute("data-when") !== limit;
    }
    var saving = dialog.querySelector("[data-when-saving]");
    if (saving) saving.hidden = !autosave();
  }

  function render() {
    var seconds = secondsLeft();
    var shown = dialog.querySelectorAll("[data-countdown]");
    for (var i = 0; i < shown.length; i++) shown[i].textContent = shownTime(seconds);
    var spoken = spokenTime(seconds);
    if (spoken !== lastSpoken) {
      lastSpoken = spoken;
      var live = dialog.querySelectorAll("[data-spoken]");
      for (var j = 0; j < live.length; j++) {
        live[j].textContent = live[j].getAttribute("data-spoken").replace("{time}", spoken);
      }
    }
  }

  function tick() {
    var seconds = secondsLeft();
    render();
    if (seconds <= LAST_SAVE && !lastSaveDone) {
      lastSaveDone = true;
      saveFirst();
    }
    if (seconds <= 0) {
      end();
    } else if (performance.now() >= nextPoll) {
      // Someone may be working in another tab: the server knows.
      nextPoll = performance.now() + POLL * 1000;
      ask(data.statusUrl, "GET").then(follow, function () { /* offline: the clock goes on */ });
    }
  }

  function open() {
    showVariant();
    render();
    if (!dialog.open) {
      previousFocus = document.activeElement;
      lastSaveDone = false;
      nextPoll = performance.now() + POLL * 1000;
      dialog.showModal(); // moves focus to the first button; the page behind goes inert
    }
    if (!ticker) ticker = window.setInterval(tick, 1000);
  }

  function close() {
    window.clearInterval(ticker);
    ticker = null;
    lastSpoken = "";
    if (dialog.open) {
      closingByScript = true;
      dialog.close();
      closingByScript = false;
    }
    if (previousFocus && typeof previousFocus.focus === "function") previousFocus.focus();
    previousFocus = null;
  }

  function end() {
    if (ending) return;
    ending = true;
    saveFirst()
      .then(function () { return ask(data.statusUrl, "GET"); })
      .then(function (status) {
        ending = false;
        follow(status);
      }, function () {
        ending = false; // offline: try again on the next tick
      });
  }

  function stay() {
    if (limit !== "idle") {
      close();
      timer = window.setTimeout(end, secondsLeft() * 1000);
      return;
    }
    ask(data.extendUrl, "POST").then(follow, function () {
      schedule(secondsLeft(), limit); // not reached: the warning stays
    });
  }

  var stayButton = dialog.querySelector("[data-session-stay]");
  if (stayButton) stayButton.addEventListener("click", stay);
  var closeButton = dialog.querySelector("[data-session-close]");
  if (closeButton) closeButton.addEventListener("click", stay);
  // Escape closes a modal dialog: here it means "Stay signed in".
  dialog.addEventListener("close", function () {
    if (!closingByScript) stay();
  });

  var signOut = dialog.querySelector("[data-session-sign-out]");
  if (signOut) {
    signOut.addEventListener("submit", function (event) {
      event.preventDefault();
      // The token may have been replaced by a sign-in in another tab: the cookie's is current.
      var field = signOut.querySelector("input[name=csrfmiddlewaretoken]");
      if (field) field.value = csrfToken() || field.value;
      saveFirst().then(function () { signOut.submit(); });
    });
  }

  // A tab coming back into view may have slept through its timers.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      ask(data.statusUrl, "GET").then(follow, function () {});
    }
  });

  schedule(parseInt(data.remaining, 10), data.limit);
})();
