import { randomBytes, randomInt } from "node:crypto";
import type { EmulatorClock, EmulatorOtherApp, EmulatorUser, KakaoEmulatorOptions } from "./types.js";

/** Options with every default filled in. */
export interface EmulatorConfig {
  port: number;
  clientId: string;
  /** The app's JavaScript key (Kakao's JS SDK). */
  javascriptKey: string;
  /** The app's native app key (Kakao's Android/iOS SDKs). */
  nativeAppKey: string;
  clientSecret: string | null;
  adminKey: string;
  appId: string;
  /** Another, unrelated Kakao app: its tokens are valid at Kakao, but not for this app. */
  otherApp: EmulatorOtherApp;
  redirectUris: string[] | "any";
  logoutRedirectUris: string[] | "any";
  consentItems: string[];
  requiredConsentItems: string[];
  oidc: boolean;
  interactive: boolean;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  refreshRotationThreshold: number;
  codeTtl: number;
}

export const DEFAULT_USER: EmulatorUser = {
  id: "4000000001",
  nickname: "카카오 사용자",
  profileImage: "http://k.kakaocdn.net/dn/emulator/img_640x640.jpg",
  thumbnailImage: "http://k.kakaocdn.net/dn/emulator/img_110x110.jpg",
  email: "user@example.com",
  isEmailValid: true,
  isEmailVerified: true,
};

function seconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw new TypeError(`startKakaoEmulator: ${name} must be a number of seconds >= 0`);
  return Math.floor(value);
}

function appKey(name: string, value: string | undefined, prefix: string): string {
  if (value === undefined) return `${prefix}-${randomBytes(12).toString("hex")}`;
  if (typeof value !== "string" || value === "")
    throw new TypeError(`startKakaoEmulator: ${name} must be a non-empty string`);
  return value;
}

function randomAppId(): string {
  return String(randomInt(1_000_000, 9_999_999));
}

export function resolveConfig(o: KakaoEmulatorOptions): EmulatorConfig {
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError("startKakaoEmulator: bad port");
  const clientId = appKey("clientId", o.clientId, "emu-rest-key");
  const javascriptKey = appKey("javascriptKey", o.javascriptKey, "emu-js-key");
  const nativeAppKey = appKey("nativeAppKey", o.nativeAppKey, "emu-native-key");
  // Kakao issues each platform key once; two equal keys would make an id_token's aud ambiguous.
  if (new Set([clientId, javascriptKey, nativeAppKey]).size !== 3)
    throw new TypeError("startKakaoEmulator: clientId, javascriptKey and nativeAppKey must differ");
  const appId = o.appId ?? randomAppId();
  let otherAppId = randomAppId();
  while (otherAppId === appId) otherAppId = randomAppId();
  return {
    port,
    clientId,
    javascriptKey,
    nativeAppKey,
    clientSecret: o.clientSecret === null ? null : (o.clientSecret ?? randomBytes(24).toString("base64url")),
    adminKey: o.adminKey ?? `emu-admin-key-${randomBytes(12).toString("hex")}`,
    appId,
    otherApp: {
      appId: otherAppId,
      restKey: `emu-other-rest-key-${randomBytes(12).toString("hex")}`,
      javascriptKey: `emu-other-js-key-${randomBytes(12).toString("hex")}`,
      nativeAppKey: `emu-other-native-key-${randomBytes(12).toString("hex")}`,
    },
    redirectUris: o.redirectUris ?? "any",
    logoutRedirectUris: o.logoutRedirectUris ?? "any",
    consentItems: [...(o.consentItems ?? ["profile_nickname", "profile_image", "account_email"])],
    requiredConsentItems: [...(o.requiredConsentItems ?? ["profile_nickname"])],
    oidc: o.oidc ?? false,
    interactive: o.interactive ?? false,
    accessTokenTtl: seconds("accessTokenTtl", o.accessTokenTtl, 21599),
    refreshTokenTtl: seconds("refreshTokenTtl", o.refreshTokenTtl, 5183999),
    refreshRotationThreshold: seconds("refreshRotationThreshold", o.refreshRotationThreshold, 30 * 24 * 3600),
    codeTtl: seconds("codeTtl", o.codeTtl, 600),
  };
}

/** The injectable clock: the base clock plus an offset moved by `advance`/`set`. */
export function createClock(base: () => number = Date.now): EmulatorClock {
  let offset = 0;
  return {
    now: () => base() + offset,
    advance: (s: number) => {
      offset += s * 1000;
    },
    set: (ms: number) => {
      offset = ms - base();
    },
  };
}

/** Whole seconds of the clock. */
export function epochSeconds(clock: EmulatorClock): number {
  return Math.floor(clock.now() / 1000);
}
