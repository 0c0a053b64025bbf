/** The fallback broker when mosquitto is not installed: aedes in its own process (argv[2]: port, default free). Prints `{"url":…}`. */
import { silentLogger } from "../log.js";
import { startEmbeddedBroker } from "../mqtt/embedded.js";

const broker = await startEmbeddedBroker({ host: "127.0.0.1", port: Number(process.argv[2] ?? 0), log: silentLogger() });
process.stdout.write(`${JSON.stringify({ url: broker.url })}\n`);
const shutdown = (): void => {
  void broker.close().then(() => process.exit(0));
};
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);
