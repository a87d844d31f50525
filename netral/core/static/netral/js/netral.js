/* Netral: the little JavaScript the pages need (CSP: no inline scripts). */
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (e) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) e.detail.headers["X-CSRFToken"] = meta.content;
  });
  // Forms marked data-autosubmit submit themselves once (e.g. the check-in QR landing page).
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-autosubmit]");
    if (form) form.submit();
    document.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("submit", function (ev) { if (!window.confirm(el.dataset.confirm)) ev.preventDefault(); });
    });
  });
})();
