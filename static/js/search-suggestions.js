/* Parvis: suggestions under the search page's box (titles of public pages), in a native <datalist>.
   Progressive enhancement: without this file the box is a plain search box. */
(function () {
  "use strict";

  function init() {
    var input = document.querySelector("input[data-search-suggest]");
    var list = input && document.getElementById(input.getAttribute("list"));
    if (!input || !list || !window.fetch) {
      return;
    }
    var url = input.getAttribute("data-search-suggest");
    var timer = null;
    var last = "";
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var query = input.value.trim();
        if (query.length < 2 || query === last) {
          return;
        }
        last = query;
        fetch(url + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
          .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
          .then(function (data) {
            if (data.query !== input.value.trim()) {
              return;
            }
            list.textContent = "";
            data.suggestions.forEach(function (title) {
              var option = document.createElement("option");
              option.value = title;
              list.appendChild(option);
            });
          })
          .catch(function () {});
      }, 200);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
