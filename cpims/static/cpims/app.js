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
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
