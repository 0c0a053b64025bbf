import { readFileSync } from "node:fs";
import type { Config } from "../../config/schema.js";
import type { BrokerTarget } from "./mirror.js";

/** The broker the bridge uses, with its credentials: the embedded one (at `embeddedUrl`) or `mqtt.url`. */
export function brokerTarget(config: Config, embeddedUrl: string | null): BrokerTarget | null {
  const url = embeddedUrl ?? config.mqtt.url;
  if (!url) return null;
  const credentials = embeddedUrl ? config.embedded_broker : config.mqtt;
  const read = (path: string | undefined) => (path ? readFileSync(path, "utf8") : undefined);
  return {
    url,
    username: credentials.username,
    password: credentials.password,
    ...(embeddedUrl
      ? {}
      : { ca: read(config.mqtt.ca_file), cert: read(config.mqtt.cert_file), key: read(config.mqtt.key_file), rejectUnauthorized: config.mqtt.reject_unauthorized }),
  };
}
