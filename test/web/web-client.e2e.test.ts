import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startApi } from '../support/api-server';
import { startPostgres, type TestPostgres } from '../support/postgres';
import { buildWebClient } from '../../build/web-client';
import { describeWithChromium, launchChromium } from './support/chromium';
import { makeTestPng } from './support/test-image';
import { expectImageLoaded, expectNoSeriousA11yViolations, expectText, PASSWORD, signUp, uploadPhoto, watchErrors } from './support/ui';

/**
 * End to end, in Debian's chromium, against the real API on a real
 * PostgreSQL, serving a fresh build of the client from the same origin
 * (stages 1 and 10): two people sign up, one uploads, the other follows,
 * sees the photo in the feed and likes it.
 *
 * The tests run in order and share the two browser sessions.
 */

const SCREENSHOT = join(__dirname, '..', '..', 'test-results', 'web', 'feed.png');
const README_SCREENSHOT = join(__dirname, '..', '..', 'docs', 'screenshots', 'feed.png');

describeWithChromium('web client end to end (chromium, real API, real PostgreSQL)', () => {
  jest.setTimeout(120_000);

  let postgres: TestPostgres;
  let api: { url: string; stop(): Promise<void> };
  let browser: Browser;
  let work: string;
  let alice: Page;
  let bob: Page;
  let aliceId: string;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  const suffix = Date.now().toString(36).slice(-5);
  const names = { alice: `alice_${suffix}`, bob: `bob_${suffix}` };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'graminsta-web-e2e-'));
    const webRoot = join(work, 'web');
    buildWebClient(webRoot);
    postgres = await startPostgres();
    api = await startApi({ databaseUrl: postgres.url, webRoot, dataDir: join(work, 'data') });
    browser = await launchChromium();
    // Alice on a phone-sized screen, Bob on a desktop one.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const desktop = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(phone, desktop);
    alice = await phone.newPage();
    bob = await desktop.newPage();
    for (const page of [alice, bob]) {
      watchErrors(page, errors);
      page.on('dialog', (dialog) => void dialog.accept());
    }
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await api?.stop();
    await postgres?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  test('a signed-out visitor lands on an accessible sign-in page served from the API origin', async () => {
    await alice.goto(api.url);
    await alice.waitForURL(/#\/sign-in$/);
    await expectText(alice.getByRole('heading', { level: 1 }), 'Sign in');
    await expectNoSeriousA11yViolations(alice);
  });

  test('the first person signs up on a phone-sized screen and sees an empty feed that offers the search', async () => {
    aliceId = await signUp(alice, names.alice);
    expect(aliceId).toMatch(/^\d+$/);
    await alice.getByText('Nothing here yet').waitFor();
    await alice.getByRole('link', { name: 'Find people to follow', exact: true }).waitFor();
    await alice.getByRole('link', { name: 'Upload a photo', exact: true }).waitFor();
    // No horizontal scrolling on a phone.
    const overflow = await alice.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test('API errors read as sentences, never raw JSON', async () => {
    await bob.goto(`${api.url}/#/sign-up`);
    await bob.getByLabel('Username').fill(names.alice);
    await bob.getByLabel('Password').fill(PASSWORD);
    await bob.getByRole('button', { name: 'Sign up', exact: true }).click();
    await expectText(bob.getByRole('alert').filter({ hasText: /\S/ }), 'That username is taken. Try another one.');

    await bob.goto(`${api.url}/#/sign-in`);
    await bob.getByLabel('Username').fill(names.alice);
    await bob.getByLabel('Password').fill('not the password');
    await bob.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectText(bob.getByRole('alert').filter({ hasText: /\S/ }), 'Wrong username or password.');
  });

  test('uploading shows a progress bar and the photos appear on the profile, newest first, with counts', async () => {
    const older = await uploadPhoto(alice, await makeTestPng(480, 0), 'First light over the harbour');
    expect(older.length).toBeGreaterThan(0);
    expect(Math.max(...older)).toBe(1);
    const newer = await uploadPhoto(alice, await makeTestPng(480, 0.8), 'Sunset from the ferry');
    expect(Math.max(...newer)).toBe(1);

    expect(alice.url()).toMatch(new RegExp(`#/users/${aliceId}$`));
    await expectText(alice.getByRole('heading', { level: 1 }), `@${names.alice}`);
    await expectText(alice.getByRole('list', { name: 'Counts', exact: true }), /2 photos\s*0 followers\s*0 following/);
    const captions = await alice.locator('.photo-caption').allTextContents();
    expect(captions).toEqual(['Sunset from the ferry', 'First light over the harbour']);
    await expectImageLoaded(alice, 'article:first-of-type img');
    await expectNoSeriousA11yViolations(alice);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    writeFileSync(join(SCREENSHOT, '..', 'profile-phone.png'), await alice.screenshot());
    if (process.env.UPDATE_SCREENSHOTS === '1') copyFileSync(join(SCREENSHOT, '..', 'profile-phone.png'), join(README_SCREENSHOT, '..', 'profile-phone.png'));
  });

  test("the uploader's own photos are in her feed", async () => {
    await alice.getByRole('link', { name: 'Feed', exact: true }).click();
    await alice.getByRole('heading', { level: 1, name: 'Your feed', exact: true }).waitFor();
    await alice.getByRole('article').first().waitFor();
    expect(await alice.locator('.photo-caption').allTextContents()).toEqual(['Sunset from the ferry', 'First light over the harbour']);
  });

  test.each([320, 375])('at %d px the header is one row, nothing scrolls sideways, and author links are 44 px touch targets', async (width) => {
    const page = await contexts[0].newPage();
    watchErrors(page, errors);
    try {
      await page.setViewportSize({ width, height: 740 });
      await page.goto(`${api.url}/#/feed`);
      await page.getByRole('article').first().waitFor();
      const layout = await page.evaluate(() => {
        const header = document.querySelector('.site-header')!.getBoundingClientRect();
        const link = document.querySelector('.photo-author a')!.getBoundingClientRect();
        const tops = [...document.querySelectorAll('.site-header nav a')].map((a) => Math.round(a.getBoundingClientRect().top));
        return { header: header.height, rows: new Set(tops).size, overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth, author: link.height };
      });
      expect(layout.rows).toBe(1);
      expect(layout.header).toBeLessThanOrEqual(60);
      expect(layout.overflow).toBeLessThanOrEqual(0);
      expect(layout.author).toBeGreaterThanOrEqual(44);
      if (width === 320) writeFileSync(join(SCREENSHOT, '..', 'feed-phone-320.png'), await page.screenshot());
    } finally {
      await page.close();
    }
  });

  test('the second person signs up, finds the first by the start of her username, follows her and sees the counts change', async () => {
    await bob.goto(`${api.url}/#/sign-in`);
    await signUp(bob, names.bob);
    // A new user's empty feed offers the search.
    await bob.getByRole('link', { name: 'Find people to follow', exact: true }).click();
    await bob.getByRole('heading', { level: 1, name: 'Find people', exact: true }).waitFor();
    await bob.getByLabel('Username starts with').fill(`ALICE_${suffix.slice(0, 3)}`);
    await bob.getByRole('link', { name: `@${names.alice}`, exact: true }).waitFor();
    expect(bob.url()).toMatch(new RegExp(`#/search\\?q=alice_${suffix.slice(0, 3)}$`));
    await expectNoSeriousA11yViolations(bob);
    await bob.getByRole('link', { name: `@${names.alice}`, exact: true }).click();
    await expectText(bob.getByRole('heading', { level: 1 }), `@${names.alice}`);
    expect(bob.url()).toMatch(new RegExp(`#/users/${aliceId}$`));
    await bob.getByRole('button', { name: 'Follow', exact: true }).click();
    await expectText(bob.getByRole('button', { name: 'Unfollow', exact: true }), 'Unfollow');
    await expectText(bob.getByRole('list', { name: 'Counts', exact: true }), /1 follower(?!s)/);
  });

  test('the feed shows followed photos newest first, images sized and lazy-loaded', async () => {
    await bob.getByRole('link', { name: 'Feed', exact: true }).click();
    await bob.getByRole('heading', { level: 1, name: 'Your feed', exact: true }).waitFor();
    await bob.getByRole('article').first().waitFor();
    const captions = await bob.locator('.photo-caption').allTextContents();
    expect(captions).toEqual(['Sunset from the ferry', 'First light over the harbour']);
    await expectText(bob.getByRole('article').first().getByRole('link'), `@${names.alice}`);
    const images = await bob.locator('img.photo-image').evaluateAll((els) =>
      els.map((el) => ({ width: el.getAttribute('width'), height: el.getAttribute('height'), loading: el.getAttribute('loading') })),
    );
    expect(images).toEqual([
      // The first image is the largest content on screen: fetched at once.
      { width: '600', height: '600', loading: 'eager' },
      { width: '600', height: '600', loading: 'lazy' },
    ]);
    await expectImageLoaded(bob, 'article:first-of-type img');
  });

  test('liking and unliking a photo updates the count and persists on the server', async () => {
    const card = () => bob.getByRole('article').first();
    await card().getByRole('button', { name: 'Like', exact: true }).click();
    await expectText(card().locator('.like-count'), '1 like');
    await bob.reload();
    await expectText(card().locator('.like-count'), '1 like');
    await expectText(card().getByRole('button', { name: 'Unlike', exact: true }), 'Unlike');

    await card().getByRole('button', { name: 'Unlike', exact: true }).click();
    await expectText(card().locator('.like-count'), '0 likes');
    await bob.reload();
    await expectText(card().locator('.like-count'), '0 likes');

    await card().getByRole('button', { name: 'Like', exact: true }).click();
    await expectText(card().locator('.like-count'), '1 like');
  });

  test('the same person on a second device sees what they liked and whom they follow, and a change there shows on the first', async () => {
    const tablet = await browser.newContext({ viewport: { width: 820, height: 1180 } });
    contexts.push(tablet);
    const second = await tablet.newPage();
    watchErrors(second, errors);
    await second.goto(`${api.url}/#/sign-in`);
    await second.getByLabel('Username').fill(names.bob);
    await second.getByLabel('Password').fill(PASSWORD);
    await second.getByRole('button', { name: 'Sign in', exact: true }).click();
    await second.getByRole('heading', { level: 1, name: 'Your feed', exact: true }).waitFor();
    // Liked on the desktop: the API says so here (likedByMe), with no memory of this browser's.
    const card = (page: Page) => page.getByRole('article').first();
    await expectText(card(second).getByRole('button', { name: /^(Like|Unlike)$/ }), 'Unlike');
    await second.goto(`${api.url}/#/users/${aliceId}`);
    await expectText(second.getByRole('button', { name: /^(Follow|Unfollow)$/ }), 'Unfollow');

    await second.goto(`${api.url}/#/feed`);
    await card(second).getByRole('button', { name: 'Unlike', exact: true }).click();
    await expectText(card(second).locator('.like-count'), '0 likes');
    await bob.reload();
    await expectText(card(bob).getByRole('button', { name: /^(Like|Unlike)$/ }), 'Like');
    await card(bob).getByRole('button', { name: 'Like', exact: true }).click();
    await expectText(card(bob).locator('.like-count'), '1 like');
    await second.reload();
    await expectText(card(second).getByRole('button', { name: /^(Like|Unlike)$/ }), 'Unlike');
  });

  test('the feed page has no serious accessibility violations; a screenshot is saved', async () => {
    await bob.reload();
    await bob.getByRole('article').first().waitFor();
    await expectImageLoaded(bob, 'article:first-of-type img');
    await expectNoSeriousA11yViolations(bob);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    writeFileSync(SCREENSHOT, await bob.screenshot({ fullPage: true }));
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      mkdirSync(join(README_SCREENSHOT, '..'), { recursive: true });
      copyFileSync(SCREENSHOT, README_SCREENSHOT);
    }
  });

  test('the owner deletes a photo and it leaves the profile and the follower feed', async () => {
    await alice.goto(`${api.url}/#/users/${aliceId}`);
    const older = alice.getByRole('article').filter({ hasText: 'First light over the harbour' });
    await older.getByRole('button', { name: 'Delete', exact: true }).click();
    await older.waitFor({ state: 'detached' });
    await expectText(alice.getByRole('list', { name: 'Counts', exact: true }), /^1 photo(?!s)/);
    // Someone else's photo offers no delete button.
    await bob.reload();
    await bob.getByRole('article').first().waitFor();
    expect(await bob.locator('.photo-caption').allTextContents()).toEqual(['Sunset from the ferry']);
    expect(await bob.getByRole('button', { name: 'Delete', exact: true }).count()).toBe(0);
  });

  test('scrolling to the end of the feed loads the next page, newest first, without duplicates', async () => {
    // 21 more photos through the API (the UI path is covered above): 22 in all, so a second page exists.
    const token = await alice.evaluate(() => JSON.parse(localStorage.getItem('graminsta.session')!).token as string);
    const image = await makeTestPng(64, 0.3);
    for (let i = 1; i <= 21; i++) {
      const auth = { authorization: `Bearer ${token}` };
      const created = await fetch(`${api.url}/api/photos`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ caption: `Paged ${i}`, contentType: 'image/png', size: image.length }),
      });
      expect(created.status).toBe(201);
      const { upload } = (await created.json()) as { upload: { method: string; url: string; headers?: Record<string, string> } };
      const sent = await fetch(new URL(upload.url, api.url), { method: upload.method, headers: { ...upload.headers, ...auth }, body: new Uint8Array(image) });
      expect(sent.ok).toBe(true);
    }
    await bob.reload();
    await bob.getByRole('article').first().waitFor();
    expect(await bob.getByRole('article').count()).toBe(20);
    await bob.getByRole('button', { name: 'Load more', exact: true }).scrollIntoViewIfNeeded();
    await bob.getByRole('article').nth(21).waitFor();
    const captions = await bob.locator('.photo-caption').allTextContents();
    const expected = [...Array.from({ length: 21 }, (_, i) => `Paged ${21 - i}`), 'Sunset from the ferry'];
    expect(captions).toEqual(expected);
    // The last page reached: no button left to load more.
    expect(await bob.getByRole('button', { name: 'Load more', exact: true }).count()).toBe(0);
  });

  test('signing out (on your own profile) ends the session; signing back in works with the keyboard alone', async () => {
    const token = await alice.evaluate(() => JSON.parse(localStorage.getItem('graminsta.session')!).token as string);
    await alice.getByRole('link', { name: 'Profile', exact: true }).click();
    await alice.getByRole('button', { name: 'Sign out', exact: true }).click();
    await alice.waitForURL(/#\/sign-in$/);
    const status = await alice.evaluate(
      async (t) => (await fetch('/api/feed', { headers: { authorization: `Bearer ${t}` } })).status,
      token,
    );
    expect(status).toBe(401);
    await alice.goto(`${api.url}/#/feed`);
    await alice.waitForURL(/#\/sign-in$/);

    // Keyboard only: Tab from the top reaches the fields in order, Enter submits.
    await alice.reload();
    await alice.getByRole('heading', { level: 1, name: 'Sign in', exact: true }).waitFor();
    const focused = () => alice.evaluate(() => document.activeElement?.id || document.activeElement?.textContent?.trim());
    for (let i = 0; i < 10 && (await focused()) !== 'username'; i++) await alice.keyboard.press('Tab');
    expect(await focused()).toBe('username');
    await alice.keyboard.type(names.alice);
    await alice.keyboard.press('Tab');
    expect(await focused()).toBe('password');
    await alice.keyboard.type(PASSWORD);
    await alice.keyboard.press('Enter');
    await alice.getByRole('heading', { level: 1, name: 'Your feed', exact: true }).waitFor();
  });

  test('a rate-limited sign-in says how long to wait', async () => {
    // Another API process on the same database with a low log-in limit: the real limiter, the real Retry-After.
    const limited = await startApi({ databaseUrl: postgres.url, webRoot: join(work, 'web'), dataDir: join(work, 'data-limited'), env: { AUTH_RATE_LIMIT_PER_USERNAME_AND_IP: '2' } });
    const page = await contexts[1].newPage();
    try {
      await page.goto(`${limited.url}/#/sign-in`);
      let shown = '';
      for (let attempt = 0; attempt < 3; attempt++) {
        await page.getByLabel('Username').fill(names.bob);
        await page.getByLabel('Password').fill('not the password');
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.getByRole('alert').filter({ hasText: /\S/ }).waitFor();
        await page.waitForFunction(() => !document.querySelector('button[type=submit]')?.hasAttribute('disabled'));
        shown = (await page.getByRole('alert').filter({ hasText: /\S/ }).first().textContent()) ?? '';
      }
      expect(shown.trim()).toMatch(/^Too many attempts\. Try again in (\d+ seconds|a second|1 minutes?)\.$/);
    } finally {
      await page.close();
      await limited.stop();
    }
  });

  test('no page threw or logged an error along the way', () => {
    expect(errors).toEqual([]);
  });
});
