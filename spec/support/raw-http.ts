import { request, type IncomingHttpHeaders } from "node:http";

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RawRequestInit {
  method?: string;
  /** Sent as given, `Host` included (fetch() refuses to send a forged one). */
  headers?: Record<string, string>;
  body?: string;
  /**
   * A `Content-Length` larger than `body`: only `body` is sent and the request is left unfinished,
   * so an answer proves the server did not wait for (or read) the rest of the body.
   */
  declaredLength?: number;
  /** Give up after this many ms without a complete answer (default 5,000). */
  timeoutMs?: number;
}

/**
 * One HTTP/1.1 request on its own connection to the URL's 127.0.0.1 address, whatever `Host` says,
 * with headers and bodies fetch() will not send (security-tests AUTHZ-04, WH-01).
 */
export function rawRequest(url: string, init: RawRequestInit = {}): Promise<RawAnswer> {
  const { method = "GET", headers = {}, body, declaredLength, timeoutMs = 5_000 } = init;
  const bytes = body === undefined ? undefined : Buffer.from(body, "utf8");
  const length = declaredLength ?? bytes?.length;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent: false,
        headers: {
          connection: "close",
          ...(length === undefined ? {} : { "content-length": String(length) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") });
          req.destroy();
        });
        res.on("error", reject);
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${url}: no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    // An unfinished request body makes the server drop the connection once it has answered.
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    if (bytes) req.write(bytes);
    if (declaredLength === undefined || declaredLength <= (bytes?.length ?? 0)) req.end();
  });
}
