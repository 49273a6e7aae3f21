// Compare and choose (templates/_conflict.html): after a save was refused because someone saved
// the record since the page opened, each "Use the saved version" button puts the saved value of
// one field back into the form. The user's next save is their choice.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-use-saved]");
    if (!button) return;
    var form = document.getElementById(button.getAttribute("data-form"));
    if (!form) return;
    var values = JSON.parse(button.getAttribute("data-values") || "[]");
    // A list: the values of the inputs named data-use-saved. An object: each input's name to
    // its values, for a field of several inputs (a date's day, month and year boxes).
    var byName = {};
    if (Array.isArray(values)) byName[button.getAttribute("data-use-saved")] = values;
    else byName = values;
    var first = null;
    Object.keys(byName).forEach(function (name) {
      var wanted = byName[name];
      var inputs = form.querySelectorAll("[name='" + name + "']");
      inputs.forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") {
          input.checked = wanted.indexOf(input.value) !== -1;
        } else {
          input.value = wanted.length ? wanted[0] : "";
        }
      });
      if (inputs.length) {
        inputs[0].dispatchEvent(new Event("change", { bubbles: true }));
        if (!first) first = inputs[0];
      }
    });
    if (first) first.focus();
    button.textContent = "Saved version used";
    button.disabled = true;
  });
})();
