import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KakaoUser } from "../../lib/index.js";
import { signInAs } from "../../lib/testing/index.js";
import { buildApp } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { listen, type Listening } from "../support/server.js";

describe("the profile option", () => {
  const emu = useEmulator();
  let app: Listening;
  let seen: { connectedAt?: string; defaults?: KakaoUser } = {};

  beforeAll(async () => {
    app = await listen(
      buildApp({
        emulator: emu.get(),
        options: {
          profile: (kakaoProfile, _tokens, defaults) => {
            seen = { connectedAt: kakaoProfile.connected_at, defaults };
            return {
              ...defaults,
              nickname: `${defaults.nickname ?? ""}님`,
              role: defaults.id === "9100000001" ? "admin" : "member",
            } as KakaoUser;
          },
        },
      }),
    );
  });
  afterAll(async () => app.close());

  it("keeps what it returns in the session, extra fields included", async () => {
    const cookie = await signInAs(app.server.listeners("request")[0] as never, {
      id: "9100000001",
      nickname: "관리자",
    });
    const me = await (await fetch(`${app.url}/whoami`, { headers: { cookie } })).json();
    expect(me.user).toMatchObject({ id: "9100000001", nickname: "관리자님", role: "admin" });
  });

  it("receives Kakao's raw profile and the default user", () => {
    expect(seen.connectedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(seen.defaults).toMatchObject({ id: "9100000001", nickname: "관리자", emailVerified: expect.any(Boolean) });
  });
});
