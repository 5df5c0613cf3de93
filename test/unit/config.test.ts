import { loadConfig } from "../../common/config";

describe("configuration of the browser tools", () => {
  const production = { NODE_ENV: "production", JWT_SECRET: "a-production-secret" };

  it("When nothing is set, then the explorer, the dashboard and introspection are on in development and off in production", () => {
    expect(loadConfig({}).gateway).toMatchObject({ explorer: true, dashboard: true, introspection: true });
    expect(loadConfig({ NODE_ENV: "test" }).gateway).toMatchObject({ explorer: true, introspection: true });
    expect(loadConfig(production).gateway).toMatchObject({
      explorer: false,
      dashboard: false,
      introspection: false,
    });
  });

  it("When EXPLORER, DASHBOARD or INTROSPECTION is set, then it wins over the mode; anything but on or off is refused", () => {
    expect(
      loadConfig({ ...production, EXPLORER: "on", DASHBOARD: "on", INTROSPECTION: "on" }).gateway,
    ).toMatchObject({ explorer: true, dashboard: true, introspection: true });
    expect(loadConfig({ EXPLORER: "off", DASHBOARD: "off", INTROSPECTION: "off" }).gateway).toMatchObject({
      explorer: false,
      dashboard: false,
      introspection: false,
    });
    expect(() => loadConfig({ EXPLORER: "yes" })).toThrow('EXPLORER must be on or off, got "yes"');
  });
});

describe("configuration of the WebSocket limits", () => {
  it("When nothing is set, then the documented defaults apply, per instance, socket and caller", () => {
    expect(loadConfig({}).subscriptions).toEqual({
      maxConnections: 20_000,
      maxPerConnection: 20,
      maxConnectionsPerCaller: 10,
      maxPerCaller: 100,
      keepAliveMs: 12_000,
    });
  });

  it("When a per-caller limit is set, then it is read, and one that is no positive integer is refused", () => {
    expect(
      loadConfig({ WS_MAX_CONNECTIONS_PER_CALLER: "3", WS_MAX_SUBSCRIPTIONS_PER_CALLER: "7" }).subscriptions,
    ).toMatchObject({ maxConnectionsPerCaller: 3, maxPerCaller: 7 });
    expect(() => loadConfig({ WS_MAX_CONNECTIONS_PER_CALLER: "0" })).toThrow(
      "WS_MAX_CONNECTIONS_PER_CALLER must be an integer from 1",
    );
    expect(() => loadConfig({ WS_MAX_SUBSCRIPTIONS_PER_CALLER: "many" })).toThrow(
      "WS_MAX_SUBSCRIPTIONS_PER_CALLER must be an integer",
    );
  });
});
