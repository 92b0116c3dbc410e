// Images in the article editor: the Add images button, drag and drop and
// paste onto the body. Each file becomes a row that htmx uploads
// (multipart, progress shown, several at once); a placeholder holds its place
// at the cursor and becomes ![alt](/media/<id>) when the upload is answered.
// Without JavaScript the editor links to the media library instead.
(function () {
  "use strict";

  var counter = 0;

  function closest(element, selector) {
    return element && element.closest ? element.closest(selector) : null;
  }

  function panelOf(element) {
    var form = closest(element, "form[data-editor]");
    return form ? form.querySelector("[data-editor-media]") : null;
  }

  function bodyOf(panel) {
    var form = closest(panel, "form");
    return form ? form.querySelector("textarea[name='body']") : null;
  }

  function placeholder(token, name) {
    return "![Uploading " + name.replace(/[\[\]]/g, "") + "…](#upload-" + token + ")";
  }

  function placeholderIn(body, token) {
    var found = body.value.match(new RegExp("!\\[[^\\]]*\\]\\(#upload-" + token + "\\)\\n?"));
    return found ? found[0].replace(/\n$/, "") : null;
  }

  function escapeAlt(text) {
    return text.replace(/[\[\]\\]/g, "\\$&").replace(/\s+/g, " ").trim();
  }

  // Replace text in the body, keeping the cursor where it was relative to it.
  function replaceInBody(body, find, replacement) {
    var at = body.value.indexOf(find);
    if (at < 0) return false;
    var start = body.selectionStart;
    var end = body.selectionEnd;
    body.value = body.value.slice(0, at) + replacement + body.value.slice(at + find.length);
    var shift = replacement.length - find.length;
    if (start > at) start += shift;
    if (end > at) end += shift;
    body.setSelectionRange(Math.max(at, start), Math.max(at, end));
    body.dispatchEvent(new Event("input", { bubbles: true }));
    return true;
  }

  function insertAtCursor(body, text) {
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var before = body.value.slice(0, start);
    var after = body.value.slice(end);
    // An image on a line of its own: its own paragraph, captioned if it has one.
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var tail = after && !/^\n\n/.test(after) ? (/^\n/.test(after) ? "\n" : "\n\n") : "";
    var inserted = lead + text + tail;
    body.value = before + inserted + after;
    var caret = before.length + lead.length + text.length;
    body.setSelectionRange(caret, caret);
    body.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function row(panel, file, token) {
    var item = document.createElement("li");
    item.className = "editor-upload is-uploading";
    item.dataset.token = token;
    // ?row= names this row: the answer is the row, even for a body too large to read.
    item.setAttribute("hx-post", panel.dataset.uploadUrl + "?row=" + token);
    item.setAttribute("hx-encoding", "multipart/form-data");
    item.setAttribute("hx-params", "file");
    item.setAttribute("hx-trigger", "folio:upload");
    item.setAttribute("hx-target", "this");
    item.setAttribute("hx-swap", "outerHTML");
    var input = document.createElement("input");
    input.type = "file";
    input.name = "file";
    input.hidden = true;
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    var label = document.createElement("span");
    label.className = "editor-upload-name";
    label.textContent = file.name || "Pasted image";
    var progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.setAttribute("aria-label", "Uploading " + (file.name || "pasted image"));
    item.appendChild(input);
    item.appendChild(label);
    item.appendChild(progress);
    return item;
  }

  function refuse(panel, file, message) {
    var item = document.createElement("li");
    item.className = "editor-upload is-refused";
    item.setAttribute("role", "alert");
    var label = document.createElement("span");
    label.className = "editor-upload-name";
    label.textContent = file.name || "Pasted image";
    var text = document.createElement("span");
    text.className = "editor-upload-error";
    text.textContent = message;
    item.appendChild(label);
    item.appendChild(text);
    panel.querySelector("[data-uploads]").appendChild(item);
  }

  function upload(panel, files) {
    var body = bodyOf(panel);
    if (!body || !window.htmx) return;
    var limit = Number(panel.dataset.maxBytes || 0);
    var list = panel.querySelector("[data-uploads]");
    Array.prototype.forEach.call(files, function (file) {
      if (limit && file.size > limit) {
        refuse(panel, file, panel.dataset.tooLarge);
        return;
      }
      counter += 1;
      var token = Date.now().toString(36) + counter.toString(36);
      insertAtCursor(body, placeholder(token, file.name || "image"));
      var item = row(panel, file, token);
      list.appendChild(item);
      window.htmx.process(item);
      window.htmx.trigger(item, "folio:upload");
    });
  }

  function imageFiles(list) {
    return Array.prototype.filter.call(list || [], function (file) {
      return file.kind === undefined || file.kind === "file";
    });
  }

  document.addEventListener("click", function (event) {
    var button = closest(event.target, "[data-upload-button]");
    if (!button) return;
    var panel = panelOf(button);
    if (panel) panel.querySelector("[data-upload-input]").click();
  });

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-upload-input]")) return;
    upload(panelOf(input), input.files);
    input.value = "";
  });

  function hasFiles(event) {
    var types = event.dataTransfer ? event.dataTransfer.types : [];
    return Array.prototype.indexOf.call(types, "Files") >= 0;
  }

  document.addEventListener("dragover", function (event) {
    if (!hasFiles(event) || !closest(event.target, "form[data-editor] textarea[name='body']")) return;
    event.preventDefault();
    event.target.classList.add("is-dropping");
  });

  document.addEventListener("dragleave", function (event) {
    if (event.target.classList) event.target.classList.remove("is-dropping");
  });

  document.addEventListener("drop", function (event) {
    var body = closest(event.target, "form[data-editor] textarea[name='body']");
    if (!body || !hasFiles(event)) return;
    event.preventDefault();
    body.classList.remove("is-dropping");
    upload(panelOf(body), imageFiles(event.dataTransfer.files));
  });

  document.addEventListener("paste", function (event) {
    var body = closest(event.target, "form[data-editor] textarea[name='body']");
    var data = event.clipboardData;
    if (!body || !data || !data.files || !data.files.length) return;
    event.preventDefault();
    upload(panelOf(body), imageFiles(data.files));
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var item = closest(event.target, ".editor-upload.is-uploading");
    var progress = item ? item.querySelector("progress") : null;
    if (progress && event.detail.total) {
      progress.value = Math.round((event.detail.loaded / event.detail.total) * 100);
    }
  });

  // An answer that is not an uploaded image (refused, too large, an outage):
  // the placeholder goes; the row shows the answer's message.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var item = event.detail.elt;
    if (!item || !item.matches || !item.matches(".editor-upload.is-uploading")) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status >= 200 && status < 300) return;
    var body = bodyOf(item);
    var found = body ? placeholderIn(body, item.dataset.token) : null;
    if (found) replaceInBody(body, found, "");
  });

  // An uploaded image's row arrives: its Markdown takes the placeholder's place.
  document.addEventListener("htmx:load", function (event) {
    var item = event.target;
    if (!item.matches || !item.matches(".editor-upload[data-markdown]")) return;
    var body = bodyOf(item);
    var token = item.dataset.token;
    if (!body || !token) return;
    var found = placeholderIn(body, token);
    if (found) {
      replaceInBody(body, found, item.dataset.markdown);
    } else if (item.hasAttribute("data-ready")) {
      // The row asked again while the sizes were made: now the preview can
      // show the picture (the text itself did not change).
      window.htmx.trigger(body, "folio:images-ready");
    }
  });

  // Alt text typed in an upload's row: the Markdown follows as it is typed
  // (htmx saves it to the library on change).
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("[data-alt-for]")) return;
    var body = bodyOf(field);
    if (!body) return;
    var id = field.dataset.altFor;
    var re = new RegExp("!\\[(?:[^\\]\\\\]|\\\\.)*\\]\\(/media/" + id + "\\)");
    var found = body.value.match(re);
    if (found) replaceInBody(body, found[0], "![" + escapeAlt(field.value) + "](/media/" + id + ")");
  });

  function init(root) {
    var panels = root.querySelectorAll ? root.querySelectorAll("[data-editor-media]") : [];
    for (var i = 0; i < panels.length; i++) {
      var hidden = panels[i].querySelectorAll("[data-js-only]");
      for (var j = 0; j < hidden.length; j++) hidden[j].hidden = false;
      var nojs = panels[i].querySelector("[data-no-js]");
      if (nojs) nojs.hidden = true;
    }
  }
  init(document);
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
