import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

/** True until the first page has rendered: on first load the browser places focus itself. */
let firstPage = true;

/**
 * The page's h1. It takes focus when a page opens after a client-side
 * navigation, so keyboard and screen reader users land on the new content
 * (not on a link or button that has just disappeared).
 */
export function PageHeading({ children }: { readonly children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (firstPage) firstPage = false;
    else ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1}>
      {children}
    </h1>
  );
}
