// A draw's admin page follows a running draw (or a check being run): it asks for the draw's state every
// few seconds and reloads the page once it has changed. Without JavaScript, reloading the page does it.
(function () {
  "use strict";
  var box = document.querySelector("[data-sortition-status-url]");
  if (!box) return;
  var status = box.getAttribute("data-sortition-status");
  var verifying = box.getAttribute("data-sortition-verifying") === "true";
  if (status !== "pending" && status !== "running" && !verifying) return;
  var url = box.getAttribute("data-sortition-status-url");
  var delay = 3000;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state && (state.status !== status || state.verifying !== verifying)) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 30000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 30000); });
  }
  window.setTimeout(poll, delay);
})();
