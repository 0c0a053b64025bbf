import type { SimContext } from "./context.js";
import type { SimGuest, SimStorage } from "./model.js";
import type { SimTask } from "./tasks.js";

export interface BackupJob {
  node: string;
  /** The guests of the job that live on `node`, in the order vzdump takes them (vmid order). */
  guests: SimGuest[];
  storage: SimStorage;
  compress?: string;
  mode: string;
  /** "user@realm" or "user@realm!token"; "root@pam" for PVE's scheduler. */
  user: string;
  /** What follows "starting new backup job: " in the log, e.g. "vzdump 101 102 --storage nas --mode snapshot". */
  commandLine: string;
}

const GiB = 1024 ** 3;
/** Progress lines a qemu backup writes over its share of the job (0 %, 25 %, … before 100 %). */
const PROGRESS_STEPS = 4;

/**
 * Runs a vzdump job like PVE's worker: one guest after the other, each taking the simulator's
 * task duration, writing the log PVE writes (progress lines for qemu, Finished / ERROR lines), storing
 * each successful archive in the storage content as its part ends, and ending with PVE's exit status.
 */
export function runBackupJob(ctx: SimContext, job: BackupJob): SimTask {
  const { model, tasks, timers, settings } = ctx;
  const task = tasks.open({ node: job.node, type: "vzdump", id: job.guests.length === 1 ? String(job.guests[0]!.vmid) : "", user: job.user });
  const slice = Math.max(0, settings.taskDurationMs);
  const at = (ms: number, run: () => void): void => (ms <= 0 ? run() : timers.after(ms, run));
  const say = (line: string): void => void task.log.push(line);
  let failures = 0;
  let warnings = 0;

  say(`INFO: starting new backup job: ${job.commandLine}`);
  job.guests.forEach((guest, index) => {
    const begin = index * slice;
    let failed = false;
    at(begin, () => {
      say(`INFO: Starting Backup of VM ${guest.vmid} (${guest.kind})`);
      say(`INFO: Backup started at ${clock(model.now())}`);
      const reason = guest.lock !== undefined ? `VM is locked (${guest.lock})` : !job.storage.active ? `storage '${job.storage.storage}' is not online` : guest.backupError;
      if (reason !== undefined) {
        failed = true;
        failures++;
        say(`ERROR: Backup of VM ${guest.vmid} failed - ${reason}`);
        say(`INFO: Failed at ${clock(model.now())}`);
        return;
      }
      model.setLock(guest, "backup");
      say(`INFO: status = ${guest.runState === "stopped" ? "stopped" : "running"}`);
      say(`INFO: ${guest.kind === "qemu" ? "VM" : "CT"} Name: ${guest.name ?? `${guest.kind === "qemu" ? "VM" : "CT"} ${guest.vmid}`}`);
      say(`INFO: backup mode: ${job.mode}`);
      say("INFO: ionice priority: 7");
      say(`INFO: creating vzdump archive '${archivePath(job, guest, model.now())}'`);
      if (guest.warnings) {
        warnings++;
        say("WARN: unable to freeze guest filesystems - QEMU guest agent is not running");
      }
    });
    if (guest.kind === "qemu") {
      for (let step = 0; step < PROGRESS_STEPS; step++) {
        at(begin + (slice * step) / PROGRESS_STEPS, () => {
          if (!failed) say(`INFO: ${progressLine(guest, (100 * step) / PROGRESS_STEPS, (slice * step) / PROGRESS_STEPS)}`);
        });
      }
    }
    at(begin + slice, () => {
      if (failed) return;
      const size = Math.round(guest.diskUsed * 0.45);
      if (guest.kind === "qemu") {
        say(`INFO: ${progressLine(guest, 100, slice)}`);
        say(`INFO: transferred ${gib(guest.disk)} GiB in ${Math.max(1, Math.round(slice / 1000))} seconds`);
      } else {
        say(`INFO: Total bytes written: ${guest.diskUsed} (${gib(guest.diskUsed)}GiB)`);
      }
      say(`INFO: archive file size: ${gib(size)}GB`);
      say(`INFO: Finished Backup of VM ${guest.vmid} (${duration(slice)})`);
      say(`INFO: Backup finished at ${clock(model.now())}`);
      if (guest.lock === "backup") model.setLock(guest, undefined);
      storeArchive(ctx, job, guest, size);
    });
  });
  at(job.guests.length * slice, () => {
    say(failures > 0 ? "INFO: Backup job finished with errors" : "INFO: Backup job finished successfully");
    tasks.end(task, failures > 0 ? "job errors" : warnings > 0 ? `WARNINGS: ${warnings}` : "OK");
  });
  return task;
}

function storeArchive(ctx: SimContext, job: BackupJob, guest: SimGuest, size: number): void {
  const end = ctx.model.now();
  const format = `${guest.kind === "qemu" ? "vma" : "tar"}${extension(job.compress)}`;
  ctx.model.backups.push({
    volid: `${job.storage.storage}:backup/vzdump-${guest.kind}-${guest.vmid}-${stamp(end)}.${format}`,
    storage: job.storage.storage,
    node: job.node,
    vmid: guest.vmid,
    ctime: Math.floor(end / 1000),
    size,
    format,
  });
  job.storage.used += size;
}

function archivePath(job: BackupJob, guest: SimGuest, at: number): string {
  const dir = job.storage.storage === "local" ? "/var/lib/vz/dump" : `/mnt/pve/${job.storage.storage}/dump`;
  return `${dir}/vzdump-${guest.kind}-${guest.vmid}-${stamp(at)}.${guest.kind === "qemu" ? "vma" : "tar"}${extension(job.compress)}`;
}

/** PVE's qemu progress line (after "INFO: "): the percentage right-aligned in 3 characters. */
function progressLine(guest: SimGuest, percent: number, elapsedMs: number): string {
  const done = (guest.disk * percent) / 100;
  return `${String(Math.round(percent)).padStart(3)}% (${gib(done)} GiB of ${gib(guest.disk)} GiB) in ${Math.round(elapsedMs / 1000)}s, read: 1.1 GiB/s, write: 97.2 MiB/s`;
}

function gib(bytes: number): string {
  return (bytes / GiB).toFixed(1);
}

function duration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${p(Math.floor(total / 3600))}:${p(Math.floor(total / 60) % 60)}:${p(total % 60)}`;
}

function clock(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 19).replace("T", " ");
}

export function extension(compress: string | undefined): string {
  switch (compress) {
    case "1":
    case "lzo":
      return ".lzo";
    case "gzip":
      return ".gz";
    case "zstd":
      return ".zst";
    default:
      return "";
  }
}

function stamp(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}_${p(d.getUTCMonth() + 1)}_${p(d.getUTCDate())}-${p(d.getUTCHours())}_${p(d.getUTCMinutes())}_${p(d.getUTCSeconds())}`;
}
