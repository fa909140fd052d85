(function () {
  "use strict";
  // UI events go to the embedding page only when its origin is one the environment allows, and
  // then to that origin alone: never "*", so no other page that frames the portal hears them.
  var data = JSON.parse(document.getElementById("portal-data").textContent);
  var allowed = data.parents || [];
  function parentOrigin() {
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      return window.location.ancestorOrigins[0];
    }
    try { return document.referrer ? new URL(document.referrer).origin : null; } catch (e) { return null; }
  }
  window.portalNotify = function (event) {
    if (window.parent === window) { return; }
    var parent = parentOrigin();
    var targets = parent ? allowed.filter(function (o) { return o === parent; }) : allowed;
    targets.forEach(function (origin) { window.parent.postMessage(event, origin); });
  };
  if (data.event) { window.portalNotify(data.event); }
})();
