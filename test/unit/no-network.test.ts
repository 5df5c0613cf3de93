import net from "node:net";

describe("the test network guard", () => {
  it("When a test connects outside this machine, then the connection is refused at once", () => {
    expect(() => net.connect({ host: "93.184.216.34", port: 80 })).toThrow(/loopback/);
    expect(() => net.connect(443, "example.com")).toThrow(/loopback/);
  });

  it("When a test connects to loopback, then the connection is attempted", async () => {
    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.on("error", () => {}); // the server hangs up at once
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
