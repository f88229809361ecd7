// The question page's flow and keys (templates/reviews/questionnaire/question.html, _pager.html).
// No inline script anywhere (the CSP forbids it): the behaviour lives here, beside questionnaire.js
// (which saves the answer; this file never touches the form's fields).
//
// - Keys j, k and n follow "next", "previous" and "next unanswered"; at the lens's last question
//   j presses "Finish" (a submit button of the answer form: it saves, then goes to the overview).
// - "?" opens the shortcuts (a <dialog>, modal: Escape closes it, and focus comes back).
// - Keys are ignored only while the person types: in a text field (a textarea, a text-like input,
//   anything contenteditable) or a select. A checkbox, radio or button in focus does not stop them
//   (issue 16: j, k and n did nothing after a practice was ticked).
// - "Skip to question", first in the page, puts focus on the first practice (without JavaScript,
//   it is a link to the answer, where the next Tab starts).
// - The question navigation scrolls, within itself, so that the current question is in view.
(function () {
  "use strict";

  var TEXT_TYPES = [
    "text", "search", "email", "url", "tel", "password", "number",
    "date", "datetime-local", "month", "time", "week",
  ];

  function typing(target) {
    if (!(target instanceof HTMLElement)) return false;
    if (target.isContentEditable) return true;
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
    // An input's type property is the normalised one: "text" for a missing or unknown type.
    return target instanceof HTMLInputElement && TEXT_TYPES.indexOf(target.type) !== -1;
  }

  // The first of `ids` on the page: a link is followed, a button (Finish) pressed.
  function follow(ids) {
    for (var i = 0; i < ids.length; i += 1) {
      var element = document.getElementById(ids[i]);
      if (!element) continue;
      if (element instanceof HTMLAnchorElement) {
        if (!element.href) continue;
        window.location.assign(element.href);
      } else {
        element.click();
      }
      return true;
    }
    return false;
  }

  var KEYS = { j: ["link-next", "link-finish"], k: ["link-previous"], n: ["link-next-unanswered"] };

  function shortcutsDialog() {
    var dialog = document.getElementById("shortcuts-dialog");
    return dialog instanceof HTMLDialogElement ? dialog : null;
  }

  function openShortcuts() {
    var dialog = shortcutsDialog();
    if (dialog && !dialog.open) dialog.showModal();
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) return;
    var dialog = shortcutsDialog();
    if (dialog && dialog.open) return; // Escape closes it (the browser's); nothing else behind it
    if (event.key === "?") {
      event.preventDefault();
      openShortcuts();
      return;
    }
    var ids = KEYS[event.key];
    if (ids && follow(ids)) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    if (!target) return;
    if (target.closest("[data-shortcuts-open]")) {
      openShortcuts();
    } else if (target.closest("[data-shortcuts-close]")) {
      var dialog = shortcutsDialog();
      if (dialog) dialog.close();
    } else if (target.closest("[data-skip-to-practices]")) {
      var first = document.querySelector("#answer-panel .practice-check");
      if (first instanceof HTMLInputElement) {
        event.preventDefault();
        first.focus();
        first.scrollIntoView({ block: "center" });
      }
    }
  });

  // The current question in view within the navigation's own scrolling box, never the page's:
  // scrollIntoView would scroll the window as well (and at phone width the navigation sits above
  // the question, where scrolling the page to it would hide the question).
  function showCurrentQuestion() {
    var nav = document.querySelector(".q-nav");
    var current = nav && nav.querySelector("li.current");
    if (!current) return;
    var box = current.parentElement;
    while (box && box !== nav.parentElement) {
      var overflow = window.getComputedStyle(box).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && box.scrollHeight > box.clientHeight) break;
      box = box.parentElement;
    }
    if (!box || box === nav.parentElement) return;
    // "Nearest" within the part of the box that is on screen: at the top of the page, the lower
    // part of a tall navigation is below the window, and an item scrolled there is not in view.
    var area = box.getBoundingClientRect();
    var top = Math.max(area.top, 0);
    var bottom = Math.min(area.bottom, window.innerHeight);
    var item = current.getBoundingClientRect();
    if (item.top < top) {
      box.scrollTop -= top - item.top; // just enough, from above
    } else if (item.bottom > bottom) {
      box.scrollTop += item.bottom - bottom; // or from below
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showCurrentQuestion);
  } else {
    showCurrentQuestion();
  }
})();
