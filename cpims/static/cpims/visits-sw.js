/* Follow-up visits without a connection. Served at /follow-ups/sw.js, so it sees only the
 * follow-up pages. Every request goes to the network first; the cache answers when the network
 * does not. It keeps the visit list, the pages of the visits the list names as still to do (the
 * list's page tells which, and those alone are kept), and the CSS, scripts and fonts they use.
 * A completion form posted without a connection is kept in IndexedDB, with a key that makes its
 * later sending count once (visits-offline.js sends it); the sign-out clears all of it. */
"use strict";

var PAGES = "cpims-visit-pages-v1";
var ASSETS = "cpims-visit-assets-v1";
var DATABASE = "cpims-visits";
var DRAFTS = "drafts";
var SCOPE = new URL(self.registration.scope).pathname; // "/follow-ups/"
var VISIT_PAGE = new RegExp("^" + SCOPE + "(\\d+)/$");
var COMPLETE = new RegExp("^" + SCOPE + "(\\d+)/complete/$");

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  // An older version's caches go; the pages open now are served by this one at once.
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("cpims-visit-") === 0 && name !== PAGES && name !== ASSETS;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function sameOrigin(address) {
  try {
    return new URL(address, self.location.origin).origin === self.location.origin;
  } catch (error) {
    return false;
  }
}

// A page worth keeping: answered here, not a redirection to the sign-in page.
function keepable(response) {
  return response.ok && !response.redirected && response.type === "basic";
}

// The page sends what to keep: its to-do visits and the files it loaded. Visit pages no longer
// named are dropped, so the phone never holds more than the person's scheduled visits.
function keep(message) {
  // Without a list of visits (a visit page's message), the kept visit pages stay as they are.
  var naming = Array.isArray(message.visits);
  var visits = (message.visits || []).filter(function (address) {
    return sameOrigin(address) && VISIT_PAGE.test(new URL(address, self.location.origin).pathname);
  }).map(function (address) { return new URL(address, self.location.origin).href; });
  var assets = (message.assets || []).filter(sameOrigin);
  var pages = caches.open(PAGES).then(function (cache) {
    return cache.keys().then(function (requests) {
      var held = requests.map(function (request) { return request.url; });
      var dropped = requests.filter(function (request) {
        return naming && VISIT_PAGE.test(new URL(request.url).pathname) &&
          visits.indexOf(request.url) < 0;
      }).map(function (request) { return cache.delete(request); });
      // The list too, when its first opening came before this worker.
      var list = new URL(SCOPE, self.location.origin).href;
      var missing = visits.concat(naming ? [list] : []).filter(function (address) {
        return held.indexOf(address) < 0;
      });
      var fetched = missing.map(function (address) { return store(cache, address); });
      return Promise.all(dropped.concat(fetched));
    });
  });
  var files = caches.open(ASSETS).then(function (cache) {
    return Promise.all(assets.map(function (address) {
      return cache.match(address, { ignoreVary: true }).then(function (found) {
        return found || store(cache, address);
      });
    }));
  });
  return Promise.all([pages, files]);
}

function store(cache, address) {
  return fetch(address, { credentials: "same-origin" }).then(function (response) {
    return keepable(response) ? cache.put(address, response) : undefined;
  }).catch(function () { return undefined; });
}

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "keep") {
    event.waitUntil(keep(event.data));
  }
});

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

function randomKey() {
  var bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.prototype.map.call(bytes, function (byte) {
    return ("0" + byte.toString(16)).slice(-2);
  }).join("");
}

// Which visit it is, as its kept page names it (data-visit-label, written by the template).
function visitLabel(visit) {
  return caches.match(SCOPE + visit + "/", { cacheName: PAGES, ignoreVary: true }).then(function (page) {
    return page ? page.text() : "";
  }).then(function (html) {
    var found = /data-visit-label="([^"]*)"/.exec(html);
    var text = found ? found[1] : "";
    return text.replace(/&#x27;|&#39;/g, "'").replace(/&quot;/g, "\"").replace(/&lt;/g, "<")
      .replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  });
}

// The form as typed, kept until it is sent; a visit typed again keeps its first key.
function keepDraft(visit, body) {
  return visitLabel(visit).then(function (label) {
    return openDrafts().then(function (db) {
      return new Promise(function (resolve, reject) {
        var drafts = db.transaction(DRAFTS, "readwrite").objectStore(DRAFTS);
        var reading = drafts.get(visit);
        reading.onsuccess = function () {
          var earlier = reading.result;
          drafts.put({
            visit: visit,
            key: earlier ? earlier.key : randomKey(),
            label: label,
            body: body,
            typedAt: new Date().toISOString(),
            errors: null,
          });
        };
        drafts.transaction.oncomplete = function () { db.close(); resolve(); };
        drafts.transaction.onerror = function () { db.close(); reject(drafts.transaction.error); };
      });
    });
  });
}

// The completion form posted: to the server when it can be reached, else kept, and the person
// taken back to her list, which shows it waiting to be sent.
function postOrKeep(request, visit) {
  var copy = request.clone();
  return fetch(request).catch(function () {
    return copy.text().then(function (body) {
      return keepDraft(visit, body);
    }).then(function () {
      return Response.redirect(SCOPE, 303);
    });
  });
}

function networkFirst(request, cacheName, shouldStore, fallback) {
  return fetch(request).then(function (response) {
    if (keepable(response) && shouldStore) {
      var copy = response.clone();
      caches.open(cacheName).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }).catch(function (failure) {
    return caches.match(request, { cacheName: cacheName, ignoreVary: true }).then(function (found) {
      if (found) {
        return found;
      }
      return fallback ? caches.match(fallback, { cacheName: cacheName, ignoreVary: true }) : undefined;
    }).then(function (found) {
      if (found) {
        return found;
      }
      throw failure;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  var completing = COMPLETE.exec(url.pathname);
  if (request.method === "POST" && completing && request.mode === "navigate") {
    event.respondWith(postOrKeep(request, Number(completing[1])));
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (url.pathname === SCOPE) {
    // The to-do list as the menu opens it is kept; any other list answers with it offline.
    event.respondWith(networkFirst(request, PAGES, !url.search, SCOPE));
    return;
  }
  if (VISIT_PAGE.test(url.pathname)) {
    // Refreshed only when kept already: the list decides which visits the phone holds.
    event.respondWith(caches.match(request, { cacheName: PAGES, ignoreVary: true }).then(function (held) {
      return networkFirst(request, PAGES, Boolean(held), null);
    }));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: ASSETS, ignoreVary: true }).then(function (held) {
    return networkFirst(request, ASSETS, Boolean(held), null);
  }));
});
