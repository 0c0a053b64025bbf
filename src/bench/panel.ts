import { existsSync } from "node:fs";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { BridgeProcess } from "./bridge-process.js";
import { writeBridgeConfig, type BenchDirectory } from "./config.js";
import { moveAndPoll } from "./cycles.js";
import type { ObserverProcess } from "./observer.js";
import { atMost, info, round, type ResultRow } from "./report.js";
import { nextInterval, SETTLE_MS, type Rig } from "./rig.js";
import type { SimProcess } from "./sim-process.js";

/** Debian's chromium (apt-get install chromium), as the panel's browser tests use it; never downloaded. */
const CHROMIUM = "/usr/bin/chromium";
const WARMUP_CYCLES = 40;
/**
 * The browser's cost is measured in alternating blocks of polls: without a browser, with the page
 * open, without, … ending without (BROWSER_BLOCKS with, one more without), each of BLOCK_CYCLES
 * polls. The CPU of a shared machine drifts by ±10–20 % over a minute: alternating short blocks
 * lets that drift fall on both sides alike, where one long phase of each did not.
 */
const BROWSER_BLOCKS = 3;
const BLOCK_CYCLES = 10;
/**
 * Polls with the page open before its block is measured, as the "without" blocks come after the
 * warm-up: the panel's code paths (the mirror, the frames, the sends) are optimized by V8 over the
 * first polls, and the broker's replay to the new page is still being collected in the first.
 */
const CONNECTED_WARMUP_CYCLES = 5;
/** After a poll, nothing on the broker for this long: the panel's mirror and WebSocket are done with it too. */
const AFTER_POLL_QUIET_MS = 150;
const RENDER_TIMEOUT_MS = 60_000;

export const FIRST_RENDER_LIMIT_S = 2;
export const CPU_LIMIT = 0.2;
export const PEAK_LIMIT_MB = 15;

interface Phase {
  /** The bridge process's CPU per cycle (µs): the poll and everything it causes (the panel's fan-out included), until the broker is quiet. */
  cpuMicros: number;
  /** The peak RSS over the phase (MB): VmHWM reset to the RSS at its start, read at its end. */
  peakMb: number;
}

/**
 * The web panel at this size, with a fresh bridge serving it (`http.port` 0) on the same
 * simulator and broker: the first render in headless Chromium, and what a connected browser costs
 * the bridge per steady poll in CPU and peak RSS against no browser at all.
 *
 * "First render": from the navigation's start (the page's time origin) to the first animation
 * frame in which every node's section is on the page and the node headers' guest counts add up to
 * every guest (each guest's state arrived and was laid out), with the first guest rows drawn.
 */
export async function panelCost(options: {
  sim: SimProcess;
  observer: ObserverProcess;
  brokerUrl: string;
  clock: { offsetMs: number };
  directory: BenchDirectory;
  label: string;
  progress: (text: string) => void;
  /** Other cycle counts (default WARMUP_CYCLES, BLOCK_CYCLES and CONNECTED_WARMUP_CYCLES). */
  cycles?: { warmup: number; phase: number; connectedWarmup?: number };
}): Promise<{ rows: ResultRow[]; summary: string }> {
  const { sim, observer, clock, directory, label, progress } = options;
  if (!existsSync(CHROMIUM)) throw new Error(`the panel phase needs Chromium at ${CHROMIUM}: apt-get install chromium`);
  const config = writeBridgeConfig(directory.path("panel.yaml"), sim, options.brokerUrl, { httpPort: 0 });
  await sim.clock(clock.offsetMs);
  const bridge = await BridgeProcess.start(config, clock.offsetMs);
  let browser: Browser | null = null;
  try {
    const url = await bridge.url();
    if (!url) throw new Error("the bench bridge serves no HTTP side: http.port not applied");
    const rig: Rig = { sim, observer, bridge, clock };
    await observer.quiet(1000);
    // guests that are devices: templates are not
    const { devices } = await bridge.info();
    const guestDevices = devices.qemu + devices.lxc;
    for (let i = 0; i < (options.cycles?.warmup ?? WARMUP_CYCLES); i++) await moveAndPoll(rig);
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      userDataDir: directory.path("chromium"),
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    const blockCycles = options.cycles?.phase ?? BLOCK_CYCLES;
    const connectedWarmup = options.cycles?.connectedWarmup ?? CONNECTED_WARMUP_CYCLES;
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.evaluateOnNewDocument(countFrames);
    const none: Phase[] = [await phase(rig, blockCycles)];
    const connected: Phase[] = [];
    let firstRenderS = 0;
    let replayMessages = 0;
    let changesSeen = 0;
    for (let block = 0; block < BROWSER_BLOCKS; block++) {
      await bridge.resetPeak();
      const renderS = await firstRender(page, url, devices.nodes, guestDevices);
      const replay = await framesSeen(page);
      if (block === 0) {
        firstRenderS = renderS;
        replayMessages = replay.count;
        progress(`panel: first render ${round(renderS)} s (replay: first frame at ${round(replay.first / 1000)} s, last at ${round(replay.last / 1000)} s, ${replay.count} messages)`);
      }
      for (let i = 0; i < connectedWarmup; i++) await moveAndPoll(rig);
      const seenBefore = (await framesSeen(page)).count;
      connected.push(await phase(rig, blockCycles, false));
      changesSeen += (await framesSeen(page)).count - seenBefore;
      // the page leaves: its WebSocket closes and the bridge follows no browser again
      await page.goto("about:blank");
      await observer.quiet(500);
      none.push(await phase(rig, blockCycles));
    }
    await page.close();
    const messagesPerPoll = changesSeen / (BROWSER_BLOCKS * blockCycles);
    if (messagesPerPoll < 1) throw new Error("the panel received no change while connected: the browser phase measured nothing");

    const mean = (phases: Phase[]) => phases.reduce((sum, item) => sum + item.cpuMicros, 0) / phases.length;
    const noneCpu = mean(none);
    const connectedCpu = mean(connected);
    const cpuRatio = connectedCpu / noneCpu - 1;
    const nonePeak = Math.max(...none.map((item) => item.peakMb));
    const connectedPeak = Math.max(...connected.map((item) => item.peakMb));
    const extraPeak = connectedPeak - nonePeak;
    const ms = (micros: number) => round(micros / 1000);
    const rows = [
      atMost(label, "panel: first render in headless Chromium (s)", firstRenderS, FIRST_RENDER_LIMIT_S),
      atMost(label, "panel: a connected browser's extra bridge CPU per poll (%)", cpuRatio * 100, CPU_LIMIT * 100),
      atMost(label, "panel: a connected browser's extra bridge peak RSS (MB)", extraPeak, PEAK_LIMIT_MB),
      info(label, "panel: bridge CPU per poll, no browser (ms)", noneCpu / 1000),
      info(label, "panel: messages per poll to a connected browser", messagesPerPoll),
    ];
    const list = (phases: Phase[]) => phases.map((item) => ms(item.cpuMicros)).join(" / ");
    const summary =
      `panel: first render ${round(firstRenderS)} s; bridge CPU per poll without a browser ${list(none)} ms, with one ${list(connected)} ms ` +
      `(+${round(cpuRatio * 100)} %); peak RSS without ${none.map((item) => round(item.peakMb)).join(" / ")} MB, with ${connected.map((item) => round(item.peakMb)).join(" / ")} MB (+${round(extraPeak)} MB); ${replayMessages} messages of replay, ${round(messagesPerPoll)} per poll`;
    return { rows, summary };
  } finally {
    await browser?.close();
    await bridge.stop();
  }
}

