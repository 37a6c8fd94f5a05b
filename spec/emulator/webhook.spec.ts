import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/emulator/index.js";
import { bearer, login } from "./helpers.js";

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe("emulator unlink webhook sender", () => {
  let emu: KakaoEmulator;
  let receiver: Server;
  let target: string;
  const received: Received[] = [];

  beforeAll(async () => {
    emu = await startKakaoEmulator({ adminKey: "admin-key-1", appId: "7654321" });
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        res.writeHead(200).end("ok");
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/auth/webhooks/kakao/unlink`;
  });
  afterAll(async () => {
    await emu.close();
    await new Promise<void>((r) => {
      receiver.close(() => r());
      receiver.closeAllConnections();
    });
  });

  it("POSTs a form with app_id, user_id and referrer_type and the KakaoAK header", async () => {
    const out = await emu.sendUnlinkWebhook(target, { userId: "1376016924429759228" });
    expect(out.status).toBe(200);
    expect(out.body).toBe("ok");
    expect(out.ms).toBeGreaterThanOrEqual(0);
    const got = received.at(-1);
    expect(got?.method).toBe("POST");
    expect(got?.headers.authorization).toBe("KakaoAK admin-key-1");
    expect(got?.headers["content-type"]).toContain("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(got?.body))).toEqual({
      app_id: "7654321",
      user_id: "1376016924429759228",
      referrer_type: "UNLINK_FROM_APPS",
    });
  });

  it("sends GET with the parameters in the query string", async () => {
    await emu.sendUnlinkWebhook(target, { userId: "42", method: "GET", referrerType: "ACCOUNT_DELETE" });
    const got = received.at(-1);
    expect(got?.method).toBe("GET");
    const url = new URL(got?.url ?? "", "http://x");
    expect(url.searchParams.get("user_id")).toBe("42");
    expect(url.searchParams.get("referrer_type")).toBe("ACCOUNT_DELETE");
  });

  it("omits the Authorization header when adminKey is null and uses an override otherwise", async () => {
    await emu.sendUnlinkWebhook(target, { userId: "42", adminKey: null });
    expect(received.at(-1)?.headers).not.toHaveProperty("authorization");
    await emu.sendUnlinkWebhook(target, { userId: "42", adminKey: "wrong" });
    expect(received.at(-1)?.headers.authorization).toBe("KakaoAK wrong");
  });

  it("unlinks the user inside the emulator before sending", async () => {
    const tokens = await login(emu);
    await emu.sendUnlinkWebhook(target, { userId: "4000000001" });
    expect((await fetch(`${emu.url}/v2/user/me`, { headers: bearer(tokens.access_token) })).status).toBe(401);
  });

  it("refuses non-loopback URLs", async () => {
    await expect(emu.sendUnlinkWebhook("http://example.com/hook", { userId: "1" })).rejects.toThrow(/loopback/);
  });
});
