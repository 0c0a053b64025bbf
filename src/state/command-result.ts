/** The result object of a command (CONTRACT section 6), also kept as a guest's `last_action`. */
export interface CommandResult {
  id: string | number | null;
  action: string | null;
  status: "started" | "ok" | "error";
  upid?: string | null;
  exitstatus?: string | null;
  error?: string | null;
  duration?: number | null;
  /** ISO time the result was produced. */
  time?: string;
}
