import { epochSeconds } from "./config.js";
import type { EmulatorState } from "./context.js";
import { issueIdToken } from "./oidc.js";
import type { GrantApp } from "./store.js";
import type { EmulatorUser, SdkLoginApp, SdkLoginOptions, SdkLoginTokens } from "./types.js";

const APPS: readonly SdkLoginApp[] = ["native", "javascript", "rest", "other-native", "other-javascript"];

/** The app and key behind an SDK login's app choice. */
function appOf(emu: EmulatorState, app: SdkLoginApp): GrantApp & { own: boolean } {
  const { config } = emu;
  switch (app) {
    case "native":
      return { own: true, appId: config.appId, clientId: config.nativeAppKey };
    case "javascript":
      return { own: true, appId: config.appId, clientId: config.javascriptKey };
    case "rest":
      return { own: true, appId: config.appId, clientId: config.clientId };
    case "other-native":
      return { own: false, appId: config.otherApp.appId, clientId: config.otherApp.nativeAppKey };
    case "other-javascript":
      return { own: false, appId: config.otherApp.appId, clientId: config.otherApp.javascriptKey };
  }
}

/**
 * `emulator.sdkLogin`: what Kakao's native or JavaScript SDK holds after logging the user in on the
 * device with one app key (DESIGN "Mobile apps and SPAs"): a grant bound to that key's app, so
 * `/v1/user/access_token_info` answers its `app_id`, and an id_token whose `aud` is that key
 * (kakao-api.md §6.3). Nothing goes over HTTP, so no request is recorded and no fault applies.
 */
export async function sdkLogin(
  emu: EmulatorState,
  userIdOrUser: string | EmulatorUser,
  opts: SdkLoginOptions = {},
): Promise<SdkLoginTokens> {
  const appName = opts.app ?? "native";
  if (!APPS.includes(appName)) {
    throw new TypeError(`sdkLogin: unknown app "${String(appName)}"; use one of ${APPS.join(", ")}`);
  }
  const { store, config } = emu;
  const user = store.resolveUser(userIdOrUser, "sdkLogin");
  const scopes = [...(opts.scopes ?? [])];
  const app = appOf(emu, appName);
  if (app.own) {
    // What /oauth/authorize refuses with KOE205; the other app's consent items are not modelled.
    const unknown = scopes.filter((s) => s !== "openid" && !config.consentItems.includes(s));
    if (unknown.length > 0) {
      throw new TypeError(`sdkLogin: consent items not configured for the app (KOE205): ${unknown.join(", ")}`);
    }
    store.consent(user, scopes);
  } else {
    store.consentElsewhere(user, scopes);
  }
  const oidc = opts.oidc ?? (config.oidc || opts.nonce !== undefined || scopes.includes("openid"));
  const grant = store.newGrant(user.id, oidc, epochSeconds(emu.clock), app);
  const access = store.issueAccess(grant);
  const refresh = store.issueRefresh(grant);
  const tokens: SdkLoginTokens = {
    accessToken: access.token,
    refreshToken: refresh.token,
    expiresIn: config.accessTokenTtl,
  };
  if (oidc) {
    tokens.idToken = await issueIdToken(emu, grant, {
      aud: app.clientId,
      exp: Math.floor(access.expiresAt / 1000),
      nonce: opts.nonce,
      overrides: opts.idTokenOverrides,
    });
  }
  return tokens;
}
