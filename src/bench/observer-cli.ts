/**
 * An MQTT subscriber on `#` in its own process (its CPU is not the bridge's): counts what arrives
 * and keeps the status history of guest state topics. Prints `{"ready":true}`, then answers
 * JSON-line commands in order: count, quiet, mark, publish, history, last, guests.
 */
import { createInterface } from "node:readline";
import mqtt from "mqtt";
import { z } from "zod";

const CommandSchema = z.discriminatedUnion("cmd", [
  z.object({ cmd: z.literal("count") }),
  /** Waits until nothing arrived for `ms`. */
  z.object({ cmd: z.literal("quiet"), ms: z.number().positive() }),
  /** Starts counting the distinct topics received from now on (`sinceMark` in count answers). */
  z.object({ cmd: z.literal("mark") }),
  z.object({ cmd: z.literal("publish"), topic: z.string(), payload: z.string() }),
  /** How many messages a topic got, and the last one's payload. */
  z.object({ cmd: z.literal("last"), topic: z.string() }),
  z.object({ cmd: z.literal("history"), topic: z.string() }),
  /** Every guest state topic with its latest status. */
  z.object({ cmd: z.literal("guests") }),
]);

const GUEST_STATE = /^[^/]+\/(qemu|lxc)\/\d+$/;

async function main(): Promise<void> {
  const url = process.argv[2];
  if (!url) throw new Error("usage: observer-cli.js mqtt://127.0.0.1:PORT");
  const client = await mqtt.connectAsync(url, { clientId: `bench_observer_${process.pid}`, reconnectPeriod: 500 });
  let count = 0;
  let lastAt = 0;
  const topics = new Set<string>();
  const sinceMark = new Set<string>();
  const perTopic = new Map<string, { count: number; payload: Buffer }>();
  const history = new Map<string, Array<{ at: number; status: string | null }>>();
  client.on("message", (topic, payload) => {
    const at = Date.now();
    count++;
    lastAt = at;
    topics.add(topic);
    sinceMark.add(topic);
    const seen = perTopic.get(topic);
    perTopic.set(topic, { count: (seen?.count ?? 0) + 1, payload });
    if (GUEST_STATE.test(topic)) {
      let status: string | null = null;
      try {
        const parsed = JSON.parse(payload.toString("utf8")) as { status?: unknown };
        status = typeof parsed.status === "string" ? parsed.status : null;
      } catch {
        status = null;
      }
      const list = history.get(topic) ?? [];
      list.push({ at, status });
      history.set(topic, list);
    }
  });
  await client.subscribeAsync("#", { qos: 0 });
  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

  const answer = (value: unknown): void => {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  };
  const run = async (command: z.infer<typeof CommandSchema>): Promise<void> => {
    switch (command.cmd) {
      case "count":
        return answer({ count, lastAt, topics: topics.size, sinceMark: sinceMark.size });
      case "quiet":
        for (;;) {
          const seen = count;
          await new Promise((resolve) => setTimeout(resolve, command.ms));
          if (count === seen) return answer({ count, lastAt, topics: topics.size, sinceMark: sinceMark.size });
        }
      case "mark":
        sinceMark.clear();
        return answer({ count, lastAt, topics: topics.size, sinceMark: 0 });
      case "last": {
        const seen = perTopic.get(command.topic);
        return answer({ count: seen?.count ?? 0, payload: seen ? seen.payload.toString("utf8") : null });
      }
      case "publish":
        await client.publishAsync(command.topic, command.payload, { qos: 1 });
        return answer({ ok: true });
      case "history":
        return answer({ history: history.get(command.topic) ?? [] });
      case "guests":
        return answer({ guests: [...history].map(([topic, list]) => ({ topic, status: list[list.length - 1]?.status ?? null })) });
    }
  };
  let queue = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on("line", (line) => {
    if (line.trim() === "") return;
    queue = queue.then(() => run(CommandSchema.parse(JSON.parse(line)))).catch((error: unknown) => answer({ error: String(error) }));
  });
  const shutdown = (): void => {
    lines.close();
    void client.endAsync(true).then(() => process.exit(0));
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench observer: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
