// The questionnaire page (templates/reviews/questionnaire/). No inline script anywhere (the CSP
// forbids it) and nothing for htmx to evaluate (allowEval is off): the behaviour lives here.
//
// - The answer form saves itself: htmx posts it on "change" at once, and on "answer-typed", which
//   this file sends while the person types in a text field, after 800 ms without typing.
// - "None of these" excludes the other practices; a practice is either selected or not applicable.
// - The status line says "Saving…", and says so when a save fails (network or server error); the
//   person's input is left as it is, and saved with the next change or "Save".
// - The keys (j, k, n, ?), the skip link and the navigation's scrolling: review-flow.js.
(function () {
  "use strict";

  var FORM_ID = "answer-form";

  function answerForm(element) {
    return element && element.form && element.form.id === FORM_ID ? element.form : null;
  }

  // A request of the answer panel (the form, or a conflict panel's "Keep mine" / "Take theirs").
  function isAnswerRequest(event) {
    var elt = event.detail && event.detail.elt;
    return Boolean(elt && elt.closest && elt.closest("#answer-panel"));
  }

  function setStatus(text, kind) {
    var status = document.getElementById("answer-status");
    if (!status) return;
    status.textContent = text;
    status.classList.remove("status-saving", "status-saved", "status-error");
    if (kind) status.classList.add("status-" + kind);
  }

  function updateCounter(field) {
    if (!field.id) return;
    document.querySelectorAll("[data-count-for]").forEach(function (counter) {
      if (counter.getAttribute("data-count-for") === field.id) {
        counter.textContent = field.value.length + " / " + counter.getAttribute("data-max") + " characters";
      }
    });
  }

  // Edits not yet saved: counted, so that an edit made while a save is on its way stays unsaved.
  var edits = 0;
  var sending = 0;
  var saved = 0;

  // Capture phase: this runs before htmx's listener on the form reads the fields and posts them.
  document.addEventListener(
    "change",
    function (event) {
      var target = event.target;
      var form = answerForm(target);
      if (!form) return;
      edits += 1;
      if (!(target instanceof HTMLInputElement) || target.type !== "checkbox" || !target.checked) return;
      if (target.classList.contains("practice-check")) {
        var noneOfThese = target.hasAttribute("data-none-of-these");
        form.querySelectorAll(".practice-check").forEach(function (box) {
          if (box !== target && (noneOfThese || box.hasAttribute("data-none-of-these"))) box.checked = false;
        });
        var notApplicable = document.getElementById("na-" + target.value);
        if (notApplicable) notApplicable.checked = false;
      } else if (target.classList.contains("na-toggle")) {
        var practice = document.getElementById("choice-" + target.value);
        if (practice) practice.checked = false;
      }
    },
    true
  );

  document.addEventListener("input", function (event) {
    var target = event.target;
    var form = answerForm(target);
    if (!form || !(target instanceof HTMLTextAreaElement)) return;
    edits += 1;
    updateCounter(target);
    // hx-trigger="answer-typed delay:800ms": each event restarts the wait, so the save goes after a pause.
    form.dispatchEvent(new CustomEvent("answer-typed", { bubbles: false }));
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!isAnswerRequest(event)) return;
    sending = edits;
    setStatus("Saving…", "saving");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isAnswerRequest(event)) return;
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 200) saved = Math.max(saved, sending);
  });

  document.addEventListener("htmx:sendError", function (event) {
    if (!isAnswerRequest(event)) return;
    setStatus(
      "Not saved: the server could not be reached. Your answer is still here: it is saved with your next change, or press Save.",
      "error"
    );
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (!isAnswerRequest(event)) return;
    var status = event.detail.xhr ? event.detail.xhr.status : "?";
    setStatus(
      "Not saved: the server answered with an error (" + status + "). Your answer is still here: press Save to try again.",
      "error"
    );
  });

  // Leaving the page less than 800 ms after typing: send what is not saved yet on the way out.
  window.addEventListener("pagehide", function () {
    var form = document.getElementById(FORM_ID);
    if (form && edits > saved && navigator.sendBeacon) {
      navigator.sendBeacon(form.action, new FormData(form));
    }
  });
})();
