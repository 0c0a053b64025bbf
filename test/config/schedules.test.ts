import { describe, expect, it } from "vitest";
import { load, MINIMAL, problemsOf } from "./helpers.js";

const withSchedules = (yaml: string, extra = "") => `${MINIMAL}${extra}schedules:\n${yaml}`;

describe("schedules in the config", () => {
  it("loads a valid list with its defaults, targets normalised", () => {
    const config = load(
      withSchedules(`
  - name: nightly
    cron: "0 2 * * *"
    action: snapshot
    targets: { vmids: [100, 200, 100] }
    keep: 7
    vmstate: false
  - name: weekly_backup
    cron: "30 3 * * 0"
    timezone: Europe/Paris
    action: backup
    targets: { tags: [Backup] }
    storage: nas
    mode: snapshot
  - name: every_second
    cron: "* * * * * *"
    action: rollback
    targets: all
    snapshot: clean
    start: true
`, "commands:\n  allow: [snapshot, snapshot_delete, backup, rollback]\n"),
    );
    expect(config.schedules.map((s) => [s.name, s.action, s.targets])).toEqual([
      ["nightly", "snapshot", { kind: "vmids", vmids: [100, 200] }],
      ["weekly_backup", "backup", { kind: "tags", tags: ["backup"] }],
      ["every_second", "rollback", { kind: "all" }],
    ]);
    expect(load(MINIMAL).schedules).toEqual([]);
  });

  it("takes the list as JSON from the environment", () => {
    const config = load(MINIMAL, { PVE2MQTT_SCHEDULES: '[{"name":"n","cron":"0 2 * * *","action":"start","targets":{"nodes":["pve1"]}}]' });
    expect(config.schedules[0]).toMatchObject({ name: "n", action: "start", targets: { kind: "nodes", nodes: ["pve1"] } });
  });

  it("names the schedule and the key of every problem", () => {
    const problems = problemsOf(
      withSchedules(`
  - name: nightly
    cron: "0 2 * *"
    action: snapshot
    targets: { vmids: [100] }
    keep: 0
  - name: bad_cron
    cron: "61 * * * *"
    action: fly
    targets: {}
  - name: empty
    cron: "0 2 * * *"
    action: snapshot
    targets: { vmids: [] }
  - name: params
    cron: "0 2 * * *"
    action: backup
    targets: all
    vmstate: true
    keep: 3
    mode: fast
    crn: 1
  - name: zone
    cron: "0 2 * * *"
    timezone: Mars/Olympus
    action: rollback
    targets: { vmids: [1], tags: [a] }
  - name: Bad-Name
    cron: "0 2 * * *"
    action: start
    targets: all
`),
    );
    expect(problems).toEqual([
      'schedules[0].cron (schedule "nightly"): expected a cron expression of 5 fields (minute hour day month weekday), or 6 with seconds first, such as "0 2 * * *"; 4 field(s) given, given: "0 2 * *"',
      'schedules[0].keep (schedule "nightly"): expected a whole number >= 1 (how many of this schedule\'s snapshots to keep), given: 0',
      expect.stringMatching(/^schedules\[1\]\.cron \(schedule "bad_cron"\): expected a cron expression such as "0 2 \* \* \*" \(.+\), given: "61 \* \* \* \*"$/),
      'schedules[1].action (schedule "bad_cron"): expected one of start, shutdown, stop, reboot, suspend, resume, snapshot, snapshot_delete, backup, rollback, given: "fly"',
      'schedules[1].targets (schedule "bad_cron"): empty target: expected "all", { vmids: [100, 200] }, { tags: [prod] } or { nodes: [pve1] }, given: a mapping',
      'schedules[2].targets.vmids (schedule "empty"): empty target: expected at least one of the vmids, given: a list',
      'schedules[3].crn (schedule "params"): unknown key (did you mean cron?)',
      'schedules[3].vmstate (schedule "params"): not a parameter of action backup (its parameters: storage, mode, compress, mailto, mailnotification, remove, notes, protected), given: true',
      'schedules[3].keep (schedule "params"): only for action snapshot (retention of the snapshots this schedule made), not backup, given: 3',
      'schedules[3].mode (schedule "params"): expected snapshot, suspend or stop, given: "fast"',
      'schedules[4].timezone (schedule "zone"): expected an IANA time zone such as Europe/Paris or UTC, given: "Mars/Olympus"',
      'schedules[4].targets (schedule "zone"): expected exactly one of vmids, tags or nodes (they do not combine), given: a mapping',
      'schedules[5].name: expected lower-case letters, digits and _ (at most 64; it is part of snapshot names and topics), given: "Bad-Name"',
    ]);
  });

  it("checks the parameters against the action", () => {
    const problems = problemsOf(
      withSchedules(`
  - name: params
    cron: "0 2 * * *"
    action: backup
    targets: all
    vmstate: true
    keep: 3
    mode: fast
  - name: rollback_without_name
    cron: "0 2 * * *"
    action: rollback
    targets: all
  - name: a_snapshot_schedule_name_too_long
    cron: "0 2 * * *"
    action: snapshot
    targets: all
`),
    );
    expect(problems).toEqual([
      'schedules[0].vmstate (schedule "params"): not a parameter of action backup (its parameters: storage, mode, compress, mailto, mailnotification, remove, notes, protected), given: true',
      'schedules[0].keep (schedule "params"): only for action snapshot (retention of the snapshots this schedule made), not backup, given: 3',
      'schedules[0].mode (schedule "params"): expected snapshot, suspend or stop, given: "fast"',
      'schedules[1].snapshot (schedule "rollback_without_name"): required for rollback: the name of the snapshot, given: nothing',
      'schedules[2].name (schedule "a_snapshot_schedule_name_too_long"): at most 20 characters for a snapshot schedule (auto_<name>_<14 digits> must fit PVE\'s 40), given: "a_snapshot_schedule_name_too_long"',
    ]);
  });

  it("refuses a name used twice", () => {
    const schedule = (cron: string) => `  - name: twice\n    cron: "${cron}"\n    action: start\n    targets: all\n`;
    expect(problemsOf(withSchedules(schedule("0 1 * * *") + schedule("0 2 * * *")))).toEqual([
      'schedules[1].name (schedule "twice"): the name is already used by schedules[0]; each schedule needs its own, given: "twice"',
    ]);
  });

  it("refuses keep unless snapshot_delete is allowed", () => {
    const yaml = withSchedules(`  - name: nightly\n    cron: "0 2 * * *"\n    action: snapshot\n    targets: all\n    keep: 3\n`, "commands:\n  allow: [snapshot]\n");
    expect(problemsOf(yaml)).toEqual([
      'schedules[0].keep (schedule "nightly"): retention deletes old snapshots, so it needs snapshot_delete in commands.allow; add it there or remove keep',
    ]);
    expect(load(MINIMAL + `schedules:\n  - name: nightly\n    cron: "0 2 * * *"\n    action: snapshot\n    targets: all\n    keep: 3\n`).schedules[0]!.keep).toBe(3);
  });
});
