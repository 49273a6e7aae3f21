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
    var inputs = form.querySelectorAll("[name='" + button.getAttribute("data-use-saved") + "']");
    inputs.forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        input.checked = values.indexOf(input.value) !== -1;
      } else {
        input.value = values.length ? values[0] : "";
      }
    });
    if (inputs.length) {
      inputs[0].dispatchEvent(new Event("change", { bubbles: true }));
      inputs[0].focus();
    }
    button.textContent = "Saved version used";
    button.disabled = true;
  });
})();
