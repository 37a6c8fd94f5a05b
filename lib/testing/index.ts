import { startKakaoEmulator as start, type KakaoEmulator, type KakaoEmulatorOptions } from "./emulator/index.js";
import { registerEmulator, unregisterEmulator } from "./registry.js";

export { signInAs, type SignInAsApp, type SignInAsOptions, type SignInAsUser } from "./sign-in-as.js";
export type {
  KakaoEmulator,
  KakaoEmulatorOptions,
  EmulatorUser,
  Fault,
  RecordedRequest,
  UnlinkWebhookParams,
  EmulatorAppKeys,
  EmulatorOtherApp,
  SdkLoginApp,
  SdkLoginOptions,
  SdkLoginTokens,
  SignIdTokenOptions,
} from "./emulator/index.js";

/**
 * Starts a local Kakao (auth and API hosts on one loopback port) for tests and the demo:
 * `kakaoAuth({ ...emulator.options, secret })`. It does not keep the process alive (a test run
 * that fails before `close()` still exits); `signInAs(app)` finds it by the app's `authOrigin`.
 */
export async function startKakaoEmulator(options?: KakaoEmulatorOptions): Promise<KakaoEmulator> {
  const emulator = await start(options);
  registerEmulator(emulator);
  const close = emulator.close.bind(emulator);
  emulator.close = async () => {
    unregisterEmulator(emulator);
    await close();
  };
  return emulator;
}
