import { format } from "node:util";
import debug from "debug";
import { afterAll, beforeAll, vi } from "vitest";

/**
 * Turns on `DEBUG=express-kakao-auth:*` for the file and captures every debug line (and anything
 * written through `console`) instead of printing it. Call at the top of a `describe`, before the
 * app is built, so the startup lines are captured too.
 */
export function captureDebugLogs(namespaces = "express-kakao-auth:*"): { text(): string; lines: string[] } {
  const lines: string[] = [];
  let previousLog: typeof debug.log | undefined;
  let previousNamespaces = "";
  beforeAll(() => {
    previousLog = debug.log;
    previousNamespaces = debug.disable();
    debug.log = (...args: unknown[]) => void lines.push(format(...args));
    debug.enable(namespaces);
    for (const method of ["log", "info", "warn", "error", "debug"] as const)
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void lines.push(format(...args)));
  });
  afterAll(() => {
    debug.disable();
    if (previousNamespaces) debug.enable(previousNamespaces);
    if (previousLog) debug.log = previousLog;
    vi.restoreAllMocks();
  });
  return { lines, text: () => lines.join("\n") };
}
