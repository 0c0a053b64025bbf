import type { Message } from "./types.js";

export type ConnectionStatus = "connecting" | "open" | "closed" | "unauthorized";

const MAX_RETRY_MS = 10_000;
/** The replay after connecting is rendered at once when it settles: thousands of rows laid out once, not frame by frame. */
const REPLAY_QUIET_MS = 80;
const REPLAY_MAX_MS = 1500;

/**
 * The /api/ws WebSocket: reconnects with back-off, hands messages over in batches (one per
 * animation frame, so a poll's thousands of changes cost one render), stops on 4401 (wrong token).
 */
export class Connection {
  private socket: WebSocket | null = null;
  private queue: Message[] = [];
  private scheduled = false;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  /** While the replay streams in: when it started, and the timer that flushes it once quiet. */
  private replay: { since: number; timer: ReturnType<typeof setTimeout> | null } | null = null;
  /** Closed because the page was left (it may come back from the back/forward cache). */
  private left = false;

  constructor(
    private readonly token: string | null,
    private readonly handlers: { messages(batch: Message[]): void; status(status: ConnectionStatus): void },
  ) {
    // A page left for another may be kept frozen in the back/forward cache: its WebSocket would stay
    // open, unread, and the bridge would queue every poll's changes for it. Closed on leaving, opened
    // again (with a fresh replay) if the page comes back.
    addEventListener("pagehide", this.onPageHide);
    addEventListener("pageshow", this.onPageShow);
    this.open();
  }

  send(message: unknown): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  close(): void {
    this.stopped = true;
    removeEventListener("pagehide", this.onPageHide);
    removeEventListener("pageshow", this.onPageShow);
    if (this.timer) clearTimeout(this.timer);
    this.socket?.close();
  }

  private readonly onPageHide = (): void => {
    if (this.stopped) return;
    this.left = true;
    if (this.timer) clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, "page left");
  };

  private readonly onPageShow = (): void => {
    if (!this.left || this.stopped) return;
    this.left = false;
    this.attempt = 0;
    this.open();
  };

  private open(): void {
    const url = new URL("api/ws", location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    if (this.token) url.searchParams.set("token", this.token);
    // the messages of one server turn in one frame (an array): thousands of changes, a few events
    url.searchParams.set("batch", "1");
    this.handlers.status("connecting");
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.replay = { since: Date.now(), timer: null };
      this.handlers.status("open");
    };
    socket.onmessage = (event) => {
      try {
        const data = JSON.parse(String(event.data)) as Message | Message[];
        if (Array.isArray(data)) for (const message of data) this.queue.push(message);
        else this.queue.push(data);
      } catch {
        return;
      }
      this.schedule();
    };
    socket.onclose = (event) => {
      if (this.socket !== socket || this.stopped) return;
      if (event.code === 4401) {
        this.stopped = true;
        this.handlers.status("unauthorized");
        return;
      }
      this.handlers.status("closed");
      const delay = Math.min(MAX_RETRY_MS, 500 * 2 ** this.attempt++);
      this.timer = setTimeout(() => this.open(), delay);
    };
  }

  private schedule(): void {
    const replay = this.replay;
    if (replay) {
      if (replay.timer) clearTimeout(replay.timer);
      const wait = Math.max(0, Math.min(REPLAY_QUIET_MS, replay.since + REPLAY_MAX_MS - Date.now()));
      replay.timer = setTimeout(() => {
        this.replay = null;
        this.flush();
      }, wait);
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // a hidden tab gets no animation frames: a timer keeps it current for when it shows again
    if (document.hidden) setTimeout(() => this.flush(), 250);
    else requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length > 0 && !this.stopped) this.handlers.messages(batch);
  }
}
