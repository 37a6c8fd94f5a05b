/**
 * A local Kakao (kauth + kapi on one 127.0.0.1 port) for tests and demos:
 *
 *   const kakao = await startKakaoEmulator({ oidc: true });
 *   app.use(kakaoAuth({ ...kakao.options, secret }));
 *   kakao.fail("token", { status: 500 });   // fault injection, see faults.ts for route names
 *   const sdk = await kakao.sdkLogin(userId, { app: "native", nonce });   // tokens a mobile app holds
 *   await kakao.close();
 */
export { startKakaoEmulator } from "./start.js";
export { KNOWN_ROUTES as FAULT_ROUTES } from "./faults.js";
export type {
  AuthorizeOutcome,
  EmulatorAppKeys,
  EmulatorClock,
  EmulatorOtherApp,
  EmulatorUser,
  Fault,
  IdTokenOverrideOptions,
  KakaoEmulator,
  KakaoEmulatorOptions,
  RecordedRequest,
  SdkLoginApp,
  SdkLoginOptions,
  SdkLoginTokens,
  SignIdTokenOptions,
  UnlinkWebhookParams,
} from "./types.js";
