import type { CommandRunner } from "../commands/runner.js";
import { decodePayload } from "../commands/payload.js";
import type { Config } from "../config/schema.js";
import { bridgeTopic } from "../homeassistant/topics.js";
import type { Inventory } from "../inventory/types.js";
import type { IncomingMessage } from "../mqtt/connection.js";
import type { Publisher } from "../mqtt/publisher.js";
import { parseIncomingTopic } from "./incoming.js";

export interface RouterOptions {
  config: Config;
  publisher: Publisher;
  runner: CommandRunner;
  inventory: () => Inventory | null;
  /** A full poll now; resolves with its error message, or null when it succeeded. */
  refreshAll: () => Promise<string | null>;
  /** Home Assistant's birth message arrived. */
  onHomeAssistantBirth: () => void;
  /** Schedules answer their own `B/schedule/<name>/set`; true when the message was theirs. */
  schedules: { onMessage(topic: string, payload: Buffer, retained: boolean): boolean };
}

/** The topics the router answers, for the bridge's subscription. */
export function routedTopics(config: Config): string[] {
  const base = config.mqtt.base_topic;
  const filters = [`${base}/+/+/set`, `${base}/storage/+/+/set`, `${base}/bridge/set`, `${base}/bridge/request/refresh`];
  if (config.homeassistant.enabled) filters.push(config.homeassistant.status_topic);
  return filters;
}

/** Routes every message the bridge receives: commands, the bridge refresh request, Home Assistant's birth. */
export class MessageRouter {
  private readonly base: string;

  constructor(private readonly options: RouterOptions) {
    this.base = options.config.mqtt.base_topic;
  }

  handle(message: IncomingMessage): void {
    const { config, publisher } = this.options;
    if (config.homeassistant.enabled && message.topic === config.homeassistant.status_topic) {
      if (message.payload.toString("utf8").trim() === "online") this.options.onHomeAssistantBirth();
      return;
    }
    if (this.options.schedules.onMessage(message.topic, message.payload, message.retain)) return;
    const parsed = parseIncomingTopic(this.base, message.topic, this.options.inventory());
    switch (parsed.type) {
      case "ignored":
        return;
      case "bridge-refresh":
        void this.answerRefresh(message.payload);
        return;
      case "unknown-device":
        if (message.retain) return;
        void publisher.publish(parsed.resultTopic, JSON.stringify({ id: null, action: null, status: "error", error: parsed.reason }), { retain: false, qos: 1 });
        return;
      case "command":
        this.options.runner.handle(parsed.device, message.payload, { retained: message.retain });
    }
  }

  private async answerRefresh(payload: Buffer): Promise<void> {
    // The same hardened decoding as commands: size, UTF-8, nesting checked before any JSON.parse.
    const id = decodePayload(payload).id;
    const error = await this.options.refreshAll();
    const answer = error === null ? { id, status: "ok" } : { id, status: "error", error };
    await this.options.publisher.publish(bridgeTopic(this.base, "response/refresh"), JSON.stringify(answer), { retain: false, qos: 1 });
  }
}
