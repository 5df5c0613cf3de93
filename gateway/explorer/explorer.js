// The explorer page: GraphiQL (its UMD build, on React) over this gateway's /graphql. Queries and
// mutations go over HTTP with the headers editor's headers; subscriptions over graphql-ws at the
// same URL. The server puts the saved operations (and, in development, a token) in #settings.
(() => {
  "use strict";
  const settings = JSON.parse(document.getElementById("settings").textContent);
  const url = new URL("/graphql", window.location.href).href;
  const wsUrl = url.replace(/^http/, "ws");

  // graphql-ws sends the token once, when the socket opens (connection_init), so a socket belongs to
  // one Authorization value: one lazy client per value (it opens with the first subscription and
  // closes after the last), made anew when the headers editor holds another.
  let current = { authorization: null, fetcher: null };
  const fetcherFor = (authorization) => {
    if (!current.fetcher || current.authorization !== authorization) {
      const wsClient = graphqlWs.createClient({
        url: wsUrl,
        connectionParams: authorization ? { authorization } : {},
      });
      current = { authorization, fetcher: GraphiQL.createFetcher({ url, wsClient }) };
    }
    return current.fetcher;
  };

  const fetcher = (params, options) => {
    const headers = options?.headers ?? {};
    const name = Object.keys(headers).find((key) => key.toLowerCase() === "authorization");
    return fetcherFor(name ? String(headers[name]) : "")(params, options);
  };

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultTabs: settings.tabs,
      defaultHeaders: settings.headers,
      // Headers (the token) are never kept in the browser: a development page mints a fresh,
      // short-lived token at each load.
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: true,
    }),
  );
})();
