// Sends one scenario with analytics.js (@segment/analytics-next), configured like a site that
// self-hosts its settings: cdnSettings are passed in, so nothing is fetched from Segment's CDN,
// and the Segment.io destination posts to the apiHost given in the query string.
import { scenario } from './scenarios.mjs';

const q = new URLSearchParams(location.search);
const apiHost = q.get('apiHost');
const writeKey = q.get('writeKey');
const name = q.get('scenario');
const batching = q.get('batching') === 'true';

function log(line) {
  document.getElementById('log').textContent += line + '\n';
  console.log(line);
}

function finish(result) {
  window.__result = result;
  document.title = result.errors.length === 0 ? 'done' : 'failed';
}

async function run() {
  const segmentIo = { apiKey: writeKey, apiHost, protocol: 'http' };
  if (batching) {
    segmentIo.deliveryStrategy = { strategy: 'batching', config: { size: 10, timeout: 200 } };
  }
  const errors = [];
  const [analytics] = await AnalyticsNext.AnalyticsBrowser.load(
    {
      writeKey,
      cdnSettings: {
        integrations: { 'Segment.io': segmentIo },
        // No client metrics: they would be posted to <apiHost>/m.
        metrics: { sampleRate: 0 },
      },
    },
    { integrations: { 'Segment.io': segmentIo } },
  );
  analytics.on('error', (e) => errors.push(`${e?.code ?? ''} ${e?.reason?.message ?? e?.reason ?? e}`));

  const calls = scenario(name, { largeCount: 1 });
  for (const c of calls) {
    const a = c.args;
    const options = a.timestamp ? { timestamp: a.timestamp } : {};
    if (a.userId && analytics.user().id() !== a.userId) {
      // A person known by another id than the last one: start afresh (new anonymous id), so
      // only the scenario's own calls (identify, alias) link ids.
      analytics.reset();
      analytics.user().id(a.userId);
    } else if (!a.userId && a.anonymousId) {
      // A visitor not yet known: the anonymous id analytics.js keeps in its cookie.
      analytics.setAnonymousId(a.anonymousId);
    }
    let ctx;
    switch (c.call) {
      case 'identify':
        ctx = await analytics.identify(a.userId, a.traits, options);
        break;
      case 'track':
        ctx = await analytics.track(a.event, a.properties, options);
        break;
      case 'page':
        ctx = await analytics.page(a.category, a.name, a.properties, options);
        break;
      case 'screen':
        ctx = await analytics.screen(a.category ?? null, a.name, a.properties, options);
        break;
      case 'group':
        ctx = await analytics.group(a.groupId, a.traits, options);
        break;
      case 'alias':
        ctx = await analytics.alias(a.userId, a.previousId, options);
        break;
      default:
        throw new Error(`unsupported call ${c.call}`);
    }
    const failed = ctx?.failedDelivery?.();
    if (failed) {
      errors.push(`${c.call} not delivered: ${failed.reason?.message ?? failed.reason}`);
    }
  }
  // Failed attempts are retried later by analytics.js: wait until every call was delivered.
  const wire = window.__wire;
  const deadline = Date.now() + 60000;
  while (wire.delivered < calls.length && errors.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (wire.delivered < calls.length && errors.length === 0) {
    errors.push(`only ${wire.delivered} of ${calls.length} calls delivered in 60 s`);
  }
  log(`sent ${calls.length} calls of ${name}: ${wire.attempts} requests, ${wire.delivered} delivered`);
  finish({
    calls: calls.length, requests: wire.attempts, delivered: wire.delivered,
    failedAttempts: wire.failures, errors,
  });
}

run().catch((e) => finish({ calls: 0, errors: [String(e?.stack ?? e)] }));
