import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listening {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Serves an Express (4 or 5) app on a free 127.0.0.1 port (optionally with a larger header limit). */
export async function listen(app: unknown, options: { maxHeaderSize?: number } = {}): Promise<Listening> {
  const server = createServer(options, app as never);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
