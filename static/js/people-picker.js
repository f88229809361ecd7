// The people page (templates/reviews/people/page.html).
//
// The picker: without JavaScript it stays hidden and the plain User / or group fields take an exact
// username or team name. With it, htmx fills #people-picker-list as one types (reviews:people-search);
// this walks the list's options with the arrow keys as an ARIA combobox does (the focus stays in the
// box, aria-activedescendant names the active option), and Enter or a click chooses one: its
// username goes into the User field (or its name into the group field), the other is emptied, and
// the choice is said in a status line. Escape closes the list.
//
// "Stop sharing": a link to a page that asks first; here, a modal <dialog> asks instead, posting to
// the same URL.
(function () {
  "use strict";

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
  }

  function setupPicker() {
    var picker = document.getElementById("people-picker");
    if (!picker) return;
    var input = document.getElementById("people-picker-q");
    var list = document.getElementById("people-picker-list");
    var chosen = document.getElementById("people-picker-chosen");
    var form = picker.closest("form");
    var userField = form.querySelector('[name="user"]');
    var groupField = form.querySelector('[name="group"]');
    picker.hidden = false;

    function activeIndex() {
      return options(list).findIndex(function (option) {
        return option.getAttribute("aria-selected") === "true";
      });
    }

    function setActive(index) {
      var all = options(list);
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function isOpen() {
      return input.getAttribute("aria-expanded") === "true";
    }

    function open() {
      input.setAttribute("aria-expanded", options(list).length ? "true" : "false");
    }

    function close() {
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      list.replaceChildren();
    }

    function choose(option) {
      var isGroup = option.dataset.kind === "GROUP";
      userField.value = isGroup ? "" : option.dataset.value;
      groupField.value = isGroup ? option.dataset.value : "";
      input.value = option.dataset.label;
      chosen.textContent =
        "Chosen: " + option.dataset.label + (isGroup ? ", a team." : ", a user.") + " Pick a role and share.";
      close();
    }

    input.addEventListener("keydown", function (event) {
      var all = options(list);
      var index = activeIndex();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        if (!isOpen()) open();
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive(index < 0 ? (step > 0 ? 0 : all.length - 1) : (index + step + all.length) % all.length);
      } else if (event.key === "Enter") {
        // Enter in the box never submits the share form half-filled: it chooses, or does nothing.
        event.preventDefault();
        if (isOpen() && index >= 0) choose(all[index]);
      } else if (event.key === "Escape" && isOpen()) {
        event.preventDefault();
        close();
      }
    });

    // Typing again forgets the choice made from the list (the fields keep what was typed in them).
    input.addEventListener("input", function () {
      chosen.textContent = "";
    });

    list.addEventListener("htmx:afterSwap", function () {
      if (document.activeElement !== input) return; // answered after the person moved on
      open();
      setActive(options(list).length ? 0 : -1);
    });

    list.addEventListener("click", function (event) {
      var option = event.target instanceof Element ? event.target.closest('[role="option"]') : null;
      if (option) {
        choose(option);
        input.focus();
      }
    });

    list.addEventListener("mousemove", function (event) {
      var option = event.target instanceof Element ? event.target.closest('[role="option"]') : null;
      if (option) setActive(options(list).indexOf(option));
    });

    // A click on an option moves no focus (mousedown is cancelled), so the list survives until
    // the click; any other way out of the picker closes it.
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    picker.addEventListener("focusout", function (event) {
      if (!(event.relatedTarget instanceof Node) || !picker.contains(event.relatedTarget)) {
        input.setAttribute("aria-expanded", "false");
        input.removeAttribute("aria-activedescendant");
      }
    });
  }

  function setupStopSharing() {
    var dialog = document.getElementById("stop-sharing-dialog");
    if (!(dialog instanceof HTMLDialogElement)) return;
    var form = dialog.querySelector("form");
    var name = dialog.querySelector("[data-grantee]");
    var opener = null;
    document.addEventListener("click", function (event) {
      var link = event.target instanceof Element ? event.target.closest("a[data-stop-sharing]") : null;
      if (!link) return;
      event.preventDefault();
      opener = link;
      form.setAttribute("action", link.getAttribute("href"));
      name.textContent = link.dataset.grantee;
      dialog.showModal();
    });
    dialog.querySelector("[data-close]").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      if (opener) opener.focus(); // back where the person was
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupPicker();
    setupStopSharing();
  });
})();
