import { describe, expect, it } from "vitest";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { EXPRESS_MAJORS, type SpecAppOptions } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { EXPRESS_SESSION_SECRET, useExpressSessionApp } from "../support/express-session-app.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { addRequestViewsRoute, requestViews, type RequestViews } from "../support/request-views.js";
import { secretsOf, useApp } from "../support/security.js";
import { signInNewUser } from "../support/sign-in-user.js";

/** Set in the options so that the admin key is configured, and therefore something that could leak. */
const ADMIN_KEY = "request-secrets-admin-key-0123456789abcdef";

type UseApp = (getEmulator: () => KakaoEmulator, spec: Omit<SpecAppOptions, "emulator">) => { readonly url: string };

const STORES: Array<[string, UseApp]> = [
  ["cookie", useApp],
  ["express-session", useExpressSessionApp],
];

/** Each way a handler, logger or error reporter may print the request, named as the code that does it. */
const VIEWS: Array<[string, keyof RequestViews]> = [
  ["JSON.stringify(req.kakao)", "kakaoJson"],
  ["JSON.stringify(req.kakaoUser)", "kakaoUserJson"],
  ["util.inspect(req.kakao, { depth: 10 })", "kakaoInspected"],
  ["util.inspect(req, { depth: 10 })", "reqInspected"],
];

describe.each(EXPRESS_MAJORS)("secrets reachable from the request on Express %i", (major) => {
  describe.each(STORES)("with the %s session store", (_store, use) => {
    const emu = useEmulator({ adminKey: ADMIN_KEY });
    const app = use(emu.get, { express: major, options: { adminKey: ADMIN_KEY }, routes: addRequestViewsRoute });
    expectNoServerErrorsAfterEach();

    /** A signed-in user's request as a handler sees it, and every value that must not appear in it. */
    async function signedInRequest(): Promise<{ userId: string; views: RequestViews; secrets: string[] }> {
      const { flow, userId } = await signInNewUser(app.url, emu.get());
      const { accessTokens, refreshTokens } = emu.get().tokensOf(userId);
      expect(accessTokens.length, "the emulator issued the user an access token").toBeGreaterThan(0);
      expect(refreshTokens.length, "the emulator issued the user a refresh token").toBeGreaterThan(0);
      const views = await requestViews(app.url, flow.jar.header());
      return { userId, views, secrets: [...secretsOf(emu.get()), ...accessTokens, ...refreshTokens] };
    }

    it("configures the secrets the specs look for (AUTH_SECRET, client secret, admin key)", () => {
      expect(secretsOf(emu.get())).toHaveLength(3);
      expect(secretsOf(emu.get())).not.toContain(EXPRESS_SESSION_SECRET);
    });

    it.each(VIEWS)(
      "%s in a signed-in request holds no secret and none of the user's Kakao tokens",
      async (_code, view) => {
        const { views, secrets } = await signedInRequest();
        for (const secret of secrets) expect(views[view] ?? "").not.toContain(secret);
      },
    );

    it("util.inspect(req, { depth: 10 }) in a signed-in request prints the user (it is deep enough to show a leak)", async () => {
      const { userId, views } = await signedInRequest();
      expect(views.reqInspected).toContain(`id: '${userId}'`);
      expect(views.reqInspected).toContain("kakaoUser:");
    });

    it.each(VIEWS)("%s in an anonymous request holds no secret", async (_code, view) => {
      const views = await requestViews(app.url);
      for (const secret of secretsOf(emu.get())) expect(views[view] ?? "").not.toContain(secret);
    });

    it("JSON.stringify(req.kakao) in a signed-in request is exactly the user id and authenticated: true", async () => {
      const { userId, views } = await signedInRequest();
      expect(JSON.parse(views.kakaoJson)).toEqual({ userId, authenticated: true });
    });

    it("JSON.stringify(req.kakao) in an anonymous request is exactly userId null and authenticated: false", async () => {
      const views = await requestViews(app.url);
      expect(JSON.parse(views.kakaoJson)).toEqual({ userId: null, authenticated: false });
    });

    it("Object.keys(req.kakao) in a signed-in request holds nothing but silentSignInError", async () => {
      const { views } = await signedInRequest();
      expect(views.kakaoKeys.filter((key) => key !== "silentSignInError")).toEqual([]);
    });

    it("Object.keys(req.kakao) in an anonymous request holds nothing but silentSignInError", async () => {
      const views = await requestViews(app.url);
      expect(views.kakaoKeys.filter((key) => key !== "silentSignInError")).toEqual([]);
    });
  });
});
