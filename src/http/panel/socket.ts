import type { WebSocket } from "ws";
import type { Logger } from "../../log.js";
import { parseInbound } from "./inbound.js";
import type { TopicMirror } from "./mirror.js";

/**
 * A client that has this much unsent is too slow to follow (or frozen and not reading): it is
 * dropped at once, its buffers freed, and a live browser reconnects to a fresh replay. A close
 * handshake would wait for a peer that does not read.
 */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Commands per connection: a burst of this many, then one per second more. */
const COMMAND_BURST = 10;
const COMMANDS_PER_SECOND = 1;
const PING_INTERVAL_MS = 30_000;

/** `{"topic": "error", "payload": {"error", "request", "id"}}`: a refused message, for its sender only. */
export function errorFrame(error: string, request: string | null, id: unknown = null): string {
  return JSON.stringify({ topic: "error", payload: { error, request, id } });
}

/**
 * One WebSocket of /api/ws: the replay and every change out; commands in, checked, then published
 * on the bridge's `/set` topic so the bridge's own command path validates, runs and answers them.
 * With `batch` (`/api/ws?batch=1`, what the panel asks for), the messages of one turn of the event
 * loop go out as one frame, a JSON array of them: a poll's thousand changes cost the bridge a few
 * sends and the browser a few message events instead of a thousand of each.
 */
export function servePanelSocket(socket: WebSocket, deps: { mirror: TopicMirror; refusal: () => string | null; log: Logger; batch?: boolean; now?: () => number }): void {
  const { mirror, log } = deps;
  const now = deps.now ?? Date.now;
  let tokens = COMMAND_BURST;
  let refilledAt = now();
  let alive = true;
  let pending: string[] = [];

  const send = (frame: string) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      log.warn("panel WebSocket client too slow to follow the changes: dropped (a browser reconnects)");
      socket.terminate();
      return;
    }
    socket.send(frame);
  };
  const flush = () => {
    const frames = pending;
    pending = [];
    send(`[${frames.join(",")}]`);
  };
  const detach = mirror.attach(
    deps.batch
      ? (frame) => {
          if (pending.push(frame) === 1) setImmediate(flush);
        }
      : send,
  );
  const ping = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, PING_INTERVAL_MS);
  ping.unref();

  socket.on("pong", () => {
    alive = true;
  });
  socket.on("close", () => {
    clearInterval(ping);
    detach();
    pending = [];
  });
  socket.on("error", (error) => log.debug({ err: error.message }, "panel WebSocket error"));
  socket.on("message", (data, isBinary) => {
    const elapsed = (now() - refilledAt) / 1000;
    tokens = Math.min(COMMAND_BURST, tokens + elapsed * COMMANDS_PER_SECOND);
    refilledAt = now();
    if (isBinary) {
      socket.send(errorFrame("binary messages are not accepted: send JSON text", null));
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    const inbound = parseInbound(text, { known: (device) => mirror.has(device), refusal: deps.refusal() });
    if (!inbound.ok) {
      socket.send(errorFrame(inbound.error, inbound.topic, inbound.id));
      return;
    }
    if (tokens < 1) {
      socket.send(errorFrame(`too many commands: at most ${COMMAND_BURST} at once, then ${COMMANDS_PER_SECOND} a second`, inbound.topic));
      return;
    }
    tokens -= 1;
    void mirror.publish(inbound.topic, inbound.payload).then((sent) => {
      if (!sent && socket.readyState === socket.OPEN) socket.send(errorFrame("the MQTT broker is not connected: command not sent", inbound.topic));
    });
  });
}
