import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/emulator/index.js";
import { exchange, getCode, pkcePair, postForm, REDIRECT, type TokenBody } from "./helpers.js";

describe("emulator POST /oauth/token (authorization_code)", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator();
  });
  afterAll(() => emu.close());

  it("exposes options ready for kakaoAuth()", () => {
    expect(emu.options).toEqual({
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      authOrigin: emu.url,
      apiOrigin: emu.url,
    });
    expect(emu.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("answers a valid exchange with Kakao's token response shape", async () => {
    const res = await exchange(emu, await getCode(emu));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    const text = await res.text();
    const body = JSON.parse(text) as TokenBody;
    expect(Object.keys(body)).toEqual([
      "access_token",
      "token_type",
      "refresh_token",
      "expires_in",
      "scope",
      "refresh_token_expires_in",
    ]);
    expect(body.token_type).toBe("bearer");
    expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(body.expires_in).toBe(21599);
    expect(body.refresh_token_expires_in).toBe(5183999);
    expect(body.scope).toBe("profile_nickname profile_image account_email");
    expect(body).not.toHaveProperty("id_token");
  });

  it("accepts a PKCE S256 code_verifier that matches the challenge", async () => {
    const { verifier, challenge } = pkcePair();
    const code = await getCode(emu, { code_challenge: challenge, code_challenge_method: "S256" });
    expect((await exchange(emu, code, { code_verifier: verifier })).status).toBe(200);
  });

  it("rejects a wrong PKCE code_verifier with 400 invalid_grant", async () => {
    const { challenge } = pkcePair();
    const code = await getCode(emu, { code_challenge: challenge, code_challenge_method: "S256" });
    const res = await exchange(emu, code, { code_verifier: pkcePair().verifier });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "invalid_grant",
      error_description: "invalid code_verifier",
      error_code: "KOE314",
    });
  });

  it("rejects a missing PKCE code_verifier when a challenge was sent", async () => {
    const code = await getCode(emu, { code_challenge: pkcePair().challenge, code_challenge_method: "S256" });
    const res = await exchange(emu, code);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_grant", error_code: "KOE314" });
  });

  it("rejects a second use of a code with KOE320", async () => {
    const code = await getCode(emu);
    expect((await exchange(emu, code)).status).toBe(200);
    const res = await exchange(emu, code);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "invalid_grant",
      error_description: `authorization code not found for code=${code}`,
      error_code: "KOE320",
    });
  });

  it("consumes the code even when the first exchange fails", async () => {
    const code = await getCode(emu);
    expect((await exchange(emu, code, { redirect_uri: `${REDIRECT}/x` })).status).toBe(400);
    expect(await (await exchange(emu, code)).json()).toMatchObject({ error_code: "KOE320" });
  });

  it("lets exactly one of two concurrent exchanges of one code succeed", async () => {
    const code = await getCode(emu);
    const statuses = (await Promise.all([exchange(emu, code), exchange(emu, code)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 400]);
  });

  it("expires codes after codeTtl on the emulator clock", async () => {
    const code = await getCode(emu);
    emu.clock.advance(601);
    try {
      expect(await (await exchange(emu, code)).json()).toMatchObject({ error_code: "KOE320" });
    } finally {
      emu.clock.advance(-601);
    }
  });

  it("rejects a different redirect_uri with KOE303", async () => {
    const res = await exchange(emu, await getCode(emu), { redirect_uri: "http://127.0.0.1:3999/other" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: "invalid_grant",
      error_description: "Redirect URI mismatch.",
      error_code: "KOE303",
    });
  });

  it("rejects a wrong client_secret with 401 KOE010", async () => {
    const res = await exchange(emu, await getCode(emu), { client_secret: "wrong" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: "invalid_client",
      error_description: "Bad client credentials",
      error_code: "KOE010",
    });
  });

  it("rejects an unknown client_id with 401 KOE101", async () => {
    const res = await exchange(emu, "x", { client_id: "other" });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: "invalid_client",
      error_description: "Not exist client_id [other]",
      error_code: "KOE101",
    });
  });

  it("rejects HTTP Basic client authentication (client_secret_basic) with KOE101", async () => {
    const code = await getCode(emu);
    const basic = Buffer.from(`${emu.clientId}:${emu.clientSecret ?? ""}`).toString("base64");
    const res = await postForm(
      `${emu.url}/oauth/token`,
      { grant_type: "authorization_code", redirect_uri: REDIRECT, code },
      { Authorization: `Basic ${basic}` },
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error_code: "KOE101", error_description: "Not exist client_id [null]" });
  });

  it("accepts the parameters in the query string of the POST", async () => {
    const q = new URLSearchParams({
      grant_type: "authorization_code",
      client_id: emu.clientId,
      client_secret: emu.clientSecret ?? "",
      redirect_uri: REDIRECT,
      code: await getCode(emu),
    });
    expect((await fetch(`${emu.url}/oauth/token?${q.toString()}`, { method: "POST" })).status).toBe(200);
  });

  it("rejects an unsupported grant_type", async () => {
    const res = await postForm(`${emu.url}/oauth/token`, {
      grant_type: "password",
      client_id: emu.clientId,
      client_secret: emu.clientSecret ?? "",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "unsupported_grant_type" });
  });

  it("records the token request so tests can check client_secret_post", async () => {
    await exchange(emu, await getCode(emu));
    const last = emu.requestsTo("/oauth/token").at(-1);
    expect(last?.method).toBe("POST");
    expect(last?.body).toMatchObject({ client_id: [emu.clientId], client_secret: [emu.clientSecret] });
    expect(last?.query).toEqual({});
  });
});

describe("emulator with Client Secret switched off", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator({ clientSecret: null });
  });
  afterAll(() => emu.close());

  it("exchanges codes without a client_secret and omits it from options", async () => {
    expect(emu.options).not.toHaveProperty("clientSecret");
    expect((await exchange(emu, await getCode(emu))).status).toBe(200);
  });
});
