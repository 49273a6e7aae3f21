// The kept-save page (templates/sessions/kept.html). A save that a script had sent (autosave)
// went to an address that answers a script, not a page: it is sent again the same way, and
// the browser then goes back to the page it came from. A form's save needs no script here.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-kept-save-script]");
  Array.prototype.forEach.call(forms, function (form) {
    var status = form.closest("section").querySelector("[data-kept-save-status]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = "Saving…";
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (response.ok) {
            window.location.assign(form.getAttribute("data-return") || "/");
            return;
          }
          return response.json().catch(function () { return {}; }).then(function (body) {
            status.textContent = "Not saved: " + (body.message || body.error || "the page refused it") +
              ". Open the page you were on to compare, then try again.";
            button.disabled = false;
          });
        })
        .catch(function () {
          status.textContent = "Not saved: the server could not be reached. Try again in a moment.";
          button.disabled = false;
        });
    });
  });
})();