/** Cycles of the moving cluster; the CPU from before each poll until the broker is quiet after it. */
async function phase(rig: Rig, cycles: number, resetPeak = true): Promise<Phase> {
  const { bridge, observer } = rig;
  if (resetPeak) await bridge.resetPeak();
  let cpuMicros = 0;
  for (let i = 0; i < cycles; i++) {
    await nextInterval(rig);
    await observer.quiet(SETTLE_MS);
    const start = await bridge.cpuMicros();
    await bridge.poll();
    await observer.quiet(AFTER_POLL_QUIET_MS);
    cpuMicros += (await bridge.cpuMicros()) - start;
  }
  return { cpuMicros: cpuMicros / cycles, peakMb: await bridge.hwmMb() };
}

/** Opens the panel and resolves with the first render's time in seconds (see panelCost). */
async function firstRender(page: Page, url: string, nodes: number, guests: number): Promise<number> {
  await page.goto(`${url}/`);
  const handle = await page.waitForFunction(
    (expectedNodes: number, expectedGuests: number) => {
      const sections = document.querySelectorAll("section[data-node]");
      if (sections.length !== expectedNodes) return false;
      let shown = 0;
      for (const count of document.querySelectorAll("[data-guests]")) shown += Number(count.getAttribute("data-guests"));
      if (shown !== expectedGuests || !document.querySelector("tr[data-topic]")) return false;
      return performance.now();
    },
    { polling: "raf", timeout: RENDER_TIMEOUT_MS },
    nodes,
    guests,
  ).catch(async (error: unknown) => {
    const seen = await page.evaluate(() => ({
      sections: document.querySelectorAll("section[data-node]").length,
      guests: [...document.querySelectorAll("[data-guests]")].reduce((sum, count) => sum + Number(count.getAttribute("data-guests")), 0),
    }));
    throw new Error(`the panel did not show ${nodes} nodes and ${guests} guests (it shows ${seen.sections} and ${seen.guests}): ${String(error)}`);
  });
  return Number(await handle.jsonValue()) / 1000;
}

interface FramesSeen {
  /** Messages (`{"topic", "payload"}`) received, whether one a frame or batched. */
  count: number;
  /** performance.now() of the first and the latest frame (ms since the navigation started). */
  first: number;
  last: number;
}

/** Runs in the page before its own script: counts the WebSocket messages it receives (without CDP's Network domain, which copies every frame out). */
function countFrames(): void {
  const seen: FramesSeen = { count: 0, first: 0, last: 0 };
  (window as unknown as { framesSeen: FramesSeen }).framesSeen = seen;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.addEventListener("message", (event: MessageEvent) => {
        // one message per frame, or an array of them (`?batch=1`)
        seen.count += String(event.data).split('{"topic":').length - 1;
        seen.last = performance.now();
        if (seen.first === 0) seen.first = seen.last;
      });
    }
  };
}

function framesSeen(page: Page): Promise<FramesSeen> {
  return page.evaluate(() => ({ ...(window as unknown as { framesSeen: FramesSeen }).framesSeen }));
}
