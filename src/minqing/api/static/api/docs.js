// Swagger UI for Minqing's API (templates/api/docs.html). A file, not an inline script: the site's
// Content-Security-Policy allows scripts from the site only.
(function () {
  "use strict";
  var node = document.getElementById("swagger-ui");
  SwaggerUIBundle({
    url: node.dataset.schemaUrl,
    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    persistAuthorization: false,
    // "Try it out" with the signed-in session: writes need the CSRF token, as the site's forms do.
    requestInterceptor: function (request) {
      if (request.method && request.method !== "GET") {
        request.headers["X-CSRFToken"] = node.dataset.csrfToken;
      }
      return request;
    },
  });
})();
