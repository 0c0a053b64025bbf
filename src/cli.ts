#!/usr/bin/env node
/**
 * The `pve2mqtt` entry point. It first makes sure the process runs with the runtime flags the
 * daemon is measured with (src/runtime.ts), relaunching itself with them when they are missing;
 * only then does it load the bridge, so a relaunching parent stays small.
 */
import { relaunchWithRuntimeFlags } from "./relaunch.js";

if (!relaunchWithRuntimeFlags()) await import("./main.js");
