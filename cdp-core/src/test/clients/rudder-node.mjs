// Sends one scenario with the unmodified @rudderstack/rudder-sdk-node SDK.
// Usage: node rudder-node.mjs <baseUrl> <writeKey> <scenario>
// Exits 0 once every call is delivered, 1 when the SDK reports an error, 2 on bad arguments.
import Analytics from '@rudderstack/rudder-sdk-node';
import { scenario } from './scenarios.mjs';

const [dataPlaneUrl, writeKey, name] = process.argv.slice(2);
if (!dataPlaneUrl || !writeKey || !name) {
  console.error('usage: node rudder-node.mjs <baseUrl> <writeKey> <scenario>');
  process.exit(2);
}
const calls = scenario(name);
let errors = 0;
const client = new Analytics(writeKey, {
  dataPlaneUrl,
  flushInterval: 200,
  retryCount: 3,
  logLevel: 'error',
  errorHandler: (err) => {
    errors++;
    console.error(`SDK error: ${err?.response?.status ?? err?.code ?? ''} ${err?.message ?? err}`);
  },
});
// Every call's callback fires once its batch was answered (with the error when it failed).
const delivered = calls.map((c) => new Promise((resolve) => {
  client[c.call](c.args, (err) => {
    if (err) {
      errors++;
      console.error(`${c.call} failed: ${err?.response?.status ?? ''} ${err?.message ?? err}`);
    }
    resolve();
  });
}));
const deadline = setTimeout(() => {
  console.error('timed out waiting for the SDK to deliver every call');
  process.exit(1);
}, 60000);
// flush() sends at most flushAt messages per request: flush until every callback has fired.
let all = false;
Promise.all(delivered).then(() => { all = true; });
while (!all) {
  try {
    await client.flush();
  } catch (err) {
    // Reported through errorHandler and the callbacks.
  }
  await new Promise((r) => setTimeout(r, 50));
}
clearTimeout(deadline);
console.log(JSON.stringify({ client: 'rudder-node', scenario: name, calls: calls.length, errors }));
process.exit(errors === 0 ? 0 : 1);
