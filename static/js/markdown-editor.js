/*
 * Every django-markdownx editor on the page (articles' body, drugs' mechanism) gets:
 * - an "Insert image…" button, besides dropping or pasting an image into the text;
 * - the server's own message when it refuses an upload, in a live region beside the
 *   editor, and nothing written into the text (markdownx wrote "Invalid response");
 * - alt text asked for before an uploaded image goes into the text as ![alt](url)
 *   (articles.workflow refuses images without it);
 * - a label on the live preview.
 *
 * markdownx handles drops and pastes on the textarea itself; the listeners here sit on its
 * container in the capture phase and stop file drops and pastes before they reach it, so
 * markdownx's own upload never runs. Text goes in through an "input" event, which markdownx
 * answers with a new preview and static/js/unsaved-changes.js with a draft.
 * No inline styles or scripts: the site's CSP forbids them (styles: css/admin-editor.css).
 */

const ACCEPTED_TYPES = "image/png,image/jpeg";

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) node.setAttribute(name, "");
    else if (value !== false && value != null) node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
}

/** Alt text as Markdown image text: one line, brackets and backslashes escaped. */
function markdownAlt(text) {
  return text.replace(/\s+/g, " ").trim().replace(/[\\[\]]/g, "\\$&");
}

/** The address in the endpoint's answer, {"image_code": "![](/media/markdownx/….png)"}. */
function imageAddress(imageCode) {
  const match = /^!\[[^\]]*\]\((\S+)\)$/.exec(imageCode || "");
  return match ? match[1] : null;
}

/** Why an upload failed, in words, from whatever came back. */
function refusal(response, answer) {
  if (answer && answer.error) return answer.error;
  if (response.redirected && new URL(response.url).pathname.includes("/login/")) {
    return "you are no longer logged in. Log in again in another tab, then upload it again.";
  }
  if (response.status === 403) {
    return "the server refused it (403): you may not upload images, or the page is too old. Save your changes, reload the page and try again.";
  }
  return `the server answered ${response.status} ${response.statusText}. Try again in a moment.`;
}

async function upload(url, file) {
  const body = new FormData();
  body.append("image", file);
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    });
  } catch {
    return { error: "the server could not be reached. Check the connection and try again." };
  }
  let answer = null;
  if ((response.headers.get("Content-Type") || "").includes("application/json")) {
    answer = await response.json().catch(() => null);
  }
  const address = response.ok && answer ? imageAddress(answer.image_code) : null;
  return address ? { address } : { error: refusal(response, answer) };
}

