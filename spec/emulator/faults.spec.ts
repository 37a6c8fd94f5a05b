import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/emulator/index.js";
import { authorize, bearer, exchange, getCode, login, refresh } from "./helpers.js";

describe("emulator fault injection", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator();
  });
  afterAll(() => emu.close());

  it("answers the next token request with an injected status, then recovers", async () => {
    emu.fail("token", { status: 500 });
    const res = await exchange(emu, await getCode(emu));
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: "server_error" });
    expect((await exchange(emu, await getCode(emu))).status).toBe(200);
  });

  it("answers with an injected raw body and content type", async () => {
    emu.fail("token", { body: "<html>oops</html>", contentType: "text/html" });
    const res = await exchange(emu, await getCode(emu));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(await res.text()).toBe("<html>oops</html>");
  });

  it("delays the normal answer by delayMs", async () => {
    const code = await getCode(emu);
    emu.fail("token", { delayMs: 250 });
    const started = Date.now();
    const res = await exchange(emu, code);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(res.status).toBe(200);
  });

  it("injects a KOE error on refresh without touching code exchanges", async () => {
    const tokens = await login(emu);
    emu.fail("refresh", { koe: "KOE322" });
    expect((await exchange(emu, await getCode(emu))).status).toBe(200);
    const res = await refresh(emu, tokens.refresh_token ?? "");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "invalid_grant",
      error_description: "expired_or_invalid_refresh_token",
      error_code: "KOE322",
    });
  });

  it("injects -401 with a WWW-Authenticate challenge on userinfo", async () => {
    const tokens = await login(emu);
    emu.fail("userinfo", { kapiCode: -401 });
    const res = await fetch(`${emu.url}/v2/user/me`, { headers: bearer(tokens.access_token) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer error=invalid_token");
    expect(await res.json()).toEqual({ msg: "this access token does not exist", code: -401 });
  });

  it("injects -402 with required_scopes on any api route", async () => {
    const tokens = await login(emu);
    emu.fail("api", { kapiCode: -402, requiredScopes: ["account_email"] });
    const res = await fetch(`${emu.url}/v1/user/access_token_info`, { headers: bearer(tokens.access_token) });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: -402, required_scopes: ["account_email"] });
  });

  it("applies a fault `times` times", async () => {
    emu.fail("jwks", { status: 503, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${emu.url}/.well-known/jwks.json`)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });

  it("shows a KOE page for a koe fault on authorize", async () => {
    emu.fail("authorize", { koe: "KOE006" });
    const res = await authorize(emu);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("(KOE006)");
  });

  it("destroys the socket for a destroy fault", async () => {
    emu.fail("token", { destroy: true });
    await expect(exchange(emu, "x")).rejects.toThrow();
  });

  it("forgets pending faults on clearFaults", async () => {
    emu.fail("token", { status: 500 });
    emu.clearFaults();
    expect((await exchange(emu, await getCode(emu))).status).toBe(200);
  });

  it("refuses an unknown route name", () => {
    expect(() => emu.fail("tokne", { status: 500 })).toThrow(/unknown route/);
  });
});

describe("emulator close()", () => {
  it("cancels delayed answers and closes keep-alive sockets promptly", async () => {
    const emu = await startKakaoEmulator();
    emu.fail("jwks", { delayMs: 60_000 });
    const pending = fetch(`${emu.url}/.well-known/jwks.json`).then(
      (r) => r.status,
      () => "aborted",
    );
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await emu.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBe("aborted");
  });
});
