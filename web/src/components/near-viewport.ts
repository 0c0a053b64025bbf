import type { RefObject } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

/** How far outside the viewport a section still counts as near: its rows are ready before they scroll in. */
const NEAR_MARGIN = "2000px 0px";

/**
 * Whether the element is in or near the viewport (the browser's IntersectionObserver tells). At
 * 2,000 guests only the node sections near the screen render their guest rows, so a poll's ~1,400
 * changes redraw the rows a person can see, not all of them.
 */
export function useNearViewport<E extends Element>(): [RefObject<E | null>, boolean] {
  const ref = useRef<E | null>(null);
  const [near, setNear] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof IntersectionObserver === "undefined") {
      setNear(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => setNear(entries.some((entry) => entry.isIntersecting)), { rootMargin: NEAR_MARGIN });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, near];
}
