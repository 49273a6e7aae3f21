// The audit form: add action rows, and say whether the case reference was audited before.
(function () {
  "use strict";
  var form = document.getElementById("audit-form");
  if (!form) return;

  var addButton = document.getElementById("add-action");
  var template = document.getElementById("action-template");
  var rows = document.getElementById("action-rows");
  var total = form.querySelector("input[name='actions-TOTAL_FORMS']");
  if (addButton && template && rows && total) {
    addButton.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var legend = added.querySelector("legend");
      if (legend) legend.textContent = "Action " + (index + 1);
      var first = added.querySelector("textarea, input:not([type=hidden])");
      if (first) first.focus();
    });
  }

  var reference = document.getElementById("id_case_reference");
  var panel = document.getElementById("earlier-audits");
  if (reference && panel) {
    reference.addEventListener("change", function () {
      var url = panel.dataset.url + "?case_reference=" + encodeURIComponent(reference.value.trim()) +
        "&exclude=" + encodeURIComponent(panel.dataset.exclude || "");
      fetch(url, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) { panel.innerHTML = html; })
        .catch(function () { /* the panel is a help, not a requirement */ });
    });
  }

  // After a first save the draft has its own address: show it, so a reload cannot post the
  // "new audit" form again and start a second draft.
  var editUrl = form.dataset.editUrl;
  if (editUrl && window.location.pathname !== editUrl && window.history.replaceState) {
    window.history.replaceState(null, "", editUrl);
  }

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
