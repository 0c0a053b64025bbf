import type { Logger } from "../log.js";

/** Logs a recurring failure once when it starts (warn) and once when it ends (info), not every cycle. */
export class ProblemLog {
  private readonly active = new Set<string>();

  constructor(private readonly log: Logger) {}

  failed(key: string, message: string, error: unknown): void {
    if (this.active.has(key)) return;
    this.active.add(key);
    this.log.warn({ problem: key, error: describe(error) }, message);
  }

  succeeded(key: string, message: string): void {
    if (this.active.delete(key)) this.log.info({ problem: key }, message);
  }

  /** Forget a problem without logging (its subject vanished). */
  forget(prefix: string): void {
    for (const key of this.active) if (key.startsWith(prefix)) this.active.delete(key);
  }
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
