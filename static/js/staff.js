// Staff pages: small keyboard conveniences. Everything works without it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) { event.preventDefault(); window.print(); }
  });
  // "/" jumps to the search box of a list, as in most office tools.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (document.activeElement && document.activeElement.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") return;
    var search = document.querySelector("form[role=search] input[name=q]");
    if (search) { event.preventDefault(); search.focus(); search.select(); }
  });
  // A select marked data-autosubmit submits its form when changed (no
  // inline handlers: the content security policy forbids them).
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) { select.form.requestSubmit(); }
  });
  // Final actions (complete, reject) ask first: the button opens the
  // <dialog> it names, whose own submit button sends the form. Without
  // JavaScript the button submits directly.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("button[data-confirm]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-confirm"));
      if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
      return;
    }
    var closer = event.target.closest("[data-dialog-close]");
    if (closer) { closer.closest("dialog").close(); }
  });
  // Enter in the commune search box searches (htmx does, as the clerk
  // types); it does not send the whole form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-commune-search]")) {
      event.preventDefault();
    }
  });
  // After a refused submit, put the keyboard on the list of problems.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
})();
