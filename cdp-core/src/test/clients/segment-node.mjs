// Sends one scenario with the unmodified @segment/analytics-node SDK.
// Usage: node segment-node.mjs <baseUrl> <writeKey> <scenario>
// Exits 0 once every call is delivered, 1 when the SDK reports an error, 2 on bad arguments.
import { Analytics } from '@segment/analytics-node';
import { scenario } from './scenarios.mjs';

const [host, writeKey, name] = process.argv.slice(2);
if (!host || !writeKey || !name) {
  console.error('usage: node segment-node.mjs <baseUrl> <writeKey> <scenario>');
  process.exit(2);
}
const calls = scenario(name);
const analytics = new Analytics({ writeKey, host, flushInterval: 200, maxRetries: 5 });
let errors = 0;
analytics.on('error', (err) => {
  errors++;
  console.error(`SDK error: ${err?.code ?? ''} ${err?.reason?.message ?? err?.message ?? err}`);
});
const delivered = calls.map((c) => new Promise((resolve) => {
  analytics[c.call](c.args, (err) => {
    if (err) {
      errors++;
      console.error(`${c.call} failed: ${err?.message ?? err?.reason?.message ?? err}`);
    }
    resolve();
  });
}));
await analytics.closeAndFlush({ timeout: 60000 });
await Promise.all(delivered);
console.log(JSON.stringify({ client: 'segment-node', scenario: name, calls: calls.length, errors }));
process.exit(errors === 0 ? 0 : 1);
