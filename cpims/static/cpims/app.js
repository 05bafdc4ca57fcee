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
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
