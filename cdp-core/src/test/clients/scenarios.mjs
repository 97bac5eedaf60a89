// The calls each client sends, in Segment/RudderStack server-library shape
// ({userId, anonymousId, event, name, properties, traits, groupId, previousId, timestamp}).
// Shared by the Node drivers and the browser page; cdp-core's client tests assert the profiles
// these calls build, so a change here needs the matching change there.

/** The ~30 KB property value of the "large" scenario: 300 items of about 100 characters. */
function catalog(seq) {
  const items = [];
  for (let i = 0; i < 300; i++) {
    items.push({ sku: `SKU-${seq}-${String(i).padStart(4, '0')}`, title: `Item ${i} of batch ${seq} `.padEnd(60, 'x') });
  }
  return items;
}

/**
 * The calls of one scenario.
 *
 * @param {string} name journey | many | historical | large
 * @param {{largeCount?: number, manyCount?: number}} [options]
 * @returns {{call: string, args: object}[]}
 */
export function scenario(name, options = {}) {
  switch (name) {
    case 'journey': {
      const userId = 'u-journey';
      return [
        { call: 'track', args: { anonymousId: 'anon-journey-1', event: 'Cart Viewed', properties: { cart_id: 'c-1' } } },
        { call: 'identify', args: { userId, traits: { email: '  Jane.Doe@Example.COM ', name: 'Jane Doe' } } },
        {
          call: 'track',
          args: {
            userId, event: 'Product Viewed',
            properties: { product_id: 'p-1', sku: 'SKU-1', name: 'Trail Shoe', price: 89.95, currency: 'EUR' },
          },
        },
        {
          call: 'track',
          args: {
            userId, event: 'Order Completed',
            properties: {
              order_id: 'o-1', total: 109.85, revenue: 99.85, currency: 'EUR',
              products: [
                { product_id: 'p-1', sku: 'SKU-1', name: 'Trail Shoe', price: 89.95, quantity: 1 },
                { product_id: 'p-2', sku: 'SKU-2', name: 'Sock', price: 9.95, quantity: 2 },
              ],
            },
          },
        },
        {
          call: 'track',
          args: {
            userId, event: 'Order Completed',
            properties: {
              order_id: 'o-2', revenue: '19.99', currency: 'EUR',
              products: [{ product_id: 'p-3', sku: 'SKU-3', name: 'Cap', price: '19.99', quantity: 1 }],
            },
          },
        },
        { call: 'page', args: { userId, category: 'Shop', name: 'Home', properties: { path: '/', title: 'Home' } } },
        { call: 'screen', args: { userId, name: 'Checkout', properties: { step: 2 } } },
        { call: 'group', args: { userId, groupId: 'g-acme', traits: { name: 'Acme B.V.', plan: 'business' } } },
        { call: 'alias', args: { userId, previousId: 'anon-journey-1' } },
      ];
    }
    case 'many': {
      const n = options.manyCount ?? 600;
      const calls = [];
      for (let i = 0; i < n; i++) {
        calls.push({ call: 'track', args: { userId: 'u-many', event: 'Item Scanned', properties: { seq: i } } });
      }
      return calls;
    }
    case 'historical':
      return [{
        call: 'track',
        args: {
          userId: 'u-history', event: 'Order Completed', timestamp: new Date('2019-03-14T09:26:53.000Z'),
          properties: { order_id: 'h-1', total: 42.5, currency: 'EUR' },
        },
      }];
    case 'large': {
      const n = options.largeCount ?? 40;
      const calls = [];
      for (let i = 0; i < n; i++) {
        calls.push({ call: 'track', args: { userId: 'u-large', event: 'Catalog Synced', properties: { seq: i, items: catalog(i) } } });
      }
      return calls;
    }
    default:
      throw new Error(`unknown scenario "${name}": expected journey, many, historical or large`);
  }
}
