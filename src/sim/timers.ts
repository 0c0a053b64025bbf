/** Every timer the simulator starts, so stop() can clear them all. */
export class TimerSet {
  private readonly handles = new Set<NodeJS.Timeout>();
  private stopped = false;

  after(ms: number, run: () => void): void {
    if (this.stopped) return;
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      run();
    }, Math.max(0, ms));
    this.handles.add(handle);
  }

  every(ms: number, run: () => void): void {
    if (this.stopped) return;
    const handle = setInterval(run, ms);
    handle.unref();
    this.handles.add(handle);
  }

  clear(): void {
    this.stopped = true;
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}
