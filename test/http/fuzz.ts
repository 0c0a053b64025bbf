/** mulberry32: a small seeded generator, so that a failing fuzz case can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function randomText(random: () => number, marker: string): string {
  const alphabet = ['a', "Z", "0", " ", '"', "\\", "{", "}", "[", "]", ":", ",", "\n", "\u0000", "é", "€", "😀", "\ud800", marker];
  let text = "";
  const length = Math.floor(random() * 40);
  for (let i = 0; i < length; i++) text += pick(random, alphabet);
  return text;
}

function randomValue(random: () => number, marker: string, depth = 0): unknown {
  const kind = Math.floor(random() * (depth > 2 ? 6 : 8));
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return pick(random, [0, -1, 1.5, 1718000000, 1e300, -1e300, 8.64e12, 8.64e12 + 1, Number.MAX_SAFE_INTEGER]);
    case 3:
    case 4:
      return randomText(random, marker);
    case 5:
      return marker;
    case 6:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, marker, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [pick(random, ["type", "hostname", "job-id", marker, "x"]), randomValue(random, marker, depth + 1)]));
  }
}

/**
 * A body as a confused or hostile sender might post: valid PVE notifications (some with marker
 * text), ones with a key missing or of another type, truncated JSON, other JSON values, noise.
 */
export function randomBody(random: () => number, marker: string): string {
  const valid: Record<string, unknown> = {
    title: random() < 0.5 ? `${marker} title` : "Backup succeeded",
    message: randomText(random, marker),
    severity: pick(random, ["info", "notice", "warning", "error", "unknown"]),
    timestamp: 1718000000 + Math.floor(random() * 1000),
    fields: { type: pick(random, ["vzdump", "package-updates", "fencing", "replication", "system-mail"]), hostname: "pve1" },
  };
  switch (Math.floor(random() * 6)) {
    case 0:
      return JSON.stringify(valid);
    case 1: {
      const key = pick(random, Object.keys(valid));
      if (random() < 0.3) delete valid[key];
      else valid[key] = randomValue(random, marker);
      return JSON.stringify(valid);
    }
    case 2: {
      const text = JSON.stringify(valid);
      return text.slice(0, Math.floor(random() * text.length));
    }
    case 3:
      return JSON.stringify(randomValue(random, marker));
    case 4:
      return JSON.stringify({ ...valid, fields: randomValue(random, marker) });
    default:
      return randomText(random, marker);
  }
}

/**
 * The headers a confused or hostile sender might add beside a body: the right secret or a wrong
 * one in several shapes, odd content types, and random extra headers (names and values within
 * what HTTP allows, else the client would refuse to send them).
 */
export function randomHeaders(random: () => number, secret: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const authorization = pick(random, [`Bearer ${secret}`, `Bearer ${secret}`, `Bearer ${secret}`, `bearer ${secret}`, `Bearer ${secret.slice(1)}`, `Bearer ${secret}x`, "Bearer", "Basic abc", `Bearer  ${secret}`, undefined]);
  if (authorization !== undefined) headers.authorization = authorization;
  const contentType = pick(random, ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=latin1", "", undefined]);
  if (contentType !== undefined) headers["content-type"] = contentType;
  const printable = () => Array.from({ length: Math.floor(random() * 60) }, () => String.fromCharCode(0x20 + Math.floor(random() * 95))).join("");
  const extra = Math.floor(random() * 4);
  for (let i = 0; i < extra; i++) {
    const name = pick(random, ["x-fuzz", "accept", "accept-encoding", "content-language", "x-forwarded-for", "user-agent", "cookie", "expect-ct", "x-pve"]);
    headers[name] = printable();
  }
  if (random() < 0.05) headers["content-encoding"] = pick(random, ["gzip", "deflate", "br", "identity"]);
  return headers;
}
