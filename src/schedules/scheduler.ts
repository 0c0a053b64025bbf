import cronParser from "cron-parser";
import nodeSchedule, { type Job } from "node-schedule";
import type { Config } from "../config/schema.js";
import type { Inventory } from "../inventory/types.js";
import type { ScheduleConfig } from "./config.js";
import { scheduleDiscovery, scheduleDiscoveryTopics, scheduleTopic, type ScheduleDiscoveryContext } from "./discovery.js";
import { parseScheduleRequest } from "./requests.js";
import { runSchedule, type RunDeps } from "./run.js";
import { readRetainedState, scheduleState, type LastRun, type ScheduleState } from "./state.js";
import { missingVmids, resolveTargets } from "./targets.js";

export interface SchedulerDeps extends Omit<RunDeps, "oneDeletionAtATime"> {
  config: Config;
  /** The latest complete inventory, or null before the first poll. */
  inventory(): Inventory | null;
  publish(topic: string, payload: string, options: { retain: boolean; force?: boolean }): Promise<unknown>;
  /** Deletes a retained message. */
  clear(topic: string): Promise<unknown>;
  /** How to build discovery; null when Home Assistant discovery is off. */
  discovery: ScheduleDiscoveryContext | null;
  /** false: runs only when asked (`runNow`, `/set run`); tests drive time themselves. Default true. */
  timers?: boolean;
}

interface Entry {
  schedule: ScheduleConfig;
  enabled: boolean;
  last: LastRun | null;
  running: Promise<LastRun> | null;
  job: Job | null;
}

/**
 * The schedules of CONTRACT section 11: cron timers (node-schedule), one run of a schedule at a
 * time, each run through the command path, the retained state and discovery of each schedule, and
 * its `/set` requests (enable, disable, run now). Runs missed while the bridge was down are not
 * caught up: a timer only fires from the time it is armed.
 */
