import type { ActionResult, Message, PanelEvent } from "./types.js";

const EVENTS_KEPT = 100;

/** Everything the page knows, updated from the WebSocket; the views read it after each batch. */
export class Store {
  /** topic → payload: states, availability, bridge/info, bridge/state. */
  readonly states = new Map<string, unknown>();
  /** device topic → the latest result of a command (live, since the page opened). */
  readonly results = new Map<string, ActionResult>();
  /** Newest first. */
  events: PanelEvent[] = [];
  /** A refusal that names no device (a malformed message). */
  lastError: string | null = null;
  /** request id → action, to label a refusal of the panel itself. */
  private readonly sent = new Map<string, string>();
  private nextId = 1;

  /** Records a command about to be sent; returns its request id. */
  sending(device: string, action: string): string {
    const id = `panel-${Date.now().toString(36)}-${this.nextId++}`;
    this.sent.set(id, action);
    this.results.set(device, { action, status: "sending" });
    return id;
  }

  apply(batch: Message[]): void {
    for (const { topic, payload } of batch) {
      if (topic === "error") {
        const refusal = payload as { error?: string; request?: string | null; id?: unknown };
        const request = refusal.request ?? "";
        if (request.endsWith("/set")) {
          const action = typeof refusal.id === "string" ? (this.sent.get(refusal.id) ?? null) : null;
          this.results.set(request.slice(0, -"/set".length), { action, status: "error", error: refusal.error ?? "refused" });
        } else this.lastError = refusal.error ?? "refused";
        continue;
      }
      if (topic.endsWith("/result")) {
        const result = (payload ?? {}) as { action?: string | null; status?: string; error?: string | null };
        const status = result.status === "started" || result.status === "ok" ? result.status : "error";
        this.results.set(topic.slice(0, -"/result".length), { action: result.action ?? null, status, error: result.error ?? null });
        this.addEvents([{ time: new Date().toISOString(), topic, payload }]);
        continue;
      }
      if (topic === "bridge/event") {
        this.addEvents([{ time: new Date().toISOString(), topic, payload }]);
        continue;
      }
      if (payload === "") this.states.delete(topic);
      else this.states.set(topic, payload);
    }
  }

  /**
   * Adds events. The server's list (`fromServer`) may repeat one that also arrived live: that one
   * is not listed twice. Live events are all kept (two identical results are two results).
   */
  addEvents(items: Array<{ time: string; topic: string; payload: unknown }>, fromServer = false): void {
    const known = new Set(fromServer ? this.events.map((event) => event.key) : []);
    const fresh = items.map((item) => ({ ...item, key: `${item.topic} ${JSON.stringify(item.payload)}` })).filter((item) => !known.has(item.key));
    if (fresh.length === 0) return;
    this.events = [...fresh, ...this.events].sort((a, b) => b.time.localeCompare(a.time)).slice(0, EVENTS_KEPT);
  }
}
