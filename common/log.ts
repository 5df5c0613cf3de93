import pino from "pino";
import { logLevel } from "./config";

/** One JSON-lines logger for every service. */
export const log = pino({ level: logLevel(), base: undefined });
