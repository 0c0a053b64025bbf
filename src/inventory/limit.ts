/** Runs the jobs with at most `concurrency` in flight; never rejects (each job handles its own failure). */
export async function runLimited(jobs: Array<() => Promise<void>>, concurrency: number): Promise<void> {
  const queue = { jobs, next: 0 };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(concurrency, jobs.length); i++) workers.push(work(queue));
  await Promise.all(workers);
}

/** One worker: takes the next job until none is left. */
async function work(queue: { jobs: Array<() => Promise<void>>; next: number }): Promise<void> {
  while (queue.next < queue.jobs.length) await queue.jobs[queue.next++]!();
}

/** A well-mixed 32-bit hash, so that due cycles spread evenly even for vmids 100, 110, 120… */
export function spreadHash(value: number | string): number {
  let h = 2166136261;
  const text = String(value);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  h ^= h >>> 13;
  h = Math.imul(h, 0x5bd1e995);
  return (h ^ (h >>> 15)) >>> 0;
}
