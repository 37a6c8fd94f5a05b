import { describe, expect, it } from "vitest";
import { EXPRESS_MAJORS } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { HOSTILE_RETURN_TO, lookAlikesOf } from "../support/hostile-return-to.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { postForm } from "../support/csrf.js";
import { whoamiWith } from "../support/session-requests.js";
import { signInNewUser } from "../support/sign-in-user.js";
import {
  expectExchanged,
  expectRefused,
  postExchange,
  tokenExchangeOptions,
  useAppWith,
} from "../support/token-exchange.js";

/** The SPA's origin (nothing listens there: only redirects to it are checked). */
const SPA_PORT = 5173;
const SPA = `http://127.0.0.1:${SPA_PORT}`;
/** A second allowed frontend with a host name, for the upper-case host variants. */
const NAMED_SPA = "http://spa.example.test:8080";

/** Where the callback of a real login started with this returnTo sends the browser. */
async function landingAfterLogin(appUrl: string, returnTo: string): Promise<string> {
  const res = await new LoginFlow(appUrl).run({ returnTo });
  expect(res.status).toBe(302);
  const location = res.headers.get("location");
  expect(location, "the callback redirected").toBeTruthy();
  return location!;
}

/** A landing on the app's own origin, on a path no browser reads as another host. */
function expectSameOrigin(location: string, appUrl: string): void {
  const url = new URL(location, appUrl);
  expect(url.origin).toBe(appUrl);
  expect(location.slice(appUrl.length)).toMatch(/^\/(?![/\\])/);
  expect(location).not.toMatch(/[\r\n]/);
}

