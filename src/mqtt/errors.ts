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
