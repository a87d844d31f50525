/* Complaints report form: cascading region lists, file checks before upload, identity fields.
   Works without it (server-side region reload and checks); CSP: no inline code. */
(function () {
  "use strict";
  var form = document.getElementById("complaint-form");
  if (!form) return;

  // --- region picker: province → regency → district → village, from /pengaduan/wilayah/ ---
  var picker = document.getElementById("region-picker");
  var levels = ["id_province", "id_regency", "id_district", "id_village"].map(function (id) {
    return document.getElementById(id);
  });
  if (picker && levels.every(Boolean) && window.fetch) {
    picker.setAttribute("data-js", "1");
    var url = picker.getAttribute("data-url");
    var cache = {};
    var fill = function (select, items) {
      var first = select.options[0];
      select.innerHTML = "";
      select.appendChild(first);
      items.forEach(function (item) {
        var opt = document.createElement("option");
        opt.value = item.code;
        opt.textContent = item.name;
        select.appendChild(opt);
      });
      select.disabled = items.length === 0;
    };
    var load = function (parent, select) {
      if (cache[parent]) { fill(select, cache[parent]); return; }
      select.disabled = true;
      fetch(url + "?induk=" + encodeURIComponent(parent), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { cache[parent] = data.items; fill(select, data.items); })
        .catch(function () { select.disabled = false; });
    };
    levels.forEach(function (select, i) {
      if (i > 0 && select.options.length <= 1) select.disabled = true;
      select.addEventListener("change", function () {
        for (var j = i + 1; j < levels.length; j++) fill(levels[j], []);
        if (select.value && i + 1 < levels.length) load(select.value, levels[i + 1]);
      });
    });
  }

  // --- evidence: tell about a too-large file before a slow upload starts ---
  var input = document.getElementById("id_evidence");
  var errors = document.getElementById("evidence-client-error");
  if (input && errors) {
    var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;
    var maxFiles = parseInt(input.getAttribute("data-max-files"), 10) || 0;
    input.addEventListener("change", function () {
      var messages = [];
      var files = Array.prototype.slice.call(input.files || []);
      if (maxFiles && files.length > maxFiles) messages.push(input.getAttribute("data-count-message") || "");
      files.forEach(function (f) {
        if (maxBytes && f.size > maxBytes) {
          messages.push((input.getAttribute("data-size-message") || "%s").replace("%s", f.name));
        }
      });
      errors.innerHTML = "";
      messages.forEach(function (m) { var li = document.createElement("li"); li.textContent = m; errors.appendChild(li); });
      errors.classList.toggle("hidden", messages.length === 0);
      if (messages.length) input.value = "";
    });
  }

  // --- identity: name and contact only when not anonymous ---
  var fields = document.getElementById("reporter-fields");
  var radios = form.querySelectorAll('input[name="anonymous"]');
  var sync = function () {
    var anonymous = form.querySelector('input[name="anonymous"]:checked');
    if (fields) fields.classList.toggle("collapsed", !anonymous || anonymous.value === "1");
  };
  Array.prototype.forEach.call(radios, function (r) { r.addEventListener("change", sync); });
  sync();

  // --- no double submit on a slow connection ---
  form.addEventListener("submit", function (ev) {
    var button = document.getElementById("complaint-submit");
    if (ev.submitter && ev.submitter.name === "_region") return;
    if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
  });
})();
