/**
 * The web panel phase alone (docs/performance.md, phase 8): `node dist/bench/panel-only.js NODES GUESTS`
 * (default 20 2000). Its own simulator, broker and MQTT observer, then the same `panelCost` as the
 * full run of `size.js`: for measuring a change to the panel without the ~5 minutes of the others.
 * `BENCH_PANEL_CYCLES=N` runs N polls per block instead of 10 (a steadier figure on a shared machine).
 * Progress goes to stderr; the last stdout line is the JSON result rows.
 */
import { startBroker, type BenchBroker } from "./broker.js";
import { BenchDirectory } from "./config.js";
import { TASK_MS } from "./latency.js";
import { ObserverProcess } from "./observer.js";
import { panelCost } from "./panel.js";
import { reportRows, sizeLabel, type ResultRow } from "./report.js";
import { SimProcess } from "./sim-process.js";

const [nodes = 20, guests = 2000] = process.argv.slice(2).map(Number);
if (!Number.isInteger(nodes) || !Number.isInteger(guests) || nodes < 1 || guests < 0) {
  process.stderr.write("usage: node dist/bench/panel-only.js [NODES GUESTS]\n");
  process.exit(2);
}
const phaseCycles = Number(process.env.BENCH_PANEL_CYCLES ?? 10);
if (!Number.isInteger(phaseCycles) || phaseCycles < 1) {
  process.stderr.write("BENCH_PANEL_CYCLES must be a whole number of polls, at least 1\n");
  process.exit(2);
}
const label = sizeLabel(nodes, guests);
const progress = (text: string): void => {
  process.stderr.write(`[bench ${label}] ${text}\n`);
};

async function main(): Promise<ResultRow[]> {
  const directory = new BenchDirectory();
  let sim: SimProcess | null = null;
  let broker: BenchBroker | null = null;
  let observer: ObserverProcess | null = null;
  try {
    sim = await SimProcess.start({ nodes, guests, taskMs: TASK_MS });
    broker = await startBroker();
    observer = await ObserverProcess.start(broker.url);
    progress(`simulator ${sim.info.urls[0]}, ${broker.kind} ${broker.url}`);
    const panel = await panelCost({ sim, observer, brokerUrl: broker.url, clock: { offsetMs: 0 }, directory, label, progress, cycles: { warmup: 40, phase: phaseCycles } });
    progress(panel.summary);
    return panel.rows;
  } finally {
    await observer?.stop();
    await broker?.stop();
    await sim?.stop();
    directory.remove();
  }
}

reportRows(label, main);
