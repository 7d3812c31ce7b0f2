/* Каталог лучших муниципальных практик — виджет для других сайтов.
 *
 *   <div data-practices-region="RU-BEL" data-practices-limit="5"></div>
 *   <script src="https://<каталог>/static/embed.js" async></script>
 *
 * Attributes (all optional; several values through commas): data-practices-region,
 * data-practices-theme, data-practices-municipality-type, data-practices-q,
 * data-practices-year-from, data-practices-year-to, data-practices-sort, data-practices-limit
 * (1–50, default 5). A bare data-practices attribute lists the newest practices.
 *
 * The listing comes from the catalogue's JSON API (CORS) and is built with createElement and
 * textContent only: nothing from the API is ever parsed as HTML. No framework, no cookies.
 */
(function () {
  "use strict";

  var SCRIPT = document.currentScript;
  var FILTERS = {
    "region": "region",
    "theme": "theme",
    "municipality-type": "municipality_type",
    "q": "q",
    "year-from": "year_from",
    "year-to": "year_to",
    "sort": "sort"
  };
  var SELECTOR = "[data-practices]," + Object.keys(FILTERS).concat(["limit"]).map(function (name) {
    return "[data-practices-" + name + "]";
  }).join(",");

  function catalogueOrigin() {
    var script = SCRIPT;
    if (!script || !script.src) {
      script = document.querySelector('script[src$="/static/embed.js"]');
    }
    return script ? new URL(script.src, document.baseURI).origin : window.location.origin;
  }

  function limitOf(el) {
    var n = parseInt(el.getAttribute("data-practices-limit") || "5", 10);
    return isNaN(n) ? 5 : Math.min(50, Math.max(1, n));
  }

  function filtersOf(el) {
    var params = new URLSearchParams();
    Object.keys(FILTERS).forEach(function (name) {
      var value = el.getAttribute("data-practices-" + name);
      if (value) {
        params.set(FILTERS[name], value.trim());
      }
    });
    if (!params.has("sort")) {
      params.set("sort", "newest");
    }
    return params;
  }

  // A card's address: absolute when the catalogue has BASE_URL, a path on the catalogue
  // otherwise (never on the page that embeds it); anything but http(s) is not followed.
  function safeUrl(value, fallback, origin) {
    if (/^\/[^\/\\]/.test(value || "")) {
      return origin + value;
    }
    return /^https?:\/\//i.test(value || "") ? value : fallback;
  }

  function text(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    node.textContent = content;
    return node;
  }

  function link(href, content) {
    var a = text("a", "", content);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function meta(item) {
    var parts = [item.region && item.region.name, item.municipality].filter(Boolean).join(", ");
    if (item.year_started) {
      parts += " · с " + item.year_started + " г.";
    }
    return parts;
  }

  function render(el, data, origin, filters) {
    var moreUrl = origin + "/practices?" + filters.toString();
    var list = document.createElement("ul");
    list.className = "practices-embed";
    data.items.forEach(function (item) {
      var li = document.createElement("li");
      li.className = "practices-embed-item";
      li.appendChild(link(safeUrl(item.url, moreUrl, origin), item.title));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(text("span", "practices-embed-meta", meta(item)));
      list.appendChild(li);
    });
    var more = text("p", "practices-embed-more", "");
    more.appendChild(link(moreUrl, "Все практики в каталоге (" + data.total + ") →"));
    el.replaceChildren();
    if (data.items.length) {
      el.appendChild(list);
    } else {
      el.appendChild(text("p", "practices-embed-empty", "Практик по этому запросу пока нет."));
    }
    el.appendChild(more);
  }

  function load(el, origin) {
    if (el.getAttribute("data-practices-state")) {
      return; // already drawn (the script was included twice)
    }
    el.setAttribute("data-practices-state", "loading");
    var filters = filtersOf(el);
    var params = new URLSearchParams(filters);
    params.set("per_page", String(limitOf(el)));
    params.set("facets", "");
    fetch(origin + "/api/v1/practices?" + params.toString(), {credentials: "omit", headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        render(el, data, origin, filters);
        el.setAttribute("data-practices-state", "ready");
      })
      .catch(function () {
        el.replaceChildren(text("p", "practices-embed-error", "Не удалось загрузить практики каталога."));
        el.setAttribute("data-practices-state", "error");
      });
  }

  function init() {
    var origin = catalogueOrigin();
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), function (el) {
      load(el, origin);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
