import path from "node:path";
import express, { Router } from "express";

/** Swagger UI for /openapi.json, served from the swagger-ui-dist package (no CDN). */
export function docsRouter(): Router {
  const router = Router();
  const assets = path.dirname(require.resolve("swagger-ui-dist/package.json"));
  router.get("/docs/swagger-initializer.js", (_req, res) => {
    res.type("application/javascript").send(
      `window.onload = () => { window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui",
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: "StandaloneLayout",
        persistAuthorization: true }); };`,
    );
  });
  router.use("/docs", express.static(assets, { index: "index.html" }));
  return router;
}
