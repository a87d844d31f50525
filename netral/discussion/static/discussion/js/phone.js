/* The discussion on a participant's phone: applies the live messages to the list in place
   (a vote changes one number, a new question adds one item) instead of downloading the
   list again for every vote of the hall, and votes through the JSON API without reloading.
   Without JavaScript the page works with plain forms. Text is set with textContent only. */
(function () {
  "use strict";
  var live = document.getElementById("discussion-live");
  if (!live) return;

  function root() { return document.getElementById("discussion-live"); } // replaced by htmx swaps
  function list() { return document.getElementById("question-list"); }
  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }
  function mine(id) {
    return !!document.querySelector('#pertanyaan-saya li[data-id="' + id + '"]');
  }
  function item(id) { return document.getElementById("q-" + id); }

  function sortList() {
    var ul = list();
    if (!ul) return;
    var byTime = root().dataset.order === "time";
    var items = Array.prototype.slice.call(ul.querySelectorAll("li.question"));
    items.sort(function (a, b) {
      var pa = a.classList.contains("pinned") ? 1 : 0, pb = b.classList.contains("pinned") ? 1 : 0;
      if (pa !== pb) return pb - pa;
      var ia = +a.dataset.id, ib = +b.dataset.id;
      if (byTime) return ib - ia;
      return (+b.dataset.votes - +a.dataset.votes) || (ia - ib);
    });
    items.forEach(function (li) { ul.appendChild(li); });
  }

  function setVotes(li, votes) {
    li.dataset.votes = votes;
    li.querySelector(".votes").textContent = votes;
  }

  function unpinOthers(id) { // one question is answered now per event: pinning one unpins the rest
    Array.prototype.forEach.call(document.querySelectorAll("#question-list li.question.pinned"), function (li) {
      if (+li.dataset.id !== +id) { li.classList.remove("pinned"); li.querySelector(".q-pin").hidden = true; }
    });
  }

  function fill(li, q) {
    if (q.pinned) unpinOthers(q.id);
    li.querySelector(".q-text").textContent = q.text;
    var name = li.querySelector(".q-name");
    name.textContent = q.name || name.dataset.anonymous;
    li.classList.toggle("pinned", !!q.pinned);
    li.querySelector(".q-pin").hidden = !q.pinned;
    li.querySelector(".q-answered").hidden = !q.answered;
    li.querySelector(".q-answer").hidden = !(q.answered && q.answer);
    li.querySelector(".q-answer-text").textContent = q.answer || "";
    setVotes(li, q.votes);
  }

  function add(q) {
    var template = document.getElementById("question-template");
    if (!template || !list()) return false;
    var li = template.content.firstElementChild.cloneNode(true);
    li.id = "q-" + q.id;
    li.dataset.id = q.id;
    var form = li.querySelector("form");
    form.action = form.action.replace(/\/0\/suara\//, "/" + q.id + "/suara/");
    form.dataset.question = q.id;
    fill(li, q);
    var empty = list().querySelector(".empty");
    if (empty) empty.remove();
    list().appendChild(li);
    return true;
  }

  document.addEventListener("netral:live", function (e) {
    var q = e.detail, here = root();
    if (!here) return;
    var session = +here.dataset.session;
    if (q.kind === "question.pending") { e.preventDefault(); return; }
    if (q.kind === "vote") {
      var voted = item(q.id);
      if (voted) { setVotes(voted, q.votes); sortList(); }
      e.preventDefault();
      return;
    }
    if (q.kind !== "question" && q.kind !== "question.updated" && q.kind !== "question.hidden") return;
    if (mine(q.id)) return; // "My questions" changes too: let the page fetch the list
    e.preventDefault();
    if (q.pinned) unpinOthers(q.id);
    if (q.session !== session) return;
    var li = item(q.id);
    if (q.kind === "question.hidden") {
      if (li) li.remove();
      return;
    }
    if (li) fill(li, q);
    else if (!add(q)) return;
    sortList();
  });

  // Votes through the API: the answer carries the new count; no page is downloaded.
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("vote-form") || !window.fetch) return;
    e.preventDefault();
    var button = form.querySelector("button.vote");
    var undo = button.classList.contains("voted");
    button.disabled = true;
    fetch("/api/questions/" + form.dataset.question + "/votes", {
      method: undo ? "DELETE" : "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(function (data) {
      var voted = undo ? false : true;
      button.classList.toggle("voted", voted);
      button.classList.toggle("secondary", !voted);
      button.setAttribute("aria-pressed", voted ? "true" : "false");
      form.elements.undo.value = voted ? "1" : "";
      var li = item(data.question);
      if (li) { setVotes(li, data.votes); sortList(); }
    }).catch(function () {
      form.submit(); // the server page says what went wrong
    }).finally(function () { button.disabled = false; });
  });
})();
