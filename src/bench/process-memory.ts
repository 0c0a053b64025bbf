import { readFileSync } from "node:fs";

/** A process and its descendants (Linux /proc), the process first. */
export function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    let children = "";
    try {
      children = readFileSync(`/proc/${tree[i]}/task/${tree[i]}/children`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    for (const child of children.trim().split(/\s+/)) if (child) tree.push(Number(child));
  }
  return tree;
}

/** Fields of /proc/PID/status or smaps_rollup in kB (0 when the process is gone). */
function procKb(path: string, field: string): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(path, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

export interface MemoryNow {
  /** Proportional set size: each shared page counted once across the processes that map it. */
  pssMb: number;
  rssMb: number;
}

/** The tree's memory now: PSS (what the machine pays, shared pages once) and RSS summed. */
export function treeMemory(pids: readonly number[]): MemoryNow {
  let pss = 0;
  let rss = 0;
  for (const pid of pids) {
    pss += procKb(`/proc/${pid}/smaps_rollup`, "Pss");
    rss += procKb(`/proc/${pid}/status`, "VmRSS");
  }
  return { pssMb: (pss * 1024) / 1e6, rssMb: (rss * 1024) / 1e6 };
}

/** Memory only this process maps (Private_Clean + Private_Dirty), in MB: what it adds beside processes sharing its binary. */
export function privateMb(pid: number): number {
  const path = `/proc/${pid}/smaps_rollup`;
  return ((procKb(path, "Private_Clean") + procKb(path, "Private_Dirty")) * 1024) / 1e6;
}

/** The kernel's exact peak RSS of one process (VmHWM), in MB. */
export function peakRssMb(pid: number): number {
  return (procKb(`/proc/${pid}/status`, "VmHWM") * 1024) / 1e6;
}
