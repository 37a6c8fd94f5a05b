// The "Protecting routes" recipes of README.md, as written there, each driven over HTTP.
import { Router, type RequestHandler } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  kakaoChecks,
  kakaoErrorHandler,
  requireFreshLogin,
  requireKakaoScopes,
  requireKakaoUser,
  requireKakaoUserWhere,
} from "../../lib/index.js";
import { signInAs } from "../../lib/testing/index.js";
import { buildApp } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { listen, type Listening } from "../support/server.js";

const ok: RequestHandler = (_req, res) => {
  res.json({ ok: true });
};
const listOrders = ok;
const share = ok;
const payPage = ok;

describe("README recipes for protecting routes", () => {
  const emu = useEmulator({ consentItems: ["profile_nickname", "account_email", "talk_message"] });
  let app: Listening;
  let admin: string;
  let staff: string;
  let member: string;

  beforeAll(async () => {
    const express = buildApp({
      emulator: emu.get(),
      routes: (app) => {
        // A whole router
        const account = Router();
        account.use(requireKakaoUser());
        account.get("/settings", ok);
        app.use("/account", account);

        // API vs pages: the same guard answers JSON 401 to fetch() and redirects browsers
        app.get("/api/orders", requireKakaoUser(), listOrders);

        // Admin only
        app.use("/admin", requireKakaoUserWhere(kakaoChecks.idIn(["4000000001"])), ok);
        app.use("/staff", requireKakaoUserWhere(kakaoChecks.emailDomain("example.com")), ok);

        // A feature behind a consent item (incremental consent)
        app.post("/share", requireKakaoScopes("talk_message"), share);

        // Fresh login before a payment page
        app.get("/pay", requireFreshLogin(5 * 60), payPage);

        // Turn KakaoApiError -402 / -401 thrown by handlers into consent / sign-in answers
        app.use(kakaoErrorHandler());
      },
    });
    app = await listen(express);
    const handler = app.server.listeners("request")[0] as never;
    admin = await signInAs(handler, { id: "4000000001", agreedScopes: ["profile_nickname"] });
    staff = await signInAs(handler, {
      id: "4000000002",
      email: "kim@example.com",
      agreedScopes: ["profile_nickname", "account_email"],
    });
    member = await signInAs(
      handler,
      { id: "4000000003", agreedScopes: ["profile_nickname", "talk_message"] },
      { freshLogin: true },
    );
  });
  afterAll(async () => app.close());

  const get = (path: string, cookie = "", accept = "application/json") =>
    fetch(`${app.url}${path}`, { headers: { cookie, accept }, redirect: "manual" });

  it("protects a whole router", async () => {
    expect((await get("/account/settings")).status).toBe(401);
    expect((await get("/account/settings", member)).status).toBe(200);
  });

  it("answers fetch() with 401 JSON and redirects a browser on the same API route", async () => {
    expect((await get("/api/orders")).status).toBe(401);
    const page = await get("/api/orders", "", "text/html");
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/auth/signin/kakao?returnTo=%2Fapi%2Forders");
  });

  it("lets only the listed id into /admin", async () => {
    expect((await get("/admin", admin)).status).toBe(200);
    expect((await get("/admin", member)).status).toBe(403);
  });

  it("lets only verified example.com addresses into /staff", async () => {
    expect((await get("/staff", staff)).status).toBe(200);
    expect((await get("/staff", admin)).status).toBe(403);
  });

  it("gates /share on the talk_message consent item", async () => {
    const post = (cookie: string) =>
      fetch(`${app.url}/share`, { method: "POST", headers: { cookie, accept: "application/json" } });
    expect((await post(member)).status).toBe(200);
    const refused = await post(admin);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: "insufficient_scope", required_scopes: ["talk_message"] });
  });

  it("lets a just-signed-in user onto /pay", async () => {
    expect((await get("/pay", member)).status).toBe(200);
  });
});
