// Forms marked data-confirm="question" ask before they submit (deleting a draft, publishing a
// report). Here rather than in onsubmit attributes, so a strict Content-Security-Policy can
// forbid inline script.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
