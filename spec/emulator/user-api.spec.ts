import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/emulator/index.js";
import { authorize, bearer, location, login, postForm, refresh } from "./helpers.js";

const BIG = "1376016924429759228";

describe("emulator kapi user endpoints", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator({
      appId: "1234567",
      consentItems: ["profile_nickname", "profile_image", "account_email", "talk_message"],
      users: [
        {
          id: BIG,
          nickname: "홍길동",
          email: "hong@example.com",
          profileImage: "http://k.kakaocdn.net/p.jpg",
          thumbnailImage: "http://k.kakaocdn.net/t.jpg",
        },
        { id: "4000000002", nickname: "둘" },
        { id: "4000000003", nickname: "셋", email: "three@example.com" },
        { id: "4000000004", nickname: "넷", email: "four@example.com" },
      ],
    });
  });
  afterAll(() => emu.close());

  const me = (token: string, query = "") => fetch(`${emu.url}/v2/user/me${query}`, { headers: bearer(token) });

  it("writes a big id as an exact JSON number", async () => {
    const text = await (await me((await login(emu)).access_token)).text();
    expect(text.startsWith(`{"id":${BIG},`)).toBe(true);
  });

  it("returns the consent-dependent kakao_account", async () => {
    const body = (await (await me((await login(emu)).access_token)).json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["id", "connected_at", "properties", "kakao_account"]);
    expect(body.connected_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.kakao_account).toEqual({
      profile_nickname_needs_agreement: false,
      profile_image_needs_agreement: false,
      profile: {
        nickname: "홍길동",
        thumbnail_image_url: "http://k.kakaocdn.net/t.jpg",
        profile_image_url: "http://k.kakaocdn.net/p.jpg",
        is_default_image: false,
        is_default_nickname: false,
      },
      has_email: true,
      email_needs_agreement: false,
      is_email_valid: true,
      is_email_verified: true,
      email: "hong@example.com",
    });
  });

  it("turns image URLs into https with secure_resource=true", async () => {
    const body = (await (await me((await login(emu)).access_token, "?secure_resource=true")).json()) as {
      kakao_account: { profile: { profile_image_url: string } };
    };
    expect(body.kakao_account.profile.profile_image_url).toBe("https://k.kakaocdn.net/p.jpg");
  });

  it("limits the answer to property_keys", async () => {
    const q = `?property_keys=${encodeURIComponent('["kakao_account.email"]')}`;
    const body = (await (await me((await login(emu)).access_token, q)).json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty("properties");
    expect(Object.keys(body.kakao_account as object)).toEqual([
      "has_email",
      "email_needs_agreement",
      "is_email_valid",
      "is_email_verified",
      "email",
    ]);
  });

  it("answers an unknown token with -401 and a WWW-Authenticate challenge", async () => {
    const res = await me("not-a-token");
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer error=invalid_token");
    expect(await res.json()).toEqual({ msg: "this access token does not exist", code: -401 });
  });

  it("serves /v2/user/me to the admin key with target_id", async () => {
    await login(emu);
    const res = await postForm(
      `${emu.url}/v2/user/me`,
      { target_id_type: "user_id", target_id: BIG },
      { Authorization: `KakaoAK ${emu.adminKey}` },
    );
    expect((await res.text()).startsWith(`{"id":${BIG},`)).toBe(true);
  });

  it("rejects a wrong admin key with -401", async () => {
    const res = await postForm(
      `${emu.url}/v2/user/me`,
      { target_id_type: "user_id", target_id: BIG },
      { Authorization: "KakaoAK nope" },
    );
    expect(res.status).toBe(401);
  });

  it("answers access_token_info with the remaining lifetime and numeric ids", async () => {
    const tokens = await login(emu);
    const res = await fetch(`${emu.url}/v1/user/access_token_info`, { headers: bearer(tokens.access_token) });
    const text = await res.text();
    expect(text).toMatch(new RegExp(`^\\{"id":${BIG},"expires_in":\\d+,"app_id":1234567\\}$`));
    expect((JSON.parse(text) as { expires_in: number }).expires_in).toBeLessThanOrEqual(21599);
  });

  it("expires that login's access and refresh tokens on Bearer logout, not other logins'", async () => {
    const a = await login(emu, { login_hint: "4000000002" });
    const b = await login(emu, { login_hint: "4000000002" });
    const res = await fetch(`${emu.url}/v1/user/logout`, { method: "POST", headers: bearer(a.access_token) });
    expect(await res.text()).toBe('{"id":4000000002}');
    expect((await me(a.access_token)).status).toBe(401);
    expect(await (await refresh(emu, a.refresh_token ?? "")).json()).toMatchObject({ error_code: "KOE322" });
    expect((await me(b.access_token)).status).toBe(200);
  });

  it("expires every token of the user on admin-key logout", async () => {
    const a = await login(emu, { login_hint: "4000000002" });
    const b = await login(emu, { login_hint: "4000000002" });
    await postForm(
      `${emu.url}/v1/user/logout`,
      { target_id_type: "user_id", target_id: "4000000002" },
      { Authorization: `KakaoAK ${emu.adminKey}` },
    );
    expect((await me(a.access_token)).status).toBe(401);
    expect((await me(b.access_token)).status).toBe(401);
    expect(emu.tokensOf("4000000002")).toEqual({ accessTokens: [], refreshTokens: [] });
  });

  it("expires tokens and clears consent on unlink", async () => {
    const t = await login(emu, { login_hint: "4000000003" });
    const res = await fetch(`${emu.url}/v1/user/unlink`, { method: "POST", headers: bearer(t.access_token) });
    expect(await res.text()).toBe('{"id":4000000003}');
    expect((await me(t.access_token)).status).toBe(401);
    expect(emu.users.get("4000000003")?.agreedScopes).toEqual([]);
    const again = location(await authorize(emu, { prompt: "none", login_hint: "4000000003" }));
    expect(again.searchParams.get("error")).toBe("consent_required");
  });

  it("lists consent items with using, agreed and revocable", async () => {
    const t = await login(emu, { login_hint: "4000000004" });
    const text = await (await fetch(`${emu.url}/v2/user/scopes`, { headers: bearer(t.access_token) })).text();
    expect(text.startsWith('{"id":4000000004,')).toBe(true);
    const body = JSON.parse(text) as { scopes: Array<Record<string, unknown>> };
    expect(body.scopes.map((s) => [s.id, s.agreed, s.revocable])).toEqual([
      ["profile_nickname", true, false],
      ["profile_image", false, undefined],
      ["account_email", true, true],
      ["talk_message", false, undefined],
    ]);
    expect(body.scopes[0]).toMatchObject({ type: "PRIVACY", using: true });
  });

  it("revokes an optional consent item and refuses a required one with -3", async () => {
    const t = await login(emu, { login_hint: "4000000004" });
    const revoke = (scopes: string) => postForm(`${emu.url}/v2/user/revoke/scopes`, { scopes }, bearer(t.access_token));
    const ok = await revoke('["account_email"]');
    expect(ok.status).toBe(200);
    const meBody = (await (await me(t.access_token)).json()) as { kakao_account: Record<string, unknown> };
    expect(meBody.kakao_account).toMatchObject({ email_needs_agreement: true });
    expect(meBody.kakao_account).not.toHaveProperty("email");
    const refused = await revoke('["profile_nickname"]');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: -3 });
  });

  it("answers the talk memo API with -402 and required_scopes until talk_message is agreed", async () => {
    const t = await login(emu);
    const send = (token: string) =>
      postForm(
        `${emu.url}/v2/api/talk/memo/default/send`,
        { template_object: '{"object_type":"text","text":"hi"}' },
        bearer(token),
      );
    const res = await send(t.access_token);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      msg: "insufficient scopes.",
      code: -402,
      api_type: "TALK_MEMO_DEFAULT_SEND",
      required_scopes: ["talk_message"],
      allowed_scopes: ["profile_nickname", "profile_image", "account_email"],
    });
    const t2 = await login(emu, { scope: "talk_message" });
    expect(t2.scope?.split(" ")).toContain("talk_message");
    expect(await (await send(t2.access_token)).json()).toEqual({ result_code: 0 });
  });
});
