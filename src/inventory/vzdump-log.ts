import type { TaskLogLine } from "../pve/health-schemas.js";

/*
 * An incremental reader of a vzdump task log: the state after the lines read so far, plus new
 * lines, gives the next state. It knows the lines PVE's VZDump.pm writes; any other line is
 * skipped. Immutable: a new state is returned, the old one is never changed.
 */

export type VzdumpGuestState = "pending" | "running" | "ok" | "error";

export interface VzdumpGuest {
  vmid: number;
  /** From "Starting Backup of VM <vmid> (qemu|lxc)"; null before that line. */
  kind: "qemu" | "lxc" | null;
  state: VzdumpGuestState;
  /** 0–100 while a qemu backup runs (its "INFO:  45% (…)" lines); null otherwise. */
  progress: number | null;
  /** The text after "Backup of VM <vmid> failed - " when state is error. */
  error: string | null;
}

export interface VzdumpLogState {
  /** Lines read so far: the `start` of the next log read (PVE numbers lines from 1). */
  linesRead: number;
  /** The guests the job names on its first line ("vzdump 101 102 --…"); null when it runs on --all / --pool or that line was not read. */
  planned: readonly number[] | null;
  /** The storage the job writes to (its first line's `--storage`); null when it does not say (the node's default) or that line was not read. */
  storage: string | null;
  /** The guest the job is on now, or null. */
  current: number | null;
  /** Every guest the log mentions (and every planned one), in the order first seen. */
  guests: ReadonlyMap<number, VzdumpGuest>;
  /** The last "ERROR: …" line, without "ERROR: ", for a command's error result. */
  lastError: string | null;
  /** The task's end as its log says it ("OK", "WARNINGS: 1", "job errors"), null while running. */
  exitstatus: string | null;
}

export function emptyVzdumpLog(): VzdumpLogState {
  return { linesRead: 0, planned: null, storage: null, current: null, guests: new Map(), lastError: null, exitstatus: null };
}

const JOB_START = /^INFO: starting new backup job: vzdump\b(.*)$/;
const GUEST_START = /^INFO: Starting Backup of VM (\d+) \((qemu|lxc)\)/;
const GUEST_OK = /^INFO: Finished Backup of VM (\d+) \(/;
const GUEST_FAILED = /^ERROR: Backup of VM (\d+) failed - (.*)$/;
// PVE 7+: "INFO:  45% (28.8 GiB of 64.0 GiB) in 27s, …"; PVE 6: "INFO: status: 45% (…)".
const PROGRESS = /^INFO:\s+(?:status: )?(\d{1,3})% \(/;
const ERROR_LINE = /^ERROR: (.+)$/;
const TASK_END = /^TASK (?:(OK)|(WARNINGS: \d+)|ERROR: (.*))$/;

/** The state after `lines` (a log read from `state.linesRead` on); lines already read and PVE's placeholders are skipped. */
export function readVzdumpLog(state: VzdumpLogState, lines: readonly TaskLogLine[]): VzdumpLogState {
  let { linesRead, planned, storage, current, lastError, exitstatus } = state;
  let guests: Map<number, VzdumpGuest> | null = null;
  const guestMap = (): Map<number, VzdumpGuest> => (guests ??= new Map(state.guests));
  const update = (vmid: number, patch: Partial<VzdumpGuest>): void => {
    const map = guestMap();
    const known = map.get(vmid) ?? { vmid, kind: null, state: "pending", progress: null, error: null };
    map.set(vmid, { ...known, ...patch });
  };

  for (const line of lines) {
    if (line.n <= linesRead) continue;
    if (line.n === 1 && (line.t === "no content" || line.t.startsWith("unable to open file - "))) continue;
    linesRead = line.n;
    const text = line.t;
    let match: RegExpExecArray | null;
    if ((match = JOB_START.exec(text))) {
      planned = plannedVmids(match[1]!);
      storage = optionValue(match[1]!, "--storage");
      for (const vmid of planned ?? []) if (!guestMap().has(vmid)) update(vmid, {});
    } else if ((match = GUEST_START.exec(text))) {
      current = Number(match[1]);
      update(current, { kind: match[2] as "qemu" | "lxc", state: "running", progress: match[2] === "qemu" ? 0 : null, error: null });
    } else if ((match = GUEST_OK.exec(text))) {
      const vmid = Number(match[1]);
      update(vmid, { state: "ok", progress: null, error: null });
      if (current === vmid) current = null;
    } else if ((match = GUEST_FAILED.exec(text))) {
      const vmid = Number(match[1]);
      update(vmid, { state: "error", progress: null, error: match[2]!.trim() });
      lastError = text.slice("ERROR: ".length).trim();
      if (current === vmid) current = null;
    } else if ((match = PROGRESS.exec(text))) {
      const guest = current === null ? undefined : (guests ?? state.guests).get(current);
      if (guest && guest.state === "running") update(guest.vmid, { progress: Math.min(100, Number(match[1])) });
    } else if ((match = ERROR_LINE.exec(text))) {
      lastError = match[1]!.trim();
    } else if ((match = TASK_END.exec(text))) {
      exitstatus = match[1] ?? match[2] ?? match[3]!.trim();
      current = null;
    }
  }
  return { linesRead, planned, storage, current, guests: guests ?? state.guests, lastError, exitstatus };
}

/** "vzdump 101 102 --mode snapshot" → [101, 102]; "--vmid 101,102" likewise; --all / --pool → null (not named). */
/** The value of `--name value` (or `--name=value`) among a vzdump command line's arguments, or null. */
function optionValue(args: string, name: string): string | null {
  const tokens = args.trim().split(/\s+/);
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === name) return tokens[i + 1] ?? null;
    if (tokens[i]!.startsWith(`${name}=`)) return tokens[i]!.slice(name.length + 1) || null;
  }
  return null;
}

function plannedVmids(args: string): number[] | null {
  const tokens = args.trim().split(/\s+/).filter(Boolean);
  const vmids: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === "--all" || token === "--pool") return null;
    if (token === "--vmid") {
      vmids.push(...(tokens[i + 1] ?? "").split(/[,;]/).filter((v) => /^\d+$/.test(v)).map(Number));
      i++;
    } else if (token.startsWith("--")) {
      i++;
    } else if (/^\d+$/.test(token)) {
      vmids.push(Number(token));
    }
  }
  return vmids.length > 0 ? vmids : null;
}

/** Guests of the job that have not finished yet (pending or running): each one has `backup_running`. */
export function guestsNotFinished(state: VzdumpLogState): number[] {
  return [...state.guests.values()].filter((guest) => state.exitstatus === null && (guest.state === "pending" || guest.state === "running")).map((guest) => guest.vmid);
}
