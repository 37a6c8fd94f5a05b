import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKakaoEmulator, type KakaoEmulator } from "../../lib/testing/emulator/index.js";
import { bearer, login, postForm, refresh, type TokenBody } from "./helpers.js";

const DAY = 24 * 3600;

describe("emulator refresh_token grant", () => {
  let emu: KakaoEmulator;
  beforeAll(async () => {
    emu = await startKakaoEmulator();
  });
  afterAll(() => emu.close());

  it("returns a new access token but no refresh token while more than 30 days remain", async () => {
    const first = await login(emu);
    const res = await refresh(emu, first.refresh_token ?? "");
    expect(res.status).toBe(200);
    const body = (await res.json()) as TokenBody;
    expect(Object.keys(body)).toEqual(["access_token", "token_type", "expires_in"]);
    expect(body.access_token).not.toBe(first.access_token);
    expect((await refresh(emu, first.refresh_token ?? "")).status).toBe(200);
  });

  it("rotates the refresh token once less than 30 days remain and kills the old one (KOE322)", async () => {
    const first = await login(emu);
    emu.clock.advance(31 * DAY);
    try {
      const body = (await (await refresh(emu, first.refresh_token ?? "")).json()) as TokenBody;
      expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{64}$/);
      expect(body.refresh_token_expires_in).toBe(5183999);
      const old = await refresh(emu, first.refresh_token ?? "");
      expect(old.status).toBe(400);
      expect(await old.json()).toEqual({
        error: "invalid_grant",
        error_description: "expired_or_invalid_refresh_token",
        error_code: "KOE322",
      });
      expect((await refresh(emu, body.refresh_token ?? "")).status).toBe(200);
    } finally {
      emu.clock.advance(-31 * DAY);
    }
  });

  it("rejects a refresh token past its lifetime with KOE322", async () => {
    const first = await login(emu);
    emu.clock.advance(61 * DAY);
    try {
      expect(await (await refresh(emu, first.refresh_token ?? "")).json()).toMatchObject({ error_code: "KOE322" });
    } finally {
      emu.clock.advance(-61 * DAY);
    }
  });

  it("rejects a missing refresh_token with KOE319", async () => {
    const res = await postForm(`${emu.url}/oauth/token`, {
      grant_type: "refresh_token",
      client_id: emu.clientId,
      client_secret: emu.clientSecret ?? "",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_grant", error_code: "KOE319" });
  });

  it("answers an expired access token with -401 'already expired'", async () => {
    const tokens = await login(emu);
    emu.clock.advance(21600);
    try {
      const res = await fetch(`${emu.url}/v2/user/me`, { headers: bearer(tokens.access_token) });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ msg: "this access token is already expired", code: -401 });
    } finally {
      emu.clock.advance(-21600);
    }
  });

  it("lists a user's live tokens with tokensOf()", async () => {
    const tokens = await login(emu);
    const live = emu.tokensOf("4000000001");
    expect(live.accessTokens).toContain(tokens.access_token);
    expect(live.refreshTokens).toContain(tokens.refresh_token);
  });
});
