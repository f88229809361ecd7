// The short confirmation after a write (issue 16). base.html's toast region (role="status", so
// screen readers announce what appears in it) holds the messages of a page reloaded after a
// write; a write answered to htmx with a fragment sends its message as an HX-Trigger event
// ("mlwa:toast", mlwa/toasts.py), shown here in the same region. A confirmation goes away after
// a few seconds (not while the pointer or the focus is on it); a warning or an error stays until
// dismissed. Every toast has a button to dismiss it.
(function () {
  "use strict";

  var SHOWN_MS = 6000;
  var STAYING = { warning: true, error: true };

  function region() {
    return document.getElementById("toasts");
  }

  function dismiss(toast) {
    if (toast && toast.parentNode) toast.parentNode.removeChild(toast);
  }

  function arm(toast) {
    if (STAYING[toast.getAttribute("data-level")]) return;
    var timer = null;
    function start() {
      timer = window.setTimeout(function () { dismiss(toast); }, SHOWN_MS);
    }
    function stop() {
      window.clearTimeout(timer);
    }
    toast.addEventListener("mouseenter", stop);
    toast.addEventListener("focusin", stop);
    toast.addEventListener("mouseleave", start);
    toast.addEventListener("focusout", start);
    start();
  }

  function show(message, level) {
    var holder = region();
    if (!holder || !message) return;
    var toast = document.createElement("div");
    toast.className = "toast message message-" + level;
    toast.setAttribute("data-level", level);
    var text = document.createElement("p");
    text.textContent = message; // text, never markup
    var close = document.createElement("button");
    close.type = "button";
    close.className = "toast-close";
    close.setAttribute("data-toast-close", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    toast.appendChild(text);
    toast.appendChild(close);
    holder.appendChild(toast);
    arm(toast);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-toast-close]");
    if (button) dismiss(button.closest(".toast"));
  });

  document.addEventListener("mlwa:toast", function (event) {
    var detail = event.detail || {};
    show(String(detail.message || ""), String(detail.level || "success"));
  });

  function start() {
    var holder = region();
    if (!holder) return;
    Array.prototype.forEach.call(holder.querySelectorAll(".toast"), arm);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
