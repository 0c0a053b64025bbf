import { fileURLToPath } from "node:url";
import { JsonLineChild } from "./child.js";

const CLI = fileURLToPath(new URL("./observer-cli.js", import.meta.url));

export interface ObserverCount {
  count: number;
  /** epoch ms of the last message received. */
  lastAt: number;
  /** distinct topics seen. */
  topics: number;
  /** distinct topics seen since the last mark(). */
  sinceMark: number;
}

/** The MQTT subscriber of the benchmark, in a child process. */
export class ObserverProcess {
  private constructor(private readonly child: JsonLineChild) {}

  static async start(brokerUrl: string): Promise<ObserverProcess> {
    const { child } = await JsonLineChild.start("observer", CLI, [brokerUrl]);
    return new ObserverProcess(child);
  }

  count(): Promise<ObserverCount> {
    return this.child.ask({ cmd: "count" });
  }

  /** Resolves once nothing arrived for `ms`. */
  quiet(ms: number): Promise<ObserverCount> {
    return this.child.ask({ cmd: "quiet", ms });
  }

  /** Starts counting distinct topics afresh (`sinceMark`). */
  mark(): Promise<ObserverCount> {
    return this.child.ask({ cmd: "mark" });
  }

  /** Messages received on `topic`, and the last one's payload (null before any). */
  last(topic: string): Promise<{ count: number; payload: string | null }> {
    return this.child.ask({ cmd: "last", topic });
  }

  async publish(topic: string, payload: string): Promise<void> {
    await this.child.ask({ cmd: "publish", topic, payload });
  }

  async history(topic: string): Promise<Array<{ at: number; status: string | null }>> {
    return (await this.child.ask<{ history: Array<{ at: number; status: string | null }> }>({ cmd: "history", topic })).history;
  }

  async guests(): Promise<Array<{ topic: string; status: string | null }>> {
    return (await this.child.ask<{ guests: Array<{ topic: string; status: string | null }> }>({ cmd: "guests" })).guests;
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
