/**
 * The explorer: GraphiQL for a browser that opens `/graphql` (or `/`), from the npm packages' UMD
 * builds served by the gateway itself. Only HTML GETs are answered here; every other request goes
 * on to Apollo (or the REST shim), so GraphQL clients see no difference (decision 0019).
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
  wantsHtml,
} from "../pages";
import { EXAMPLE_TABS } from "./examples";

/** What explorer.js reads from the page. */
export interface ExplorerSettings {
  /** The saved operations, each a tab; with the development token's header in development. */
  tabs: Array<{ query: string; variables?: string; headers?: string }>;
  /** The headers editor's content for a new tab. */
  headers: string;
}

/** The explorer's page at `/graphql` and `/` (for browsers only), its script and the package files it loads. */
export function explorerRouter(config: Config): Router {
  const router = Router();
  const assets = {
    react: packageAsset("react", "umd/react.production.min.js"),
    reactDom: packageAsset("react-dom", "umd/react-dom.production.min.js"),
    graphiql: packageAsset("graphiql", "graphiql.min.js"),
    graphiqlCss: packageAsset("graphiql", "graphiql.min.css"),
    graphqlWs: packageAsset("graphql-ws", "umd/graphql-ws.min.js"),
  };
  serveAssets(router, Object.values(assets));
  servePageScript(router, "/explorer/explorer.js", pageFile("explorer", "explorer.js"));
  const render = pageTemplate(
    pageFile("explorer", "index.html"),
    Object.fromEntries(Object.entries(assets).map(([name, asset]) => [name, asset.url])),
  );

  router.get(["/", "/graphql"], async (req, res, next) => {
    if (!wantsHtml(req)) return next();
    const token = await developmentToken(config, "dev-explorer", req);
    // Without a token, where one goes: a request then answers "A bearer token is required".
    const headers = JSON.stringify({ Authorization: `Bearer ${token ?? ""}` }, null, 2);
    const settings: ExplorerSettings = {
      tabs: EXAMPLE_TABS.map((tab) => ({ ...tab, headers })),
      headers,
    };
    sendPage(res, render(settings));
  });
  return router;
}
