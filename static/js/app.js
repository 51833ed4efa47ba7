/* Progressive enhancement only: every page works without this file.
   Copy buttons next to feed addresses are hidden in the HTML and shown here, where they can work. */
(function () {
  "use strict";

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    // Older WeChat / in-app browsers: select the text and use the legacy command.
    input.focus();
    input.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function enhanceCopyButton(button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) { return; }
    var status = button.closest(".copy-row") && button.closest(".copy-row").querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(input).then(function () {
        if (status) { status.textContent = button.getAttribute("data-copied"); }
        button.classList.add("is-copied");
      }, function () {
        input.focus();
        input.select();
        if (status) { status.textContent = button.getAttribute("data-failed"); }
      });
    });
  }

  function selectOnFocus(input) {
    input.addEventListener("focus", function () { input.select(); });
  }

  function enhanceDismissButton(button) {
    var target = document.getElementById(button.getAttribute("data-dismiss"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () { target.hidden = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy-target]").forEach(enhanceCopyButton);
    document.querySelectorAll("[data-dismiss]").forEach(enhanceDismissButton);
    document.querySelectorAll("input.feed-url").forEach(selectOnFocus);
  });
})();
