export { startKakaoEmulator } from "./start.js";
export { KNOWN_ROUTES as FAULT_ROUTES } from "./faults.js";
export type {
  AuthorizeOutcome,
  EmulatorClock,
  EmulatorUser,
  Fault,
  IdTokenOverrideOptions,
  KakaoEmulator,
  KakaoEmulatorOptions,
  RecordedRequest,
  SignIdTokenOptions,
  UnlinkWebhookParams,
} from "./types.js";
