import { fileURLToPath } from "node:url";
import { JsonLineChild } from "./child.js";
import { findMosquitto, startMosquitto } from "./mosquitto.js";

export interface BenchBroker {
  url: string;
  kind: "mosquitto" | "aedes";
  /** Stops the broker and starts it again on the same port, with no retained message kept (no persistence). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const AEDES_CLI = fileURLToPath(new URL("./aedes-cli.js", import.meta.url));

/** mosquitto in its own process when installed, else aedes in a child process: the broker's CPU is never the bridge's. */
export async function startBroker(): Promise<BenchBroker> {
  if (findMosquitto()) {
    const mosquitto = await startMosquitto();
    return { url: mosquitto.url, kind: "mosquitto", restart: () => mosquitto.restart(), stop: () => mosquitto.stop() };
  }
  let { child, greeting } = await JsonLineChild.start<{ url: string }>("aedes broker", AEDES_CLI, []);
  const port = new URL(greeting.url).port;
  return {
    url: greeting.url,
    kind: "aedes",
    async restart() {
      await child.stop();
      ({ child } = await JsonLineChild.start<{ url: string }>("aedes broker", AEDES_CLI, [port]));
    },
    stop: () => child.stop(),
  };
}
