/**
 * The live dashboard at `/dashboard`: one small page and one plain script (dashboard.js) that a
 * dashboard builder can read as an example of a graphql-ws subscription through the supergraph.
 */
import { Router } from "express";
import type { Config } from "../../common/config";
import {
  developmentToken,
  packageAsset,
  pageFile,
  pageTemplate,
  sendPage,
  serveAssets,
  servePageScript,
} from "../pages";

/** What dashboard.js reads from the page. */
export interface DashboardSettings {
  /** Prefilled in development (decision 0019); null: the person signs in with their own. */
  token: string | null;
}

/** The dashboard's page at `/dashboard`, its script and the graphql-ws client it loads. */
export function dashboardRouter(config: Config): Router {
  const router = Router();
  const graphqlWs = packageAsset("graphql-ws", "umd/graphql-ws.min.js");
  serveAssets(router, [graphqlWs]);
  servePageScript(router, "/dashboard/dashboard.js", pageFile("dashboard", "dashboard.js"));
  const render = pageTemplate(pageFile("dashboard", "index.html"), { graphqlWs: graphqlWs.url });
  router.get("/dashboard", async (req, res) => {
    const settings: DashboardSettings = {
      token: (await developmentToken(config, "dev-dashboard", req)) ?? null,
    };
    sendPage(res, render(settings));
  });
  return router;
}
