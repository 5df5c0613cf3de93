import pino from "pino";

/** One JSON-lines logger for every service; `LOG_LEVEL` is read by the config-free bootstrap here only. */
export const log = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: undefined,
});
