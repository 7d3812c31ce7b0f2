// Repeatable rows (outcome figures, documents) without a page reload. Without JavaScript the
// form still works: it offers empty rows and an "add row" button that re-renders it.
(function () {
  "use strict";

  function renumber(row, index) {
    row.querySelectorAll("[name], [id], [for], [aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(/([.-])\d+([.-])/, "$1" + index + "$2"));
      });
    });
  }

  function clear(row) {
    row.querySelectorAll("input, textarea").forEach(function (el) {
      el.value = "";
      el.removeAttribute("aria-invalid");
    });
    row.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
  }

  function addRemoveButton(group, row) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary remove-row";
    button.textContent = "Удалить строку";
    button.addEventListener("click", function () {
      var rows = group.querySelectorAll("[data-row]");
      if (rows.length > 1) {
        row.remove();
      } else {
        clear(row);
      }
      update(group);
    });
    row.appendChild(button);
  }

  function update(group) {
    var max = parseInt(group.getAttribute("data-max"), 10);
    var add = group.querySelector("button[name=add_row]");
    if (add) add.hidden = group.querySelectorAll("[data-row]").length >= max;
  }

  document.querySelectorAll("fieldset[data-rows]").forEach(function (group) {
    var rows = group.querySelectorAll("[data-row]");
    rows.forEach(function (row) { addRemoveButton(group, row); });
    var add = group.querySelector("button[name=add_row]");
    if (!add) return;
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var all = group.querySelectorAll("[data-row]");
      var last = all[all.length - 1];
      var next = 0;
      // A number no row uses: the server compacts rows, so gaps are fine.
      all.forEach(function (row) {
        var named = row.querySelector("[name]");
        var m = named && named.getAttribute("name").match(/\.(\d+)\./);
        if (m) next = Math.max(next, parseInt(m[1], 10) + 1);
      });
      var copy = last.cloneNode(true);
      copy.querySelectorAll(".remove-row").forEach(function (el) { el.remove(); });
      clear(copy);
      renumber(copy, next);
      last.after(copy);
      addRemoveButton(group, copy);
      update(group);
      var first = copy.querySelector("input");
      if (first) first.focus();
    });
    update(group);
  });

  // After a failed submission, move focus to the error summary so screen readers announce it.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
})();
