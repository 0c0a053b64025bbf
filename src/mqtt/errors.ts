export type MqttConnectFailure = "auth" | "refused" | "timeout" | "other";

/** The first connection to the broker failed; `reason` says how, the message what to check. */
export class MqttConnectError extends Error {
  readonly reason: MqttConnectFailure;

  constructor(reason: MqttConnectFailure, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MqttConnectError";
    this.reason = reason;
  }
}

/** CONNACK return codes (MQTT 3.1.1 and their MQTT 5 equivalents) → what the user should check. */
const REFUSALS: Record<number, { reason: "auth" | "refused"; text: string }> = {
  1: { reason: "refused", text: "does not accept MQTT 3.1.1 (protocol version 4)" },
  2: { reason: "refused", text: "rejected the client id; set mqtt.client_id to another value" },
  3: { reason: "refused", text: "is unavailable right now" },
  4: { reason: "auth", text: "refused the username or password; check mqtt.username and mqtt.password" },
  5: { reason: "auth", text: "refused the login (not authorized); check mqtt.username, mqtt.password and the broker's ACL" },
  134: { reason: "auth", text: "refused the username or password; check mqtt.username and mqtt.password" },
  135: { reason: "auth", text: "refused the login (not authorized); check mqtt.username, mqtt.password and the broker's ACL" },
};

/** The URL without user:password, fit for logs and errors. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//");
}

export function describeConnectError(error: Error & { code?: string | number }, url: string): MqttConnectError {
  const where = `MQTT broker at ${safeUrl(url)}`;
  if (typeof error.code === "number") {
    const refusal = REFUSALS[error.code];
    if (refusal) return new MqttConnectError(refusal.reason, `${where} ${refusal.text}`, { cause: error });
    return new MqttConnectError("refused", `${where} refused the connection (return code ${error.code})`, { cause: error });
  }
  if (error.code === "ECONNREFUSED") {
    return new MqttConnectError("refused", `${where} refused the connection (ECONNREFUSED): is the broker running and is mqtt.url right?`, { cause: error });
  }
  return new MqttConnectError("other", `${where}: ${error.message}${error.code ? ` (${error.code})` : ""}`, { cause: error });
}
