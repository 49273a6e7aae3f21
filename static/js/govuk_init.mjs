// GOV.UK Frontend's components (header menu, service navigation, error summary, character count,
// notification banner, details, skip link), started on every page. A module file, not an inline
// script: the Content Security Policy allows no inline script. Browsers that run modules get
// the class GOV.UK Frontend styles its scripted components by.
import { initAll } from "../dist/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
