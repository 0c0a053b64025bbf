import { hash } from "node:crypto";

/**
 * A short fingerprint of a payload, for "is it the same as last time?" without keeping the payload
 * itself (thousands of devices, each remembered for a whole run). One-shot SHA-1: fast, native,
 * and collisions are not a concern for change detection.
 */
export function digest(text: string): string {
  return hash("sha1", text, "base64");
}
