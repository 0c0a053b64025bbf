// The tests' real broker: the launcher is shared with the benchmark.
export { startMosquitto, type Mosquitto } from "../../src/bench/mosquitto.js";
