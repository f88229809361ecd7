// The header's search box (templates/partials/_site_search.html): Ctrl-K / Cmd-K focuses it from
// anywhere, even from inside a field; "/" does too when one is not typing. htmx fills its list
// (#site-search-popup) as one types; this walks the list's options with the arrow keys, as an ARIA
// combobox does (the focus stays in the box, aria-activedescendant names the active option), jumps
// to the active one with Enter, and closes the list with Escape or when the focus leaves. Without
// an active option, Enter submits the form: the results page.
(function () {
  "use strict";

  var FORM_ID = "site-search";
  var INPUT_ID = "site-search-q";
  var POPUP_ID = "site-search-popup";
  var isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

  function parts() {
    var form = document.getElementById(FORM_ID);
    if (!form) return null;
    return {
      form: form,
      input: document.getElementById(INPUT_ID),
      popup: document.getElementById(POPUP_ID),
    };
  }

  function options(popup) {
    return Array.prototype.slice.call(popup.querySelectorAll('[role="option"]'));
  }

  function activeIndex(popup) {
    return options(popup).findIndex(function (option) {
      return option.getAttribute("aria-selected") === "true";
    });
  }

  function setActive(p, index) {
    var all = options(p.popup);
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    var active = all[index];
    if (active) {
      p.input.setAttribute("aria-activedescendant", active.id);
      active.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  function isOpen(p) {
    return p.input.getAttribute("aria-expanded") === "true";
  }

  function open(p) {
    var shown = p.popup.children.length > 0;
    p.input.setAttribute("aria-expanded", shown ? "true" : "false");
    p.form.classList.toggle("site-search-open", shown);
  }

  function close(p) {
    p.input.setAttribute("aria-expanded", "false");
    p.input.removeAttribute("aria-activedescendant");
    p.form.classList.remove("site-search-open");
  }

  function isTyping(target) {
    return (
      target instanceof HTMLElement &&
      (target.isContentEditable || target.closest("input, textarea, select, [contenteditable]") !== null)
    );
  }

  function focusBox(p) {
    p.input.focus();
    p.input.select();
    if (p.popup.children.length > 0) open(p);
  }

  // Ctrl-K / Cmd-K everywhere (the browser's own Ctrl-K is its address bar search: ours wins on
  // our pages); "/" only when it would not type a slash.
  document.addEventListener("keydown", function (event) {
    var p = parts();
    if (!p) return;
    var key = (event.key || "").toLowerCase();
    var chord = (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
    if (chord && key === "k") {
      event.preventDefault();
      focusBox(p);
    } else if (key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target)) {
      event.preventDefault();
      focusBox(p);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var p = parts();
    if (!p) return;
    var hint = p.form.querySelector(".site-search-key");
    if (hint && isMac) hint.textContent = "⌘K";

    p.input.addEventListener("keydown", function (event) {
      var all = options(p.popup);
      var index = activeIndex(p.popup);
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        if (!isOpen(p)) {
          open(p);
          setActive(p, event.key === "ArrowDown" ? 0 : all.length - 1);
          return;
        }
        var step = event.key === "ArrowDown" ? 1 : -1;
        setActive(p, (index + step + all.length) % all.length);
      } else if (event.key === "Enter" && isOpen(p) && index >= 0) {
        event.preventDefault();
        window.location.assign(all[index].href);
      } else if (event.key === "Escape") {
        if (isOpen(p)) {
          event.preventDefault();
          close(p);
        } else if (p.input.value) {
          event.preventDefault();
          p.input.value = "";
          p.popup.replaceChildren();
        }
      }
    });

    // A new list: open it, with its first option active, so that Enter jumps to the best hit.
    p.popup.addEventListener("htmx:afterSwap", function () {
      if (document.activeElement !== p.input) return; // answered after the person moved on
      open(p);
      setActive(p, options(p.popup).length ? 0 : -1);
    });

    // A pointer on an option makes it the active one, as the arrow keys would.
    p.popup.addEventListener("mousemove", function (event) {
      var option = event.target instanceof Element ? event.target.closest('[role="option"]') : null;
      if (option) setActive(p, options(p.popup).indexOf(option));
    });

    p.input.addEventListener("focus", function () {
      if (p.popup.children.length > 0) open(p);
    });

    // The focus leaving the box and its list closes the list (a click on an option keeps it:
    // the link takes the focus inside the form, then the page goes).
    p.form.addEventListener("focusout", function (event) {
      if (!(event.relatedTarget instanceof Node) || !p.form.contains(event.relatedTarget)) close(p);
    });
  });
})();
