// Forms marked data-confirm="question" ask before they submit (deleting a draft); so does a
// submit button marked data-confirm, for that button only (publishing a report, whose form also
// saves the narrative without asking). Here rather than in onsubmit attributes, so a strict
// Content-Security-Policy can forbid inline script.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    // Already answered: autosave.js held this submit back until its save answered.
    if (form.hasAttribute && form.hasAttribute("data-confirmed")) {
      form.removeAttribute("data-confirmed");
      return;
    }
    var question =
      (button && button.getAttribute("data-confirm")) ||
      (form.getAttribute && form.getAttribute("data-confirm"));
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
