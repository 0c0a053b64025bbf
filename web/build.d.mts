/** Bundles the panel's client into `outdir` (default dist/web). */
export function buildPanel(outdir?: string): Promise<string>;
