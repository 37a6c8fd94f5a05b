import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/emulator/index.js";
import { authorize, exchange, getCode, location, pkcePair, REDIRECT, type TokenBody } from "./helpers.js";

describe("emulator /oauth/authorize", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator({
      consentItems: ["profile_nickname", "profile_image", "account_email", "talk_message"],
      users: [
        { id: "4000000001", nickname: "첫째", email: "one@example.com" },
        { id: "4000000002", nickname: "둘째", email: "two@example.com" },
      ],
    });
  });
  afterAll(() => emu.close());

  it("redirects to the redirect URI with an 86-character opaque code", async () => {
    const res = await authorize(emu);
    expect(res.status).toBe(302);
    const loc = location(res);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{86}$/);
  });

  it("echoes state on the redirect", async () => {
    const loc = location(await authorize(emu, { state: "xyz 123" }));
    expect(loc.searchParams.get("state")).toBe("xyz 123");
  });

  it("sends no state when none was given and never an iss parameter", async () => {
    const loc = location(await authorize(emu));
    expect([...loc.searchParams.keys()]).toEqual(["code"]);
  });

  it("shows a KOE101 page, not a redirect, for an unknown client_id", async () => {
    const res = await authorize(emu, { client_id: "nope" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toMatch(/<title>[^<]*\(KOE101\)<\/title>/);
  });

  it("shows a KOE205 page naming an unconfigured consent item", async () => {
    const res = await authorize(emu, { scope: "account_email,gender" });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain("(KOE205)");
    expect(html).toContain("gender");
  });

  it("shows KOE205 for openid when OIDC is off", async () => {
    const res = await authorize(emu, { scope: "openid" });
    expect(await res.text()).toContain("(KOE205)");
  });

  it("shows KOE201 for an unsupported response_type and KOE202 for token", async () => {
    expect(await (await authorize(emu, { response_type: "id_token" })).text()).toContain("(KOE201)");
    expect(await (await authorize(emu, { response_type: "token" })).text()).toContain("(KOE202)");
  });

  it("treats an empty scope as no scope", async () => {
    expect((await authorize(emu, { scope: "" })).status).toBe(302);
  });

  it("accepts scopes separated by commas, spaces and plus signs and adds them to the consent", async () => {
    const raw = `${emu.url}/oauth/authorize?client_id=${emu.clientId}&response_type=code&redirect_uri=${encodeURIComponent(REDIRECT)}&scope=account_email+talk_message%20profile_nickname,profile_image`;
    const res = await fetch(raw, { redirect: "manual" });
    const code = location(res).searchParams.get("code") ?? "";
    const body = (await (await exchange(emu, code)).json()) as TokenBody;
    expect(body.scope?.split(" ")).toContain("talk_message");
  });

  it("rejects the plain code_challenge_method with an invalid_request redirect", async () => {
    const loc = location(
      await authorize(emu, { code_challenge: pkcePair().verifier, code_challenge_method: "plain", state: "s" }),
    );
    expect(loc.searchParams.get("error")).toBe("invalid_request");
    expect(loc.searchParams.get("state")).toBe("s");
    expect(loc.searchParams.get("code")).toBeNull();
  });

  it("redirects with access_denied and the state after nextAuthorize({deny:true})", async () => {
    emu.nextAuthorize({ deny: true });
    const res = await authorize(emu, { state: "st" });
    expect(res.headers.get("location")).toBe(
      `${REDIRECT}?error=access_denied&error_description=User%20denied%20access&state=st`,
    );
  });

  it("redirects with a custom error after nextAuthorize({error})", async () => {
    emu.nextAuthorize({ error: "server_error", errorDescription: "boom" });
    const loc = location(await authorize(emu));
    expect(loc.searchParams.get("error")).toBe("server_error");
    expect(loc.searchParams.get("error_description")).toBe("boom");
  });

  it("logs in the user named by login_hint (id or email)", async () => {
    const byEmail = await exchange(emu, await getCode(emu, { login_hint: "two@example.com" }));
    const token = ((await byEmail.json()) as TokenBody).access_token;
    const me = await fetch(`${emu.url}/v2/user/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(await me.text()).toMatch(/^\{"id":4000000002,/);
  });

  it("answers prompt=none for a never-linked user with consent_required", async () => {
    emu.addUser({ id: "4000000099", nickname: "new" });
    const res = await authorize(emu, { prompt: "none", login_hint: "4000000099", state: "s1" });
    expect(res.headers.get("location")).toBe(
      `${REDIRECT}?error=consent_required&error_description=user%20consent%20required.&state=s1`,
    );
  });

  it("issues a code for prompt=none once the user has consented", async () => {
    await getCode(emu, { login_hint: "4000000001" });
    const loc = location(await authorize(emu, { prompt: "none", login_hint: "4000000001" }));
    expect(loc.searchParams.get("code")).toBeTruthy();
  });
});

describe("emulator /oauth/authorize with registered redirect URIs and the interactive page", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator({
      redirectUris: [REDIRECT],
      interactive: true,
      logoutRedirectUris: ["http://127.0.0.1:3999/bye"],
    });
  });
  afterAll(() => emu.close());

  it("shows a KOE006 page for a redirect URI that is not registered exactly", async () => {
    const res = await authorize(emu, { redirect_uri: `${REDIRECT}/` });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.text()).toContain("(KOE006)");
  });

  it("renders a consent page with agree and cancel buttons", async () => {
    const res = await authorize(emu);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("동의하고 계속하기");
    expect(html).toContain("취소");
    expect(html).toContain('action="/oauth/authorize/decide"');
  });

  it("redirects with a code when the user agrees on the page", async () => {
    const html = await (await authorize(emu, { state: "p" })).text();
    const tx = /name="tx" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const res = await fetch(`${emu.url}/oauth/authorize/decide?tx=${tx}&decision=agree&user_id=4000000001`, {
      redirect: "manual",
    });
    const loc = location(res);
    expect(loc.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(loc.searchParams.get("state")).toBe("p");
  });

  it("redirects with access_denied when the user cancels on the page", async () => {
    const html = await (await authorize(emu)).text();
    const tx = /name="tx" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const res = await fetch(`${emu.url}/oauth/authorize/decide?tx=${tx}&decision=cancel`, { redirect: "manual" });
    expect(location(res).searchParams.get("error")).toBe("access_denied");
  });

  it("redirects /oauth/logout to a registered logout URI with the state", async () => {
    const q = new URLSearchParams({
      client_id: emu.clientId,
      logout_redirect_uri: "http://127.0.0.1:3999/bye",
      state: "z",
    });
    const res = await fetch(`${emu.url}/oauth/logout?${q.toString()}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://127.0.0.1:3999/bye?state=z");
  });

  it("shows a KOE007 page for an unregistered logout redirect URI", async () => {
    const q = new URLSearchParams({ client_id: emu.clientId, logout_redirect_uri: "http://127.0.0.1:3999/other" });
    const res = await fetch(`${emu.url}/oauth/logout?${q.toString()}`, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("(KOE007)");
  });
});
