/* /docs: Swagger UI over the site's own OpenAPI document, with its buttons and headings in
 * Russian. Swagger UI has no translations of its own, so the words it draws are replaced as it
 * draws them (a MutationObserver over its container). */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || !window.SwaggerUIBundle) return;
  var WORDS = {
    "Try it out": "Попробовать",
    "Try it out ": "Попробовать",
    "Cancel": "Отмена",
    "Execute": "Выполнить",
    "Clear": "Очистить",
    "Parameters": "Параметры",
    "Responses": "Ответы",
    "Response body": "Тело ответа",
    "Response headers": "Заголовки ответа",
    "Request body": "Тело запроса",
    "Request URL": "Адрес запроса",
    "Server response": "Ответ сервера",
    "Code": "Код",
    "Details": "Подробности",
    "Description": "Описание",
    "Name": "Имя",
    "Links": "Ссылки",
    "No links": "Нет ссылок",
    "Example Value": "Пример",
    "Schema": "Схема",
    "Schemas": "Схемы",
    "Download": "Скачать",
    "Loading...": "Загрузка…",
    "Media type": "Тип содержимого",
    "Controls Accept header.": "Задаёт заголовок Accept.",
    "Servers": "Серверы",
    "required": "обязательный",
    "No parameters": "Нет параметров",
    "Undocumented": "Без описания",
    "Examples": "Примеры",
    "Example": "Пример",
    "Responses curl": "curl",
    "Expand all": "Развернуть всё",
    "Collapse all": "Свернуть всё"
  };
  // What Swagger UI leaves out for screen readers and keyboards: names for its selects, a Tab stop
  // for its scrolling code blocks.
  function fix(node) {
    if (!node.querySelectorAll) return;
    node.querySelectorAll("select:not([aria-label])").forEach(function (select) {
      var row = select.closest("[data-param-name]");
      var name = row ? row.getAttribute("data-param-name") : (select.closest(".content-type-wrapper, .response-control-media-type") ? "Тип содержимого" : "Выбор");
      select.setAttribute("aria-label", name);
    });
    node.querySelectorAll("pre:not([tabindex]), .microlight:not([tabindex])").forEach(function (block) {
      block.setAttribute("tabindex", "0");
    });
  }
  function translate(node) {
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    var text;
    while ((text = walker.nextNode())) {
      var value = text.nodeValue.trim();
      if (WORDS.hasOwnProperty(value)) text.nodeValue = text.nodeValue.replace(value, WORDS[value]);
    }
  }
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      if (record.type === "characterData") translate(record.target.parentNode || record.target);
      record.addedNodes.forEach(function (node) {
        var element = node.nodeType === 3 ? node.parentNode : node;
        if (element && element.nodeType === 1) { translate(element); fix(element); }
      });
    });
  }).observe(root, { childList: true, subtree: true, characterData: true });
  window.SwaggerUIBundle({
    url: root.dataset.openapi,
    dom_id: "#swagger-ui",
    deepLinking: false,  // its links sit inside the operations' buttons (nested interactive elements)
    docExpansion: "list",
    defaultModelsExpandDepth: -1,  // schemas are shown with each operation
    displayRequestDuration: true,
    tryItOutEnabled: false,
    // Nothing leaves for other hosts: no validator badge, no external resources.
    validatorUrl: null,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
})();
