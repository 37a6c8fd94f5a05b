import { createRemoteJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator, type SdkLoginApp } from "../../lib/testing/emulator/index.js";
import { bearer, refresh } from "./helpers.js";

const USER = {
  id: "4000000011",
  nickname: "앱사용자",
  email: "app@example.com",
  thumbnailImage: "http://k.kakaocdn.net/dn/app/img_110x110.jpg",
};
/** A frozen emulator clock (near the real time, which jose checks exp against), so seconds are exact. */
const T0 = Date.now();
const T0_SECONDS = Math.floor(T0 / 1000);
const OWN: SdkLoginApp[] = ["native", "javascript", "rest"];
const OTHER: SdkLoginApp[] = ["other-native", "other-javascript"];

/** The app key an SDK login with `app` uses (its id_token's aud). */
function keyOf(emu: KakaoEmulator, app: SdkLoginApp): string {
  const keys: Record<SdkLoginApp, string> = {
    native: emu.appKeys.native,
    javascript: emu.appKeys.javascript,
    rest: emu.appKeys.rest,
    "other-native": emu.otherApp.nativeAppKey,
    "other-javascript": emu.otherApp.javascriptKey,
  };
  return keys[app];
}

function tokenInfo(emu: KakaoEmulator, token: string): Promise<Response> {
  return fetch(`${emu.url}/v1/user/access_token_info`, { headers: bearer(token) });
}

describe("emulator SDK logins", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator({
      appId: "1234567",
      now: () => T0,
      javascriptKey: "js-key-for-tests",
      nativeAppKey: "native-key-for-tests",
      users: [USER, { id: "4000000012", nickname: "미연결" }, { id: "4000000013", nickname: "탈퇴" }],
    });
  });
  afterAll(() => emu.close());

  const jwks = () => createRemoteJWKSet(new URL(`${emu.url}/.well-known/jwks.json`));

  it("exposes the app's REST, JavaScript and native keys", () => {
    expect(emu.appKeys).toEqual({ rest: emu.clientId, javascript: "js-key-for-tests", native: "native-key-for-tests" });
  });

  it("knows another app with its own numeric id and keys", () => {
    const { appId, restKey, javascriptKey, nativeAppKey } = emu.otherApp;
    expect(appId).toMatch(/^\d{7}$/);
    expect(appId).not.toBe(emu.appId);
    const all = [restKey, javascriptKey, nativeAppKey, ...Object.values(emu.appKeys)];
    expect(new Set(all).size).toBe(6);
  });

  it.each([...OWN, ...OTHER])("answers /v2/user/me with the user for a %s token", async (app) => {
    const { accessToken } = await emu.sdkLogin(USER.id, { app });
    const res = await fetch(`${emu.url}/v2/user/me`, { headers: bearer(accessToken) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: number;
      kakao_account: { email?: string; profile?: { nickname?: string } };
    };
    expect(String(body.id)).toBe(USER.id);
    expect(body.kakao_account.profile?.nickname).toBe(USER.nickname);
    expect(body.kakao_account.email).toBe(USER.email);
  });

  it.each(OWN)("answers access_token_info with this app's numeric app_id for a %s token", async (app) => {
    const { accessToken, expiresIn } = await emu.sdkLogin(USER.id, { app });
    const res = await tokenInfo(emu, accessToken);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`"app_id":1234567`);
    expect(JSON.parse(text)).toEqual({ id: Number(USER.id), expires_in: expiresIn, app_id: 1234567 });
  });

  it.each(OTHER)("answers access_token_info with otherApp.appId for a %s token", async (app) => {
    const { accessToken } = await emu.sdkLogin(USER.id, { app });
    const res = await tokenInfo(emu, accessToken);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`"app_id":${emu.otherApp.appId}`);
    expect((JSON.parse(text) as { id: number }).id).toBe(Number(USER.id));
  });

  it("records every access_token_info request", async () => {
    const before = emu.requestsTo("/v1/user/access_token_info").length;
    const { accessToken } = await emu.sdkLogin(USER.id, { app: "other-native" });
    await tokenInfo(emu, accessToken);
    await tokenInfo(emu, "not-a-token");
    expect(emu.requestsTo("/v1/user/access_token_info")).toHaveLength(before + 2);
  });

  it.each([...OWN, ...OTHER])(
    "signs a %s id_token that verifies against the JWKS with aud = that app key and the nonce",
    async (app) => {
      const { idToken, expiresIn } = await emu.sdkLogin(USER.id, { app, nonce: `nonce-${app}` });
      const { payload, protectedHeader } = await jwtVerify(idToken ?? "", jwks(), {
        issuer: emu.url,
        audience: keyOf(emu, app),
        algorithms: ["RS256"],
      });
      expect(protectedHeader).toMatchObject({ typ: "JWT", alg: "RS256" });
      expect(payload).toMatchObject({
        sub: USER.id,
        nonce: `nonce-${app}`,
        nickname: USER.nickname,
        picture: USER.thumbnailImage,
        email: USER.email,
      });
      expect(payload).toMatchObject({ iat: T0_SECONDS, auth_time: T0_SECONDS, exp: T0_SECONDS + expiresIn });
    },
  );

  it("returns no id_token without oidc or a nonce", async () => {
    const tokens = await emu.sdkLogin(USER.id, { app: "native" });
    expect(tokens).not.toHaveProperty("idToken");
  });

  it("returns an id_token without a nonce claim when oidc is asked for", async () => {
    const { idToken } = await emu.sdkLogin(USER.id, { app: "javascript", oidc: true });
    const claims = decodeJwt(idToken ?? "");
    expect(claims.aud).toBe(emu.appKeys.javascript);
    expect(claims).not.toHaveProperty("nonce");
  });

  it("merges idTokenOverrides to forge an expired id_token", async () => {
    const { idToken } = await emu.sdkLogin(USER.id, { nonce: "n", idTokenOverrides: { exp: 1_000_000_000 } });
    await expect(jwtVerify(idToken ?? "", jwks(), { issuer: emu.url })).rejects.toMatchObject({
      code: "ERR_JWT_EXPIRED",
    });
  });

  it("merges idTokenOverrides to forge a foreign issuer and drops claims set to undefined", async () => {
    const { idToken } = await emu.sdkLogin(USER.id, {
      nonce: "n",
      idTokenOverrides: { iss: "https://evil.example", nonce: undefined },
    });
    expect(decodeJwt(idToken ?? "")).not.toHaveProperty("nonce");
    await expect(jwtVerify(idToken ?? "", jwks(), { issuer: emu.url })).rejects.toMatchObject({
      code: "ERR_JWT_CLAIM_VALIDATION_FAILED",
      claim: "iss",
    });
  });

  it("applies a pending setIdTokenOverride to an SDK id_token", async () => {
    emu.setIdTokenOverride(null, { alg: "none" });
    const { idToken } = await emu.sdkLogin(USER.id, { nonce: "n" });
    expect(idToken?.endsWith(".")).toBe(true);
    await expect(jwtVerify(idToken ?? "", jwks())).rejects.toThrow();
  });

  it("keeps signIdToken forging tokens with a key outside the JWKS", async () => {
    const forged = await emu.signIdToken({ iss: emu.url, aud: emu.appKeys.native, sub: USER.id }, { key: "unknown" });
    await expect(jwtVerify(forged, jwks(), { issuer: emu.url })).rejects.toMatchObject({
      code: "ERR_JWKS_NO_MATCHING_KEY",
    });
  });

  it("links the user to this app for its own keys only", async () => {
    const id = "4000000012";
    await emu.sdkLogin(id, { app: "other-native" });
    expect(emu.users.get(id)?.linked).toBe(false);
    expect(emu.tokensOf(id).accessTokens).toHaveLength(0);
    const { accessToken } = await emu.sdkLogin(id, { app: "native" });
    expect(emu.users.get(id)?.linked).toBe(true);
    expect(emu.tokensOf(id).accessTokens).toEqual([accessToken]);
  });

  it("unlinks only from the other app when called with its token", async () => {
    const id = "4000000013";
    const own = await emu.sdkLogin(id, { app: "native" });
    const other = await emu.sdkLogin(id, { app: "other-javascript" });
    const res = await fetch(`${emu.url}/v1/user/unlink`, { method: "POST", headers: bearer(other.accessToken) });
    expect(res.status).toBe(200);
    expect((await tokenInfo(emu, other.accessToken)).status).toBe(401);
    expect((await tokenInfo(emu, own.accessToken)).status).toBe(200);
    expect(emu.users.get(id)?.linked).toBe(true);
  });

  it("refreshes an SDK login's refresh token with the REST key", async () => {
    const { refreshToken } = await emu.sdkLogin(USER.id, { app: "native" });
    const res = await refresh(emu, refreshToken);
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    expect((await tokenInfo(emu, access_token)).status).toBe(200);
  });

  it("refuses another app's refresh token at this app's token endpoint with KOE322", async () => {
    const { refreshToken } = await emu.sdkLogin(USER.id, { app: "other-native" });
    const res = await refresh(emu, refreshToken);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error_code: "KOE322" });
  });

  it("rejects an unknown app, an unknown user and an unconfigured consent item", async () => {
    await expect(emu.sdkLogin(USER.id, { app: "ios" as SdkLoginApp })).rejects.toThrow(TypeError);
    await expect(emu.sdkLogin("4999999999")).rejects.toThrow(/unknown user/);
    await expect(emu.sdkLogin(USER.id, { scopes: ["talk_message"] })).rejects.toThrow(/KOE205/);
  });
});

