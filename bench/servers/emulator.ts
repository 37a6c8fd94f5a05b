// The Kakao emulator on its own, shared by both login-throughput servers.
import { startKakaoEmulator } from "express-kakao-auth/testing";

const emulator = await startKakaoEmulator();
// One id_token as Kakao's native SDK would hand the app, for the token-exchange flow (no nonce:
// the same token may be exchanged many times, each one fully verified).
const sdk = await emulator.sdkLogin("4000000001", { app: "native", oidc: true });
const exit = () => void emulator.close().then(() => process.exit(0));
process.on("SIGTERM", exit);
process.on("disconnect", exit);
process.send?.({
  type: "ready",
  port: Number(new URL(emulator.url).port),
  extra: {
    url: emulator.url,
    clientId: emulator.clientId,
    clientSecret: emulator.clientSecret ?? "",
    appId: emulator.appId,
    nativeKey: emulator.appKeys.native,
    idToken: sdk.idToken ?? "",
  },
});
