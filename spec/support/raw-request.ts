import { request } from "node:http";

export interface RawResponse {
  status: number;
  location: string | undefined;
  setCookie: string[];
  body: string;
}

/**
 * A GET with headers fetch() refuses to send (`Host`), for forged-host specs (security-tests AUTHZ-04).
 * Always connects to the URL's 127.0.0.1 address, whatever `Host` says.
 */
export function getWithHeaders(url: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          setCookie: res.headers["set-cookie"] ?? [],
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}
