/*
 * Names for the admin's autocomplete boxes (Select2), for screen readers.
 *
 * Select2 names its combobox after the chosen option only, so an empty one (a new
 * article's drug) has no accessible name at all. Each box is named after its field's
 * <label> (or, in a tabular inline, the select's aria-label) followed by the choice; the
 * read-only textbox showing the choice is named after the field.
 * Django starts Select2 when the document is ready and on "formset:added"; a mutation
 * observer names each box as soon as Select2 has inserted it.
 */

const HIDDEN = "medinfo-combobox-name";

function fieldName(select) {
  const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
  if (label) {
    label.id ||= `${select.id}-label`;
    return label.id;
  }
  // No visible label: a hidden element carries the select's own name.
  const span = document.createElement("span");
  span.id = `${select.id || select.name}-${HIDDEN}`;
  span.hidden = true;
  span.textContent = select.getAttribute("aria-label") || select.name;
  select.parentElement.append(span); // after Select2's box, which follows the select
  return span.id;
}

function nameComboboxes(root) {
  for (const select of root.querySelectorAll("select.admin-autocomplete")) {
    const box = select.nextElementSibling?.querySelector('[role="combobox"]');
    if (!box || box.dataset.named) continue;
    const name = fieldName(select);
    // The chosen option is shown in a read-only textbox of its own: it needs the name too.
    const choice = box.querySelector(".select2-selection__rendered");
    choice?.setAttribute("aria-labelledby", name);
    box.setAttribute("aria-labelledby", [name, choice?.id].filter(Boolean).join(" "));
    box.dataset.named = "true";
  }
}

// Select2 starts when jQuery says the document is ready, which may come after "load"
// (jQuery runs ready handlers asynchronously): name each box as soon as it appears.
new MutationObserver(() => nameComboboxes(document)).observe(document.body, {
  childList: true,
  subtree: true,
});
nameComboboxes(document);
