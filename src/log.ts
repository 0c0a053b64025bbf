import { pino, type Logger, type DestinationStream, type LevelWithSilent } from "pino";

export type { Logger };

/** Every path under which a secret could appear in a log object; pino replaces them with "[redacted]". */
export const REDACTED_PATHS = [
  "password",
  "*.password",
  "*.*.password",
  "ticket",
  "*.ticket",
  "CSRFPreventionToken",
  "*.CSRFPreventionToken",
  "csrf",
  "*.csrf",
  "token_secret",
  "*.token_secret",
  "*.*.token_secret",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "cookie",
  "*.cookie",
];

export interface LoggerOptions {
  level: LevelWithSilent;
  /** Where lines go; stdout when absent. Tests pass a stream to capture them. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      name: "pve2mqtt",
      level: options.level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination(1),
  );
}

/** A logger that drops everything: for tests and library use without logs. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
