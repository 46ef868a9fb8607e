/**
 * The sample application's source, as it stands at each release. The generator commits these
 * to a git repository and bundles the web part with esbuild, so stack traces, source maps and
 * blame all agree.
 */

export const CONFIG_JS = `'use strict';

/** Runtime configuration, read once per request. */
function getConfig() {
  return {
    currency: process.env.SHOP_CURRENCY || 'EUR',
    loyaltyRates: { gold: 0.1, silver: 0.05, bronze: 0.02 },
  };
}

module.exports = { getConfig };
`;

export const PRICING_V1 = `'use strict';
const { getConfig } = require('../config');

/** Prices are integer cents. */
function lineTotal(item) {
  return item.unitPrice * item.quantity;
}

function subtotal(cart) {
  return cart.items.reduce((sum, item) => sum + lineTotal(item), 0);
}

function formatPrice(cents) {
  return (cents / 100).toFixed(2) + ' ' + getConfig().currency;
}

function cartTotal(cart, customer) {
  const base = subtotal(cart);
  return base;
}

module.exports = { lineTotal, subtotal, formatPrice, cartTotal };
`;

/** The culprit: guests have no loyalty record, so customer.loyalty is undefined for them. */
export const PRICING_V2 = `'use strict';
const { getConfig } = require('../config');

/** Prices are integer cents. */
function lineTotal(item) {
  return item.unitPrice * item.quantity;
}

function subtotal(cart) {
  return cart.items.reduce((sum, item) => sum + lineTotal(item), 0);
}

function formatPrice(cents) {
  return (cents / 100).toFixed(2) + ' ' + getConfig().currency;
}

/** Loyalty members get a discount by tier. */
function applyLoyaltyDiscount(total, customer) {
  const rate = getConfig().loyaltyRates[customer.loyalty.tier] || 0;
  return Math.round(total * (1 - rate));
}

function cartTotal(cart, customer) {
  const base = subtotal(cart);
  return applyLoyaltyDiscount(base, customer);
}

module.exports = { lineTotal, subtotal, formatPrice, applyLoyaltyDiscount, cartTotal };
`;

export const CHECKOUT_V1 = `'use strict';
const { cartTotal, formatPrice } = require('../cart/pricing');

function renderSummary(state) {
  const total = cartTotal(state.cart, state.customer);
  return 'Total: ' + formatPrice(total);
}

function onCheckoutClick(state) {
  return renderSummary(state);
}

module.exports = { onCheckoutClick, renderSummary };
`;

export const CHECKOUT_V2 = CHECKOUT_V1.replace("'Total: '", "'Order total: '");

export const WEB_MAIN_JS = `'use strict';
const { onCheckoutClick } = require('./checkout');

function bindCheckoutButton(store) {
  return function handleClick() {
    return onCheckoutClick(store.getState());
  };
}

module.exports = { bindCheckoutButton };
`;

export const SERVER_JS = `'use strict';
const { cartTotal } = require('../cart/pricing');
const { acquire } = require('../db/pool');

async function loadCart(cartId) {
  const connection = await acquire();
  try {
    return await connection.query('SELECT * FROM carts WHERE id = $1', [cartId]);
  } finally {
    connection.release();
  }
}

async function handleQuote(request) {
  const cart = await loadCart(request.params.cartId);
  return { total: cartTotal(cart, request.customer) };
}

module.exports = { handleQuote, loadCart };
`;

export const POOL_JS = `'use strict';
const { createPool } = require('generic-pool');

const pool = createPool({ create: connect, destroy: disconnect }, { max: 10, acquireTimeoutMillis: 5000 });

async function acquire() {
  return pool.acquire();
}

module.exports = { acquire };
`;

export const PACKAGE_JSON_V1 = JSON.stringify(
  { name: 'shop', version: '2.3.0', private: true, dependencies: { 'generic-pool': '3.9.0', express: '4.21.2' }, devDependencies: { eslint: '8.57.0' } },
  null,
  2,
) + '\n';

export const PACKAGE_JSON_V2 = PACKAGE_JSON_V1.replace('"version": "2.3.0"', '"version": "2.4.0"').replace('"eslint": "8.57.0"', '"eslint": "9.17.0"');

export const README_V1 = '# shop\n\nThe web shop: cart, checkout and the quote API.\n';
export const README_V2 = README_V1 + '\n## Pricing\n\nAll prices are integer cents; see src/cart/pricing.js.\n';
