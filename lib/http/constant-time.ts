import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares two secrets in constant time: equal-length SHA-256 digests through timingSafeEqual, so
 * neither the length nor the first differing byte shows in the timing (security-tests WH-03, ASVS 2.9).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash("sha256").update(a).digest(), createHash("sha256").update(b).digest());
}
