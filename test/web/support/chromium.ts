import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (apt-get install chromium); a browser is never downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet, offline, container-friendly headless chromium. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Launches chromium headless with a fresh, empty profile (Playwright's default for launch()). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS], headless: true });
}

/**
 * `describe` for browser suites. In CI (CI=true) a missing chromium fails the
 * suite (launch errors out); elsewhere it is skipped with a loud message.
 */
export const describeWithChromium: jest.Describe = ((name: string, fn: () => void) => {
  if (chromiumAvailable() || process.env.CI) return describe(name, fn);
  // eslint-disable-next-line no-console
  console.warn(`\n*** SKIPPED "${name}": no chromium at ${CHROMIUM_PATH}. Install Debian's (apt-get install chromium) or set CHROMIUM_PATH to run the browser tests. ***\n`);
  return describe.skip(name, fn);
}) as jest.Describe;
