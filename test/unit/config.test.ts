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
