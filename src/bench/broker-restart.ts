import type { BenchBroker } from "./broker.js";
import { moveAndPoll } from "./cycles.js";
import { atMost, info, round, type ResultRow } from "./report.js";
import { pause, type Rig } from "./rig.js";

export const PEAK_LIMIT_MB = 120;
/** Share of the topics seen before the restart that must arrive again before the burst counts as done. */
const REPUBLISHED_SHARE = 0.9;
const DEADLINE_MS = 120_000;
/** Polls after the burst: the peak must hold through the polls that follow it too. */
const POLLS_AFTER = 10;

/**
 * The broker restarts with no retained message kept (no persistence): the bridge reconnects and
 * publishes every retained message again at once (discovery, states, availability). Reports the
 * bridge's peak RSS after that burst and POLLS_AFTER polls; the target applies at the largest size.
 */
export async function brokerRestart(rig: Rig, broker: BenchBroker, label: string, withTarget: boolean): Promise<{ rows: ResultRow[]; summary: string }> {
  const peakBefore = await rig.bridge.peakRssMb();
  // the bridge is idle between polls: nothing arrives between the mark and the restart
  const before = await rig.observer.mark();
  const startedAt = Date.now();
  await broker.restart();
  const deadline = startedAt + DEADLINE_MS;
  while ((await rig.observer.count()).sinceMark < before.topics * REPUBLISHED_SHARE) {
    if (Date.now() > deadline) throw new Error(`after the broker restart, fewer than ${REPUBLISHED_SHARE * 100} % of the ${before.topics} topics came again within ${DEADLINE_MS / 1000} s`);
    await pause(200);
  }
  const burst = await rig.observer.quiet(1000);
  const republishS = (burst.lastAt - startedAt) / 1000;
  const messages = burst.count - before.count;
  const peakAfterBurst = await rig.bridge.peakRssMb();
  for (let i = 0; i < POLLS_AFTER; i++) await moveAndPoll(rig);
  const peakAfter = await rig.bridge.peakRssMb();
  const figure = "peak RSS after a broker restart (MB)";
  const rows = [
    withTarget ? atMost(label, figure, peakAfter, PEAK_LIMIT_MB) : info(label, figure, peakAfter),
    info(label, "broker restart → everything published again (s)", republishS),
  ];
  const summary =
    `broker restart: ${messages} messages on ${burst.sinceMark} topics again within ${round(republishS)} s; ` +
    `bridge peak ${round(peakBefore)} MB before, ${round(peakAfterBurst)} MB after the burst, ${round(peakAfter)} MB after ${POLLS_AFTER} more polls`;
  return { rows, summary };
}
