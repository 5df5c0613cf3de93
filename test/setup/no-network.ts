/**
 * Tests talk to this machine only: a connection to any address other than loopback fails
 * at once, so a test can never depend on (or leak to) the outside world.
 */
import net from "node:net";

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/i;
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  // net.connect() hands over its normalised arguments as one array: [options, callback].
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = (typeof first === "object" && first !== null ? first : { port: first, host: args[1] }) as {
    host?: unknown;
    path?: unknown;
  };
  const host = typeof options.host === "string" ? options.host : "localhost";
  if (typeof options.path !== "string" && !LOOPBACK.test(host)) {
    throw new Error(`tests may only connect to loopback addresses, not ${host}`);
  }
  return connect.apply(this, args as never);
} as typeof connect;
