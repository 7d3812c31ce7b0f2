/* Search page, progressively enhanced: the page works as plain links and forms; with this
 * script, results and facets update in place. The URL stays the state: every update fetches
 * the same URL a link or form would open, with `X-Partial: 1`, swaps in the returned
 * fragment and keeps the address bar in step (pushState); Back and Forward restore it. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var status = document.getElementById("search-status");
  if (!form || !document.getElementById("search-results") || !window.fetch || !window.history.pushState) return;
  var input = form.querySelector("input[name=q]");
  var hiddenBox = form.querySelector("[data-hidden-inputs]");
  var path = new URL(form.action, location.href).pathname;
  var DEBOUNCE_MS = 250;
  var timer = null;
  var controller = null;
  var typing = false; // true while a run of keystrokes edits one history entry
  var shown = location.pathname + location.search; // the state the fragment on screen shows

  function results() { return document.getElementById("search-results"); }

  // Only URLs of this very page are updated in place (a region page's links lead to /practices).
  function samePage(url) { return url.origin === location.origin && url.pathname === location.pathname && url.pathname === path; }

  function formUrl(someForm) {
    var params = new URLSearchParams();
    new FormData(someForm).forEach(function (value, key) {
      if (String(value).trim() !== "") params.append(key, value);
    });
    var url = new URL(someForm.action, location.href);
    url.search = params.toString();
    return url;
  }

  // The main form's hidden inputs carry the state of the URL (everything but q and page).
  function syncForm(url, setText) {
    var params = new URL(url, location.href).searchParams;
    if (setText) input.value = params.get("q") || "";
    while (hiddenBox.firstChild) hiddenBox.removeChild(hiddenBox.firstChild);
    params.forEach(function (value, key) {
      if (key === "q" || key === "page") return;
      var hidden = document.createElement("input");
      hidden.type = "hidden"; hidden.name = key; hidden.value = value;
      hiddenBox.appendChild(hidden);
    });
  }

  function openDetails() {
    return Array.prototype.map.call(results().querySelectorAll("details[open]"), function (d) { return d.id; });
  }

  function swap(html, keepOpen, focusKey) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.getElementById("search-results");
    if (!fresh) throw new Error("no fragment");
    results().replaceWith(fresh);
    keepOpen.forEach(function (id) { var d = id && document.getElementById(id); if (d) d.open = true; });
    enhance(fresh);
    if (fresh.dataset.title) document.title = fresh.dataset.title;
    // Announce the new count once (the live region lives outside the swapped fragment).
    if (status && fresh.dataset.count) status.textContent = fresh.dataset.count;
    document.querySelectorAll("link[data-twin]").forEach(function (link) {
      var state = link.hasAttribute("data-twin-paged") ? fresh.dataset.statePaged : fresh.dataset.state;
      link.href = link.dataset.twin + (state ? "?" + state : "");
    });
    if (focusKey) {
      var target = fresh.querySelector('[data-key="' + focusKey.replace(/["\\]/g, "\\$&") + '"]');
      if (target) target.focus();
    }
  }

  // Fetch `url` as a fragment; `mode` is "push", "replace" or "none" (popstate).
  function load(url, mode, focusKey) {
    if (controller) controller.abort();
    controller = new AbortController();
    var keepOpen = openDetails();
    results().classList.add("is-loading");
    results().setAttribute("aria-busy", "true");
    return fetch(url.toString(), { headers: { "X-Partial": "1" }, signal: controller.signal, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (mode === "push") history.pushState({ search: true }, "", url.toString());
        else if (mode === "replace") history.replaceState({ search: true }, "", url.toString());
        shown = url.pathname + url.search;
        swap(html, keepOpen, focusKey);
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        location.href = url.toString(); // fall back to an ordinary page load
      });
  }

  function navigate(url, focusKey) {
    typing = false;
    syncForm(url, true);
    // Enter right after the typed text was applied must not add a second, identical entry.
    var same = url.pathname + url.search === location.pathname + location.search;
    load(url, same ? "replace" : "push", focusKey);
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var url = formUrl(form);
      if (!samePage(url) || url.search === location.search) return;
      // The first debounced change of a run makes a history entry; the rest update it.
      load(url, typing ? "replace" : "push");
      typing = true;
    }, DEBOUNCE_MS);
  });

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLFormElement) || (target !== form && !results().contains(target))) return;
    var url = formUrl(target);
    if (!samePage(url)) return;
    event.preventDefault();
    clearTimeout(timer);
    navigate(url);
  });

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest && event.target.closest("#search-results a[href]");
    if (!link || link.hasAttribute("download") || link.target) return;
    var url = new URL(link.href, location.href);
    if (!samePage(url) || url.hash) return;
    event.preventDefault();
    clearTimeout(timer);
    navigate(url, link.dataset.key || null);
    if (!link.dataset.key) window.scrollTo({ top: 0 });
  });

  window.addEventListener("popstate", function () {
    if (location.pathname + location.search === shown) return; // only the #fragment changed
    typing = false;
    clearTimeout(timer);
    syncForm(location.href, true);
    load(new URL(location.href), "none");
  });

  // The filter box of long facets (regions): shown only when this script runs.
  function fold(text) { return text.toLowerCase().replace(/ё/g, "е"); }
  function enhance(root) {
    root.querySelectorAll("[data-filter-box]").forEach(function (box) {
      box.hidden = false;
      var field = box.querySelector("input[data-filter-list]");
      var list = document.getElementById(field.dataset.filterList);
      field.addEventListener("input", function () {
        var needle = fold(field.value.trim());
        list.querySelectorAll("li").forEach(function (li) {
          li.hidden = needle !== "" && fold(li.textContent).indexOf(needle) === -1;
        });
        list.querySelectorAll("[data-group]").forEach(function (group) {
          group.hidden = !group.querySelector("li:not([hidden])");
        });
      });
    });
  }

  history.replaceState({ search: true }, "", location.href);
  enhance(results());
})();
