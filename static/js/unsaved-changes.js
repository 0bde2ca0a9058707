/*
 * An editor never loses work on an admin change form.
 *
 * - Leaving the page with unsaved changes asks first (beforeunload).
 * - Links and forms marked [data-needs-saved-text] (the article's workflow steps and its
 *   previews, which act on the saved text) ask in a dialog when the form has changes, and
 *   offer "Save, then …": the change form is saved in the background (an ordinary admin
 *   POST, so every server check applies), then the step goes ahead. When the save is
 *   refused, the form is submitted for real, so the server shows why, with the text kept.
 * - Where the page has a #draft-banner (the article form), its text fields are copied to
 *   localStorage as the editor types, and offered back after a closed tab or a crash.
 *   Nothing is sent to the server until the editor saves.
 *
 * A draft is stored under "medinfo.draft:<data-draft-key>:<loaded_updated_at>:<page load>"
 * as {savedAt, version, fields}. It is dropped when the server's text equals it (it was
 * saved), after the next page shows its form was saved (sessionStorage remembers the
 * submission for one page), when the editor discards it, or after 30 days. A draft made to
 * an older version is restored with that version's edit-conflict token, so saving it
 * shows the newer version first (articles.forms.EditConflictForm).
 */

const DRAFT_PREFIX = "medinfo.draft:";
const SUBMITTED = "medinfo.submitted-draft";
const DRAFT_LIFETIME = 30 * 24 * 3600 * 1000;
const AUTOSAVE_DELAY = 300; // ms after the last change
const TEXT_INPUTS = new Set(["text", "search", "email", "url", "tel", "number"]);
const NOT_STATE = new Set(["submit", "button", "reset", "image", "file", "password"]);

const normalise = (text) => text.replace(/\r\n?/g, "\n").trim(); // as Django cleans text
const pageUrl = () => location.href.split("#")[0];

function isText(control) {
  return (
    control.tagName === "TEXTAREA" ||
    (control.tagName === "INPUT" && TEXT_INPUTS.has(control.type))
  );
}

function stateControls(form) {
  return [...form.elements].filter(
    (control) =>
      control.name &&
      control.name !== "csrfmiddlewaretoken" &&
      !control.disabled &&
      ["INPUT", "TEXTAREA", "SELECT"].includes(control.tagName) &&
      !NOT_STATE.has(control.type),
  );
}

function currentState(control) {
  if (isText(control)) return normalise(control.value);
  if (control.type === "checkbox" || control.type === "radio") return String(control.checked);
  if (control.tagName === "SELECT") {
    return [...control.selectedOptions].map((option) => option.value).join("\n");
  }
  return control.value;
}

/** What the server sent: text and check boxes from their defaults (a browser restoring
 * form state after "back" changes only the current values), the rest as it is now. */
function serverState(control) {
  if (isText(control)) return normalise(control.defaultValue);
  if (control.type === "checkbox" || control.type === "radio") return String(control.defaultChecked);
  return currentState(control);
}

const serialise = (form, state) =>
  stateControls(form)
    .map((control) => `${control.name}=${state(control)}`)
    .join("\u001f");

function openStorage(kind) {
  try {
    const storage = window[kind];
    storage.setItem("medinfo.probe", "1");
    storage.removeItem("medinfo.probe");
    return storage;
  } catch {
    return null; // blocked by the browser's settings
  }
}

const drafts = openStorage("localStorage");
const session = openStorage("sessionStorage");

function readDrafts() {
  const found = [];
  for (let index = 0; drafts && index < drafts.length; index += 1) {
    const key = drafts.key(index);
    if (!key || !key.startsWith(DRAFT_PREFIX)) continue;
    try {
      const draft = JSON.parse(drafts.getItem(key));
      if (draft && draft.fields && draft.savedAt) found.push({ ...draft, key });
    } catch {
      /* not ours, or damaged: left alone */
    }
  }
  return found;
}

function removeDraft(key) {
  try {
    drafts?.removeItem(key);
  } catch {
    /* nothing to do */
  }
}

/** Store a draft; when the browser's storage is full, drop the oldest other drafts. */
function writeDraft(key, draft) {
  const text = JSON.stringify(draft);
  for (;;) {
    try {
      drafts.setItem(key, text);
      return true;
    } catch {
      const [oldest] = readDrafts()
        .filter((other) => other.key !== key)
        .sort((a, b) => a.savedAt.localeCompare(b.savedAt));
      if (!oldest) return false;
      removeDraft(oldest.key);
    }
  }
}

