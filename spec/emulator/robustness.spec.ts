import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/emulator/index.js";

describe("emulator robustness", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator();
  });
  afterAll(() => emu.close());

  it("answers an unknown path with a kapi-style 404", async () => {
    const res = await fetch(`${emu.url}/v9/nothing/here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ msg: "Not Found", code: -404 });
  });

  it("answers a wrong method with 405 and Allow", async () => {
    const res = await fetch(`${emu.url}/oauth/token`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });

  it("refuses a body over 64 KB with 413", async () => {
    const res = await fetch(`${emu.url}/oauth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: `code=${"a".repeat(70 * 1024)}`,
    });
    expect(res.status).toBe(413);
  });

  it("survives fuzzed query strings and bodies without a 5xx", async () => {
    const nasty = [
      "%",
      "%zz",
      "__proto__=1&constructor=2",
      "scope=%00%ff",
      "client_id=" + "x".repeat(5000),
      "a=1&a=2&a=3",
      "=&&==",
    ];
    for (const q of nasty) {
      for (const path of ["/oauth/authorize", "/v2/user/me", "/v2/user/scopes"]) {
        const res = await fetch(`${emu.url}${path}?${q}`, { redirect: "manual" });
        expect(res.status).toBeLessThan(500);
      }
      const post = await fetch(`${emu.url}/oauth/token`, {
        method: "POST",
        body: q,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
      });
      expect(post.status).toBeLessThan(500);
    }
    const json = await fetch(`${emu.url}/oauth/token`, {
      method: "POST",
      body: "{bad json",
      headers: { "Content-Type": "application/json" },
    });
    expect(json.status).toBe(401);
    const keys = await fetch(`${emu.url}/v2/user/me?property_keys=[oops`, { headers: { Authorization: "Bearer x" } });
    expect(keys.status).toBe(401);
  });

  it("records every request with method, path, query, headers, body and time", async () => {
    await fetch(`${emu.url}/v2/user/me?secure_resource=true`, { headers: { Authorization: "Bearer abc" } });
    const rec = emu.requestsTo("/v2/user/me").at(-1);
    expect(rec).toMatchObject({ method: "GET", path: "/v2/user/me", query: { secure_resource: ["true"] }, body: {} });
    expect(rec?.headers.authorization).toBe("Bearer abc");
    expect(typeof rec?.at).toBe("number");
  });

  it("moves the clock with advance and set", () => {
    const t = emu.clock.now();
    emu.clock.advance(10);
    expect(emu.clock.now() - t).toBeGreaterThanOrEqual(10_000);
    emu.clock.set(t);
    expect(Math.abs(emu.clock.now() - t)).toBeLessThan(1000);
  });

  it("rejects a user id that is not a decimal string", () => {
    expect(() => emu.addUser({ id: "12a" })).toThrow(TypeError);
  });
});
