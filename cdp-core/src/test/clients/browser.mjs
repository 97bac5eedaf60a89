// Sends one scenario from a web page with analytics.js (@segment/analytics-next), in Debian's
// headless Chromium driven by playwright-core (no browser download).
// Usage: node browser.mjs <baseUrl> <writeKey> <scenario> [--batching]
// Serves page.html, page.js, scenarios.mjs and the UMD build from node_modules on an ephemeral
// loopback port, refuses every request that leaves 127.0.0.1, prints each request the page made
// to the endpoint as one JSON line ({"request": ...}), and exits 0 when every call was delivered,
// 1 otherwise, 2 on bad arguments.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const [base, writeKey, name, ...flags] = process.argv.slice(2);
if (!base || !writeKey || !name) {
  console.error('usage: node browser.mjs <baseUrl> <writeKey> <scenario> [--batching]');
  process.exit(2);
}
const batching = flags.includes('--batching');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const here = path.dirname(fileURLToPath(import.meta.url));
const umd = path.join(here, 'node_modules/@segment/analytics-next/dist/umd');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript' };

function fileFor(urlPath) {
  if (urlPath.startsWith('/umd/')) {
    const f = path.join(umd, path.basename(urlPath));
    return f.startsWith(umd) ? f : null;
  }
  const own = {
    '/page.html': 'page.html', '/page.js': 'page.js', '/wire.js': 'wire.js', '/scenarios.mjs': 'scenarios.mjs',
  };
  return own[urlPath] ? path.join(here, own[urlPath]) : null;
}

const pageServer = http.createServer((req, res) => {
  const f = fileFor(new URL(req.url, 'http://x').pathname);
  if (!f || !fs.existsSync(f)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[path.extname(f)] ?? 'application/octet-stream' });
  fs.createReadStream(f).pipe(res);
});
await new Promise((r) => pageServer.listen(0, '127.0.0.1', r));
const pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;

const endpoint = new URL(base);
const apiHost = `${endpoint.host}/v1`;
const problems = [];
let browser;
let exitCode = 1;
try {
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'],
  });
  const page = await browser.newPage();
  page.on('console', (m) => console.error(`console.${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // Nothing is intercepted (an intercepting driver answers CORS preflights itself): Chromium
  // resolves no host name but 127.0.0.1, so a request off the machine fails; each is reported.
  page.on('request', (req) => {
    if (new URL(req.url()).hostname !== '127.0.0.1') {
      problems.push(`a request off the machine: ${req.method()} ${req.url()}`);
    }
  });
  const logged = [];
  let posts = 0;
  page.on('requestfinished', (req) => {
    if (!req.url().startsWith(base)) {
      return;
    }
    if (req.method() === 'POST') {
      posts++;
    }
    logged.push((async () => {
      const resp = await req.response();
      console.log(JSON.stringify({
        request: {
          method: req.method(), url: req.url(), headers: await req.allHeaders(),
          bodyBytes: req.postDataBuffer()?.length ?? 0, status: resp?.status(),
        },
      }));
    })());
  });
  page.on('requestfailed', (req) => {
    if (req.url().startsWith(base)) {
      if (req.method() === 'POST') {
        posts++;
      }
      console.log(JSON.stringify({ request: { method: req.method(), url: req.url(), failure: req.failure()?.errorText } }));
    }
  });
  const q = new URLSearchParams({ apiHost, writeKey, scenario: name, batching: String(batching) });
  await page.goto(`${pageOrigin}/page.html?${q}`);
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 90000 });
  const result = await page.evaluate(() => window.__result);
  // The driver hears of the last requests a little after the page saw their answers.
  for (let i = 0; i < 100 && posts < result.requests; i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(logged);
  problems.push(...result.errors);
  console.log(JSON.stringify({ client: 'analytics-next', scenario: name, batching, ...result, problems }));
  exitCode = problems.length === 0 ? 0 : 1;
} catch (e) {
  console.error(String(e?.stack ?? e));
} finally {
  if (browser) {
    await browser.close();
  }
  pageServer.close();
}
for (const p of problems) {
  console.error(p);
}
process.exit(exitCode);
