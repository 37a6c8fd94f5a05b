import type { KakaoEmulator } from "./emulator/index.js";

const byOrigin = new Map<string, KakaoEmulator>();

/** Emulators started in this process, by origin, so `signInAs(app)` finds the one an app uses. */
export function registerEmulator(emulator: KakaoEmulator): void {
  byOrigin.set(emulator.url, emulator);
}

export function unregisterEmulator(emulator: KakaoEmulator): void {
  if (byOrigin.get(emulator.url) === emulator) byOrigin.delete(emulator.url);
}

export function emulatorFor(origin: string): KakaoEmulator | undefined {
  return byOrigin.get(origin);
}
