// The outreach encounter form on a poor connection. Without this file the form is a
// plain POST and works. With it: the form is sent with fetch; a draft (creation key
// included) stays in this browser until the server confirms; a network or server
// error keeps every input, says so plainly and offers a retry that sends the same
// creation key, so the server returns the encounter it may already have made.
(function () {
  "use strict";
  var form = document.getElementById("encounter-form");
  if (!form || !window.fetch || !window.FormData) return;
  var draftKey = form.getAttribute("data-draft-key");
  var failed = document.getElementById("send-failed");
  var failedReason = document.getElementById("send-failed-reason");
  var errorsBox = document.getElementById("encounter-errors");
  var errorList = document.getElementById("encounter-error-list");
  var sendButton = document.getElementById("send");
  var status = document.getElementById("send-status");
  var sending = false;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit" && el.type !== "button";
    });
  }

  function saveDraft() {
    var store = storage();
    if (!store || !draftKey) return;
    var values = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox") values[el.name] = el.checked;
      else if (el.type === "radio") { if (el.checked) values[el.name] = el.value; }
      else values[el.name] = el.value;
    });
    try { store.setItem(draftKey, JSON.stringify({saved: Date.now(), values: values})); } catch (e) { /* full */ }
  }

  function restoreDraft() {
    var store = storage();
    if (!store || !draftKey) return;
    var raw = store.getItem(draftKey);
    if (!raw) return;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { store.removeItem(draftKey); return; }
    // A draft older than a day is dropped: the worker has moved on.
    if (!draft || !draft.values || Date.now() - draft.saved > 86400000) { store.removeItem(draftKey); return; }
    fields().forEach(function (el) {
      if (!(el.name in draft.values)) return;
      var value = draft.values[el.name];
      if (el.type === "checkbox") el.checked = !!value;
      else if (el.type === "radio") el.checked = (el.value === value);
      else el.value = value;
    });
    status.textContent = "Your unsent encounter was restored; send it when you are ready.";
  }

  function clearDraft() {
    var store = storage();
    if (store && draftKey) store.removeItem(draftKey);
  }

  function clearErrors() {
    errorsBox.hidden = true;
    errorList.innerHTML = "";
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (p) {
      p.hidden = true; p.textContent = "";
    });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) {
      el.removeAttribute("aria-invalid");
    });
  }

  function showErrors(errors) {
    clearErrors();
    errors.forEach(function (error) {
      var item = document.createElement("li");
      item.textContent = error.message;
      errorList.appendChild(item);
      var slot = document.getElementById("error-" + error.field);
      if (slot) { slot.textContent = error.message; slot.hidden = false; }
      var input = form.elements[error.field];
      if (input && input.setAttribute) input.setAttribute("aria-invalid", "true");
    });
    errorsBox.hidden = false;
    errorsBox.focus();
  }

  function showFailure(reason) {
    failedReason.textContent = reason;
    failed.hidden = false;
    failed.focus();
  }

  function send() {
    if (sending) return;
    sending = true;
    saveDraft();
    failed.hidden = true;
    sendButton.disabled = true;
    status.textContent = "Sending…";
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: {"Accept": "application/json", "X-Requested-With": "fetch"}
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) {
        if (response.status >= 500) return {failure: "Cairn had a problem on its side (" + response.status + ")."};
        return {failure: "Your session may have ended: sign in again in another tab, then try again."};
      }
      return response.json().then(function (body) {
        if (response.ok) return {done: body};
        if (response.status === 400 && body.errors) return {errors: body.errors};
        return {failure: body.detail || ("Cairn answered " + response.status + ".")};
      });
    }, function () {
      return {failure: "No connection to Cairn."};
    }).then(function (result) {
      sending = false;
      sendButton.disabled = false;
      status.textContent = "";
      if (result.done) {
        clearDraft();
        window.location.assign(result.done.url);
      } else if (result.errors) {
        showErrors(result.errors);
      } else {
        showFailure(result.failure);
      }
    });
  }

  // Back online after a failure: say so next to the retry button (the worker decides).
  window.addEventListener("online", function () {
    if (!failed.hidden) {
      failedReason.textContent = "You are back online: press Try again to send it.";
    }
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
  document.getElementById("retry").addEventListener("click", send);
  form.addEventListener("input", saveDraft);
  form.addEventListener("change", saveDraft);

  // Steppers for the kit count: big +/- buttons instead of a tiny number spinner.
  Array.prototype.forEach.call(form.querySelectorAll(".step"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-for"));
      var value = parseInt(input.value, 10) || 0;
      var next = Math.min(parseInt(input.max, 10) || 20, Math.max(0, value + parseInt(button.getAttribute("data-step"), 10)));
      input.value = String(next);
      saveDraft();
    });
  });

  // The phone's location for the map point, if it has one and the worker agrees.
  var locate = document.getElementById("geolocate");
  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      var note = document.getElementById("geolocate-status");
      note.textContent = "Finding your location…";
      navigator.geolocation.getCurrentPosition(function (position) {
        document.getElementById("id_latitude").value = position.coords.latitude.toFixed(5);
        document.getElementById("id_longitude").value = position.coords.longitude.toFixed(5);
        note.textContent = "Location added.";
        saveDraft();
      }, function (error) {
        note.textContent = "Could not get your location (" + error.message + ").";
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  // Only a fresh form takes the draft: a page the server re-rendered with errors
  // already holds what was sent.
  if (errorsBox.hidden) restoreDraft();
})();