function enhance(container, number) {
  const editor = container.querySelector("textarea.markdownx-editor");
  const preview = container.querySelector(".markdownx-preview");
  if (!editor || !preview || container.classList.contains("markdownx-enhanced")) return;
  container.classList.add("markdownx-enhanced");
  const id = editor.id || `markdownx-${number}`;
  const uploadUrl = editor.getAttribute("data-markdownx-upload-urls-path");

  const chooser = element("input", { type: "file", accept: ACCEPTED_TYPES, multiple: true, hidden: true, tabindex: "-1" });
  const uploadButton = element(
    "button",
    { type: "button", class: "button markdownx-upload-button", "aria-describedby": `${id}-upload-hint` },
    "Insert image…",
  );
  const hint = element(
    "span",
    { class: "markdownx-hint", id: `${id}-upload-hint` },
    "PNG or JPEG. You can also drop or paste an image into the text.",
  );
  const status = element("p", { class: "markdownx-status", role: "status", id: `${id}-upload-status` });
  const problem = element("p", { class: "markdownx-error", role: "alert", id: `${id}-upload-error` });

  const thumbnail = element("img", { class: "markdownx-alt-thumbnail", alt: "" });
  const altInput = element("input", {
    type: "text",
    id: `${id}-alt`,
    class: "vTextField",
    maxlength: "300",
    autocomplete: "off",
    "aria-describedby": `${id}-alt-help ${id}-alt-error`,
  });
  const altError = element("p", { class: "markdownx-alt-error", id: `${id}-alt-error` });
  const insertButton = element("button", { type: "button", class: "button default" }, "Insert image");
  const cancelButton = element("button", { type: "button", class: "button" }, "Cancel");
  const altForm = element(
    "div",
    { class: "markdownx-alt", role: "group", "aria-labelledby": `${id}-alt-label`, hidden: true },
    thumbnail,
    element(
      "div",
      { class: "markdownx-alt-fields" },
      element("label", { for: `${id}-alt`, id: `${id}-alt-label` }, "Describe the image for readers who cannot see it (alt text)"),
      altInput,
      element(
        "p",
        { class: "help", id: `${id}-alt-help` },
        "For example “A round white tablet marked 10”. Required: an image without it cannot be published.",
      ),
      altError,
      element("p", { class: "markdownx-alt-actions" }, insertButton, " ", cancelButton),
    ),
  );

  const tools = element(
    "div",
    { class: "markdownx-tools" },
    element("p", { class: "markdownx-upload" }, uploadButton, chooser, " ", hint),
    status,
    problem,
    altForm,
  );
  editor.before(tools);
  editor.setAttribute("aria-describedby", [editor.getAttribute("aria-describedby"), `${id}-upload-error`].filter(Boolean).join(" "));

  const previewLabel = element(
    "p",
    { class: "markdownx-preview-label", id: `${id}-preview-label` },
    "Preview — what readers will see",
  );
  preview.before(previewLabel);
  preview.setAttribute("role", "region");
  preview.setAttribute("aria-labelledby", previewLabel.id);

  // --- Alt text: one image at a time -------------------------------------------------------

  let answerAlt = null;

  function askForAlt(address) {
    thumbnail.src = address;
    altInput.value = "";
    altError.textContent = "";
    altInput.removeAttribute("aria-invalid");
    altForm.hidden = false;
    altInput.focus();
    return new Promise((resolve) => {
      answerAlt = resolve;
    });
  }

  function closeAlt(answer) {
    altForm.hidden = true;
    thumbnail.removeAttribute("src");
    const resolve = answerAlt;
    answerAlt = null;
    if (resolve) resolve(answer);
  }

  function confirmAlt() {
    const alt = altInput.value.replace(/\s+/g, " ").trim();
    if (!alt) {
      altError.textContent = "Describe the image first: readers who cannot see it get this text instead.";
      altInput.setAttribute("aria-invalid", "true");
      altInput.focus();
      return;
    }
    closeAlt(alt);
  }

  insertButton.addEventListener("click", confirmAlt);
  cancelButton.addEventListener("click", () => closeAlt(null));
  altInput.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // never submit the change form from here
      confirmAlt();
    } else if (event.key === "Escape") {
      event.preventDefault();
      closeAlt(null);
    }
  });

  // --- Uploads -------------------------------------------------------------------------------

  function insertIntoText(text) {
    const { selectionStart: start, selectionEnd: end } = editor;
    editor.focus();
    editor.setSelectionRange(start, end);
    // execCommand keeps the browser's undo history and fires "input" itself.
    if (!document.execCommand("insertText", false, text)) {
      editor.setRangeText(text, start, end, "end");
      editor.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  async function uploadAndInsert(file) {
    problem.textContent = "";
    status.textContent = `Uploading “${file.name}”…`;
    container.classList.add("is-uploading");
    const outcome = await upload(uploadUrl, file);
    container.classList.remove("is-uploading");
    if (outcome.error) {
      status.textContent = "";
      problem.textContent = `“${file.name}” was not uploaded: ${outcome.error} Nothing was added to the text.`;
      return;
    }
    status.textContent = `“${file.name}” is uploaded: describe it to insert it.`;
    const alt = await askForAlt(outcome.address);
    if (alt === null) {
      status.textContent = `“${file.name}” was not inserted.`;
      editor.focus();
      return;
    }
    insertIntoText(`![${markdownAlt(alt)}](${outcome.address})`);
    status.textContent = `“${file.name}” is inserted.`;
  }

  let queue = Promise.resolve();
  function uploadAll(files) {
    for (const file of files) {
      queue = queue
        .then(() => uploadAndInsert(file))
        .catch((error) => {
          container.classList.remove("is-uploading");
          problem.textContent = `“${file.name}” was not inserted: ${error}. Nothing was added to the text.`;
        });
    }
  }

  uploadButton.addEventListener("click", () => chooser.click());
  chooser.addEventListener("change", () => {
    uploadAll([...chooser.files]);
    chooser.value = "";
  });
  for (const type of ["drop", "paste"]) {
    container.addEventListener(
      type,
      (event) => {
        const files = [...((event.dataTransfer || event.clipboardData || {}).files || [])];
        if (!files.length) return;
        event.preventDefault();
        event.stopPropagation(); // markdownx's own upload would write "Invalid response"
        uploadAll(files);
      },
      true,
    );
  }
}

document.querySelectorAll(".markdownx").forEach(enhance);