export class Scheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly base: string;
  private deletions: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(private readonly deps: SchedulerDeps) {
    this.base = deps.config.mqtt.base_topic;
    for (const schedule of deps.config.schedules) this.entries.set(schedule.name, { schedule, enabled: true, last: null, running: null, job: null });
  }

  /**
   * Restores each schedule's `enabled` and last run from its retained state, clears what schedules
   * no longer configured left behind, publishes discovery and states, and arms the timers.
   */
  async start(retained: ReadonlyMap<string, Buffer>): Promise<void> {
    const prefix = `${this.base}/schedule/`;
    const cleared: Promise<unknown>[] = [];
    for (const [topic, payload] of retained) {
      if (!topic.startsWith(prefix) || topic.slice(prefix.length).includes("/")) continue;
      const name = topic.slice(prefix.length);
      const entry = this.entries.get(name);
      if (!entry) {
        this.deps.log.info({ schedule: name }, `schedule ${name} is no longer configured: clearing its state and Home Assistant device`);
        cleared.push(this.deps.clear(topic), ...(this.deps.discovery ? scheduleDiscoveryTopics(this.deps.discovery, name).map((t) => this.deps.clear(t)) : []));
        continue;
      }
      const restored = readRetainedState(payload);
      if (restored.enabled !== null) entry.enabled = restored.enabled;
      entry.last = restored.last;
    }
    await Promise.all(cleared);
    for (const entry of this.entries.values()) {
      this.warnIfRefused(entry.schedule);
      if (entry.enabled) this.arm(entry);
    }
    await this.republish();
    if (this.entries.size > 0) {
      const summary = [...this.entries.values()].map((e) => `${e.schedule.name} (${e.enabled ? `next ${this.state(e.schedule.name)?.next_run ?? "?"}` : "disabled"})`);
      this.deps.log.info(`schedules: ${summary.join(", ")}`);
    }
  }

  /** Discovery and every state again (start, Home Assistant birth, broker reconnect). */
  async republish(): Promise<void> {
    if (this.stopped) return;
    const messages: Promise<unknown>[] = [];
    for (const entry of this.entries.values()) {
      if (this.deps.discovery) {
        for (const message of scheduleDiscovery(this.deps.discovery, entry.schedule.name)) {
          messages.push(this.deps.publish(message.topic, JSON.stringify(message.payload), { retain: true }));
        }
      }
      messages.push(this.publishState(entry));
    }
    await Promise.all(messages);
  }

  /** The state JSON of a schedule now, or null for a name not configured. */
  state(name: string): ScheduleState | null {
    const entry = this.entries.get(name);
    return entry ? scheduleState(entry.schedule, entry.enabled, this.nextRun(entry), entry.last) : null;
  }

  /**
   * Handles `B/schedule/<name>/set`; returns false for any other topic (the caller routes it).
   * Never throws.
   */
  onMessage(topic: string, payload: Buffer, retained: boolean): boolean {
    const prefix = `${this.base}/schedule/`;
    if (!topic.startsWith(prefix) || !topic.endsWith("/set")) return false;
    const name = topic.slice(prefix.length, -"/set".length);
    if (name === "" || name.includes("/")) return false;
    if (this.stopped) return true;
    if (retained) {
      this.deps.log.info({ schedule: name }, `ignored a retained message on ${topic}: a request is never replayed from the broker; publish without the retain flag`);
      return true;
    }
    const request = parseScheduleRequest(payload);
    const entry = this.entries.get(name);
    const answer = (result: Record<string, unknown>) => void this.deps.publish(`${prefix}${name}/result`, JSON.stringify(result), { retain: false, force: true });
    if (!entry) {
      const known = [...this.entries.keys()];
      answer({ id: request.id, action: request.ok ? request.action : request.action, status: "error", error: `unknown schedule '${name.slice(0, 64)}' (configured: ${known.length > 0 ? known.join(", ") : "none"})` });
      return true;
    }
    if (!request.ok) {
      answer({ id: request.id, action: request.action, status: "error", error: request.error });
      return true;
    }
    if (request.action === "run") {
      if (entry.running) {
        answer({ id: request.id, action: "run", status: "error", error: `a run of ${name} is still going; try again when it has ended` });
        return true;
      }
      answer({ id: request.id, action: "run", status: "started" });
      void this.runNow(name, "run now").then((last) => {
        if (last) answer({ id: request.id, action: "run", status: last.result === "error" ? "error" : "ok", result: last.result, guests_ok: last.guestsOk, guests_failed: last.guestsFailed, error: last.error });
      });
      return true;
    }
    this.setEnabled(entry, request.action === "enable");
    answer({ id: request.id, action: request.action, status: "ok" });
    return true;
  }

  /**
   * Runs a schedule now (a timer, "run now", a test). Resolves with the run's outcome once every
   * task it started has ended; null when the name is unknown, a run of it is still going (skipped
   * and logged), or the scheduler stopped.
   */
  async runNow(name: string, reason = "run now"): Promise<LastRun | null> {
    const entry = this.entries.get(name);
    if (!entry || this.stopped) return null;
    if (entry.running) {
      this.deps.log.warn({ schedule: name }, `schedule ${name}: ${reason} skipped: the previous run is still going`);
      return null;
    }
    const inventory = this.deps.inventory();
    const startedAt = new Date(this.deps.now());
    const guests = inventory ? resolveTargets(entry.schedule.targets, inventory) : [];
    const missing = inventory ? missingVmids(entry.schedule.targets, inventory) : [];
    if (missing.length > 0) this.deps.log.warn({ schedule: name }, `schedule ${name}: no guest with vmid ${missing.join(", ")} (deleted, a template, or filtered out)`);
    if (guests.length === 0) this.deps.log.warn({ schedule: name }, `schedule ${name}: no guest matches its targets now; nothing to do`);
    this.deps.log.info({ schedule: name, guests: guests.length }, `schedule ${name}: ${reason}: ${entry.schedule.action} on ${guests.length} guest(s)`);
    const run = runSchedule(entry.schedule, guests, startedAt, { ...this.deps, oneDeletionAtATime: (work) => this.oneDeletionAtATime(work) });
    entry.running = run;
    void this.publishState(entry);
    try {
      const last = await run;
      if (this.stopped) return null;
      entry.last = last;
      const level = last.result === "ok" ? "info" : "warn";
      this.deps.log[level]({ schedule: name, result: last.result }, `schedule ${name}: run ended ${last.result} (${last.guestsOk} ok, ${last.guestsFailed} failed)${last.error ? `: ${last.error}` : ""}`);
      return last;
    } finally {
      entry.running = null;
      await this.publishState(entry);
    }
  }

  /** Resolves when no run is going. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.entries.values()].flatMap((entry) => (entry.running ? [entry.running] : []));
      if (running.length === 0) return;
      await Promise.allSettled(running);
    }
  }

  /** Cancels every timer; runs still going end with the command runner (stopped by the bridge). */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) this.disarm(entry);
  }

  private setEnabled(entry: Entry, enabled: boolean): void {
    if (entry.enabled === enabled) {
      void this.publishState(entry);
      return;
    }
    entry.enabled = enabled;
    if (enabled) this.arm(entry);
    else this.disarm(entry);
    this.deps.log.info({ schedule: entry.schedule.name }, `schedule ${entry.schedule.name} ${enabled ? "enabled" : "disabled"}`);
    void this.publishState(entry);
  }

  private arm(entry: Entry): void {
    if (this.deps.timers === false || entry.job || this.stopped) return;
    const { schedule } = entry;
    const rule = schedule.timezone ? { rule: schedule.cron, tz: schedule.timezone } : schedule.cron;
    entry.job = nodeSchedule.scheduleJob(rule, () => void this.runNow(schedule.name, "cron"));
    if (!entry.job) this.deps.log.error({ schedule: schedule.name }, `schedule ${schedule.name}: node-schedule refused the cron "${schedule.cron}"; it will not run`);
  }

  private disarm(entry: Entry): void {
    entry.job?.cancel();
    entry.job = null;
  }

  /** From the same parser node-schedule uses, on the injectable clock. */
  private nextRun(entry: Entry): Date | null {
    if (!entry.enabled) return null;
    try {
      const options = { currentDate: new Date(this.deps.now()), ...(entry.schedule.timezone ? { tz: entry.schedule.timezone } : {}) };
      return cronParser.parseExpression(entry.schedule.cron, options).next().toDate();
    } catch {
      return null;
    }
  }

  private publishState(entry: Entry): Promise<unknown> {
    if (this.stopped) return Promise.resolve();
    const state = scheduleState(entry.schedule, entry.enabled, this.nextRun(entry), entry.last);
    return this.deps.publish(scheduleTopic(this.base, entry.schedule.name), JSON.stringify(state), { retain: true });
  }

  private oneDeletionAtATime<T>(work: () => Promise<T>): Promise<T> {
    const turn = this.deletions.then(work);
    this.deletions = turn.catch(() => undefined);
    return turn;
  }

  private warnIfRefused(schedule: ScheduleConfig): void {
    const { commands } = this.deps.config;
    const reason = !commands.enabled
      ? "commands.enabled is false (read-only bridge)"
      : !(commands.allow as readonly string[]).includes(schedule.action)
        ? `${schedule.action} is not in commands.allow`
        : null;
    if (reason) this.deps.log.warn({ schedule: schedule.name }, `schedule ${schedule.name}: ${reason}: each of its runs will be refused, guest by guest`);
  }
}