/** The page before this one submitted a change form: if it came here saved, forget its draft. */
function forgetSubmittedDraft() {
  if (!session) return;
  let submitted = null;
  try {
    submitted = JSON.parse(session.getItem(SUBMITTED) || "null");
  } catch {
    /* damaged: forget it */
  }
  session.removeItem(SUBMITTED);
  if (!submitted || !submitted.key) return;
  const [navigation] = performance.getEntriesByType("navigation");
  const cameFromTheForm =
    navigation && navigation.type === "navigate" && document.referrer === submitted.from;
  const refused = Boolean(document.querySelector("#content-main form .errornote"));
  if (cameFromTheForm && !refused) removeDraft(submitted.key);
}

function findChangeForm() {
  const form = document.querySelector("#content-main form[id$='_form'][method='post']");
  return form && form.querySelector("[name=_save], [name=_continue]") ? form : null;
}

/** Dirty tracking and the beforeunload question. */
function guardForm(form) {
  const initial = serialise(form, serverState);
  // The server sent the form back with errors: what it shows is not saved.
  const cameBackWithErrors = Boolean(form.querySelector(".errornote"));
  let leaving = false;
  const guard = {
    isDirty: () => cameBackWithErrors || serialise(form, currentState) !== initial,
    leave: () => {
      leaving = true;
    },
  };
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !guard.isDirty()) return;
    event.preventDefault();
    event.returnValue = ""; // older browsers need it set to ask
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) leaving = false; // back from the next page: guard again
  });
  return guard;
}

function formatTime(iso) {
  return new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

/** Local drafts of the form's text, and the banner that offers them back. */
function keepDrafts(form, banner, guard) {
  const warning = document.querySelector(".draft-storage-warning");
  const warn = (message) => {
    if (!warning) return;
    warning.textContent = message;
    warning.hidden = !message;
  };
  if (!drafts) {
    warn("This browser does not let the page keep a copy of your unsaved changes: save often.");
    return { submitted: () => {} };
  }
  const draftKey = banner.dataset.draftKey;
  const base = `${DRAFT_PREFIX}${draftKey}:`;
  const newBase = `${DRAFT_PREFIX}${draftKey.replace(/:[^:]*$/, ":new")}:`;
  const versionField = form.elements.namedItem("loaded_updated_at");
  const version = versionField ? versionField.defaultValue : "";
  const ownKey = `${base}${version}:${Math.random().toString(36).slice(2, 10)}`;

  const textControls = () => stateControls(form).filter(isText);
  const control = (name) => {
    const found = form.elements.namedItem(name);
    return found instanceof Element && isText(found) ? found : null;
  };
  function matchesServer(draft) {
    const compared = Object.entries(draft.fields).filter(([name]) => control(name));
    return (
      compared.length > 0 &&
      compared.every(([name, value]) => normalise(value) === normalise(control(name).defaultValue))
    );
  }

  let timer = null;
  function save() {
    clearTimeout(timer);
    timer = null;
    if (!guard.isDirty()) {
      removeDraft(ownKey);
      return;
    }
    const fields = Object.fromEntries(textControls().map((c) => [c.name, c.value]));
    const stored = writeDraft(ownKey, { savedAt: new Date().toISOString(), version, fields });
    warn(stored ? "" : "This browser has no room left to keep a copy of your unsaved changes: save them now.");
  }
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(save, AUTOSAVE_DELAY);
  };
  for (const type of ["input", "change", "keyup"]) form.addEventListener(type, saveSoon);
  window.addEventListener("pagehide", () => timer && save());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden" && timer) save();
  });

  // What earlier visits left behind.
  const now = Date.now();
  const pending = [];
  for (const draft of readDrafts()) {
    const age = now - Date.parse(draft.savedAt);
    if (!(age < DRAFT_LIFETIME)) removeDraft(draft.key);
    else if (draft.key.startsWith(base) || draft.key.startsWith(newBase)) {
      if (matchesServer(draft)) removeDraft(draft.key); // saved: the server shows it
      else if (draft.key.startsWith(base)) pending.push(draft);
    }
  }
  pending.sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  if (guard.isDirty()) save(); // a form sent back with errors: its text is only on this page

  const time = banner.querySelector("time");
  const note = banner.querySelector(".draft-banner-note");
  let offered = null;
  function offerNext() {
    offered = pending.shift() || null;
    banner.hidden = !offered;
    if (!offered) return;
    time.dateTime = offered.savedAt;
    time.textContent = formatTime(offered.savedAt);
    note.hidden = !(offered.version && version && offered.version !== version);
  }
  function restore() {
    let first = null;
    for (const [name, value] of Object.entries(offered.fields)) {
      const field = control(name);
      if (!field || field.value === value) continue;
      field.value = value;
      field.dispatchEvent(new Event("input", { bubbles: true })); // markdownx previews it
      first = first || field;
    }
    if (versionField && offered.version && offered.version !== version) {
      versionField.value = offered.version; // the server compares it with the newer version
    }
    removeDraft(offered.key);
    save();
    return first;
  }
  banner.addEventListener("click", (event) => {
    const action = event.target.closest("[data-draft-action]")?.dataset.draftAction;
    if (!action || !offered) return;
    const restored = action === "restore" ? restore() : (removeDraft(offered.key), null);
    offerNext();
    if (banner.hidden) (restored || textControls()[0])?.focus();
  });
  offerNext();

  return {
    submitted() {
      save();
      try {
        session?.setItem(SUBMITTED, JSON.stringify({ key: ownKey, from: pageUrl() }));
      } catch {
        /* the draft stays until the server shows the same text */
      }
    },
  };
}

