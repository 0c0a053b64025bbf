import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/log.js";

export interface CapturedLog {
  log: Logger;
  /** Every line written so far, raw JSON text. */
  text(): string;
  /** The parsed lines at `level` (pino numbers: 20 debug, 30 info, 40 warn). */
  messages(level?: number): string[];
}

/** A real pino logger (with its redaction) writing into memory. */
export function captureLog(level: "debug" | "info" | "warn" = "debug"): CapturedLog {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString("utf8").split("\n").filter((line) => line !== ""));
      callback();
    },
  });
  const log = createLogger({ level, destination });
  return {
    log,
    text: () => lines.join("\n"),
    messages: (wanted) =>
      lines
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((entry) => wanted === undefined || entry.level === wanted)
        .map((entry) => entry.msg),
  };
}
