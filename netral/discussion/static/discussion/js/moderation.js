/* The moderation page follows the hall without taking the moderator's work away: a vote
   changes one number in place, and while the moderator is writing (a field of the list has
   the focus or an "Answer, edit…" panel is open) the list is not replaced; a notice offers
   the update, and it comes by itself once the panel is closed. */
(function () {
  "use strict";
  var stale = false;

  function live() { return document.getElementById("moderation-live"); }
  function editing() {
    var here = live();
    if (!here) return false;
    var focused = document.activeElement;
    return !!here.querySelector("details[open]") ||
      (!!focused && /^(INPUT|TEXTAREA|SELECT)$/.test(focused.tagName) && here.contains(focused));
  }
  function notice(show) {
    var el = document.getElementById("moderation-stale");
    if (el) el.hidden = !show;
  }
  function refresh() {
    stale = false;
    notice(false);
    if (window.htmx) htmx.trigger(document.body, "live");
  }

  document.addEventListener("netral:live", function (e) {
    var message = e.detail;
    if (message.kind === "vote") {
      var count = document.querySelector("#mod-" + message.id + " .mod-votes");
      if (count) count.textContent = message.votes;
      e.preventDefault();
      return;
    }
    if (editing()) {
      stale = true;
      notice(true);
      e.preventDefault();
    }
  });
  document.addEventListener("toggle", function () {
    if (stale && !editing()) refresh();
  }, true);
  document.addEventListener("click", function (e) {
    if (e.target && e.target.id === "moderation-refresh") refresh();
  });
})();
