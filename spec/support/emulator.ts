import { afterAll, beforeAll } from "vitest";
import { startKakaoEmulator, type KakaoEmulator, type KakaoEmulatorOptions } from "../../lib/testing/index.js";

/** Starts one emulator for the file's specs; `get()` returns it inside tests. */
export function useEmulator(options?: KakaoEmulatorOptions): { get(): KakaoEmulator } {
  let emulator: KakaoEmulator | undefined;
  beforeAll(async () => {
    emulator = await startKakaoEmulator(options);
  });
  afterAll(async () => {
    await emulator?.close();
  });
  return {
    get() {
      if (!emulator) throw new Error("emulator not started");
      return emulator;
    },
  };
}
