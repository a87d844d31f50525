/* Live updates: one EventSource per page (server-sent events). Each message makes the
   page's live fragments (hx-trigger="live from:body") refresh themselves; bursts are
   merged. The browser reconnects on its own after a drop and sends Last-Event-ID, so the
   server replays what was missed. */
(function () {
  "use strict";
  var el = document.querySelector("[data-live-stream]");
  if (!el || !window.EventSource) return;
  var timer = null;
  function refresh() {
    timer = null;
    if (window.htmx) htmx.trigger(document.body, "live");
  }
  var source = new EventSource(el.dataset.liveStream);
  source.onmessage = function (e) {
    if (e.data.indexOf('"kind":"hello"') !== -1) return;
    if (!timer) timer = setTimeout(refresh, 250);
  };
  source.onopen = function () { el.classList.remove("live-offline"); };
  source.onerror = function () { el.classList.add("live-offline"); };
})();
