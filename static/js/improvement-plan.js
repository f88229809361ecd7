// The improvement plan edits one item in place at a time: opening another item's form first puts
// the open one back (its Cancel asks the server for the row as stored; unsaved changes there are
// dropped, as closing the form by hand would).
document.addEventListener("htmx:beforeRequest", (event) => {
  const trigger = event.detail.elt;
  if (!(trigger instanceof Element) || !trigger.matches("[data-plan-edit]")) return;
  document.querySelectorAll("[data-plan-cancel]").forEach((cancel) => {
    cancel.click();
  });
});

// A row swapped back after Save or Cancel gives the focus back to its Edit link (marked
// data-refocus), where the person was. Not `autofocus`: that attribute belongs to form fields.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail.elt;
  if (!(target instanceof Element)) return;
  const link = target.matches("[data-refocus]") ? target : target.querySelector("[data-refocus]");
  if (link instanceof HTMLElement) {
    link.removeAttribute("data-refocus");
    link.focus();
  }
});