describe.each(EXPRESS_MAJORS)("allowedOrigins on Express %i", (major) => {
  const emu = useEmulator();
  const app = useAppWith(emu.get, (e) => ({
    express: major,
    options: tokenExchangeOptions(e, { allowedOrigins: [SPA, NAMED_SPA] }),
  }));
  expectNoServerErrorsAfterEach();

  describe("returnTo after a real login", () => {
    it("lands on exactly the absolute URL on the allowed origin (path and query kept)", async () => {
      expect(await landingAfterLogin(app.url, `${SPA}/app?x=1`)).toBe(`${SPA}/app?x=1`);
    });

    it("keeps the fragment of a URL on the allowed origin (an SPA's hash route)", async () => {
      expect(await landingAfterLogin(app.url, `${SPA}/#/settings?tab=2`)).toBe(`${SPA}/#/settings?tab=2`);
    });

    it("lands on the root of the allowed origin for the bare origin", async () => {
      expect(await landingAfterLogin(app.url, SPA)).toBe(`${SPA}/`);
    });

    it("lands on a URL of the second allowed origin", async () => {
      expect(await landingAfterLogin(app.url, `${NAMED_SPA}/home`)).toBe(`${NAMED_SPA}/home`);
    });

    it("still lands on a same-origin path (control: allowedOrigins adds, it does not replace)", async () => {
      expect(await landingAfterLogin(app.url, "/me?tab=1")).toBe(`${app.url}/me?tab=1`);
    });

    it.each(HOSTILE_RETURN_TO)(
      "%s: the hostile returnTo %j still lands on the app's own origin",
      async (_id, value) => {
        expectSameOrigin(await landingAfterLogin(app.url, value), app.url);
      },
    );

    it.each(lookAlikesOf("127.0.0.1", SPA_PORT))(
      "refuses a look-alike of the allowed origin (%s: %j) and lands on the app's origin",
      async (_label, value) => {
        expectSameOrigin(await landingAfterLogin(app.url, value), app.url);
      },
    );

    it.each(lookAlikesOf("spa.example.test", 8080))(
      "refuses a look-alike of the named allowed origin (%s: %j) and lands on the app's origin",
      async (_label, value) => {
        expectSameOrigin(await landingAfterLogin(app.url, value), app.url);
      },
    );

    it("refuses the numeric (single number) form of the allowed IPv4 host", async () => {
      expectSameOrigin(await landingAfterLogin(app.url, `http://2130706433:${SPA_PORT}/app`), app.url);
    });

    it("refuses an absolute URL on the app's own origin (only paths name it; it is not in allowedOrigins)", async () => {
      expectSameOrigin(await landingAfterLogin(app.url, `${app.url}/me`), app.url);
    });

    it("normalises an upper-case scheme of the allowed origin and lands there (RFC 3986 §3.1: case-insensitive)", async () => {
      expect(await landingAfterLogin(app.url, `HTTP://127.0.0.1:${SPA_PORT}/app`)).toBe(`${SPA}/app`);
    });

    it("normalises an upper-case host of the allowed origin and lands there (RFC 3986 §3.2.2: case-insensitive)", async () => {
      expect(await landingAfterLogin(app.url, "http://SPA.Example.TEST:8080/home?q=A")).toBe(`${NAMED_SPA}/home?q=A`);
    });

    it("keeps the case of the path when it normalises the scheme and host", async () => {
      expect(await landingAfterLogin(app.url, "HtTp://SPA.EXAMPLE.TEST:8080/App/Page")).toBe(`${NAMED_SPA}/App/Page`);
    });
  });

  describe("sign-out", () => {
    /** `POST /auth/signout` with this Origin (no CSRF token) and the browser's cookies. */
    function signOutFrom(origin: string, cookie: string, fields: Record<string, string> = {}): Promise<Response> {
      return postForm(`${app.url}/auth/signout`, fields, { cookie, headers: { origin } });
    }

    it("accepts a sign-out from the allowed origin without a CSRF token and ends the session", async () => {
      const { flow } = await signInNewUser(app.url, emu.get());
      const res = await signOutFrom(SPA, flow.jar.header());
      expect([200, 303]).toContain(res.status);
      flow.jar.take(res);
      expect((await whoamiWith(app.url, flow.jar.header())).user).toBeNull();
    });

    it("refuses a sign-out from http://evil.example without a CSRF token with 403 and keeps the session", async () => {
      const { flow, userId } = await signInNewUser(app.url, emu.get());
      const res = await signOutFrom("http://evil.example", flow.jar.header());
      expect(res.status).toBe(403);
      flow.jar.take(res);
      expect((await whoamiWith(app.url, flow.jar.header())).user?.id).toBe(userId);
    });

    it.each([
      ["another port", `http://127.0.0.1:${SPA_PORT + 1}`],
      ["https instead of http", `https://127.0.0.1:${SPA_PORT}`],
      ["the allowed host as a label of another host", `http://127.0.0.1.evil.example:${SPA_PORT}`],
      ["a trailing slash (no browser sends one)", `${SPA}/`],
      ["null (a sandboxed page)", "null"],
    ])("refuses a sign-out whose Origin is a look-alike (%s) with 403", async (_label, origin) => {
      const { flow, userId } = await signInNewUser(app.url, emu.get());
      expect((await signOutFrom(origin, flow.jar.header())).status).toBe(403);
      expect((await whoamiWith(app.url, flow.jar.header())).user?.id).toBe(userId);
    });

    it("answers a JSON sign-out from the allowed origin with the allowed URL it asked to return to", async () => {
      const { flow } = await signInNewUser(app.url, emu.get());
      const res = await signOutFrom(SPA, flow.jar.header(), { callbackUrl: `${SPA}/goodbye` });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ signedOut: true, url: `${SPA}/goodbye` });
    });

    it("redirects a page sign-out (Accept: text/html) to the allowed URL with 303", async () => {
      const { flow } = await signInNewUser(app.url, emu.get());
      const res = await postForm(
        `${app.url}/auth/signout`,
        { callbackUrl: `${SPA}/goodbye` },
        { cookie: flow.jar.header(), headers: { origin: SPA, accept: "text/html" } },
      );
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toBe(`${SPA}/goodbye`);
    });

    it.each(lookAlikesOf("127.0.0.1", SPA_PORT))(
      "answers a sign-out asking to return to a look-alike (%s: %j) with a same-origin url",
      async (_label, callbackUrl) => {
        const { flow } = await signInNewUser(app.url, emu.get());
        const res = await signOutFrom(SPA, flow.jar.header(), { callbackUrl });
        expect(res.status).toBe(200);
        const { url } = (await res.json()) as { url: string };
        expectSameOrigin(new URL(url, app.url).href, app.url);
      },
    );
  });

  describe("token exchange", () => {
    it("accepts an exchange from the allowed origin (an SPA using Kakao's JS SDK)", async () => {
      const { accessToken } = await emu.get().sdkLogin("4000000001", { app: "javascript" });
      await expectExchanged(await postExchange(app.url, { access_token: accessToken }, { origin: SPA }));
    });

    it("refuses an exchange from a look-alike of the allowed origin (another port) with 403 forbidden_origin", async () => {
      const { accessToken } = await emu.get().sdkLogin("4000000001", { app: "javascript" });
      const res = await postExchange(
        app.url,
        { access_token: accessToken },
        { origin: `http://127.0.0.1:${SPA_PORT + 1}` },
      );
      await expectRefused(res, { status: 403, error: "forbidden_origin" }, [accessToken]);
    });
  });
});
