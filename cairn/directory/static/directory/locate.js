// "Use my location": fills the search form's hidden latitude and longitude from the
// browser's geolocation and searches again. Optional: without it (or without
// permission) the community picker does the same job. Nothing leaves the browser
// except the rounded point in the search request.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var form = document.getElementById("directory-search");
    if (!form) return;
    var useButton = document.getElementById("use-location");
    var clearButton = document.getElementById("clear-location");
    var status = document.getElementById("location-status");
    var lat = form.querySelector("input[name=lat]");
    var lon = form.querySelector("input[name=lon]");
    var km = form.querySelector("select[name=km]");
    function submit() {
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }
    function showState() {
      var has = lat.value !== "" && lon.value !== "";
      if (clearButton) clearButton.hidden = !has;
      if (status && has) status.textContent = "Sorted by distance from your location.";
    }
    if (useButton && "geolocation" in navigator) {
      useButton.hidden = false;
      useButton.addEventListener("click", function () {
        if (status) status.textContent = "Finding your location…";
        navigator.geolocation.getCurrentPosition(
          function (position) {
            lat.value = position.coords.latitude.toFixed(4);
            lon.value = position.coords.longitude.toFixed(4);
            if (km && km.value === "") km.value = "10";
            showState();
            submit();
          },
          function () {
            if (status) status.textContent = "Your location is not available; pick a community instead.";
          },
          { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
        );
      });
    }
    if (clearButton) {
      clearButton.addEventListener("click", function () {
        lat.value = "";
        lon.value = "";
        if (km) km.value = "";
        if (status) status.textContent = "";
        showState();
        submit();
      });
    }
    showState();
  });
})();
