// The interactive API docs (/api/v1/docs): Swagger UI, served from django-ninja's static files.
// Replaces django-ninja's own starter so that the page stays accessible and works for signed-in people.
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  // Deep links put a link inside each operation's toggle button: a control nested in a control, which
  // screen readers cannot operate. Without them each operation is still one button.
  settings.deepLinking = false;
  // Changes need the signed-in session's CSRF token, as on credo's own pages (htmx sends it the same way).
  var headers = document.body.getAttribute("hx-headers");
  var token = headers ? JSON.parse(headers)["X-CSRFToken"] : null;
  if (token) {
    settings.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = token;
      return request;
    };
  }
  SwaggerUIBundle(settings);
  // Examples and responses are drawn in scrolling boxes: each takes keyboard focus, so it can be scrolled
  // without a mouse (Swagger UI draws them as they are opened).
  new MutationObserver(function () {
    document.querySelectorAll("#swagger-ui pre.microlight:not([tabindex])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
    });
  }).observe(document.getElementById("swagger-ui"), { childList: true, subtree: true });
})();
