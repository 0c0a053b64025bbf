import type { ServerResponse } from "node:http";
import type { SimFault } from "./types.js";

interface ActiveFault {
  fault: SimFault;
  remaining: number;
}

/** Injected faults, matched against each request in the order they were added. */
export class FaultSet {
  private faults: ActiveFault[] = [];

  add(fault: SimFault): () => void {
    const active: ActiveFault = { fault: { ...fault }, remaining: fault.times ?? Number.POSITIVE_INFINITY };
    this.faults.push(active);
    return () => {
      this.faults = this.faults.filter((f) => f !== active);
    };
  }

  clear(): void {
    this.faults = [];
  }

  /** The first fault matching this request, consuming one of its uses. */
  take(host: number, method: string, path: string): SimFault | undefined {
    for (const active of this.faults) {
      const { fault } = active;
      if (fault.host !== undefined && fault.host !== host) continue;
      if (fault.method !== undefined && fault.method.toUpperCase() !== method) continue;
      if (typeof fault.path === "string" ? fault.path !== path : !fault.path.test(path)) continue;
      active.remaining--;
      if (active.remaining <= 0) this.faults = this.faults.filter((f) => f !== active);
      return fault;
    }
    return undefined;
  }
}

const HUGE_DEFAULT = 40 * 1024 * 1024;

/** Streams a syntactically valid but enormous body without building it in memory. */
export function streamHuge(res: ServerResponse, bytes = HUGE_DEFAULT): void {
  const row = JSON.stringify({ id: "qemu/100", type: "qemu", vmid: 100, node: "pve1", name: "x".repeat(64), status: "running" });
  const chunk = Buffer.from(`${row},`.repeat(Math.max(1, Math.floor(65536 / (row.length + 1)))));
  res.writeHead(200, { "Content-Type": "application/json;charset=UTF-8" });
  res.write('{"data":[');
  let sent = 9;
  const pump = (): void => {
    while (sent < bytes) {
      if (res.destroyed) return;
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once("drain", pump);
        return;
      }
    }
    res.end(`${row}]}`);
  };
  pump();
}

export function sendMalformed(res: ServerResponse): void {
  const body = '{"data":[{"id":"qemu/100","type":"qemu",,<html><body>502 Bad Gateway';
  res.writeHead(200, { "Content-Type": "application/json;charset=UTF-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
