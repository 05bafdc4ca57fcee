/* Follow-up visits typed without a connection (loaded on the follow-up pages only; they work
 * without it). It registers the service worker that keeps the pages (visits-sw.js), keeps a
 * visit typed offline in IndexedDB with a key made once per visit, shows what waits to be sent,
 * and sends it to the API when the connection returns: the key makes a second sending count
 * once. The words it shows are the page's, translated there (data-text-* on #offline-visits). */
(function () {
  "use strict";
  var panel = document.getElementById("offline-visits");
  if (!panel || !("serviceWorker" in navigator) || !("indexedDB" in window)) {
    return;
  }
  var DATABASE = "cpims-visits";
  var DRAFTS = "drafts";
  var data = panel.dataset;
  var thisVisit = data.visit ? Number(data.visit) : null;
  var form = document.querySelector("form[data-offline-complete]");
  var sending = false;

  function say(name) {
    return data["text" + name] || "";
  }

  function openDrafts() {
    return new Promise(function (resolve, reject) {
      var opening = indexedDB.open(DATABASE, 1);
      opening.onupgradeneeded = function () {
        opening.result.createObjectStore(DRAFTS, { keyPath: "visit" });
      };
      opening.onsuccess = function () { resolve(opening.result); };
      opening.onerror = function () { reject(opening.error); };
    });
  }

  // One step on the store: `work` gets the object store and may return a request whose
  // result is the answer.
  function withDrafts(mode, work) {
    return openDrafts().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(DRAFTS, mode);
        var request = work(transaction.objectStore(DRAFTS));
        transaction.oncomplete = function () {
          db.close();
          resolve(request ? request.result : undefined);
        };
        transaction.onerror = function () { db.close(); reject(transaction.error); };
      });
    });
  }

  function allDrafts() {
    return withDrafts("readonly", function (drafts) { return drafts.getAll(); });
  }

  function dropDraft(visit) {
    return withDrafts("readwrite", function (drafts) { return drafts.delete(visit); });
  }

  function randomKey() {
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (byte) {
      return ("0" + byte.toString(16)).slice(-2);
    }).join("");
  }

  // The form as typed; a visit typed again keeps the key it was given first.
  function keepDraft(visit, label, body) {
    return withDrafts("readwrite", function (drafts) {
      var reading = drafts.get(visit);
      reading.onsuccess = function () {
        drafts.put({
          visit: visit,
          key: reading.result ? reading.result.key : randomKey(),
          label: label,
          body: body,
          typedAt: new Date().toISOString(),
          errors: null,
        });
      };
    });
  }

  function saveErrors(draft, errors) {
    draft.errors = errors;
    return withDrafts("readwrite", function (drafts) { return drafts.put(draft); });
  }

  // A date as the page lets it be typed (day first, Khmer digits, eight digits alone) in the
  // shape the API reads; anything else goes as typed, and the API says what is wrong.
  function isoDate(typed) {
    var text = typed.replace(/[០-៩]/g, function (digit) {
      return String(digit.charCodeAt(0) - 0x17E0);
    }).trim().replace(/^(\d{2})(\d{2})(\d{4})$/, "$1/$2/$3");
    var dayFirst = /^(\d{1,2})[/. -](\d{1,2})[/. -](\d{4})$/.exec(text);
    if (dayFirst) {
      return dayFirst[3] + "-" + ("0" + dayFirst[2]).slice(-2) + "-" + ("0" + dayFirst[1]).slice(-2);
    }
    return text;
  }

  function asJson(body) {
    var fields = new URLSearchParams(body);
    var visit = { visit_date: isoDate(fields.get("visit_date") || ""), outcome: fields.get("outcome") || "", scores: {}, notes: fields.get("notes") || "" };
    fields.forEach(function (value, name) {
      if (name.indexOf("score_") === 0) {
        visit.scores[name.slice("score_".length)] = Number(value);
      }
    });
    return JSON.stringify(visit);
  }

  function csrfToken() {
    var cookie = /(?:^|;\s*)csrftoken=([^;]+)/.exec(document.cookie);
    if (cookie) {
      return decodeURIComponent(cookie[1]);
    }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // Every message of an API refusal, flattened: {"scores": {"safety": ["..."]}} and the like.
  function messagesOf(errors) {
    if (typeof errors === "string") {
      return [errors];
    }
    var found = [];
    Object.keys(errors || {}).forEach(function (name) {
      found = found.concat(messagesOf(errors[name]));
    });
    return found;
  }

  function notify(kind, label, message) {
    var place = document.getElementById("messages") || panel;
    var note = document.createElement("p");
    note.className = "message " + kind;
    note.setAttribute("role", kind === "error" ? "alert" : "status");
    note.setAttribute("data-offline-notice", "");
    note.textContent = (label ? label + " — " : "") + message;
    place.appendChild(note);
  }

  function when(isoTime) {
    return new Date(isoTime).toLocaleString(document.documentElement.lang || undefined, {
      dateStyle: "short",
      timeStyle: "short",
    });
  }

  function show(drafts) {
    var list = panel.querySelector("ul");
    list.textContent = "";
    drafts.forEach(function (draft) {
      var item = document.createElement("li");
      item.setAttribute("data-draft", String(draft.visit));
      var link = document.createElement("a");
      link.href = data.scope + draft.visit + "/";
      link.textContent = draft.label || say("Visit");
      var state = document.createElement("span");
      state.className = "badge" + (draft.errors ? " warning" : "");
      state.textContent = draft.errors ? say("Invalid") : say("Waiting");
      var typed = document.createElement("span");
      typed.textContent = say("Typed") + " " + when(draft.typedAt);
      item.append(link, " ", state, " ", typed);
      messagesOf(draft.errors).forEach(function (message) {
        var error = document.createElement("div");
        error.className = "error";
        error.textContent = message;
        item.appendChild(error);
      });
      list.appendChild(item);
    });
    panel.hidden = drafts.length === 0;
    return drafts;
  }

  function refresh() {
    return allDrafts().then(show);
  }

  // One visit to the API. The answer decides what stays on the phone.
  function send(draft) {
    return fetch(data.api.replace("/0/", "/" + draft.visit + "/"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "Idempotency-Key": draft.key,
        "X-CSRFToken": csrfToken(),
      },
      body: asJson(draft.body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (answer) {
        var status = response.status;
        if (status === 200) {
          notify("success", draft.label, say("Sent"));
          return dropDraft(draft.visit);
        }
        if (status === 409 && response.headers.get("Retry-After")) {
          // The same visit is being recorded by an earlier sending: ask again for its answer.
          var seconds = Number(response.headers.get("Retry-After")) || 1;
          window.setTimeout(sync, seconds * 1000);
          return undefined;
        }
        if (status === 409) {
          notify("error", draft.label, say("Conflict"));
          return dropDraft(draft.visit);
        }
        if (status === 400) {
          notify("error", draft.label, say("Invalid"));
          return saveErrors(draft, answer);
        }
        var detail = String(answer.detail || "");
        if (status === 401 || (status === 403 && detail.indexOf("CSRF") === 0)) {
          // Signed out meanwhile: the visit waits for the next sign-in.
          notify("error", draft.label, say("SignIn"));
          return undefined;
        }
        if (status === 403 || status === 404) {
          notify("error", draft.label, say("Gone"));
          return dropDraft(draft.visit);
        }
        return undefined; // a server failure: tried again later
      });
    }).catch(function () {
      return undefined; // no network after all: tried again later
    });
  }

  // Sends what waits, one at a time; a draft refused as invalid waits for its correction.
  function sync() {
    if (sending || !navigator.onLine) {
      return refresh();
    }
    sending = true;
    return allDrafts().then(function (drafts) {
      return drafts.filter(function (draft) { return !draft.errors; }).reduce(function (done, draft) {
        return done.then(function () { return send(draft); });
      }, Promise.resolve());
    }).finally(function () {
      sending = false;
      return refresh();
    });
  }

  // A draft refused by the API comes back into its visit's form, to be corrected.
  function fill(body) {
    new URLSearchParams(body).forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken") {
        return;
      }
      form.querySelectorAll("[name='" + name + "']").forEach(function (field) {
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = field.value === value;
        } else {
          field.value = value;
        }
      });
    });
  }

  if (form && thisVisit !== null) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) {
        return;
      }
      var waiting = panel.querySelector("[data-draft='" + thisVisit + "']");
      if (navigator.onLine && !waiting) {
        return; // the ordinary form, answered by the server
      }
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form)).toString();
      keepDraft(thisVisit, data.visitLabel, body).then(function () {
        if (!navigator.onLine) {
          notify("warning", data.visitLabel, say("Kept"));
        }
        return sync();
      });
    });
    allDrafts().then(function (drafts) {
      drafts.forEach(function (draft) {
        if (draft.visit === thisVisit && draft.errors) {
          fill(draft.body);
        }
      });
    });
  }

  // Signing out clears the phone (the server's answer asks the browser too): kept visits not
  // yet sent are lost, so the person is asked first.
  document.addEventListener("submit", function (event) {
    var signOut = event.target;
    if (event.defaultPrevented || new URL(signOut.action, location.href).pathname !== data.logout) {
      return;
    }
    event.preventDefault();
    allDrafts().catch(function () { return []; }).then(function (drafts) {
      if (drafts.length && !window.confirm(say("SignOut"))) {
        return undefined;
      }
      return Promise.all([
        new Promise(function (resolve) {
          var removing = indexedDB.deleteDatabase(DATABASE);
          removing.onsuccess = removing.onerror = removing.onblocked = resolve;
        }),
        caches.keys().then(function (names) {
          return Promise.all(names.map(function (name) { return caches.delete(name); }));
        }),
      ]).then(function () { signOut.submit(); });
    });
  });

  // The files this page loaded (CSS, scripts, fonts), for the worker to keep.
  function loadedFiles() {
    return performance.getEntriesByType("resource").map(function (entry) {
      return entry.name;
    }).filter(function (address) {
      var url = new URL(address);
      return url.origin === location.origin && url.pathname.indexOf(data.static) === 0;
    });
  }

  navigator.serviceWorker.register(data.worker, { scope: data.scope }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    if (!navigator.onLine || !registration.active) {
      return;
    }
    var message = { type: "keep", assets: loadedFiles() };
    if ("keepsVisits" in data) {
      message.visits = Array.prototype.map.call(
        document.querySelectorAll("a[data-keep-offline]"),
        function (link) { return link.href; }
      );
    }
    registration.active.postMessage(message);
  }).catch(function () {
    return undefined; // no worker: the pages still work online
  });

  window.addEventListener("online", sync);
  window.addEventListener("offline", refresh);
  sync();
})();
