import { hostOf, isLoopback } from "../../common/loopback";

describe("what counts as this machine", () => {
  it.each(["127.0.0.1", "127.1.2.3", "::1", "[::1]", "::ffff:127.0.0.1", "localhost"])(
    "When the address is %s, then it is loopback",
    (address) => expect(isLoopback(address)).toBe(true),
  );

  it.each([
    "10.0.0.5",
    "::ffff:10.0.0.1",
    "192.168.1.2",
    "0.0.0.0",
    "::",
    "127.0.0.1.example.com",
    "",
    undefined,
  ])("When the address is %s, then it is not", (address) => expect(isLoopback(address)).toBe(false));

  it("When a Host header carries a port, then its host is read without it", () => {
    expect(hostOf("localhost:4000")).toBe("localhost");
    expect(hostOf("[::1]:4000")).toBe("[::1]");
    expect(hostOf("127.0.0.1")).toBe("127.0.0.1");
    expect(hostOf(undefined)).toBeUndefined();
  });
});
