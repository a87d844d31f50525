/* Netral test on a phone: every answer is saved as it is given (PUT /api/attempts/{id}/answers).
   Answers not yet acknowledged by the server are kept in localStorage, so a dropped connection
   or a reload loses nothing; they are sent again when the phone is back online. The form also
   works without this script (a normal POST on submit). */
(function () {
  "use strict";
  var form = document.getElementById("test-form");
  if (!form || !window.fetch) return;
  var id = form.dataset.attempt, token = form.dataset.token;
  var storeKey = "netral.attempt." + id;
  var statusEl = document.getElementById("save-status");
  var pending = load();          // item id -> value not yet acknowledged
  var inFlight = null, retryTimer = null, retryDelay = 1000, textTimers = {};
  var closed = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function persist() {
    try {
      if (Object.keys(pending).length) localStorage.setItem(storeKey, JSON.stringify(pending));
      else localStorage.removeItem(storeKey);
    } catch (e) { /* private mode: the in-memory queue still works */ }
  }
  function say(text, kind) {
    statusEl.textContent = text;
    statusEl.className = kind || "";
  }
  function valueOf(fieldset) {
    var type = fieldset.dataset.type, name = "q" + fieldset.dataset.item;
    if (type === "short") return form.elements[name].value;
    var chosen = [];
    fieldset.querySelectorAll("input[name='" + name + "']").forEach(function (input) {
      if (input.checked) chosen.push(input.value);
    });
    return chosen;
  }
  function apply(itemId, value) {
    var fieldset = document.getElementById("item-" + itemId);
    if (!fieldset) return;
    if (fieldset.dataset.type === "short") { form.elements["q" + itemId].value = value || ""; return; }
    fieldset.querySelectorAll("input").forEach(function (input) {
      input.checked = Array.isArray(value) && value.indexOf(input.value) !== -1;
    });
  }
  function allAnswers() {
    var out = {};
    form.querySelectorAll("fieldset[data-item]").forEach(function (fs) { out[fs.dataset.item] = valueOf(fs); });
    return out;
  }
  function isEmpty(v) { return v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length); }

  function request(method, url, body) {
    return fetch(url, {
      method: method, credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-Attempt-Token": token},
      body: body ? JSON.stringify(body) : undefined
    });
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 15000);
  }

  function flush() {
    if (closed || inFlight || !Object.keys(pending).length) return;
    var sent = JSON.parse(JSON.stringify(pending));
    say(form.dataset.msgSaving);
    inFlight = request("PUT", "/api/attempts/" + id + "/answers", {answers: sent}).then(function (resp) {
      if (resp.status === 409 || resp.status === 404) { closed = true; say(form.dataset.msgClosed, "error"); setTimeout(function () { location.reload(); }, 1500); return; }
      if (!resp.ok && resp.status !== 400) throw new Error("HTTP " + resp.status);
      return resp.json().then(function (data) {
        // Drop what was acknowledged, unless it changed again meanwhile.
        Object.keys(sent).forEach(function (k) {
          if (JSON.stringify(pending[k]) === JSON.stringify(sent[k])) delete pending[k];
        });
        persist();
        var errors = (data && data.errors) || {};
        form.querySelectorAll(".test-item.invalid").forEach(function (fs) { fs.classList.remove("invalid"); });
        Object.keys(errors).forEach(function (k) {
          var fs = document.getElementById("item-" + k);
          if (fs) fs.classList.add("invalid");
        });
        retryDelay = 1000;
        say(form.dataset.msgSaved, "ok");
      });
    }).catch(function () {
      say(form.dataset.msgOffline, "warn");
      scheduleRetry();
    }).then(function () {
      inFlight = null;
      if (!closed && Object.keys(pending).length && !retryTimer) flush();
    });
  }

  function remember(fieldset) {
    pending[fieldset.dataset.item] = valueOf(fieldset);
    persist();
  }

  form.addEventListener("change", function (e) {
    var fs = e.target.closest("fieldset[data-item]");
    if (!fs) return;
    remember(fs);
    flush();
  });
  form.addEventListener("input", function (e) {
    var fs = e.target.closest("fieldset[data-type='short']");
    if (!fs) return;
    remember(fs);
    clearTimeout(textTimers[fs.dataset.item]);
    textTimers[fs.dataset.item] = setTimeout(flush, 800);
  });
  window.addEventListener("online", function () { retryDelay = 1000; flush(); });

  var submitting = false;
  function submit(force) {
    if (submitting || closed) return;
    var answers = allAnswers();
    if (!force) {
      var missing = Object.keys(answers).filter(function (k) { return isEmpty(answers[k]); });
      if (missing.length && !window.confirm(form.dataset.msgUnanswered)) return;
    }
    submitting = true;
    say(form.dataset.msgSaving);
    request("POST", "/api/attempts/" + id + "/submit", {answers: answers}).then(function (resp) {
      if (!resp.ok && resp.status !== 409) throw new Error("HTTP " + resp.status);
      pending = {};
      persist();
      closed = true;
      location.reload();
    }).catch(function () {
      submitting = false;
      say(form.dataset.msgSubmitOffline, "warn");
    });
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); submit(false); });

  // Restore what this phone answered while offline (or before a reload), then send it.
  Object.keys(pending).forEach(function (k) { apply(k, pending[k]); });
  flush();

  // The countdown follows the server's clock; at zero the attempt is submitted as it is.
  var timer = document.getElementById("timer");
  if (timer && form.dataset.deadline) {
    var offset = Date.parse(form.dataset.serverTime) - Date.now();
    var deadline = Date.parse(form.dataset.deadline);
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - (Date.now() + offset)) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      timer.textContent = timer.dataset.label + ": " + m + ":" + (s < 10 ? "0" : "") + s;
      if (left <= 60) timer.classList.add("urgent");
      if (left === 0) { clearInterval(handle); submit(true); }
    };
    var handle = setInterval(tick, 1000);
    tick();
  }
})();
