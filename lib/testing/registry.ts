import type { KakaoEmulator } from "./emulator/index.js";

const EMULATORS = Symbol.for("express-kakao-auth.emulators");

/** Emulators started in this process, by origin, so `signInAs(app)` finds the one an app uses. */
function byOrigin(): Map<string, KakaoEmulator> {
  const g = globalThis as { [EMULATORS]?: Map<string, KakaoEmulator> };
  return (g[EMULATORS] ??= new Map<string, KakaoEmulator>());
}

export function registerEmulator(emulator: KakaoEmulator): void {
  byOrigin().set(emulator.url, emulator);
}

export function unregisterEmulator(emulator: KakaoEmulator): void {
  if (byOrigin().get(emulator.url) === emulator) byOrigin().delete(emulator.url);
}

export function emulatorFor(origin: string): KakaoEmulator | undefined {
  return byOrigin().get(origin);
}
