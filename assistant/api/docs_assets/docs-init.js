// Starts Swagger UI or ReDoc on the element the page names; a file, not an inline script, so the
// docs pages need no 'unsafe-inline' in their Content-Security-Policy.
const swagger = document.getElementById("swagger-ui");
if (swagger) {
  window.ui = SwaggerUIBundle({
    url: swagger.dataset.openapi,
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    validatorUrl: null, // the default badge would be fetched from an outside validator
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
}
const redoc = document.getElementById("redoc");
if (redoc) {
  Redoc.init(redoc.dataset.openapi, { disableSearch: false, hideDownloadButton: false }, redoc);
}
