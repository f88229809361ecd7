// Pillar priorities on the workload form (templates/reviews/workloads/_pillar_priorities.html):
// "Move up" and "Move down" buttons beside each pillar, usable by mouse and keyboard, that reorder
// the rows and renumber their rank inputs. Without this file the ranks are typed, which the server
// reads the same way: the buttons only fill in the ranks.
(function () {
  "use strict";

  function rows(list) {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > li"));
  }

  function label(row) {
    return row.querySelector(".priority-label").textContent.trim();
  }

  // Every row from the top down to the lowest ranked one (or the one just moved) gets its place
  // as its rank; the rows below it stay without a priority.
  function renumber(list, moved) {
    var all = rows(list);
    var last = -1;
    all.forEach(function (row, index) {
      if (row === moved || row.querySelector("input").value.trim() !== "") {
        last = index;
      }
    });
    all.forEach(function (row, index) {
      row.querySelector("input").value = index <= last ? String(index + 1) : "";
    });
  }

  function move(list, row, step, button) {
    var all = rows(list);
    var index = all.indexOf(row);
    var target = index + step;
    if (target < 0 || target >= all.length) {
      return;
    }
    if (step < 0) {
      list.insertBefore(row, all[target]);
    } else {
      list.insertBefore(row, all[target].nextSibling);
    }
    renumber(list, row);
    button.focus();
    var status = list.parentNode.querySelector("[data-priority-status]");
    if (status) {
      status.textContent = label(row) + ": rank " + row.querySelector("input").value + ".";
    }
  }

  function button(text, name, handler) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "button button-small";
    element.textContent = text;
    element.setAttribute("aria-label", text + ": " + name);
    element.addEventListener("click", handler);
    return element;
  }

  function enhance(list) {
    rows(list).forEach(function (row) {
      var name = label(row);
      var actions = document.createElement("span");
      actions.className = "priority-actions";
      var up = button("Move up", name, function () { move(list, row, -1, up); });
      var down = button("Move down", name, function () { move(list, row, 1, down); });
      actions.appendChild(up);
      actions.appendChild(down);
      row.appendChild(actions);
    });
  }

  function init() {
    document.querySelectorAll("[data-priority-list]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
