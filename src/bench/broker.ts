import { fileURLToPath } from "node:url";
import { JsonLineChild } from "./child.js";
import { findMosquitto, startMosquitto } from "./mosquitto.js";

export interface BenchBroker {
  url: string;
  kind: "mosquitto" | "aedes";
  stop(): Promise<void>;
}

/** mosquitto in its own process when installed, else aedes in a child process: the broker's CPU is never the bridge's. */
export async function startBroker(): Promise<BenchBroker> {
  if (findMosquitto()) {
    const mosquitto = await startMosquitto();
    return { url: mosquitto.url, kind: "mosquitto", stop: () => mosquitto.stop() };
  }
  const { child, greeting } = await JsonLineChild.start<{ url: string }>("aedes broker", fileURLToPath(new URL("./aedes-cli.js", import.meta.url)), []);
  return { url: greeting.url, kind: "aedes", stop: () => child.stop() };
}

