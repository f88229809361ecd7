// The questionnaire page (templates/reviews/questionnaire/). No inline script anywhere (the CSP
// forbids it) and nothing for htmx to evaluate (allowEval is off): the behaviour lives here.
//
// - The answer form saves itself: htmx posts it on "change" at once, and on "answer-typed", which
//   this file sends while the person types in a text field, after 800 ms without typing; neither
//   posts when the fields hold what was last saved (leaving a field whose text is saved already).
// - While a conflict is open (#answer-conflict holds one), the form sends nothing and its fields
//   wait, locked: the first "Keep mine" or "Take theirs" settles it. The panel is scrolled into view
//   and its heading takes the focus.
// - The poll for other people's changes (#changes-poller) says whether the person is editing
//   (unsaved changes, or the focus in the form): the server then leaves the fields alone and marks
//   them stale, or replaces them with the stored answer (reviews.views.questionnaire's rule). Stale
//   only for the focus, they take the stored answer when it leaves the form.
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

  // A save: the form's, or a conflict panel's "Keep mine" / "Take theirs" (not the notice's "Load theirs").
  function isAnswerRequest(event) {
    var elt = event.detail && event.detail.elt;
    return Boolean(elt && elt.closest && elt.closest("#answer-form, #answer-conflict"));
  }

  // A request of the answer form itself: the autosave, or its Save button.
  function isFormRequest(event) {
    var elt = event.detail && event.detail.elt;
    return Boolean(elt && elt.id === FORM_ID);
  }

  function conflictOpen() {
    var conflict = document.getElementById("answer-conflict");
    return Boolean(conflict && conflict.querySelector(".conflict"));
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

  // What a save would store: the fields as the form posts them, without its version and token, and
  // whether or not a conflict has them locked (disabled controls are not posted).
  function formState(form) {
    var pairs = [];
    Array.prototype.forEach.call(form.elements, function (control) {
      var name = control.name;
      if (!name || name === "version" || name === "csrfmiddlewaretoken" || control.type === "submit") return;
      if ((control.type === "checkbox" || control.type === "radio") && !control.checked) return;
      pairs.push(encodeURIComponent(name) + "=" + encodeURIComponent(control.value));
    });
    return pairs.join("&");
  }

  // The state last stored from the form or loaded into it, and the state of the save on its way:
  // a change made while a save is on its way stays unsaved.
  var savedState = null;
  var sendingState = null;

  function unsaved() {
    var form = document.getElementById(FORM_ID);
    return Boolean(form) && savedState !== null && formState(form) !== savedState;
  }

  // The stored answer is in the fields: the page's, the poll's, "Load theirs" or "Take theirs".
  function storedInFields() {
    var form = document.getElementById(FORM_ID);
    savedState = form ? formState(form) : null;
  }

  // Capture phase: this runs before htmx's listener on the form reads the fields and posts them.
  document.addEventListener(
    "change",
    function (event) {
      var target = event.target;
      var form = answerForm(target);
      if (!form) return;
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
    updateCounter(target);
    // hx-trigger="answer-typed delay:800ms": each event restarts the wait, so the save goes after a pause.
    form.dispatchEvent(new CustomEvent("answer-typed", { bubbles: false }));
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!isAnswerRequest(event)) return;
    var form = document.getElementById(FORM_ID);
    sendingState = form ? formState(form) : null;
    setStatus("Saving…", "saving");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isAnswerRequest(event)) return;
    var xhr = event.detail.xhr;
    // "Take theirs" stored nothing of the form's: its reply put the stored answer in the fields.
    var theirs = event.detail.elt.querySelector("input[name=resolution][value=theirs]");
    if (xhr && xhr.status === 200 && !theirs) savedState = sendingState;
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

  // Pressing "Load theirs", which drops the person's changes (their field loses the focus first).
  var discarding = false;

  document.addEventListener("pointerdown", function (event) {
    discarding = Boolean(event.target.closest && event.target.closest("[data-discard-edits]"));
  });

  // After htmx's own listener on the button has sent its request.
  document.addEventListener("click", function () {
    discarding = false;
  });

  // The form sends nothing while a conflict is open: leaving the notes field ("change") would post
  // it again, get a second 409 and redraw the panel under the person's first click on a choice. Its
  // autosave ("change", "answer-typed") sends nothing either when the fields hold what was last
  // saved (leaving a field whose text is saved fires "change" all the same), nor while "Load
  // theirs" is pressed. A Save button's submit always posts, but in a conflict.
  document.addEventListener("htmx:confirm", function (event) {
    if (!isFormRequest(event)) return;
    var trigger = event.detail.triggeringEvent;
    var autosave = trigger && (trigger.type === "change" || trigger.type === "answer-typed");
    if (conflictOpen() || (autosave && (discarding || !unsaved()))) event.preventDefault();
  });

  // The form's fields wait while a conflict is open: what "Keep mine" stores is what the panel
  // shows as the person's ("as you submitted them"), not something typed since. Only the controls
  // locked here are unlocked.
  function lockFields(locked) {
    var form = document.getElementById(FORM_ID);
    if (!form) return;
    // form.elements: the buttons outside the form that submit it too ("Save and exit").
    Array.prototype.forEach.call(form.elements, function (control) {
      if (control.type === "hidden" || control instanceof HTMLFieldSetElement) return;
      if (locked && !control.hasAttribute("data-conflict-locked")) {
        control.setAttribute("data-conflict-locked", "");
        if (control instanceof HTMLTextAreaElement) control.readOnly = true;
        else control.disabled = true;
      } else if (!locked && control.hasAttribute("data-conflict-locked")) {
        control.removeAttribute("data-conflict-locked");
        if (control instanceof HTMLTextAreaElement) control.readOnly = false;
        else control.disabled = false;
      }
    });
  }

  // Each new conflict panel, once: scrolled into view, its heading focused (for a screen reader,
  // and for the keyboard, whose next Tab reaches the choices).
  function showConflict() {
    var open = conflictOpen();
    lockFields(open);
    var heading = open && document.getElementById("conflict-title");
    if (!heading || heading.hasAttribute("data-shown")) return;
    heading.setAttribute("data-shown", "");
    heading.closest(".conflict").scrollIntoView({ block: "start" });
    heading.focus({ preventScroll: true });
  }

  document.addEventListener("htmx:afterSettle", showConflict);
  document.addEventListener("DOMContentLoaded", function () {
    storedInFields();
    showConflict();
  });

  // Editing: unsaved changes, a conflict open, or the focus in the form. The poll says so, and
  // the server leaves the fields alone (see the module's note in reviews.views.questionnaire).
  function editing() {
    var form = document.getElementById(FORM_ID);
    if (!form) return false;
    return unsaved() || conflictOpen() || form.contains(document.activeElement);
  }

  var pollSentEditing = false;

  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id !== "changes-poller") return;
    pollSentEditing = editing();
    if (pollSentEditing) event.detail.parameters.editing = "1";
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    // Editing began while the poll was on its way: its reply may replace the fields. Dropped whole,
    // the poller is not moved on, and its next request asks again, as editing.
    if (event.detail.elt.id === "changes-poller" && !pollSentEditing && editing()) {
      event.detail.shouldSwap = false;
    }
  });

  document.addEventListener("htmx:oobAfterSwap", function (event) {
    if (event.target.id === "answer-fields") storedInFields();
  });

  // Marked stale only because the focus was in the form: once it leaves, with nothing unsaved, the
  // fields take the stored answer, as the next poll would have given them ("Load theirs").
  document.addEventListener("focusout", function (event) {
    if (!answerForm(event.target)) return;
    window.setTimeout(function () {
      var load = document.querySelector("#changes-notice [data-discard-edits]");
      if (load && !editing()) load.click();
    }, 0);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "answer-panel") storedInFields();
  });

  // Leaving the page less than 800 ms after typing: send what is not saved yet on the way out.
  window.addEventListener("pagehide", function () {
    var form = document.getElementById(FORM_ID);
    if (form && unsaved() && !conflictOpen() && navigator.sendBeacon) {
      navigator.sendBeacon(form.action, new FormData(form));
    }
  });
})();
