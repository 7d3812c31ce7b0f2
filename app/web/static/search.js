/* Search page, progressively enhanced: the page works as plain links and forms; with this
 * script, results and facets update in place. The URL stays the state: every update fetches
 * the same URL a link or form would open, with `X-Partial: 1`, swaps in the returned
 * fragment and keeps the address bar in step (pushState); Back and Forward restore it.
 *
 * The filters are a form of checkboxes: ticking one updates the results at once. On narrow
 * screens they open as a panel from the «Фильтры» button; its «Показать N практик» button
 * (N is the count of the fragment just fetched) closes it and brings the results into view. */
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  var status = document.getElementById("search-status");
  if (!form || !document.getElementById("search-results") || !window.fetch || !window.history.pushState) return;
  document.documentElement.classList.add("has-js");
  var input = form.querySelector("input[name=q]");
  var hiddenBox = form.querySelector("[data-hidden-inputs]");
  var path = new URL(form.action, location.href).pathname;
  var narrow = window.matchMedia("(max-width: 859.98px)");
  var DEBOUNCE_MS = 250;
  var timer = null;
  var controller = null;
  var pending = null; // the promise of the update in flight
  var typing = false; // true while a run of keystrokes edits one history entry
  var panelOpen = false;
  var shown = location.pathname + location.search; // the state the fragment on screen shows

  function results() { return document.getElementById("search-results"); }
  function facets() { return document.getElementById("facets"); }

  // Only URLs of this very page are updated in place (a region page's links lead to /practices).
  function samePage(url) { return url.origin === location.origin && url.pathname === location.pathname && url.pathname === path; }

  function formUrl(someForm) {
    var params = new URLSearchParams();
    new FormData(someForm).forEach(function (value, key) {
      if (String(value).trim() !== "") params.append(key, value);
    });
    var url = new URL(someForm.action, location.href);
    url.search = params.toString();
    url.hash = ""; // the form's #results is for pages loaded without this script
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
    var panelScroll = panelOpen && facets() ? facets().scrollTop : 0;
    results().replaceWith(fresh);
    keepOpen.forEach(function (id) { var d = id && document.getElementById(id); if (d) d.open = true; });
    enhance(fresh);
    if (panelOpen && facets()) {
      showPanel(true);
      facets().scrollTop = panelScroll;
    }
    if (fresh.dataset.title) document.title = fresh.dataset.title;
    // Announce the new count once (the live region lives outside the swapped fragment).
    if (status && fresh.dataset.count) status.textContent = fresh.dataset.count;
    document.querySelectorAll("link[data-twin]").forEach(function (link) {
      var state = link.hasAttribute("data-twin-paged") ? fresh.dataset.statePaged : fresh.dataset.state;
      link.href = link.dataset.twin + (state ? "?" + state : "");
    });
    if (focusKey) {
      var target = fresh.querySelector('[data-key="' + focusKey.replace(/["\\]/g, "\\$&") + '"]');
      if (target) target.focus({ preventScroll: panelOpen });
    }
  }

  // Fetch `url` as a fragment; `mode` is "push", "replace" or "none" (popstate).
  function load(url, mode, focusKey) {
    if (controller) controller.abort();
    controller = new AbortController();
    var keepOpen = openDetails();
    results().classList.add("is-loading");
    results().setAttribute("aria-busy", "true");
    pending = fetch(url.toString(), { headers: { "X-Partial": "1" }, signal: controller.signal, credentials: "same-origin" })
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
    return pending;
  }

  function navigate(url, focusKey) {
    typing = false;
    syncForm(url, true);
    // Enter right after the typed text was applied must not add a second, identical entry.
    var same = url.pathname + url.search === location.pathname + location.search;
    return load(url, same ? "replace" : "push", focusKey);
  }

  // -- The filter panel (narrow screens) ---------------------------------------------------------

  function showPanel(open) {
    var panel = facets();
    if (!panel) return;
    panel.classList.toggle("is-open", open);
    document.body.classList.toggle("filters-open", open);
    var dialog = panel.querySelector("[data-filters-panel]"); // <aside> may not be a dialog itself
    if (open) {
      dialog.setAttribute("role", "dialog");
      dialog.setAttribute("aria-modal", "true");
      dialog.setAttribute("aria-labelledby", "facets-heading");
    } else {
      dialog.removeAttribute("role");
      dialog.removeAttribute("aria-modal");
      dialog.removeAttribute("aria-labelledby");
    }
    var close = panel.querySelector("[data-filters-close]");
    if (close) close.hidden = !open;
    var opener = results().querySelector("button[data-filters-open]");
    if (opener) opener.setAttribute("aria-expanded", open ? "true" : "false");
  }

  function openPanel() {
    panelOpen = true;
    showPanel(true);
    var heading = document.getElementById("facets-heading");
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function closePanel(toResults) {
    panelOpen = false;
    showPanel(false);
    if (toResults) {
      var heading = document.getElementById("results-count");
      heading.scrollIntoView({ block: "start" });
      heading.focus({ preventScroll: true });
    } else {
      var opener = results().querySelector("button[data-filters-open]");
      if (opener) opener.focus();
    }
  }

  // Tab and Shift+Tab stay inside the open panel; Escape closes it.
  document.addEventListener("keydown", function (event) {
    if (!panelOpen) return;
    if (event.key === "Escape") { event.preventDefault(); closePanel(false); return; }
    if (event.key !== "Tab") return;
    var focusable = Array.prototype.filter.call(
      facets().querySelectorAll("input, select, button, summary, a[href], [tabindex='-1']"),
      function (el) { return !el.disabled && !el.hidden && el.getClientRects().length > 0 && el.type !== "hidden"; });
    if (!focusable.length) return;
    var first = focusable[0], last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
    else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
  });

  // -- Events ------------------------------------------------------------------------------------

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

  // A ticked checkbox, radio button or year applies at once.
  document.addEventListener("change", function (event) {
    var target = event.target;
    var filters = target.form;
    if (!filters || filters.id !== "filters" || !target.name) return;
    var url = formUrl(filters);
    clearTimeout(timer);
    if (!samePage(url)) { location.href = url.toString(); return; }
    navigate(url, target.dataset.key || null);
  });

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (!(target instanceof HTMLFormElement) || (target !== form && !results().contains(target))) return;
    var url = formUrl(target);
    if (!samePage(url)) return;
    event.preventDefault();
    clearTimeout(timer);
    if (target.id !== "filters") { navigate(url); return; }
    // «Показать N практик»: the results behind the panel are already this form's (or will be
    // once the update in flight lands); bring them into view.
    var done = url.pathname + url.search === shown ? (pending || Promise.resolve()) : navigate(url);
    done.then(function () { closePanel(true); });
  });

  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var opener = event.target.closest && event.target.closest("[data-filters-open]");
    if (opener && narrow.matches && facets()) {
      event.preventDefault();
      openPanel();
      return;
    }
    if (event.target.closest && event.target.closest("[data-filters-close]")) {
      event.preventDefault();
      closePanel(false);
      return;
    }
    var link = event.target.closest && event.target.closest("#search-results a[href]");
    if (!link || link.hasAttribute("download") || link.target) return;
    var url = new URL(link.href, location.href);
    if (!samePage(url) || url.hash) return;
    event.preventDefault();
    clearTimeout(timer);
    if (panelOpen) closePanel(false);
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

  narrow.addEventListener("change", function () { if (!narrow.matches && panelOpen) closePanel(false); });

  // -- Enhancements of a fresh fragment ---------------------------------------------------------

  function fold(text) { return text.toLowerCase().replace(/ё/g, "е"); }
  function enhance(root) {
    // «Фильтры» becomes a button that opens the panel (a link to #facets without this script).
    root.querySelectorAll("a[data-filters-open]").forEach(function (link) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary " + link.className;
      button.setAttribute("data-filters-open", "");
      button.setAttribute("aria-controls", "facets");
      button.setAttribute("aria-expanded", "false");
      button.textContent = link.textContent;
      link.replaceWith(button);
    });
    var apply = root.querySelector("[data-filters-apply]");
    if (apply && apply.dataset.show) apply.textContent = apply.dataset.show;
    // The filter box of long facets (regions): shown only when this script runs.
    root.querySelectorAll("[data-filter-box]").forEach(function (box) {
      box.hidden = false;
      var field = box.querySelector("input[data-filter-list]");
      var list = document.getElementById(field.dataset.filterList);
      // Enter in the list's filter box narrows the list; it does not apply the filters.
      field.addEventListener("keydown", function (event) { if (event.key === "Enter") event.preventDefault(); });
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
