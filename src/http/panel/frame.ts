/** `{"topic","payload"}` with the payload as JSON when it is JSON, else as the string. */
export function toFrame(topic: string, text: string): { frame: string; value: unknown } {
  const quotedTopic = JSON.stringify(topic);
  try {
    const value: unknown = JSON.parse(text);
    // the text parsed, so it is valid JSON to splice in as it is (no re-serialization per browser)
    return { frame: `{"topic":${quotedTopic},"payload":${text}}`, value };
  } catch {
    return { frame: `{"topic":${quotedTopic},"payload":${JSON.stringify(text)}}`, value: text };
  }
}

/**
 * The frame of a message the bridge itself published (trusted input): an object is JSON the bridge
 * serialized, spliced in without parsing it again; anything else (`online`, `offline`, the empty
 * payload of a cleared topic) takes the checked path of `toFrame`.
 */
export function ownFrame(topic: string, payload: string): string {
  if (payload.startsWith("{")) return `{"topic":${JSON.stringify(topic)},"payload":${payload}}`;
  return toFrame(topic, payload).frame;
}