/** Save the change form without leaving the page; the admin answers a save with a redirect. */
async function saveInBackground(form) {
  const body = new FormData(form);
  body.set("_continue", "1");
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body,
      credentials: "same-origin",
      redirect: "manual", // the admin's messages then wait for the next page
    });
    if (response.type === "opaqueredirect") return { saved: true };
    if (response.status === 200) return { refused: true }; // the form with its errors
    return {
      error: `Not saved: the server answered ${response.status}. Your changes are still on this page; try again.`,
    };
  } catch {
    return {
      error: "Not saved: the server could not be reached. Your changes are still on this page; try again when the connection is back.",
    };
  }
}

/** "Save, then …" for the links and forms that act on the saved text. */
function askToSaveFirst(form, guard) {
  const dialog = document.getElementById("save-first");
  if (!dialog) return;
  const message = dialog.querySelector("#save-first-message");
  const problem = dialog.querySelector(".save-first-error");
  const saveButton = dialog.querySelector("[data-save-first=save]");
  const allowed = new WeakSet();
  let proceed = null;
  let busy = false;

  function ask(trigger, then) {
    message.textContent = trigger.dataset.explain || "This acts on the saved text.";
    saveButton.textContent = trigger.dataset.needsSavedText;
    problem.textContent = "";
    proceed = then;
    dialog.showModal();
  }

  document.addEventListener(
    "submit",
    (event) => {
      const step = event.target;
      if (!step.matches("form[data-needs-saved-text]") || allowed.has(step)) return;
      if (!guard.isDirty()) return;
      event.preventDefault();
      const submitter = event.submitter;
      ask(step, () => {
        if (step.dataset.afterSave === "reload") {
          location.assign(pageUrl());
        } else {
          allowed.add(step);
          step.requestSubmit(submitter);
        }
      });
    },
    true,
  );

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-needs-saved-text]");
    const newTab = event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey;
    if (!link || newTab || event.defaultPrevented || !guard.isDirty()) return;
    event.preventDefault();
    ask(link, () => location.assign(link.href));
  });

  dialog.querySelector("[data-save-first=cancel]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("cancel", (event) => {
    if (busy) event.preventDefault();
  });
  saveButton.addEventListener("click", async () => {
    if (busy) return;
    busy = true;
    const label = saveButton.textContent;
    saveButton.disabled = true;
    saveButton.textContent = "Saving…";
    const outcome = await saveInBackground(form);
    if (outcome.saved) {
      // The draft stays until a page shows the server's text equal to it.
      guard.leave();
      proceed();
      return;
    }
    busy = false;
    saveButton.disabled = false;
    saveButton.textContent = label;
    if (outcome.refused) {
      dialog.close();
      form.requestSubmit(form.querySelector("[name=_continue]") || undefined);
    } else {
      problem.textContent = outcome.error;
    }
  });
}

forgetSubmittedDraft();
const changeForm = findChangeForm();
if (changeForm) {
  const guard = guardForm(changeForm);
  const banner = document.getElementById("draft-banner");
  const keeper = banner ? keepDrafts(changeForm, banner, guard) : { submitted: () => {} };
  document.addEventListener("submit", (event) => {
    if (event.target !== changeForm || event.defaultPrevented) return;
    guard.leave();
    keeper.submitted();
  });
  askToSaveFirst(changeForm, guard);
}
