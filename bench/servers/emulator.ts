// The Kakao emulator on its own, shared by both login-throughput servers.
import { startKakaoEmulator } from "express-kakao-auth/testing";

const emulator = await startKakaoEmulator();
// id_tokens as Kakao's native SDK would hand the app, for the token-exchange flow: each is
// accepted once, so enough for every flow of a full run (bounded: BENCH_SDK_TOKENS).
const idTokens: string[] = [];
for (let i = 0; i < Number(process.env.BENCH_SDK_TOKENS ?? 1500); i++)
  idTokens.push((await emulator.sdkLogin("4000000001", { app: "native", nonce: `bench-${i}` })).idToken!);
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
    idTokens: JSON.stringify(idTokens),
  },
});