describe("emulator SDK logins with defaults", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator({ oidc: true });
  });
  afterAll(() => emu.close());

  it("makes up distinct JavaScript and native keys", () => {
    expect(emu.appKeys.javascript).toMatch(/^emu-js-key-/);
    expect(emu.appKeys.native).toMatch(/^emu-native-key-/);
    expect(new Set(Object.values(emu.appKeys)).size).toBe(3);
  });

  it("returns an id_token for the native key when the emulator has OIDC on", async () => {
    const [user] = emu.users.keys();
    const { idToken } = await emu.sdkLogin(user ?? "");
    const { payload } = await jwtVerify(
      idToken ?? "",
      createRemoteJWKSet(new URL(`${emu.url}/.well-known/jwks.json`)),
      {
        issuer: emu.url,
        audience: emu.appKeys.native,
      },
    );
    expect(payload.sub).toBe(user);
  });

  it("refuses equal platform keys", async () => {
    await expect(startKakaoEmulator({ clientId: "same", nativeAppKey: "same" })).rejects.toThrow(/must differ/);
  });
});

describe("emulator SDK access tokens over time", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator({ now: () => T0 });
  });
  afterAll(() => emu.close());

  it("answers expires_in as the remaining seconds", async () => {
    const { accessToken, expiresIn } = await emu.sdkLogin("4000000001", { app: "javascript" });
    emu.clock.advance(100);
    const body = (await (await tokenInfo(emu, accessToken)).json()) as { expires_in: number };
    expect(body.expires_in).toBe(expiresIn - 100);
  });

  it("answers -401 at access_token_info once the access token has expired", async () => {
    const { accessToken, expiresIn } = await emu.sdkLogin("4000000001", { app: "other-native" });
    emu.clock.advance(expiresIn + 1);
    const res = await tokenInfo(emu, accessToken);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ msg: "this access token is already expired", code: -401 });
  });
});
