// The writing editor for portfolio evidence: progressive enhancement of a <textarea data-rich-editor> of HTML.
// Without JavaScript the text box still works (the server turns plain paragraphs into HTML). With it, the text box
// becomes an editor with a toolbar (headings, lists, bold, italic, links), kept in step with the hidden text box, so
// the form posts exactly what the editor shows. The server sanitises whatever arrives; the editor cleans too, so
// pasted content looks here as it will once saved.
//
// A form with data-autosave-url saves a few seconds after typing stops, sending the version the page loaded
// (expected_version). A save refused because another tab or window saved first stops autosaving and says so: it
// never overwrites. No inline scripts or styles: this file is loaded with <script src> under a strict CSP.
(function () {
  "use strict";

  var AUTOSAVE_AFTER_MS = 3000;
  var ALLOWED = { P: 1, BR: 1, H2: 1, H3: 1, H4: 1, UL: 1, OL: 1, LI: 1, STRONG: 1, B: 1, EM: 1, I: 1, A: 1, BLOCKQUOTE: 1 };
  var DROPPED = { SCRIPT: 1, STYLE: 1, TEMPLATE: 1, IFRAME: 1, OBJECT: 1, EMBED: 1, HEAD: 1, TITLE: 1, META: 1, LINK: 1 };
  var LINK = /^(https?:|mailto:)/i;

  // Copy only allowed elements (and a link's safe href) from an inert document into `into`; unwrap the rest.
  function copyClean(from, into) {
    Array.prototype.forEach.call(from.childNodes, function (node) {
      if (node.nodeType === 3) {
        into.appendChild(document.createTextNode(node.nodeValue));
      } else if (node.nodeType === 1 && !DROPPED[node.nodeName]) {
        if (ALLOWED[node.nodeName]) {
          var copy = document.createElement(node.nodeName.toLowerCase());
          if (node.nodeName === "A") {
            var href = (node.getAttribute("href") || "").trim();
            if (LINK.test(href)) copy.setAttribute("href", href);
          }
          copyClean(node, copy);
          into.appendChild(copy);
        } else {
          copyClean(node, into);
        }
      }
    });
  }

  function cleanFragment(html) {
    // DOMParser's document is inert: nothing in it loads or runs.
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var fragment = document.createDocumentFragment();
    copyClean(parsed.body, fragment);
    return fragment;
  }

  function wordsIn(element) {
    var text = (element.innerText || element.textContent || "").trim();
    return text ? text.split(/\s+/).length : 0;
  }

  function lengthSummary(words, counter) {
    var written = words.toLocaleString() + " word" + (words === 1 ? "" : "s") + " written";
    var suggested = counter.dataset.suggested;
    if (!suggested) return written;
    var min = parseInt(counter.dataset.minWords, 10);
    var max = parseInt(counter.dataset.maxWords, 10);
    var note = "within it";
    if (!isNaN(min) && words < min) note = "below the suggested length";
    else if (!isNaN(max) && words > max) note = "over the suggested length";
    return written + "; suggested " + suggested + " (" + note + ")";
  }

  var BUTTONS = [
    { label: "Heading", run: function () { document.execCommand("formatBlock", false, "h2"); } },
    { label: "Subheading", run: function () { document.execCommand("formatBlock", false, "h3"); } },
    { label: "Paragraph", run: function () { document.execCommand("formatBlock", false, "p"); } },
    { label: "Bold", command: "bold" },
    { label: "Italic", command: "italic" },
    { label: "Bulleted list", command: "insertUnorderedList" },
    { label: "Numbered list", command: "insertOrderedList" },
    {
      label: "Link",
      run: function () {
        var address = window.prompt("The address of the page to link to, starting with https://", "https://");
        if (!address) return;
        address = address.trim();
        if (!LINK.test(address)) {
          window.alert("A link must start with https:// (or http://, or mailto: for an email address).");
          return;
        }
        document.execCommand("createLink", false, address);
      }
    },
    { label: "Remove link", command: "unlink" }
  ];

  function toolbarFor(editor, onChange) {
    var toolbar = document.createElement("div");
    toolbar.className = "editor-toolbar";
    toolbar.setAttribute("role", "toolbar");
    toolbar.setAttribute("aria-label", "Formatting");
    toolbar.setAttribute("aria-controls", editor.id);
    BUTTONS.forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "editor-button";
      button.textContent = spec.label;
      if (spec.command === "bold" || spec.command === "italic") {
        button.setAttribute("aria-pressed", "false");
        button.dataset.command = spec.command;
      }
      // mousedown would take the selection out of the editor: keep it where the person left it.
      button.addEventListener("mousedown", function (event) { event.preventDefault(); });
      button.addEventListener("click", function () {
        editor.focus();
        if (spec.run) spec.run(); else document.execCommand(spec.command, false, null);
        onChange();
      });
      toolbar.appendChild(button);
    });
    return toolbar;
  }

  function reflectState(toolbar) {
    toolbar.querySelectorAll("[data-command]").forEach(function (button) {
      var on = false;
      try { on = document.queryCommandState(button.dataset.command); } catch (e) { on = false; }
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function autosaver(form, state) {
    var url = form.dataset.autosaveUrl;
    var timer = null;
    var inFlight = false;
    var again = false;
    var stopped = false;
    var dirty = false;

    function say(text, kind) {
      if (!state) return;
      state.textContent = text;
      state.className = "save-state" + (kind ? " save-state-" + kind : "");
    }

    function save() {
      if (stopped) return;
      if (inFlight) { again = true; return; }
      inFlight = true;
      var sent = new FormData(form);
      fetch(url, {
        method: "POST",
        body: sent,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        // A sign-in page instead of an answer: the session ended. Say so, rather than "could not be reached".
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("json") === -1) return { status: 401, data: {} };
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      }).then(function (result) {
        var data = result.data || {};
        if (result.status === 401) {
          stopped = true;
          say("Not saved: you have been signed out. Copy your text, sign in again in another tab, then paste it " +
            "back and save.", "error");
          return;
        }
        if (result.status === 200 && data.saved) {
          var version = form.querySelector("input[name=expected_version]");
          if (version) version.value = data.version;
          dirty = again;
          say(data.message + ".", "ok");
        } else if (result.status === 409) {
          stopped = true;
          say(data.message + " Nothing has been saved from this window since.", "conflict");
          form.classList.add("editor-conflict");
        } else {
          say("Not saved: " + (data.message || "something went wrong") + " It will try again when you type.", "error");
        }
      }).catch(function () {
        say("Not saved: credo could not be reached. It will try again when you type; keep this window open.", "error");
      }).then(function () {
        inFlight = false;
        if (again && !stopped) { again = false; save(); }
      });
    }

    window.addEventListener("beforeunload", function (event) {
      if (dirty && !stopped) { event.preventDefault(); event.returnValue = ""; }
    });
    form.addEventListener("submit", function () { dirty = false; stopped = true; });

    return function changed() {
      if (!url || stopped) return;
      if (!dirty) say("Not saved yet: it saves when you stop typing.", "");
      dirty = true;
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(save, AUTOSAVE_AFTER_MS);
    };
  }

  var made = 0;
  function enhance(textarea) {
    if (textarea.dataset.editorWired || typeof document.execCommand !== "function") return;
    textarea.dataset.editorWired = "1";
    made += 1;
    var form = textarea.form;
    var editor = document.createElement("div");
    editor.id = (textarea.id || "editor") + "-editor-" + made;
    editor.className = "editor-area";
    editor.contentEditable = "true";
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    var label = textarea.id && document.querySelector("label[for='" + textarea.id + "']");
    if (label) {
      if (!label.id) label.id = textarea.id + "-label";
      editor.setAttribute("aria-labelledby", label.id);
      // The label names the editor now; clicking it puts the cursor there, as it did in the text box.
      label.addEventListener("click", function (event) { event.preventDefault(); editor.focus(); });
    }
    if (textarea.getAttribute("aria-describedby")) {
      editor.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    if (textarea.getAttribute("aria-invalid")) editor.setAttribute("aria-invalid", textarea.getAttribute("aria-invalid"));
    editor.appendChild(cleanFragment(textarea.value));

    var counter = form && form.querySelector("[data-word-count]");
    var state = form && form.querySelector("[data-save-state]");
    var changedForAutosave = form && form.dataset.autosaveUrl ? autosaver(form, state) : function () {};

    function sync() {
      textarea.value = editor.innerHTML;
      if (counter) counter.textContent = lengthSummary(wordsIn(editor), counter);
      changedForAutosave();
    }

    var toolbar = toolbarFor(editor, sync);
    var wrapper = document.createElement("div");
    wrapper.className = "rich-editor";
    wrapper.appendChild(toolbar);
    wrapper.appendChild(editor);
    textarea.hidden = true;
    textarea.after(wrapper);
    try { document.execCommand("defaultParagraphSeparator", false, "p"); } catch (e) { /* older browsers: divs */ }

    editor.addEventListener("input", sync);
    editor.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      if (!data) return;
      event.preventDefault();
      var html = data.getData("text/html");
      if (html) {
        var holder = document.createElement("div");
        holder.appendChild(cleanFragment(html));
        document.execCommand("insertHTML", false, holder.innerHTML);
      } else {
        document.execCommand("insertText", false, data.getData("text/plain"));
      }
      sync();
    });
    document.addEventListener("selectionchange", function () {
      if (document.activeElement === editor) reflectState(toolbar);
    });
    if (form) form.addEventListener("submit", function () { textarea.value = editor.innerHTML; });
  }

  function enhanceAll(root) {
    (root || document).querySelectorAll("textarea[data-rich-editor]").forEach(enhance);
  }
  document.addEventListener("DOMContentLoaded", function () { enhanceAll(document); });
  document.addEventListener("htmx:load", function (event) { enhanceAll(event.detail.elt); });
})();
