/* Live updates: one EventSource per page (server-sent events). Every message is offered to
   the page's own script first, as a cancelable "netral:live" event on document (detail: the
   message); what no script handled (preventDefault) makes the page's live fragments
   (hx-trigger="live from:body") refresh themselves, bursts merged. The browser reconnects
   on its own after a drop and sends Last-Event-ID, so the server replays what was missed. */
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
    var message;
    try { message = JSON.parse(e.data); } catch (err) { return; }
    if (message.kind === "hello") return;
    var offered = new CustomEvent("netral:live", { detail: message, cancelable: true });
    if (!document.dispatchEvent(offered)) return; // applied in place by the page
    if (!timer) timer = setTimeout(refresh, 250);
  };
  source.onopen = function () { el.classList.remove("live-offline"); };
  source.onerror = function () { el.classList.add("live-offline"); };
})();
