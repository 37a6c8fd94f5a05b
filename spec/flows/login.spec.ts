import express5 from "express";
import express4 from "express4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kakaoAuth, requireKakaoUser } from "../../lib/index.js";
import { buildApp, EXPRESS_MAJORS, SECRET } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { listen, type Listening } from "../support/server.js";

describe.each(EXPRESS_MAJORS)("Kakao login end to end on Express %i", (major) => {
  const emu = useEmulator();
  let app: Listening;

  beforeAll(async () => {
    app = await listen(buildApp({ express: major, emulator: emu.get() }));
  });
  afterAll(async () => app.close());
  expectNoServerErrorsAfterEach();

  it("redirects sign-in to Kakao's authorize endpoint with state and an S256 challenge", async () => {
    const flow = new LoginFlow(app.url);
    const res = await flow.start();
    expect(res.status).toBe(302);
    const url = flow.authorizeUrl!;
    expect(`${url.origin}${url.pathname}`).toBe(`${emu.get().url}/oauth/authorize`);
    expect(url.searchParams.get("state")).toMatch(/^.{22,}$/);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("redirect_uri")).toBe(`${app.url}/auth/callback/kakao`);
    expect(url.searchParams.has("scope")).toBe(false);
  });

  it("signs the user in and exposes the exact big id on req.kakaoUser", async () => {
    emu.get().addUser({ id: "1376016924429759228", nickname: "큰번호" });
    const flow = new LoginFlow(app.url);
    const res = await flow.run({ login_hint: "1376016924429759228", returnTo: "/me" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${app.url}/me`);
    const me = await flow.get("/me");
    expect(me.status).toBe(200);
    const body = await me.text();
    expect(body).toContain('"id":"1376016924429759228"');
    expect(JSON.parse(body)).toMatchObject({ nickname: "큰번호", emailVerified: false });
  });

  it("answers an anonymous API request with 401 JSON and WWW-Authenticate", async () => {
    const res = await fetch(`${app.url}/me`, { headers: { accept: "application/json" } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    expect(await res.json()).toEqual({ error: "unauthorized" });
  });

  it("redirects an anonymous page request to sign-in with returnTo", async () => {
    const res = await fetch(`${app.url}/me?tab=1`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/signin/kakao?returnTo=%2Fme%3Ftab%3D1");
  });
});

describe.each(EXPRESS_MAJORS)("kakaoAuth() mounted under /api on Express %i", (major) => {
  const emu = useEmulator();
  let app: Listening;

  beforeAll(async () => {
    const create = (major === 4 ? express4 : express5) as unknown as typeof express5;
    const express = create();
    express.use("/api", kakaoAuth({ ...emu.get().options, secret: SECRET }));
    express.get("/api/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
    app = await listen(express);
  });
  afterAll(async () => app.close());

  it("sends Kakao a redirect URI under the mount path", async () => {
    const flow = new LoginFlow(app.url, undefined, "/api/auth");
    await flow.start();
    expect(flow.authorizeUrl?.searchParams.get("redirect_uri")).toBe(`${app.url}/api/auth/callback/kakao`);
  });

  it("signs the user in through the callback under the mount path", async () => {
    const flow = new LoginFlow(app.url, undefined, "/api/auth");
    const res = await flow.run({ returnTo: "/api/me" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${app.url}/api/me`);
    const me = await flow.get("/api/me", { accept: "application/json" });
    expect(me.status).toBe(200);
  });

  it("has guards send browsers to the sign-in route under the mount path", async () => {
    const res = await fetch(`${app.url}/api/me`, { redirect: "manual", headers: { accept: "text/html" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/api/auth/signin/kakao?returnTo=%2Fapi%2Fme");
  });
});
