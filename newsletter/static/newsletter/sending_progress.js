// An issue's sending progress (admin): while the issue is being sent, ask for its state every few seconds
// and update the bar and the counts in place; reload the page when the send ends or a new failure appears
// (the failures table). Without JavaScript, the page's "Refresh" link does it.
(function () {
  "use strict";
  var box = document.querySelector("[data-sending-status-url]");
  if (!box || box.getAttribute("data-sending-status") !== "sending") return;
  var url = box.getAttribute("data-sending-status-url");
  var failed = box.getAttribute("data-sending-failed");
  function set(selector, value) {
    var element = box.querySelector(selector);
    if (element) element.textContent = value;
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 10000); return; }
        if (state.status !== "sending" || String(state.failed) !== failed) {
          window.location.reload();
          return;
        }
        var bar = box.querySelector("[data-sending-bar]");
        if (bar) { bar.value = state.percent; bar.textContent = state.percent + " %"; }
        set("[data-sending-percent]", state.percent + " %");
        set("[data-sending-summary]", state.summary);
        set("[data-sending-total]", state.total);
        set("[data-sending-sent]", state.sent);
        set("[data-sending-pending]", state.pending);
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 10000); });
  }
  window.setTimeout(poll, 2000);
})();
