import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportSPKI,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JSONWebKeySet,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/emulator/index.js";
import { bearer, login, postForm, refresh } from "./helpers.js";

describe("emulator OpenID Connect", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator({
      oidc: true,
      users: [
        {
          id: "1376016924429759228",
          nickname: "큰번호",
          email: "big@example.com",
          thumbnailImage: "http://k.kakaocdn.net/t.jpg",
        },
        { id: "4000000005", nickname: "미인증", email: "unverified@example.com", isEmailVerified: false },
      ],
    });
  });
  afterAll(() => emu.close());

  const jwks = async (): Promise<JSONWebKeySet> =>
    (await (await fetch(`${emu.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;

  it("serves a discovery document whose issuer and endpoints are the emulator", async () => {
    const doc = (await (await fetch(`${emu.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: emu.url,
      authorization_endpoint: `${emu.url}/oauth/authorize`,
      token_endpoint: `${emu.url}/oauth/token`,
      userinfo_endpoint: `${emu.url}/v1/oidc/userinfo`,
      jwks_uri: `${emu.url}/.well-known/jwks.json`,
      code_challenge_methods_supported: ["S256"],
      token_endpoint_auth_methods_supported: ["client_secret_post"],
    });
  });

  it("issues an id_token that verifies against the JWKS with Kakao's header and claims", async () => {
    const tokens = await login(emu, { nonce: "n-123" });
    expect(tokens.scope?.split(" ")).toContain("openid");
    const idToken = tokens.id_token ?? "";
    expect(Object.keys(decodeProtectedHeader(idToken))).toEqual(["kid", "typ", "alg"]);
    const { payload, protectedHeader } = await jwtVerify(
      idToken,
      createRemoteJWKSet(new URL(`${emu.url}/.well-known/jwks.json`)),
      {
        issuer: emu.url,
        audience: emu.clientId,
        algorithms: ["RS256"],
      },
    );
    expect(protectedHeader).toMatchObject({ typ: "JWT", alg: "RS256" });
    expect(Object.keys(payload)).toEqual([
      "aud",
      "sub",
      "auth_time",
      "iss",
      "nickname",
      "exp",
      "iat",
      "picture",
      "email",
      "nonce",
    ]);
    expect(payload).toMatchObject({
      aud: emu.clientId,
      sub: "1376016924429759228",
      nickname: "큰번호",
      picture: "http://k.kakaocdn.net/t.jpg",
      email: "big@example.com",
      nonce: "n-123",
    });
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(21599);
  });

  it("leaves an unverified email out of the id_token", async () => {
    const tokens = await login(emu, { login_hint: "4000000005" });
    const claims = decodeJwt(tokens.id_token ?? "");
    expect(claims.sub).toBe("4000000005");
    expect(claims).not.toHaveProperty("email");
  });

  it("renews the id_token (without nonce) on refresh", async () => {
    const tokens = await login(emu, { nonce: "abc" });
    const body = (await (await refresh(emu, tokens.refresh_token ?? "")).json()) as { id_token?: string };
    const claims = decodeJwt(body.id_token ?? "");
    expect(claims.sub).toBe("1376016924429759228");
    expect(claims).not.toHaveProperty("nonce");
  });

  it("publishes a new kid after rotateSigningKey and keeps the old one", async () => {
    const before = (await jwks()).keys.map((k) => k.kid);
    await emu.rotateSigningKey();
    const after = (await jwks()).keys.map((k) => k.kid);
    expect(after).toHaveLength(before.length + 1);
    expect(after.slice(1)).toEqual(before);
    const tokens = await login(emu);
    expect(decodeProtectedHeader(tokens.id_token ?? "").kid).toBe(after[0]);
  });

  it("drops the old keys with rotateSigningKey({dropOld:true})", async () => {
    await emu.rotateSigningKey({ dropOld: true });
    expect((await jwks()).keys).toHaveLength(1);
  });

  it("applies setIdTokenOverride to the next id_token only", async () => {
    emu.setIdTokenOverride((c) => ({ ...c, aud: "someone-else" }));
    expect(decodeJwt((await login(emu)).id_token ?? "").aud).toBe("someone-else");
    expect(decodeJwt((await login(emu)).id_token ?? "").aud).toBe(emu.clientId);
  });

  it("mints an unsigned alg:none token with signIdToken", async () => {
    const t = await emu.signIdToken({ sub: "1" }, { alg: "none" });
    expect(t.endsWith(".")).toBe(true);
    expect(decodeProtectedHeader(t).alg).toBe("none");
  });

  it("mints an HS256 token keyed with the public key PEM (algorithm confusion)", async () => {
    const t = await emu.signIdToken({ sub: "1" }, { alg: "HS256" });
    expect(decodeProtectedHeader(t).alg).toBe("HS256");
    const [jwk] = (await jwks()).keys;
    const pem = await exportSPKI((await importJWK(jwk ?? {}, "RS256", { extractable: true })) as CryptoKey);
    await expect(jwtVerify(t, Buffer.from(pem), { algorithms: ["HS256"] })).resolves.toBeTruthy();
    await expect(jwtVerify(t, createLocalJWKSet(await jwks()))).rejects.toThrow();
  });

  it("mints tokens without kid and with an unknown key", async () => {
    const local = createLocalJWKSet(await jwks());
    const noKid = await emu.signIdToken({ sub: "1" }, { kid: null });
    expect(decodeProtectedHeader(noKid)).not.toHaveProperty("kid");
    await expect(jwtVerify(noKid, local)).resolves.toBeTruthy();
    const unknown = await emu.signIdToken({ sub: "1" }, { key: "unknown" });
    await expect(jwtVerify(unknown, local)).rejects.toThrow();
  });

  it("answers /v1/oidc/userinfo with the string sub and the verified email", async () => {
    const tokens = await login(emu);
    const res = await fetch(`${emu.url}/v1/oidc/userinfo`, { headers: bearer(tokens.access_token) });
    expect(await res.json()).toEqual({
      sub: "1376016924429759228",
      nickname: "큰번호",
      picture: "http://k.kakaocdn.net/t.jpg",
      email: "big@example.com",
      email_verified: true,
    });
  });

  it("decodes a valid id_token at /oauth/tokeninfo and rejects a forged one with KOE400", async () => {
    const tokens = await login(emu);
    const ok = await postForm(`${emu.url}/oauth/tokeninfo`, { id_token: tokens.id_token ?? "" });
    expect(await ok.json()).toMatchObject({ sub: "1376016924429759228" });
    const bad = await postForm(`${emu.url}/oauth/tokeninfo`, {
      id_token: await emu.signIdToken({ sub: "1" }, { key: "unknown" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error_code: "KOE400" });
  });
});
