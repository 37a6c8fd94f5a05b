// The Kakao emulator on its own, shared by both login-throughput servers.
import { startKakaoEmulator } from "express-kakao-auth/testing";

const emulator = await startKakaoEmulator();
const exit = () => void emulator.close().then(() => process.exit(0));
process.on("SIGTERM", exit);
process.on("disconnect", exit);
process.send?.({
  type: "ready",
  port: Number(new URL(emulator.url).port),
  extra: { url: emulator.url, clientId: emulator.clientId, clientSecret: emulator.clientSecret ?? "" },
});
