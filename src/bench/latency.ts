import type { ObserverProcess } from "./observer.js";
import type { SimProcess } from "./sim-process.js";

const LATENCY_SAMPLES = 50;
/** The start limiter lets 3 tasks start per second. */
const LATENCY_BATCH = 3;
/** How long a task runs in the benchmark's simulator (its --task-ms). */
export const TASK_MS = 1000;

/**
 * Starts or stops guests over MQTT, LATENCY_BATCH at a time, and measures from each task's end
 * (the POST's arrival in the simulator + the task's duration) to the first state with the new
 * status on the broker.
 */
export async function taskLatencies(sim: SimProcess, observer: ObserverProcess): Promise<number[]> {
  const candidates = (await observer.guests()).filter((guest) => guest.status === "running" || guest.status === "stopped");
  // spread the samples over the cluster, alternating running and stopped guests where possible
  const step = Math.max(1, Math.floor(candidates.length / LATENCY_SAMPLES));
  const picked: Array<{ topic: string; status: string }> = [];
  for (let i = 0; picked.length < LATENCY_SAMPLES && candidates.length > 0; i += step) {
    const guest = candidates[i % candidates.length]!;
    picked.push({ topic: guest.topic, status: guest.status! });
  }
  // small clusters have fewer guests than samples: a guest is used again after its last sample flipped it
  const current = new Map<string, string>();
  const latencies: number[] = [];
  for (let i = 0; i < picked.length; i += LATENCY_BATCH) {
    const batch = [...new Map(picked.slice(i, i + LATENCY_BATCH).map((guest) => [guest.topic, guest])).values()];
    const sentAt = Date.now();
    const jobs = batch.map(async (guest) => {
      const was = current.get(guest.topic) ?? guest.status;
      const action = was === "running" ? "stop" : "start";
      const expected = action === "stop" ? "stopped" : "running";
      await observer.publish(`${guest.topic}/set`, action);
      const stateAt = await waitForStatus(observer, guest.topic, expected, sentAt);
      current.set(guest.topic, expected);
      return { guest, action, stateAt };
    });
    const done = await Promise.all(jobs);
    const posts = await sim.requests("POST");
    for (const sample of done) {
      const [, kind, vmid] = sample.guest.topic.split("/");
      const post = posts.filter((request) => request.path.endsWith(`/${kind}/${vmid}/status/${sample.action}`) && request.at >= sentAt - 50).at(-1);
      if (!post || post.status >= 400) throw new Error(`no accepted POST …/${kind}/${vmid}/status/${sample.action} in the simulator's log`);
      latencies.push(sample.stateAt - (post.at + TASK_MS));
    }
    // keep under the bridge's 3 task starts per second
    const elapsed = Date.now() - sentAt;
    if (elapsed < 1100) await new Promise((resolve) => setTimeout(resolve, 1100 - elapsed));
  }
  return latencies.slice(0, LATENCY_SAMPLES);
}

async function waitForStatus(observer: ObserverProcess, topic: string, status: string, since: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = (await observer.history(topic)).find((entry) => entry.at >= since && entry.status === status);
    if (found) return found.at;
    if (Date.now() > deadline) throw new Error(`${topic} did not turn ${status} on MQTT within 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
