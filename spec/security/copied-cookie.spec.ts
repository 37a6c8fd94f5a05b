import { describe, expect, it } from "vitest";
import type { KakaoEmulator } from "../../lib/testing/index.js";
import { EXPRESS_MAJORS, type SpecAppOptions } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { useExpressSessionApp } from "../support/express-session-app.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { useApp } from "../support/security.js";
import { whoamiWith } from "../support/session-requests.js";
import { copyCookie, guardedApiStatus, signOutSameOrigin } from "../support/sign-out.js";
import { newKakaoUser, signInBrowser } from "../support/sign-in-user.js";

type UseApp = (getEmulator: () => KakaoEmulator, spec: Omit<SpecAppOptions, "emulator">) => { readonly url: string };

const STORES: Array<[string, UseApp]> = [
  ["cookie", useApp],
  ["express-session", useExpressSessionApp],
];

describe.each(EXPRESS_MAJORS)("a session cookie copied before sign-out on Express %i", (major) => {
  describe.each(STORES)("with the %s session store", (_store, use) => {
    const emu = useEmulator();
    const app = use(emu.get, { express: major });
    expectNoServerErrorsAfterEach();

    /** A new user signed in through the emulator, the Cookie header copied, then signed out in the browser. */
    async function copiedThenSignedOut(): Promise<{ copied: string; userId: string }> {
      const { id: userId } = newKakaoUser(emu.get());
      const browser = await signInBrowser(app.url, userId);
      const copied = await copyCookie(app.url, browser.jar.header(), userId);
      browser.jar.take(await signOutSameOrigin(app.url, browser.jar.header()));
      expect((await whoamiWith(app.url, browser.jar.header())).user, "the browser itself is signed out").toBeNull();
      return { copied, userId };
    }

    it("is anonymous on /whoami after the browser it was copied from signs out", async () => {
      const { copied } = await copiedThenSignedOut();
      const answer = await whoamiWith(app.url, copied);
      expect(answer.status).toBe(200);
      expect(answer.user).toBeNull();
    });

    it("is answered 401 by a JSON route behind requireKakaoUser after the browser signs out", async () => {
      const { copied } = await copiedThenSignedOut();
      expect(await guardedApiStatus(app.url, copied)).toBe(401);
    });

    it("leaves another session of the same user signed in when the first signs out", async () => {
      const { id: userId } = newKakaoUser(emu.get());
      const first = await signInBrowser(app.url, userId);
      const second = await signInBrowser(app.url, userId);
      await signOutSameOrigin(app.url, first.jar.header());
      expect((await whoamiWith(app.url, second.jar.header())).user?.id).toBe(userId);
      expect(await guardedApiStatus(app.url, second.jar.header())).toBe(200);
    });
  });
});
