import { randomBytes, randomInt } from "node:crypto";
import type { EmulatorClock, EmulatorUser, KakaoEmulatorOptions } from "./types.js";

/** Options with every default filled in. */
export interface EmulatorConfig {
  port: number;
  clientId: string;
  clientSecret: string | null;
  adminKey: string;
  appId: string;
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

export function resolveConfig(o: KakaoEmulatorOptions): EmulatorConfig {
  const port = o.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError("startKakaoEmulator: bad port");
  return {
    port,
    clientId: o.clientId ?? `emu-rest-key-${randomBytes(12).toString("hex")}`,
    clientSecret: o.clientSecret === null ? null : (o.clientSecret ?? randomBytes(24).toString("base64url")),
    adminKey: o.adminKey ?? `emu-admin-key-${randomBytes(12).toString("hex")}`,
    appId: o.appId ?? String(randomInt(1_000_000, 9_999_999)),
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
