import { describe, expect, it } from "vitest";
import { kakaoProvider } from "../../lib/index.js";
import { EXPRESS_MAJORS } from "../support/app.js";
import { keysOutsideAccountModel } from "../support/authjs-account.js";
import { useAuthjsApp, type AuthjsCallbackArgs } from "../support/authjs-app.js";
import { AuthjsLogin } from "../support/authjs-login.js";
import { useEmulator } from "../support/emulator.js";

/** A Kakao id past 2^53 from Kakao's own docs (kakao-api.md §10.1). */
const BIG_ID = "1376016924429759228";

describe.each(EXPRESS_MAJORS)("the account kakaoProvider() hands to Auth.js callbacks on Express %i", (major) => {
  const emu = useEmulator({ users: [{ id: BIG_ID, nickname: "큰번호", email: "big@example.com" }] });
  const app = useAuthjsApp(() => kakaoProvider(emu.get().options), { express: major });

  /** Signs BIG_ID in through ExpressAuth's own routes; resolves with what its callbacks were handed. */
  async function signIn(): Promise<{ signIn: AuthjsCallbackArgs; jwt: AuthjsCallbackArgs }> {
    const login = new AuthjsLogin(app.url);
    const res = await login.run({ login_hint: BIG_ID });
    expect(res.headers.get("location"), `Auth.js errors: ${app.probe.errors.map((e) => e.message).join("; ")}`).toBe(
      login.landing,
    );
    return { signIn: app.probe.signIns.at(-1)!, jwt: app.probe.jwts.at(-1)! };
  }

  it("holds in callbacks.signIn only fields of Auth.js's Account model", async () => {
    const { signIn: args } = await signIn();
    expect(args.account).toBeTruthy();
    expect(keysOutsideAccountModel(args.account)).toEqual([]);
  });

  it("holds in callbacks.jwt only fields of Auth.js's Account model", async () => {
    const { jwt } = await signIn();
    expect(jwt.account).toBeTruthy();
    expect(keysOutsideAccountModel(jwt.account)).toEqual([]);
  });

  it("does not hand Kakao's refresh_token_expires_in to the callbacks", async () => {
    const { signIn: args, jwt } = await signIn();
    expect(args.account).not.toHaveProperty("refresh_token_expires_in");
    expect(jwt.account).not.toHaveProperty("refresh_token_expires_in");
  });

  it("still carries the model's token fields: access_token, token_type, refresh_token, expires_at, scope", async () => {
    const { signIn: args } = await signIn();
    expect(args.account).toMatchObject({
      provider: "kakao",
      type: "oauth",
      access_token: expect.any(String) as unknown,
      token_type: "bearer",
      refresh_token: expect.any(String) as unknown,
      expires_at: expect.any(Number) as unknown,
      scope: expect.any(String) as unknown,
    });
  });

  it("sets providerAccountId to the exact id 1376016924429759228 in both callbacks", async () => {
    const { signIn: args, jwt } = await signIn();
    expect(args.account?.providerAccountId).toBe(BIG_ID);
    expect(jwt.account?.providerAccountId).toBe(BIG_ID);
  });

  it("logged no Auth.js error", () => {
    expect(app.probe.errors).toEqual([]);
  });
});
