/** Whether a topic matches an MQTT subscription filter (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLevels = filter.split("/");
  const topicLevels = topic.split("/");
  // a filter starting with a wildcard does not match $SYS-style topics (MQTT 3.1.1, 4.7.2)
  if (topic.startsWith("$") && (filterLevels[0] === "#" || filterLevels[0] === "+")) return false;
  for (let index = 0; index < filterLevels.length; index++) {
    const level = filterLevels[index];
    if (level === "#") return true;
    if (index >= topicLevels.length) return false;
    if (level !== "+" && level !== topicLevels[index]) return false;
  }
  return filterLevels.length === topicLevels.length;
}
