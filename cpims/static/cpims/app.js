/* Small behaviours that need a script; every page works without it. */
(function () {
  "use strict";
  // A confirmation before what cannot be undone: data-confirm on the form or on the button.
  document.addEventListener("submit", function (event) {
    if (event.defaultPrevented) {
      return;
    }
    var submitter = event.submitter;
    var question = (submitter && submitter.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  // After a failed save, the error summary at the top of the form takes the focus: the page
  // scrolls to it on a phone, and a screen reader reads it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
  // A result fetched as the form changes can make a field required (the risk level, the safety
  // plan): data-requires names the field, data-required says whether. The server checks again.
  document.addEventListener("htmx:afterSwap", function (event) {
    event.target.querySelectorAll("[data-requires]").forEach(function (mark) {
      var field = document.getElementById(mark.getAttribute("data-requires"));
      if (field) {
        var required = mark.getAttribute("data-required") === "true";
        field.required = required;
        field.setAttribute("aria-required", required ? "true" : "false");
      }
    });
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
