// Drives the CDPKit console end to end in Debian's headless Chromium (playwright-core, no
// browser download): refused without credentials, logs in with HTTP Basic, searches a person by
// e-mail, opens her customer-360 page, checks what it shows, opens a segment's chart, and saves
// screenshots.
// Usage: node console.mjs <consoleUrl> <user> <password> <email> <screenshotDir>
// Prints one JSON line {"urls": [...], "checks": {...}, "problems": [...]} and exits 0 when
// there are no problems, 1 otherwise, 2 on bad arguments.
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [base, user, password, email, shots] = process.argv.slice(2);
if (!base || !user || !password || !email || !shots) {
  console.error('usage: node console.mjs <consoleUrl> <user> <password> <email> <screenshotDir>');
  process.exit(2);
}
fs.mkdirSync(shots, { recursive: true });
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const problems = [];
const urls = [];
const checks = {};
let browser;
try {
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });

  // Without a credential: 401, and nothing of the page.
  // (Chromium ends a navigation that meets a Basic challenge it has no answer for with
  // ERR_INVALID_AUTH_CREDENTIALS; the context's request client shows the answer itself.)
  const anon = await browser.newContext();
  const refused = await anon.request.get(base);
  checks.withoutCredential = refused.status();
  checks.withoutCredentialBody = (await refused.text()).slice(0, 200);
  await anon.close();

  const context = await browser.newContext({
    httpCredentials: { username: user, password }, viewport: { width: 1280, height: 900 },
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    console.error(`console.${m.type()}: ${m.text()}`);
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (req) => {
    urls.push(req.method() + ' ' + req.url());
    if (new URL(req.url()).hostname !== '127.0.0.1') problems.push(`a request off the machine: ${req.url()}`);
  });
  page.on('framenavigated', (f) => urls.push('NAV ' + f.url()));

  const first = await page.goto(base);
  checks.status = first.status();
  checks.headers = await first.allHeaders();
  await page.waitForSelector('#search-form');

  // Search by e-mail: the value goes in a POST body.
  await page.selectOption('#search-type', 'email');
  await page.fill('#search-value', email);
  await page.click('#search-button');
  await page.waitForSelector('#profile-title', { timeout: 30000 });
  await page.waitForSelector('[data-card="Merge ledger"]');
  const view = page.locator('#view-profile');
  const shown = await view.innerText();
  for (const want of ['Jane', email, 'W-5001', 'P-7002', 'refund', '15.00 EUR', 'webshop-checkout',
    'doi-7f3a9c', '2026-01', 'granted', 'denied', 'gold', 'buyers', 'welcome-gold', 'delivered',
    'merged', 'Order Completed', 'Consents per address', 'pos-terminal']) {
    checks['shows ' + want] = shown.includes(want);
    if (!shown.includes(want)) problems.push(`the 360 page does not show ${want}`);
  }
  // The hostile trait is text on the page, and ran nothing.
  checks.hostileShownAsText = shown.includes('<script>window.__pwned=2</script>');
  checks.pwned = await page.evaluate(() => window.__pwned ?? null);
  checks.injectedElements = await page.evaluate(
    () => document.querySelectorAll('#view-profile img, #view-profile script').length);
  if (!checks.hostileShownAsText) problems.push('the hostile trait is not shown as text');
  if (checks.pwned !== null || checks.injectedElements !== 0) problems.push('the hostile trait ran');
  checks.profileHash = new URL(page.url()).hash;
  await page.screenshot({ path: path.join(shots, 'customer-360.png'), fullPage: true });

  // Segments: sizes, then gold's chart.
  await page.click('#nav-segments');
  await page.waitForSelector('[data-card="Sizes"]');
  await page.click('a[href="#/segments/gold"]');
  await page.waitForSelector('#segment-chart rect.entries');
  checks.entryBars = await page.locator('#segment-chart rect.entries').count();
  checks.exitBars = await page.locator('#segment-chart rect.exits').count();
  checks.sizes = await page.locator('[data-card="Sizes"]').innerText();
  checks.legend = await page.locator('.legend-entries').innerText() + ' / '
    + await page.locator('.legend-exits').innerText();
  await page.locator('[data-card^="Entries and exits"]').screenshot({ path: path.join(shots, 'segment-chart.png') });
  await page.screenshot({ path: path.join(shots, 'segments-page.png'), fullPage: true });

  await page.click('#nav-health');
  await page.waitForSelector('[data-card="Outbox"]');
  checks.health = await page.locator('[data-card="Outbox"]').innerText();

  await page.click('#nav-jobs');
  await page.waitForSelector('[data-card="Jobs, newest first"]');
  checks.jobs = await page.locator('[data-card="Jobs, newest first"]').innerText();
  await page.screenshot({ path: path.join(shots, 'jobs.png'), fullPage: true });
  await context.close();
} catch (e) {
  problems.push(String(e?.stack ?? e));
} finally {
  if (browser) await browser.close();
}
console.log(JSON.stringify({ urls, checks, problems }));
process.exit(problems.length === 0 ? 0 : 1);
