import AxeBuilder from '@axe-core/playwright';
import type { Locator, Page } from 'playwright-core';

/** Steps and checks the browser tests share, written against what a person sees (roles, labels, text). */

export const PASSWORD = 'correct horse battery';

/** Fails on serious or critical axe-core violations, naming each with its nodes. */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(serious).toEqual([]);
}

/** Collects uncaught page errors, console errors and 5xx answers; a clean run has none. */
export function watchErrors(page: Page, into: string[]): void {
  page.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // Chromium logs every 4xx as "Failed to load resource"; the error-message
    // tests cause some on purpose. Server errors are caught below instead.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) into.push(`console: ${message.text()}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) into.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
}

export async function signUp(page: Page, username: string): Promise<string> {
  await page.getByRole('link', { name: 'Create an account', exact: true }).click();
  await expectText(page.getByRole('heading', { level: 1 }), 'Create your account');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign up', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Your feed', exact: true }).waitFor();
  return page.evaluate(() => JSON.parse(localStorage.getItem('graminsta.session')!).userId as string);
}

export async function uploadPhoto(page: Page, file: Buffer, caption: string): Promise<number[]> {
  await page.getByRole('link', { name: 'Upload', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Upload a photo', exact: true }).waitFor();
  await page.getByLabel(/^Photo/).setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: file });
  await page.getByLabel('Caption').fill(caption);
  // Record every value the progress bar shows (a MutationObserver misses none,
  // however fast the loopback upload is).
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    new MutationObserver(() => {
      const bar = document.querySelector('progress');
      if (bar) seen.push(bar.value);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.getByRole('button', { name: 'Upload', exact: true }).click();
  await page.waitForURL(/#\/users\/\d+$/);
  await page.getByRole('article').filter({ hasText: caption }).waitFor();
  return page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);
}

/** Waits until the image has really been fetched and decoded by the browser. */
export async function expectImageLoaded(page: Page, selector: string): Promise<void> {
  await page.locator(selector).scrollIntoViewIfNeeded();
  await page.waitForFunction((sel) => {
    const img = document.querySelector<HTMLImageElement>(sel);
    return Boolean(img && img.complete && img.naturalWidth > 0);
  }, selector);
}

/**
 * Waits for the locator's text to be `text` (exactly, or matching a RegExp);
 * on timeout fails with the text actually shown.
 */
export async function expectText(locator: Locator, text: string | RegExp): Promise<void> {
  const pattern = typeof text === 'string' ? new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) : text;
  try {
    await locator.filter({ hasText: pattern }).first().waitFor({ timeout: 10_000 });
  } catch {
    const shown = (await locator.allTextContents()).map((t) => t.trim());
    expect(shown).toContainEqual(text);
  }
}
