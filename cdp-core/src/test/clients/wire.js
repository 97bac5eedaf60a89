// Counts what analytics.js hands to the network, without changing it: every fetch passes through
// unchanged; a POST answered below 400 counts its events as delivered (1 per single call, the
// batch's length for /b), any other answer or a network failure counts as a failed attempt.
// page.js waits for every call to be delivered, retries included.
(function () {
  const wire = { attempts: 0, delivered: 0, failures: [] };
  window.__wire = wire;
  const original = window.fetch.bind(window);
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const method = (init && init.method ? init.method : 'GET').toUpperCase();
    if (method !== 'POST') {
      return original(input, init);
    }
    let events = 1;
    try {
      const body = JSON.parse(init.body);
      if (Array.isArray(body.batch)) {
        events = body.batch.length;
      }
    } catch (e) {
      // Not JSON: one event.
    }
    wire.attempts++;
    return original(input, init).then(
      (res) => {
        if (res.status < 400) {
          wire.delivered += events;
        } else {
          wire.failures.push(`${res.status} from ${url}`);
        }
        return res;
      },
      (err) => {
        wire.failures.push(`${err} from ${url}`);
        throw err;
      });
  };
})();
