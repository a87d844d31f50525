/* Organiser's camera scanner: decodes a participant's personal QR with jsQR (vendored) and
   posts it to the check-in endpoint. Works without internet; needs HTTPS or localhost for
   the camera in most browsers (on a LAN over plain HTTP, use the search list instead). */
(function () {
  "use strict";
  var start = document.getElementById("scan-start");
  if (!start) return;
  var stop = document.getElementById("scan-stop");
  var video = document.getElementById("scan-video");
  var result = document.getElementById("scan-result");
  var form = document.getElementById("scan-form");
  var canvas = document.createElement("canvas");
  var ctx = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null, last = "", lastAt = 0;
  var texts = document.getElementById("scanner").dataset;

  function say(text, ok) { result.textContent = text; result.className = ok ? "msg success" : "msg error"; }

  function submit(code) {
    var data = new FormData(form);
    data.set("code", code);
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
      headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") } })
      .then(function (r) { return r.json(); })
      .then(function (j) { say(j.message, j.ok); if (window.htmx) htmx.trigger("#checkin-counts", "every 3s"); })
      .catch(function () { say(texts.offline, false); });
  }

  function tick() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var code = window.jsQR && jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      var now = Date.now();
      if (code && code.data && (code.data !== last || now - lastAt > 4000)) {
        last = code.data; lastAt = now; submit(code.data);
      }
    }
    requestAnimationFrame(tick);
  }

  start.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say(texts.nocamera, false);
      return;
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
      stream = s; video.srcObject = s; video.classList.remove("hidden");
      start.classList.add("hidden"); stop.classList.remove("hidden");
      video.play(); requestAnimationFrame(tick);
    }).catch(function () { say(texts.denied, false); });
  });
  stop.addEventListener("click", function () {
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null; video.classList.add("hidden"); stop.classList.add("hidden"); start.classList.remove("hidden");
  });
})();
