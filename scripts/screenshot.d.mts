/** Renders the panel of a fresh demo into `outFile` (default docs/panel.png); resolves to its path. */
export function renderPanelScreenshot(options?: { outFile?: string; width?: number; height?: number; timeoutMs?: number }): Promise<string>;
