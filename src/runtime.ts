/**
 * V8 flags the daemon is meant to run with (npm start, the Docker entry point, the systemd example;
 * `node dist/cli.js` started without them relaunches itself with them: src/relaunch.ts), measured
 * by `npm run bench`. They trade a little CPU for memory: at 2,000 guests the bridge peaks near
 * 105–111 MB instead of 170–220 MB, for a few ms more CPU per poll (docs/performance.md):
 * - `--heap-growing-percent=50`: the old generation grows by 50 % before the next full collection,
 *   not by V8's much larger default factor (most of the saving, and all of the CPU cost);
 * - `--max-semi-space-size=2`: a 2 MB young generation instead of up to 16 MB (4 MB gave the same
 *   CPU at 2,000 guests and ~5 MB more at 30; 1 MB cost a quarter more garbage-collection time);
 * - `--liftoff-only`: undici's HTTP parser (WebAssembly) is not recompiled by the optimizing
 *   compiler, whose ~30 MB burst was the start-up peak; parsing a few hundred kB per poll does not
 *   need it (no CPU difference measured);
 * - `--no-concurrent-recompilation`: JavaScript is optimized on the main thread, not on a
 *   background thread with memory of its own: ~5 MB less at the plain start of 3 nodes / 30 guests
 *   (bridge 79.5 MB, was 83–87), for ~5–8 ms more CPU per poll at 2,000 guests.
 * None changes behaviour. V8 reads them only at start-up: they must be on the command line.
 */
export const RUNTIME_FLAGS = ["--max-semi-space-size=2", "--heap-growing-percent=50", "--liftoff-only", "--no-concurrent-recompilation"] as const;

/**
 * Environment the daemon is meant to run with: glibc otherwise gives each thread (V8's GC helpers,
 * libuv's pool) a malloc arena of its own, whose fragments a long-running process keeps (ignored by
 * musl, the Docker image's C library).
 */
export const RUNTIME_ENV = { MALLOC_ARENA_MAX: "2" } as const;
