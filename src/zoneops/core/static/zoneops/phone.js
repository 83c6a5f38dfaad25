// Forms filled in on a phone in the field (no inline scripts: the page runs under a CSP).
//
// 1. Photos: <input type="file" data-resize="2000000"> gets its pictures shrunk in the browser
//    to at most that many pixels (canvas, JPEG) as soon as they are chosen. Canvas drops the
//    EXIF block, GPS location included, so when the form's "keep location" box
//    ([data-keep-location]) is ticked the original files are sent instead, and the server keeps
//    their location. The server checks type and size again whatever arrives.
// 2. Drafts: a form marked [data-phone-form] is kept in localStorage (per user, form, URL) while
//    it is filled in, and restored when the page is opened again, hidden client_token included,
//    so that a form sent again after a reload still counts once.
// 3. Dropped connections: such a form is sent with fetch. Without a connection it is put in an
//    IndexedDB outbox, files and all, and sent when the browser is online again (the "online"
//    event, or the next page opened). The server claims the form's client_token in the same
//    transaction as the write, so a form that arrives twice is saved once.
(function () {
  "use strict";

  var PHONE_HEADER = "X-Zoneops-Phone-Form";
  var LOCATION_HEADER = "X-Zoneops-Location";
  var LOGIN_PATH = "/accounts/login/";

  // Photos ------------------------------------------------------------------------------------

  function keepLocation(input) {
    var box = input.form && input.form.querySelector("[data-keep-location]");
    return Boolean(box && box.checked);
  }

  function decode(file) {
    if (window.createImageBitmap) {
      return window.createImageBitmap(file, { imageOrientation: "from-image" });
    }
    return new Promise(function (resolve, reject) {
      var img = new Image();
      var address = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(address); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(address); reject(new Error("decode")); };
      img.src = address;
    });
  }

  function shrink(file, maxPixels) {
    if (!/^image\/(jpeg|png|webp)$/.test(file.type)) {
      return Promise.resolve(file);
    }
    return decode(file).then(function (picture) {
      var width = picture.width, height = picture.height;
      if (width * height <= maxPixels) {
        return file;
      }
      var scale = Math.sqrt(maxPixels / (width * height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.floor(width * scale));
      canvas.height = Math.max(1, Math.floor(height * scale));
      canvas.getContext("2d").drawImage(picture, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", 0.85);
      });
    }).catch(function () { return file; });
  }

  function setFiles(input, files) {
    var transfer = new DataTransfer();
    files.forEach(function (f) { transfer.items.add(f); });
    input.files = transfer.files;
  }

  function prepare(input) {
    var originals = input.zoneopsOriginals || [];
    if (keepLocation(input)) {
      input.zoneopsPending = Promise.resolve();
      setFiles(input, originals);
      return input.zoneopsPending;
    }
    var maxPixels = parseInt(input.getAttribute("data-resize"), 10) || 2000000;
    input.zoneopsPending = Promise.all(originals.map(function (f) { return shrink(f, maxPixels); }))
      .then(function (files) { setFiles(input, files); });
    return input.zoneopsPending;
  }

  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("input[type=file][data-resize]")) {
      el.zoneopsOriginals = Array.prototype.slice.call(el.files || []);
      prepare(el);
    } else if (el.matches && el.matches("[data-keep-location]") && el.form) {
      el.form.querySelectorAll("input[type=file][data-resize]").forEach(function (input) {
        if (input.zoneopsOriginals) { prepare(input); }
      });
    }
  });

  function photosReady(form) {
    var pending = [];
    form.querySelectorAll("input[type=file][data-resize]").forEach(function (input) {
      if (input.zoneopsPending) { pending.push(input.zoneopsPending); }
    });
    return Promise.all(pending);
  }

  // Ordinary forms with photos wait for the shrinking before they go.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-phone-form") || form.zoneopsReady) {
      return;
    }
    if (!form.querySelector("input[type=file][data-resize]")) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    photosReady(form).then(function () {
      // Not from this event's own dispatch (a form being submitted ignores a second submit).
      window.setTimeout(function () {
        form.zoneopsReady = true;
        form.requestSubmit(submitter || undefined);
      }, 0);
    });
  });

  // Drafts ------------------------------------------------------------------------------------

  function draftKey(form) {
    var user = (document.body && document.body.getAttribute("data-signed-in")) || "";
    return "zoneops-draft:" + user + ":" + (form.getAttribute("data-draft-key") || form.id) +
      ":" + window.location.pathname + window.location.search;
  }

  function fieldsOf(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.type === "button" ||
          el.name === "csrfmiddlewaretoken") {
        return;
      }
      if (el.type === "checkbox") {
        fields[el.name] = el.checked;
      } else if (el.type === "radio") {
        if (el.checked) { fields[el.name] = el.value; }
      } else if (el.multiple && el.options) {
        fields[el.name] = Array.prototype.map.call(el.selectedOptions, function (o) {
          return o.value;
        });
      } else {
        fields[el.name] = el.value;
      }
    });
    return fields;
  }

  function saveDraft(form) {
    try {
      window.localStorage.setItem(draftKey(form), JSON.stringify({
        saved: Date.now(), fields: fieldsOf(form),
      }));
    } catch (e) { /* storage full or disabled: the form still works */ }
  }

  function clearDraft(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  function restoreDraft(form) {
    var draft;
    try { draft = JSON.parse(window.localStorage.getItem(draftKey(form)) || "null"); } catch (e) {
      draft = null;
    }
    if (!draft || !draft.fields) { return; }
    var changed = false;
    Object.keys(draft.fields).forEach(function (name) {
      var value = draft.fields[name];
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name !== name) { return; }
        if (el.type === "checkbox") {
          if (el.checked !== Boolean(value)) { el.checked = Boolean(value); changed = true; }
        } else if (el.type === "radio") {
          var on = el.value === value;
          if (el.checked !== on) { el.checked = on; changed = true; }
        } else if (el.multiple && el.options && Array.isArray(value)) {
          Array.prototype.forEach.call(el.options, function (o) {
            var selected = value.indexOf(o.value) >= 0;
            if (o.selected !== selected) { o.selected = selected; changed = true; }
          });
        } else if (typeof value === "string" && el.value !== value) {
          el.value = value;
          if (el.name !== "client_token") { changed = true; }
        }
      });
    });
    if (changed) { notice(form, form.getAttribute("data-msg-restored"), "info"); }
  }

  // Sending and the outbox -------------------------------------------------------------------

  function notice(form, text, kind) {
    if (!text) { return; }
    var box = form.querySelector(".phone-form-notice");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "status");
      form.insertBefore(box, form.firstChild);
    }
    box.className = "alert alert-" + (kind || "info") + " phone-form-notice";
    box.id = "phone-form-notice";
    box.textContent = text;
  }

  function openOutbox() {
    return new Promise(function (resolve, reject) {
      var request = window.indexedDB.open("zoneops-outbox", 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore("forms", { keyPath: "id", autoIncrement: true });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function outbox(mode, work) {
    return openOutbox().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("forms", mode);
        var result = work(tx.objectStore("forms"));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function entriesOf(data) {
    var entries = [];
    data.forEach(function (value, name) {
      // A file input left empty: browsers send no file for it, neither does the outbox.
      if (value instanceof File && !value.name && value.size === 0) { return; }
      entries.push([name, value]);
    });
    return entries;
  }

  // The page's current CSRF token: a form kept since before a new login carries an old one.
  function currentCsrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : null;
  }

  function formDataOf(entries) {
    var data = new FormData();
    var csrf = currentCsrfToken();
    entries.forEach(function (entry) {
      if (entry[0] === "csrfmiddlewaretoken" && csrf) {
        data.append(entry[0], csrf);
      } else if (entry[1] instanceof Blob) {
        data.append(entry[0], entry[1], entry[1].name || "photo.jpg");
      } else {
        data.append(entry[0], entry[1]);
      }
    });
    return data;
  }

  function post(item) {
    var headers = {};
    headers[PHONE_HEADER] = "1";
    return window.fetch(item.url, {
      method: "POST",
      body: formDataOf(item.entries),
      credentials: "same-origin",
      headers: headers,
    });
  }

  // The session ended while the form waited: the answer is the login page, not a result.
  function loggedOut(response) {
    var target = response.headers.get(LOCATION_HEADER) || "";
    return target.indexOf(LOGIN_PATH) !== -1;
  }

  // Sent from another page than the form's (the form waited in the outbox): say so there.
  function sentElsewhere(item, target) {
    var main = document.querySelector("main");
    if (!main || !item.sentMessage) { return; }
    var box = document.createElement("div");
    box.className = "alert alert-success phone-form-sent";
    box.setAttribute("role", "status");
    var link = document.createElement("a");
    link.href = target;
    link.className = "alert-link";
    link.textContent = item.sentMessage;
    box.appendChild(link);
    main.insertBefore(box, main.firstChild);
  }

  // The server's answer: a result page to open, or the form again with what to correct.
  // Returns true when this page is being replaced (nothing more to do here).
  function answered(response, item, form) {
    var target = response.headers.get(LOCATION_HEADER);
    var onFormPage = Boolean(form) || window.location.pathname === item.page;
    if (target) {
      clearDraft(item.draftKey);
      if (onFormPage) {
        window.location.assign(target);
        return Promise.resolve(true);
      }
      var address = new URL(target, window.location.href);
      if (address.pathname !== window.location.pathname) { sentElsewhere(item, target); }
      return Promise.resolve(false);
    }
    if (!onFormPage) {
      return Promise.resolve(false);
    }
    return response.text().then(function (html) {
      document.open();
      document.write(html);
      document.close();
      return true;
    });
  }

  var flushing = false;
  var retryTimer = null;

  // Who is logged in on this page (a form kept on a shared phone is sent by its own user only).
  function signedIn() {
    return (document.body && document.body.getAttribute("data-signed-in")) || null;
  }

  function retryLater() {
    if (retryTimer === null) {
      retryTimer = window.setTimeout(function () { retryTimer = null; flush(); }, 10000);
    }
  }

  function flush() {
    // Only where someone is logged in: elsewhere (the login page) the forms would bounce.
    if (flushing || !navigator.onLine || !window.indexedDB || !signedIn()) {
      return;
    }
    flushing = true;
    outbox("readonly", function (store) { return store.getAll(); }).then(function (items) {
      var chain = Promise.resolve(false);
      (items || []).forEach(function (item) {
        chain = chain.then(function (leaving) {
          if (leaving) { return true; }  // the rest goes from the next page
          if (item.user !== signedIn()) { return false; }  // another user's: theirs to send
          var form = document.querySelector("form[data-phone-form]");
          if (form && window.location.pathname === item.page) {
            notice(form, form.getAttribute("data-msg-sending"), "info");
          }
          return post(item).then(function (response) {
            if (response.status >= 500) {  // kept: the token makes trying again safe
              retryLater();
              return true;
            }
            if (loggedOut(response)) {  // kept until the user has logged in again
              window.location.assign(response.headers.get(LOCATION_HEADER));
              return true;
            }
            return outbox("readwrite", function (store) { return store.delete(item.id); })
              .then(function () { return answered(response, item, null); });
          });
        });
      });
      return chain;
    }).catch(function () { /* still offline: the next "online" event tries again */ })
      .then(function () { flushing = false; });
  }

  function queue(form, item) {
    return outbox("readwrite", function (store) { return store.add(item); }).then(function () {
      notice(form, form.getAttribute("data-msg-offline"), "warning");
      form.classList.add("phone-form-queued");
    });
  }

  function send(form, submitter) {
    var data;
    try { data = new FormData(form, submitter || undefined); } catch (e) { data = new FormData(form); }
    var item = {
      url: form.getAttribute("action") || window.location.href,
      page: window.location.pathname,
      draftKey: draftKey(form),
      sentMessage: form.getAttribute("data-msg-sent"),
      user: signedIn(),
      entries: entriesOf(data),
      queuedAt: Date.now(),
    };
    saveDraft(form);
    if (!navigator.onLine) {
      return queue(form, item);
    }
    notice(form, form.getAttribute("data-msg-sending"), "info");
    return post(item).then(function (response) {
      if (response.status >= 500) {
        return queue(form, item).then(retryLater);
      }
      if (loggedOut(response)) {  // keep it, log in again, and it goes from the next page
        return queue(form, item).then(function () {
          window.location.assign(response.headers.get(LOCATION_HEADER));
        });
      }
      return answered(response, item, form);
    }, function () {
      return queue(form, item);
    });
  }

  function setUp(form) {
    restoreDraft(form);
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var submitter = event.submitter;
      var button = form.querySelector("[type=submit]");
      if (button) { button.disabled = true; }
      notice(form, form.getAttribute("data-msg-resizing"), "info");
      photosReady(form).then(function () { return send(form, submitter); })
        .then(function () { if (button) { button.disabled = false; } });
    });
  }

  function start() {
    document.querySelectorAll("form[data-phone-form]").forEach(setUp);
    // Forms kept from before go once the page has settled (its own requests come first).
    if (document.readyState === "complete") {
      window.setTimeout(flush, 800);
    } else {
      window.addEventListener("load", function () { window.setTimeout(flush, 800); });
    }
  }

  window.addEventListener("online", flush);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
