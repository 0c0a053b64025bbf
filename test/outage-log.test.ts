import { afterEach, describe, expect, it } from "vitest";
import { OutageLog } from "../src/outage-log.js";
import { PveUnreachableError } from "../src/pve/errors.js";
import { startHarness, type Harness } from "./e2e/harness.js";
import { captureLog } from "./pve/log-capture.js";
import { storyLines, waitInfo } from "./reliability/helpers.js";

describe("OutageLog", () => {
  it("logs the start, each change of cause once, and the recovery with how long it lasted", () => {
    const captured = captureLog("info");
    let now = 1_000;
    const outage = new OutageLog(captured.log, () => now);
    outage.recovered(); // no outage: nothing to say
    outage.failed(new Error("read ECONNRESET"));
    outage.failed(new Error("read ECONNRESET"));
    outage.failed(new Error("the TLS certificate of https://pve1:8006 is not trusted"));
    outage.failed(new Error("the TLS certificate of https://pve1:8006 is not trusted"));
    outage.failed(new Error("the TLS certificate of https://pve1:8006 is not trusted"));
    now += 12_345;
    outage.recovered({ host: "https://pve1:8006" });
    outage.recovered();
    expect(captured.messages()).toEqual(["poll failed; keeping the last state", "poll still failing, for another reason", "Proxmox VE answers again"]);
    const lines = captured.text().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 40, err: "read ECONNRESET" });
    expect(lines[1]).toMatchObject({ level: 40, err: expect.stringContaining("not trusted"), failed_polls: 3 });
    expect(lines[2]).toMatchObject({ level: 30, host: "https://pve1:8006", failed_polls: 5, outage_seconds: 12.3 });
  });

  it("an unreachable cluster whose hosts were tried in another order is the same cause", () => {
    const captured = captureLog("info");
    const outage = new OutageLog(captured.log);
    const a = { origin: "https://a:8006", reason: "connect ECONNREFUSED" };
    const b = { origin: "https://b:8006", reason: "no answer within 10 s" };
    outage.failed(new PveUnreachableError([a, b]));
    outage.failed(new PveUnreachableError([b, a]));
    expect(captured.messages()).toHaveLength(1);
    outage.failed(new PveUnreachableError([b, { ...a, reason: "no answer within 10 s" }]));
    expect(captured.messages()).toHaveLength(2);
  });

  it("a new outage after a recovery starts its own story", () => {
    const captured = captureLog("info");
    const outage = new OutageLog(captured.log);
    outage.failed(new Error("x"));
    outage.recovered();
    outage.failed(new Error("x"));
    expect(captured.messages()).toEqual(["poll failed; keeping the last state", "Proxmox VE answers again", "poll failed; keeping the last state"]);
  });
});

describe("the bridge during an outage whose cause changes", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("logs exactly one line for the change, none per failed poll, and one for the recovery", async () => {
    h = await startHarness({ captureLogs: true, logLevel: "info" });
    await waitInfo(h, (i) => i.last_poll_result === "ok", 0);
    const logsBefore = h.logs.length;
    const firstCause = h.sim.injectFault({ path: "/cluster/resources", kind: "status", status: 500, reason: "pveproxy worker died" });
    await waitInfo(h, (i) => i.consecutive_failures >= 2, h.observer.messages.length);
    firstCause();
    h.sim.injectFault({ path: "/cluster/resources", kind: "status", status: 596, reason: "Broken pipe" });
    const changedAt = h.observer.messages.length;
    await waitInfo(h, (i) => (i.last_error ?? "").includes("Broken pipe"), changedAt);
    await waitInfo(h, (i) => i.consecutive_failures >= 4 && (i.last_error ?? "").includes("Broken pipe"), changedAt);
    h.sim.clearFaults();
    await waitInfo(h, (i) => i.last_poll_result === "ok", h.observer.messages.length);
    const story = storyLines(h, logsBefore).map((line) => line.msg);
    expect(story.filter((m) => m === "poll failed; keeping the last state")).toHaveLength(1);
    expect(story.filter((m) => m === "poll still failing, for another reason")).toHaveLength(1);
    expect(story.filter((m) => m === "Proxmox VE answers again")).toHaveLength(1);
    const change = storyLines(h, logsBefore).find((line) => line.msg === "poll still failing, for another reason")!;
    expect(JSON.parse(change.raw).err).toContain("Broken pipe");
  });
});
