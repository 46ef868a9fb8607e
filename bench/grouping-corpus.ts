/**
 * A labelled corpus of raw crash reports for the grouping eval (bench/eval-grouping.ts).
 *
 * Four projects (a browser storefront, a Node API, an Android app, a Python worker) with named root
 * causes, each reached through several code paths, plus a long tail of unrelated bugs that pass
 * through the same entry points, components, job runners and frameworks (the everyday hard
 * negatives). Every event is rendered as a real input: Sentry event JSON as the SDKs send it, or a
 * log record holding a text trace (V8, Firefox, Safari, Java, Python).
 *
 * Labels: `trueIssue` = same bug through the same code path; `trueCluster` = same root cause.
 *
 * Minified browser builds are simulated as already symbolicated (source-map resolution is another
 * library): only the asset hashes in file names, line/column and the minified variable names that
 * leak into browser messages change from build to build.
 */
import type { RawReport } from '@faultline/schema';
import { mulberry32 } from '@faultline/testing';

// ---------------------------------------------------------------- random

export interface Rng {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  chance(p: number): boolean;
  hex(n: number): string;
}

export function makeRng(seed: number): Rng {
  const next = mulberry32(seed);
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
    hex: (n) => Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join(''),
  };
}

/** Stable small hash, for per-build offsets and asset hashes that must not depend on the draw order. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
const hex8 = (text: string) => hash(text).toString(16).padStart(8, '0');

// ---------------------------------------------------------------- code model

/** One frame of a code path, before any runtime or format says how it looks. */
type Step =
  | { k: 'fn'; loc: string; fn: string; cls?: string; app: boolean; async?: boolean }
  | { k: 'anon'; loc: string; parent: string } // an anonymous callback defined inside `parent`
  | { k: 'native'; cls: string; fn: string } // a browser/engine built-in such as Array.forEach
  | { k: 'java'; cls: string; fn: string; file: string | null } // file null: Native Method
  | { k: 'py'; path: string; module: string; fn: string; src: string };

type Runtime = 'browser' | 'node' | 'java' | 'python';

/** What went wrong, abstractly; each runtime and browser words it its own way. */
type Fault =
  | { k: 'null'; variable: string; prop: string; value: 'undefined' | 'null' }
  | { k: 'overflow' }
  | { k: 'json' }
  | { k: 'notfn'; expr: string }
  | { k: 'custom'; type: string; message: (r: Rng) => string }
  | { k: 'chain'; cause: { type: string; message: (r: Rng) => string; steps: Step[] }; outer: { type: string; message: (r: Rng) => string } };

interface PathDef {
  issue: string;
  steps: Step[];
  fault: Fault;
  weight: number;
  transaction: string;
}

interface BugDef {
  cluster: string;
  project: string;
  runtime: Runtime;
  paths: PathDef[];
  /** Written for the report: named hard negatives are look-alikes of a named root cause. */
  note: 'root-cause' | 'hard-negative' | 'tail';
}

// Shorthands.
const fn = (loc: string, name: string, cls?: string, async = false): Step => ({ k: 'fn', loc, fn: name, cls, app: true, async });
const lib = (loc: string, name: string, cls?: string): Step => ({ k: 'fn', loc, fn: name, cls, app: false });
const anon = (loc: string, parent: string): Step => ({ k: 'anon', loc, parent });
const native = (cls: string, name: string): Step => ({ k: 'native', cls, fn: name });
const jv = (qualified: string, file: string | null = `${qualified.split('.').at(-2)?.split('$')[0] ?? 'X'}.java`): Step => {
  const dot = qualified.lastIndexOf('.');
  return { k: 'java', cls: qualified.slice(0, dot), fn: qualified.slice(dot + 1), file };
};
const py = (path: string, name: string, src: string): Step => ({
  k: 'py',
  path,
  module: path.replace(/^\/srv\//, '').replace(/^.*site-packages\//, '').replace(/^\/usr\/lib\/python3\.11\//, '').replace(/\.py$/, '').replace(/\//g, '.'),
  fn: name,
  src,
});

// ---- browser storefront (React in the vendors chunk)
const V = (name: string) => lib('vendors~main', name);
const REACT_CLICK = [V('dispatchDiscreteEvent'), V('dispatchEvent'), V('batchedUpdates$1'), V('dispatchEventsForPlugins'), V('processDispatchQueue'), V('executeDispatch')];
const REACT_RENDER = [V('performSyncWorkOnRoot'), V('renderRootSync'), V('workLoopSync'), V('performUnitOfWork'), V('beginWork'), V('updateFunctionComponent'), V('renderWithHooks')];
const REACT_EFFECT = [V('flushPassiveEffects'), V('commitPassiveMountEffects'), V('commitPassiveMountOnFiber'), V('commitHookEffectListMount')];

// ---- node API (express + async/await)
const TICKS = lib('node:internal/process/task_queues', 'processTicksAndRejections');
const EXPRESS = [
  lib('node_modules/express/lib/router/index', 'next'),
  lib('node_modules/express/lib/router/layer', 'handle', 'Layer'),
  lib('node_modules/express/lib/router/route', 'dispatch', 'Route'),
];
const TIMERS = [lib('node:internal/timers', 'processTimers'), lib('node:internal/timers', 'listOnTimeout')];
const KNEX = [lib('node_modules/knex/lib/execution/runner', 'run', 'Runner'), lib('node_modules/knex/lib/execution/runner', 'ensureConnection', 'Runner'), lib('node_modules/knex/lib/client', 'acquireConnection', 'Client_PG')];
const RUNNER = [...TIMERS, fn('jobs/job-runner', 'tick', 'JobRunner'), fn('jobs/job-runner', 'execute', 'JobRunner', true)];

// ---- Android
const ZYGOTE = [
  jv('com.android.internal.os.ZygoteInit.main'),
  jv('com.android.internal.os.RuntimeInit$MethodAndArgsCaller.run', 'RuntimeInit.java'),
  jv('java.lang.reflect.Method.invoke', null),
  jv('android.app.ActivityThread.main'),
  jv('android.os.Looper.loop'),
  jv('android.os.Handler.dispatchMessage'),
];
const ACTIVITY_RESUME_OUTER = [...ZYGOTE, jv('android.app.ActivityThread$H.handleMessage', 'ActivityThread.java'), jv('android.app.servertransaction.TransactionExecutor.execute'), jv('android.app.servertransaction.TransactionExecutor.executeLifecycleState'), jv('android.app.servertransaction.ResumeActivityItem.execute'), jv('android.app.ActivityThread.handleResumeActivity'), jv('android.app.ActivityThread.performResumeActivity')];
const ACTIVITY_RESUME_INNER = [...ACTIVITY_RESUME_OUTER, jv('android.app.Activity.performResume'), jv('android.app.Instrumentation.callActivityOnResume')];
const FRAGMENT_VIEW = [
  ...ZYGOTE,
  jv('androidx.fragment.app.FragmentManager$5.run', 'FragmentManager.java'),
  jv('androidx.fragment.app.FragmentManager.execPendingActions'),
  jv('androidx.fragment.app.FragmentStateManager.moveToExpectedState'),
  jv('androidx.fragment.app.FragmentStateManager.createView'),
  jv('androidx.fragment.app.Fragment.performCreateView'),
];
const RECYCLER_BIND = [
  ...ZYGOTE,
  jv('android.view.Choreographer$FrameDisplayEventReceiver.run', 'Choreographer.java'),
  jv('android.view.Choreographer.doFrame'),
  jv('androidx.recyclerview.widget.RecyclerView.onLayout'),
  jv('androidx.recyclerview.widget.RecyclerView.dispatchLayoutStep2'),
  jv('androidx.recyclerview.widget.GridLayoutManager.onLayoutChildren'),
  jv('androidx.recyclerview.widget.RecyclerView$Adapter.bindViewHolder', 'RecyclerView.java'),
];
const WORK_MANAGER = [jv('java.lang.Thread.run'), jv('java.util.concurrent.ThreadPoolExecutor$Worker.run', 'ThreadPoolExecutor.java'), jv('java.util.concurrent.ThreadPoolExecutor.runWorker'), jv('androidx.work.Worker$2.run', 'Worker.java')];

// ---- Python worker (celery-like task runner)
const SP = '/srv/venv/lib/python3.11/site-packages';
const CELERY = [
  py(`${SP}/celery/app/trace.py`, 'trace_task', 'R = retval = fun(*args, **kwargs)'),
  py(`${SP}/celery/app/trace.py`, '__protected_call__', 'return self.run(*args, **kwargs)'),
];
const PY_RUNNER = [py('/srv/shop/worker.py', 'main', 'runner.loop()'), py('/srv/shop/jobs/runner.py', 'loop', 'self.execute_job(job)'), py('/srv/shop/jobs/runner.py', 'execute_job', 'return handler(job.payload)')];
const REDIS = [
  py(`${SP}/redis/client.py`, 'execute_command', 'conn = self.connection or pool.get_connection(command_name, **options)'),
  py(`${SP}/redis/connection.py`, 'get_connection', 'connection.connect()'),
  py(`${SP}/redis/connection.py`, 'connect', 'raise ConnectionError(self._error_message(e))'),
];

const NPE = (method: string) => () => `Attempt to invoke virtual method '${method}' on a null object reference`;
const email = (r: Rng) => `${r.pick(['jane', 'li.wei', 'omar', 'ana.souza', 'k.tanaka', 'mike'])}${r.int(1, 999)}@${r.pick(['example.com', 'mail.example.org', 'corp.example'])}`;
const uuid = (r: Rng) => `${r.hex(8)}-${r.hex(4)}-4${r.hex(3)}-${r.pick(['8', '9', 'a', 'b'])}${r.hex(3)}-${r.hex(12)}`;

function namedBugs(): BugDef[] {
  return [
    // ================= storefront (browser)
    {
      cluster: 'sf-stale-cart-item',
      project: 'storefront',
      runtime: 'browser',
      note: 'root-cause',
      // A removed SKU stays in the cart: computeTotals (Z) hands `undefined` to whatever helper it calls.
      paths: [
        { issue: 'checkout-submit', weight: 120, transaction: '/checkout', fault: { k: 'null', variable: 'item', prop: 'price', value: 'undefined' }, steps: [...REACT_CLICK, fn('checkout', 'handleSubmit'), fn('cart', 'computeTotals', 'CartStore'), native('Array', 'forEach'), anon('cart', 'computeTotals'), fn('cart', 'lineTotal')] },
        { issue: 'summary-tax', weight: 60, transaction: '/cart', fault: { k: 'null', variable: 'item', prop: 'taxClass', value: 'undefined' }, steps: [...REACT_RENDER, fn('cart', 'CartSummary'), fn('cart', 'computeTotals', 'CartStore'), native('Array', 'forEach'), anon('cart', 'computeTotals'), fn('cart', 'taxFor')] },
        { issue: 'badge-refresh', weight: 25, transaction: '/product/:slug', fault: { k: 'null', variable: 'item', prop: 'price', value: 'undefined' }, steps: [...REACT_EFFECT, anon('header', 'useCartBadge'), fn('header', 'refreshBadge'), fn('cart', 'computeTotals', 'CartStore'), native('Array', 'forEach'), anon('cart', 'computeTotals'), fn('cart', 'lineTotal')] },
      ],
    },
    {
      cluster: 'sf-locale-missing',
      project: 'storefront',
      runtime: 'browser',
      note: 'root-cause',
      // The locale bundle failed to load: every price formatting call crashes in formatMoney.
      paths: [
        { issue: 'product-card', weight: 90, transaction: '/category/:slug', fault: { k: 'null', variable: 'locale', prop: 'currency', value: 'null' }, steps: [...REACT_RENDER, fn('catalog', 'ProductCard'), fn('main', 'formatMoney')] },
        { issue: 'cart-summary', weight: 40, transaction: '/cart', fault: { k: 'null', variable: 'locale', prop: 'currency', value: 'null' }, steps: [...REACT_RENDER, fn('cart', 'CartSummary'), fn('main', 'formatMoney')] },
        { issue: 'order-history', weight: 15, transaction: '/account/orders', fault: { k: 'null', variable: 'locale', prop: 'currency', value: 'null' }, steps: [...REACT_RENDER, fn('account', 'OrderHistory'), native('Array', 'map'), anon('account', 'OrderHistory'), fn('main', 'formatMoney')] },
      ],
    },
    {
      cluster: 'sf-category-cycle',
      project: 'storefront',
      runtime: 'browser',
      note: 'root-cause',
      paths: [{ issue: 'menu', weight: 30, transaction: '/', fault: { k: 'overflow' }, steps: [...REACT_RENDER, fn('catalog', 'CategoryMenu'), fn('catalog', 'buildTree'), ...Array.from({ length: 30 }, (_, i) => fn('catalog', i % 2 ? 'visitChildren' : 'walk'))] }],
    },
    {
      cluster: 'sf-api-html-error-page',
      project: 'storefront',
      runtime: 'browser',
      note: 'root-cause',
      // The proxy answers API calls with an HTML error page; the shared client chokes on it.
      paths: [
        { issue: 'place-order', weight: 45, transaction: '/checkout', fault: { k: 'json' }, steps: [...REACT_CLICK, fn('checkout', 'placeOrder', undefined, true), fn('main', 'request', 'ApiClient', true), native('JSON', 'parse')] },
        { issue: 'payment-form', weight: 25, transaction: '/checkout/payment', fault: { k: 'json' }, steps: [...REACT_CLICK, fn('checkout', 'submitPayment', 'PaymentForm', true), fn('main', 'request', 'ApiClient', true), native('JSON', 'parse')] },
      ],
    },
    // Look-alikes: same error type and message shape, another bug.
    { cluster: 'sf-wishlist-price', project: 'storefront', runtime: 'browser', note: 'hard-negative', paths: [{ issue: 'main', weight: 35, transaction: '/wishlist', fault: { k: 'null', variable: 'item', prop: 'price', value: 'undefined' }, steps: [...REACT_RENDER, fn('wishlist', 'WishlistPage'), native('Array', 'map'), anon('wishlist', 'WishlistPage'), fn('wishlist', 'lineTotal')] }] },
    { cluster: 'sf-coupon-null', project: 'storefront', runtime: 'browser', note: 'hard-negative', paths: [{ issue: 'main', weight: 30, transaction: '/checkout', fault: { k: 'null', variable: 'coupon', prop: 'percent', value: 'null' }, steps: [...REACT_CLICK, fn('checkout', 'handleSubmit'), fn('checkout', 'apply', 'CouponService'), fn('checkout', 'discountFor')] }] },
    { cluster: 'sf-cart-items-not-array', project: 'storefront', runtime: 'browser', note: 'hard-negative', paths: [{ issue: 'main', weight: 20, transaction: '/cart', fault: { k: 'notfn', expr: 'items.map' }, steps: [...REACT_RENDER, fn('cart', 'CartSummary'), fn('cart', 'renderLines')] }] },

    // ================= api (node)
    {
      cluster: 'api-search-down',
      project: 'api',
      runtime: 'node',
      note: 'root-cause',
      paths: [
        { issue: 'products-list', weight: 110, transaction: 'GET /api/products', fault: { k: 'custom', type: 'TimeoutError', message: (r) => `search request to http://search-${r.int(1, 6)}.internal:9200/products/_search timed out after ${r.pick([3000, 5000])}ms` }, steps: [TICKS, fn('catalog/products-controller', 'list', 'ProductsController', true), fn('catalog/catalog-service', 'search', 'CatalogService', true), fn('search/search-client', 'query', 'SearchClient', true)] },
        { issue: 'autocomplete', weight: 70, transaction: 'GET /api/suggest', fault: { k: 'custom', type: 'TimeoutError', message: (r) => `search request to http://search-${r.int(1, 6)}.internal:9200/suggest/_search timed out after ${r.pick([800, 1000])}ms` }, steps: [TICKS, fn('search/autocomplete-controller', 'suggest', 'AutocompleteController', true), fn('search/search-client', 'query', 'SearchClient', true)] },
        { issue: 'reindex-job', weight: 12, transaction: 'job reindex', fault: { k: 'custom', type: 'TimeoutError', message: (r) => `search request to http://search-${r.int(1, 6)}.internal:9200/_bulk timed out after 30000ms` }, steps: [...RUNNER, fn('jobs/reindex-job', 'run', 'ReindexJob', true), fn('search/search-client', 'query', 'SearchClient', true)] },
      ],
    },
    {
      cluster: 'api-db-pool-exhausted',
      project: 'api',
      runtime: 'node',
      note: 'root-cause',
      // A leaked transaction holds connections: every repository call waits for the pool and times out.
      paths: [
        { issue: 'orders', weight: 50, transaction: 'GET /api/orders', fault: knexTimeout(), steps: [TICKS, fn('orders/orders-controller', 'list', 'OrdersController', true), fn('orders/orders-repository', 'findByUser', 'OrdersRepository', true), ...KNEX] },
        { issue: 'users', weight: 35, transaction: 'GET /api/users/:id', fault: knexTimeout(), steps: [TICKS, fn('users/users-controller', 'get', 'UsersController', true), fn('users/users-repository', 'findById', 'UsersRepository', true), ...KNEX] },
        { issue: 'inventory', weight: 20, transaction: 'POST /api/cart/items', fault: knexTimeout(), steps: [TICKS, fn('cart/cart-controller', 'addItem', 'CartController', true), fn('inventory/inventory-repository', 'reserve', 'InventoryRepository', true), ...KNEX] },
      ],
    },
    {
      cluster: 'api-session-expired',
      project: 'api',
      runtime: 'node',
      note: 'root-cause',
      // requireUser (Z) passes an expired, empty session on to the next step.
      paths: [
        { issue: 'permissions', weight: 60, transaction: 'GET /api/account', fault: { k: 'null', variable: 'session', prop: 'roles', value: 'undefined' }, steps: [TICKS, fn('auth/require-user', 'requireUser', undefined, true), fn('auth/permissions', 'loadPermissions')] },
        { issue: 'audit', weight: 30, transaction: 'POST /api/account/address', fault: { k: 'null', variable: 'session', prop: 'userId', value: 'undefined' }, steps: [TICKS, fn('auth/require-user', 'requireUser', undefined, true), fn('audit/audit-log', 'record', 'AuditLog')] },
      ],
    },
    { cluster: 'api-payments-timeout', project: 'api', runtime: 'node', note: 'hard-negative', paths: [{ issue: 'main', weight: 40, transaction: 'POST /api/checkout/pay', fault: { k: 'custom', type: 'TimeoutError', message: (r) => `payment gateway https://api.payments.example/v1/charges/ch_${r.hex(12)} timed out after 10000ms` }, steps: [TICKS, fn('checkout/checkout-controller', 'pay', 'CheckoutController', true), fn('payments/payments-client', 'charge', 'PaymentsClient', true)] }] },
    { cluster: 'api-digest-deleted-user', project: 'api', runtime: 'node', note: 'hard-negative', paths: [{ issue: 'main', weight: 25, transaction: 'job send-digest', fault: { k: 'null', variable: 'user', prop: 'email', value: 'undefined' }, steps: [...RUNNER, fn('jobs/send-digest-job', 'run', 'SendDigestJob', true)] }] },
    { cluster: 'api-export-empty', project: 'api', runtime: 'node', note: 'hard-negative', paths: [{ issue: 'main', weight: 15, transaction: 'job export-orders', fault: { k: 'null', variable: 'batch', prop: 'length', value: 'undefined' }, steps: [...RUNNER, fn('jobs/export-job', 'run', 'ExportJob', true)] }] },

    // ================= android (java)
    {
      cluster: 'and-profile-after-logout',
      project: 'android',
      runtime: 'java',
      note: 'root-cause',
      paths: [
        { issue: 'profile-header', weight: 70, transaction: 'ProfileFragment', fault: { k: 'custom', type: 'java.lang.NullPointerException', message: NPE('java.lang.String com.shop.model.Profile.getDisplayName()') }, steps: [...FRAGMENT_VIEW, jv('com.shop.profile.ProfileFragment.onViewCreated'), jv('com.shop.profile.ProfilePresenter.bind'), jv('com.shop.profile.ProfileHeaderView.setProfile')] },
        {
          issue: 'settings-avatar',
          weight: 40,
          transaction: 'SettingsActivity',
          fault: {
            k: 'chain',
            cause: { type: 'java.lang.NullPointerException', message: NPE('java.lang.String com.shop.model.Profile.getAvatarUrl()'), steps: [...ACTIVITY_RESUME_INNER, jv('com.shop.settings.SettingsActivity.onResume'), jv('com.shop.profile.ProfilePresenter.bind'), jv('com.shop.profile.AvatarLoader.load')] },
            outer: { type: 'java.lang.RuntimeException', message: () => `Unable to resume activity {com.shop/com.shop.settings.SettingsActivity}: java.lang.NullPointerException: ${NPE('java.lang.String com.shop.model.Profile.getAvatarUrl()')()}` },
          },
          steps: ACTIVITY_RESUME_OUTER,
        },
      ],
    },
    {
      cluster: 'and-cart-concurrent-edit',
      project: 'android',
      runtime: 'java',
      note: 'root-cause',
      paths: [
        { issue: 'adapter', weight: 35, transaction: 'CartFragment', fault: { k: 'custom', type: 'java.util.ConcurrentModificationException', message: () => '' }, steps: [...RECYCLER_BIND, jv('com.shop.cart.CartAdapter.onBindViewHolder'), jv('com.shop.cart.CartRepository.snapshot'), jv('java.util.ArrayList$Itr.next', 'ArrayList.java'), jv('java.util.ArrayList$Itr.checkForComodification', 'ArrayList.java')] },
        { issue: 'sync-worker', weight: 20, transaction: 'CartSyncWorker', fault: { k: 'custom', type: 'java.util.ConcurrentModificationException', message: () => '' }, steps: [...WORK_MANAGER, jv('com.shop.cart.CartSyncWorker.doWork'), jv('com.shop.cart.CartRepository.snapshot'), jv('java.util.ArrayList$Itr.next', 'ArrayList.java'), jv('java.util.ArrayList$Itr.checkForComodification', 'ArrayList.java')] },
      ],
    },
    { cluster: 'and-search-null-title', project: 'android', runtime: 'java', note: 'hard-negative', paths: [{ issue: 'main', weight: 30, transaction: 'SearchFragment', fault: { k: 'custom', type: 'java.lang.NullPointerException', message: NPE('java.lang.String com.shop.model.Product.getTitle()') }, steps: [...RECYCLER_BIND, jv('com.shop.search.SearchAdapter.onBindViewHolder')] }] },
    { cluster: 'and-checkout-null-address', project: 'android', runtime: 'java', note: 'hard-negative', paths: [{ issue: 'main', weight: 25, transaction: 'CheckoutFragment', fault: { k: 'custom', type: 'java.lang.NullPointerException', message: NPE('java.lang.String com.shop.model.Address.getLine1()') }, steps: [...FRAGMENT_VIEW, jv('com.shop.checkout.CheckoutFragment.onViewCreated'), jv('com.shop.checkout.AddressView.setAddress')] }] },

    // ================= worker (python)
    {
      cluster: 'wk-redis-down',
      project: 'worker',
      runtime: 'python',
      note: 'root-cause',
      paths: [
        { issue: 'pricing-cache', weight: 60, transaction: 'tasks.reprice_catalog', fault: redisDown(), steps: [...CELERY, py('/srv/shop/tasks.py', 'reprice_catalog', 'price = pricing.compute_price(sku)'), py('/srv/shop/pricing.py', 'compute_price', 'cached = cache.get_cached(key)'), py('/srv/shop/cache.py', 'get_cached', 'raw = self.redis.get(key)'), ...REDIS] },
        { issue: 'rate-limit', weight: 30, transaction: 'tasks.sync_inventory', fault: redisDown(), steps: [...CELERY, py('/srv/shop/tasks.py', 'sync_inventory', 'api_sync.push_inventory(batch)'), py('/srv/shop/api_sync.py', 'push_inventory', 'if not limiter.allow("partner-api"):'), py('/srv/shop/rate_limit.py', 'allow', 'count = self.redis.incr(bucket)'), ...REDIS] },
      ],
    },
    {
      cluster: 'wk-feed-missing-sku',
      project: 'worker',
      runtime: 'python',
      note: 'root-cause',
      paths: [
        { issue: 'task', weight: 40, transaction: 'tasks.import_partner_feed', fault: feedChain(), steps: [...CELERY, py('/srv/shop/tasks.py', 'import_partner_feed', 'feeds.import_feed(url)'), py('/srv/shop/feeds.py', 'import_feed', 'raise FeedImportError(f"row {i} of {url} is invalid") from e')] },
        { issue: 'cli', weight: 10, transaction: 'cli reimport', fault: feedChain(), steps: [py('/srv/shop/cli.py', '<module>', 'main()'), py('/srv/shop/cli.py', 'main', 'reimport(args.url)'), py('/srv/shop/cli.py', 'reimport', 'feeds.import_feed(url)'), py('/srv/shop/feeds.py', 'import_feed', 'raise FeedImportError(f"row {i} of {url} is invalid") from e')] },
      ],
    },
    { cluster: 'wk-orders-missing-sku', project: 'worker', runtime: 'python', note: 'hard-negative', paths: [{ issue: 'main', weight: 30, transaction: 'tasks.checkout_batch', fault: { k: 'custom', type: 'KeyError', message: () => "'sku'" }, steps: [...CELERY, py('/srv/shop/tasks.py', 'checkout_batch', 'orders.create_from_cart(cart)'), py('/srv/shop/orders.py', 'create_from_cart', 'lines = [build_line(i) for i in cart.items]'), py('/srv/shop/orders.py', 'build_line', 'sku = item["sku"]')] }] },
    { cluster: 'wk-digest-deleted-user', project: 'worker', runtime: 'python', note: 'hard-negative', paths: [{ issue: 'main', weight: 25, transaction: 'job digest', fault: { k: 'custom', type: 'AttributeError', message: () => "'NoneType' object has no attribute 'email'" }, steps: [...PY_RUNNER, py('/srv/shop/jobs/digest.py', 'send_digest', 'to = user.email')] }] },
    { cluster: 'wk-export-empty', project: 'worker', runtime: 'python', note: 'hard-negative', paths: [{ issue: 'main', weight: 15, transaction: 'job export', fault: { k: 'custom', type: 'AttributeError', message: () => "'NoneType' object has no attribute 'rows'" }, steps: [...PY_RUNNER, py('/srv/shop/jobs/export.py', 'export_orders', 'for row in report.rows:')] }] },
  ];
}

function knexTimeout(): Fault {
  return { k: 'custom', type: 'KnexTimeoutError', message: () => 'Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?' };
}

function redisDown(): Fault {
  return { k: 'custom', type: 'redis.exceptions.ConnectionError', message: (r) => `Error 111 connecting to redis-${r.int(1, 3)}.internal:6379. Connection refused.` };
}

function feedChain(): Fault {
  return {
    k: 'chain',
    cause: { type: 'KeyError', message: () => "'sku'", steps: [py('/srv/shop/feeds.py', 'import_feed', 'record = parse_row(row)'), py('/srv/shop/feeds.py', 'parse_row', 'sku = row["sku"]')] },
    outer: { type: 'shop.feeds.FeedImportError', message: (r) => `row ${r.int(2, 40000)} of https://partner${r.int(1, 9)}.example.com/feeds/${r.hex(6)}.csv is invalid` },
  };
}

// ---------------------------------------------------------------- the long tail

const VERBS = ['load', 'parse', 'render', 'format', 'compute', 'build', 'resolve', 'update', 'sync', 'map', 'validate', 'normalize', 'merge', 'fetch', 'save', 'apply', 'pick', 'group', 'sort', 'estimate'];
const NOUNS = ['Address', 'Shipping', 'Badge', 'Review', 'Rating', 'Banner', 'Filter', 'Token', 'Invoice', 'Refund', 'Stock', 'Promo', 'Avatar', 'Slug', 'Variant', 'Bundle', 'Gift', 'Voucher', 'Return', 'Label', 'Zone', 'Carrier', 'Seller'];

interface TailShape {
  runtime: Runtime;
  project: string;
  /** Entry chains shared by many bugs (components, controllers, jobs), oldest first, with the location new code lives in. */
  entries: Array<{ steps: Step[]; loc: string; transaction: string }>;
  faults: Array<(r: Rng) => Fault>;
}

function tailShapes(): TailShape[] {
  const jsNull = (r: Rng): Fault => ({ k: 'null', variable: r.pick(['data', 'res', 'opts', 'entry', 'row', 'cfg', 'node']), prop: r.pick(['id', 'name', 'length', 'value', 'items', 'status', 'url', 'total']), value: r.pick(['undefined', 'null'] as const) });
  const jsNotFn = (r: Rng): Fault => ({ k: 'notfn', expr: `${r.pick(['list', 'opts', 'resp', 'rows'])}.${r.pick(['filter', 'then', 'forEach', 'toFixed', 'trim'])}` });
  const components = ['ProductPage', 'CartSummary', 'CheckoutPage', 'AccountPage', 'SearchResults', 'HomePage', 'Header', 'Footer', 'ReviewList'];
  const chunks: Record<string, string> = { ProductPage: 'catalog', CartSummary: 'cart', CheckoutPage: 'checkout', AccountPage: 'account', SearchResults: 'search', HomePage: 'main', Header: 'header', Footer: 'main', ReviewList: 'catalog' };
  const controllers = [
    ['catalog/products-controller', 'ProductsController', 'get', 'GET /api/products/:id'],
    ['orders/orders-controller', 'OrdersController', 'create', 'POST /api/orders'],
    ['users/users-controller', 'UsersController', 'update', 'PATCH /api/users/:id'],
    ['cart/cart-controller', 'CartController', 'addItem', 'POST /api/cart/items'],
    ['checkout/checkout-controller', 'CheckoutController', 'pay', 'POST /api/checkout/pay'],
  ] as const;
  const fragments = ['ProductFragment', 'CartFragment', 'HomeFragment', 'OrdersFragment', 'AccountFragment'];
  return [
    {
      runtime: 'browser',
      project: 'storefront',
      entries: [
        ...components.map((c) => ({ steps: [...REACT_RENDER, fn(chunks[c], c)], loc: chunks[c], transaction: `/${c.toLowerCase()}` })),
        ...components.slice(0, 4).map((c) => ({ steps: [...REACT_CLICK, fn(chunks[c], `handle${c.replace(/Page|Summary/, '')}Click`)], loc: chunks[c], transaction: `/${c.toLowerCase()}` })),
      ],
      faults: [jsNull, jsNull, jsNull, jsNotFn, () => ({ k: 'custom', type: 'RangeError', message: () => 'toFixed() digits argument must be between 0 and 100' })],
    },
    {
      runtime: 'node',
      project: 'api',
      entries: [
        ...controllers.map(([loc, cls, m, tx]) => ({ steps: [TICKS, fn(loc, m, cls, true)], loc: loc.split('/')[0] + '/' + loc.split('/')[0] + '-service', transaction: tx })),
        ...controllers.slice(0, 3).map(([loc, cls, m, tx]) => ({ steps: [...EXPRESS, fn('auth/require-user', 'requireUser', undefined, true), fn(loc, m, cls, true)], loc: loc.split('/')[0] + '/' + loc.split('/')[0] + '-service', transaction: tx })),
        { steps: RUNNER, loc: 'jobs/maintenance', transaction: 'job maintenance' },
      ],
      faults: [
        jsNull,
        jsNull,
        jsNotFn,
        () => ({ k: 'custom', type: 'ValidationError', message: (r) => `invalid email "${email(r)}" for user ${uuid(r)}` }),
        () => ({ k: 'custom', type: 'Error', message: (r) => `ENOENT: no such file or directory, open '/tmp/export-${r.int(1000, 99999)}.csv'` }),
      ],
    },
    {
      runtime: 'java',
      project: 'android',
      entries: [
        ...fragments.map((f) => ({ steps: [...FRAGMENT_VIEW, jv(`com.shop.${f.replace('Fragment', '').toLowerCase()}.${f}.onViewCreated`)], loc: `com.shop.${f.replace('Fragment', '').toLowerCase()}`, transaction: f })),
        ...fragments.slice(0, 3).map((f) => ({ steps: [...RECYCLER_BIND, jv(`com.shop.${f.replace('Fragment', '').toLowerCase()}.${f.replace('Fragment', '')}Adapter.onBindViewHolder`)], loc: `com.shop.${f.replace('Fragment', '').toLowerCase()}`, transaction: f })),
      ],
      faults: [
        (r) => ({ k: 'custom', type: 'java.lang.NullPointerException', message: NPE(`java.lang.String com.shop.model.${r.pick(NOUNS)}.get${r.pick(['Name', 'Id', 'Url', 'Title'])}()`) }),
        () => ({ k: 'custom', type: 'java.lang.NullPointerException', message: NPE('int java.lang.Integer.intValue()') }),
        () => ({ k: 'custom', type: 'java.lang.IllegalStateException', message: (r) => `Fragment ${r.pick(fragments)}{${r.hex(7)}} not attached to a context.` }),
        () => ({ k: 'custom', type: 'java.lang.IndexOutOfBoundsException', message: (r) => { const n = r.int(0, 20); return `Index: ${n}, Size: ${n}`; } }),
        () => ({ k: 'custom', type: 'java.lang.NumberFormatException', message: (r) => `For input string: "${r.pick(['', 'N/A', '12,5', 'null'])}"` }),
      ],
    },
    {
      runtime: 'python',
      project: 'worker',
      entries: [
        { steps: PY_RUNNER, loc: '/srv/shop/jobs', transaction: 'job' },
        { steps: [...CELERY, py('/srv/shop/tasks.py', 'nightly_reports', 'reports.run_all()')], loc: '/srv/shop/reports', transaction: 'tasks.nightly_reports' },
        { steps: [...CELERY, py('/srv/shop/tasks.py', 'sync_inventory', 'api_sync.push_inventory(batch)')], loc: '/srv/shop/api_sync', transaction: 'tasks.sync_inventory' },
      ],
      faults: [
        (r) => ({ k: 'custom', type: 'AttributeError', message: () => `'NoneType' object has no attribute '${r.pick(['id', 'name', 'total', 'items', 'sku', 'country'])}'` }),
        (r) => ({ k: 'custom', type: 'KeyError', message: () => `'${r.pick(['price', 'qty', 'currency', 'zone', 'id'])}'` }),
        () => ({ k: 'custom', type: 'ValueError', message: (r) => `invalid literal for int() with base 10: '${r.pick(['', 'n/a', '1.5', 'abc'])}'` }),
        () => ({ k: 'custom', type: 'TypeError', message: () => "unsupported operand type(s) for +: 'int' and 'NoneType'" }),
        () => ({ k: 'custom', type: 'ZeroDivisionError', message: () => 'division by zero' }),
      ],
    },
  ];
}

function tailBugs(rng: Rng, perProject: number): BugDef[] {
  const bugs: BugDef[] = [];
  const used = new Set<string>();
  for (const shape of tailShapes()) {
    for (let i = 0; i < perProject; i++) {
      const entry = rng.pick(shape.entries);
      // Every tail bug lives in functions of its own (a shared crashing helper would be one bug).
      const fresh = (): string => {
        let n: string;
        do n = `${rng.pick(VERBS)}${rng.pick(NOUNS)}`;
        while (used.has(`${shape.project}:${n}`));
        used.add(`${shape.project}:${n}`);
        return n;
      };
      const name = fresh();
      const fault = rng.pick(shape.faults)(rng);
      // Half of the tail crashes in a helper of the entry, half one call deeper.
      const deeper = rng.chance(0.5);
      const helper = deeper ? fresh() : null;
      const steps = [...entry.steps, ...tailFrames(shape.runtime, entry.loc, name, helper)];
      const weight = Math.max(2, Math.round(40 / (1 + i * 0.5) * rng.next()) + 2);
      bugs.push({ cluster: `${shape.project}-tail-${i}`, project: shape.project, runtime: shape.runtime, note: 'tail', paths: [{ issue: 'main', weight, transaction: entry.transaction, fault, steps }] });
    }
  }
  return bugs;
}

function tailFrames(runtime: Runtime, loc: string, name: string, helper: string | null): Step[] {
  const snake = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
  switch (runtime) {
    case 'browser':
    case 'node':
      return helper ? [fn(loc, name), fn(`${loc.split('/')[0]}/${snake(helper).replace(/_/g, '-')}`, helper)] : [fn(loc, name)];
    case 'java': {
      const cls = `${loc}.${name.replace(/^\w/, (c) => c.toUpperCase())}Helper`;
      return helper ? [jv(`${cls}.${name}`), jv(`${loc}.util.${helper.replace(/^\w/, (c) => c.toUpperCase())}.apply`)] : [jv(`${cls}.${name}`)];
    }
    case 'python':
      return helper
        ? [py(`${loc}/${snake(name)}.py`, snake(name), `return ${snake(helper)}(payload)`), py(`${loc}/helpers.py`, snake(helper), 'value = data[key] + extra')]
        : [py(`${loc}/${snake(name)}.py`, snake(name), 'total = sum(x.amount for x in rows) / count')];
  }
}

// ---------------------------------------------------------------- rendering

export interface CorpusFrame {
  function: string | null;
  module: string | null;
  filename: string | null;
  abs_path: string | null;
  lineno: number | null;
  colno: number | null;
  in_app: boolean;
  context_line?: string;
  /** V8 `at async fn` (text only). */
  async?: boolean;
}
export interface CorpusException {
  type: string;
  value: string;
  module: string | null;
  frames: CorpusFrame[];
}

export type Browser = 'chrome' | 'firefox' | 'safari';

export interface Labels {
  trueIssue: string;
  trueCluster: string;
  note: BugDef['note'];
}

export interface LabelledReport {
  report: RawReport;
  labels: Labels;
  /** How the report was made, for the eval's breakdowns. */
  meta: { runtime: Runtime; format: 'sentry' | 'text'; browser: Browser | null; release: string; time: string };
}

const BUILDS: Record<Runtime, string[]> = {
  browser: ['storefront@4.2.0', 'storefront@4.2.1', 'storefront@4.3.0'],
  node: ['api@1.18.0', 'api@1.18.1', 'api@1.19.0'],
  java: ['com.shop@7.4.0+740', 'com.shop@7.4.1+741', 'com.shop@7.5.0+750'],
  python: ['worker@2026.11.19', 'worker@2026.11.20', 'worker@2026.11.21'],
};
const SERVICE: Record<Runtime, string> = { browser: 'web-client', node: 'api', java: 'android', python: 'worker' };
const PLATFORM: Record<Runtime, string> = { browser: 'javascript', node: 'node', java: 'java', python: 'python' };
/** Share of events that arrive as Sentry event JSON (the rest as log records with a text trace). */
const SENTRY_SHARE: Record<Runtime, number> = { browser: 0.7, node: 0.6, java: 0.5, python: 0.5 };

interface Build {
  runtime: Runtime;
  release: string;
  index: number;
}

function renderStep(step: Step, build: Build, browser: Browser | null): CorpusFrame | null {
  const lineOf = (key: string) => 10 + (hash(key) % 400) + (hash(`${build.release}|${key.split('|')[0]}`) % 25);
  switch (step.k) {
    case 'fn': {
      if (build.runtime === 'browser') {
        const url = `https://shop.example.com/static/js/${step.loc}.${hex8(`${build.release}|${step.loc}`)}.chunk.js`;
        const name = browser === 'chrome' && step.cls ? `${step.cls}.${step.fn}` : step.fn;
        return { function: name, module: null, filename: url, abs_path: url, lineno: 1 + (hash(step.fn) % 2), colno: 100 + (hash(`${build.release}|${step.loc}|${step.fn}`) % 90000), in_app: step.app };
      }
      // node
      const path = step.loc.startsWith('node:') ? step.loc : step.loc.startsWith('node_modules/') ? `/app/${step.loc}.js` : `/app/dist/${step.loc}.js`;
      const line = lineOf(`${step.loc}|${step.fn}`);
      const module = step.loc.startsWith('node:') ? step.loc.split('/').pop() ?? null : step.loc.replace(/^node_modules\//, '').replace(/\/([^/]+)$/, ':$1').replace(/\//g, '.');
      return { function: step.cls ? `${step.cls}.${step.fn}` : step.fn, module, filename: path, abs_path: path, lineno: line, colno: 5 + (hash(step.fn) % 30), in_app: step.app, async: step.async };
    }
    case 'anon': {
      const url = `https://shop.example.com/static/js/${step.loc}.${hex8(`${build.release}|${step.loc}`)}.chunk.js`;
      const name = browser === 'firefox' ? `${step.parent}/<` : '?';
      return { function: name, module: null, filename: url, abs_path: url, lineno: 1, colno: 100 + (hash(`${build.release}|${step.loc}|${step.parent}/<`) % 90000), in_app: true };
    }
    case 'native':
      if (browser === 'firefox') return null; // Firefox leaves built-ins out of its stacks
      if (browser === 'safari') return { function: step.fn, module: null, filename: '[native code]', abs_path: '[native code]', lineno: null, colno: null, in_app: false };
      return { function: `${step.cls}.${step.fn}`, module: null, filename: '<anonymous>', abs_path: '<anonymous>', lineno: null, colno: null, in_app: false };
    case 'java': {
      const app = step.cls.startsWith('com.shop.');
      return { function: step.fn, module: step.cls, filename: step.file, abs_path: null, lineno: step.file ? lineOf(`${step.cls}|${step.fn}`) : null, colno: null, in_app: app };
    }
    case 'py': {
      const app = step.path.startsWith('/srv/shop/');
      return { function: step.fn, module: step.module, filename: step.path.replace(/^\/srv\//, '').replace(/^.*site-packages\//, ''), abs_path: step.path, lineno: lineOf(`${step.path}|${step.fn}`), colno: null, in_app: app, context_line: step.src };
    }
  }
}

function renderFrames(steps: Step[], build: Build, browser: Browser | null): CorpusFrame[] {
  return steps.map((s) => renderStep(s, build, browser)).filter((f): f is CorpusFrame => f !== null);
}

/** The error as this runtime or browser words it. Browser messages carry the build's minified variable names. */
function renderError(fault: Exclude<Fault, { k: 'chain' }>, build: Build, browser: Browser | null, rng: Rng, bugKey: string): { type: string; value: string } {
  const minified = 'abcdeilnorstu'[hash(`${build.release}|${bugKey}`) % 13];
  switch (fault.k) {
    case 'null': {
      if (build.runtime === 'node' || browser === 'chrome') return { type: 'TypeError', value: `Cannot read properties of ${fault.value} (reading '${fault.prop}')` };
      const v = build.runtime === 'browser' ? minified : fault.variable;
      if (browser === 'firefox') return { type: 'TypeError', value: rng.chance(0.5) ? `${v} is ${fault.value}` : `can't access property "${fault.prop}", ${v} is ${fault.value}` };
      return { type: 'TypeError', value: `${fault.value} is not an object (evaluating '${v}.${fault.prop}')` };
    }
    case 'overflow':
      if (browser === 'firefox') return { type: 'InternalError', value: 'too much recursion' };
      return { type: 'RangeError', value: browser === 'safari' ? 'Maximum call stack size exceeded.' : 'Maximum call stack size exceeded' };
    case 'json':
      if (browser === 'firefox') return { type: 'SyntaxError', value: 'JSON.parse: unexpected character at line 1 column 1 of the JSON data' };
      if (browser === 'safari') return { type: 'SyntaxError', value: "JSON Parse error: Unrecognized token '<'" };
      return { type: 'SyntaxError', value: `Unexpected token '<', "<!DOCTYPE "... is not valid JSON` };
    case 'notfn': {
      const expr = build.runtime === 'browser' ? `${minified}.${fault.expr.split('.').pop()}` : fault.expr;
      if (browser === 'safari') return { type: 'TypeError', value: `${expr} is not a function. (In '${expr}()', '${expr}' is undefined)` };
      return { type: 'TypeError', value: `${expr} is not a function` };
    }
    case 'custom':
      return { type: fault.type, value: fault.message(rng) };
  }
}

function buildExceptions(bug: BugDef, path: PathDef, build: Build, browser: Browser | null, rng: Rng): CorpusException[] {
  const key = `${bug.cluster}/${path.issue}`;
  const moduleOf = (type: string) => (type.includes('.') ? type.slice(0, type.lastIndexOf('.')) : null);
  if (path.fault.k === 'chain') {
    const { cause, outer } = path.fault;
    return [
      { type: cause.type, value: cause.message(rng), module: moduleOf(cause.type), frames: renderFrames(cause.steps, build, browser) },
      { type: outer.type, value: outer.message(rng), module: moduleOf(outer.type), frames: renderFrames(path.steps, build, browser) },
    ];
  }
  const e = renderError(path.fault, build, browser, rng, key);
  return [{ type: e.type, value: e.value, module: moduleOf(e.type), frames: renderFrames(path.steps, build, browser) }];
}

// ---- Sentry event JSON

function sentryEvent(bug: BugDef, path: PathDef, exceptions: CorpusException[], build: Build, browser: Browser | null, time: string, rng: Rng): string {
  const userId = `u${rng.int(1, 4000)}`;
  const browserContext = browser ? { name: { chrome: 'Chrome', firefox: 'Firefox', safari: 'Safari' }[browser], version: { chrome: '131.0.0', firefox: '133.0', safari: '18.1' }[browser] } : undefined;
  const sdk = { browser: 'sentry.javascript.react', node: 'sentry.javascript.node', java: 'sentry.java.android', python: 'sentry.python' }[build.runtime];
  const event = {
    event_id: rng.hex(32),
    timestamp: time,
    platform: PLATFORM[build.runtime],
    level: 'error',
    logger: build.runtime === 'python' ? 'celery.app.trace' : undefined,
    release: build.release,
    environment: 'production',
    server_name: build.runtime === 'node' || build.runtime === 'python' ? `${SERVICE[build.runtime]}-${rng.int(1, 4)}` : undefined,
    transaction: path.transaction,
    user: { id: userId, email: build.runtime === 'browser' ? email(rng) : undefined, ip_address: build.runtime === 'browser' ? `203.0.113.${rng.int(1, 254)}` : undefined },
    tags: { browser: browserContext?.name, region: rng.pick(['eu-west-1', 'us-east-1']), job: path.transaction.startsWith('job ') ? path.transaction.slice(4) : undefined },
    contexts: {
      browser: browserContext,
      os: build.runtime === 'java' ? { name: 'Android', version: rng.pick(['13', '14', '15']) } : browser ? { name: browser === 'safari' ? 'iOS' : rng.pick(['Windows', 'macOS', 'Android']) } : { name: 'Linux' },
      runtime: build.runtime === 'node' ? { name: 'node', version: 'v22.11.0' } : build.runtime === 'python' ? { name: 'CPython', version: '3.11.9' } : undefined,
      device: build.runtime === 'java' ? { model: rng.pick(['Pixel 8', 'SM-S918B', 'moto g84']) } : undefined,
    },
    request: build.runtime === 'browser' ? { url: `https://shop.example.com${path.transaction.replace(':slug', `p-${rng.int(100, 9999)}`)}` } : undefined,
    exception: {
      values: exceptions.map((ex, i) => ({
        type: ex.type.split('.').pop(),
        value: ex.value,
        module: ex.module ?? undefined,
        mechanism: { type: build.runtime === 'browser' ? 'onerror' : build.runtime === 'java' ? 'UncaughtExceptionHandler' : 'generic', handled: false, ...(exceptions.length > 1 ? { exception_id: i, is_exception_group: false } : {}) },
        stacktrace: {
          frames: ex.frames.map((f) => ({ function: f.function ?? undefined, module: f.module ?? undefined, filename: f.filename ?? undefined, abs_path: f.abs_path ?? undefined, lineno: f.lineno ?? undefined, colno: f.colno ?? undefined, in_app: f.in_app, context_line: f.context_line })),
        },
      })),
    },
    sdk: { name: sdk, version: '8.40.0' },
    debug_meta: build.runtime === 'browser' ? { images: [{ type: 'sourcemap', code_file: `https://shop.example.com/static/js/main.${hex8(`${build.release}|main`)}.chunk.js`, debug_id: uuid(rng) }] } : undefined,
  };
  void bug;
  return JSON.stringify(event);
}

// ---- text traces inside log records

function v8Stack(ex: CorpusException, withMessage: boolean): string {
  const lines = withMessage ? [`${ex.type}: ${ex.value}`] : [];
  for (const f of [...ex.frames].reverse()) {
    const where = f.filename === '<anonymous>' ? '<anonymous>' : `${f.filename}:${f.lineno}:${f.colno}`;
    const name = f.function === '?' ? null : f.function;
    lines.push(name ? `    at ${f.async ? 'async ' : ''}${name} (${where})` : `    at ${where}`);
  }
  return lines.join('\n');
}

function geckoStack(ex: CorpusException): string {
  return [...ex.frames]
    .reverse()
    .map((f) => (f.filename === '[native code]' ? `${f.function}@[native code]` : `${f.function === '?' ? '' : (f.function ?? '')}@${f.filename}:${f.lineno}:${f.colno}`))
    .join('\n');
}

function javaTrace(exceptions: CorpusException[]): string {
  const outer = exceptions[exceptions.length - 1];
  const frameLine = (f: CorpusFrame) => `\tat ${f.module}.${f.function}(${f.filename ? `${f.filename}:${f.lineno}` : 'Native Method'})`;
  const lines = [`${outer.type}: ${outer.value}`.replace(/: $/, ''), ...[...outer.frames].reverse().map(frameLine)];
  // Causes follow, innermost-first; frames shared with the enclosing trace are written as `... N more`.
  let enclosing = outer.frames;
  for (let i = exceptions.length - 2; i >= 0; i--) {
    const cause = exceptions[i];
    let common = 0;
    while (common < cause.frames.length && common < enclosing.length && frameLine(cause.frames[common]) === frameLine(enclosing[common])) common++;
    lines.push(`Caused by: ${cause.type}: ${cause.value}`.replace(/: $/, ''));
    lines.push(...cause.frames.slice(common).reverse().map(frameLine));
    if (common > 0) lines.push(`\t... ${common} more`);
    enclosing = cause.frames;
  }
  return lines.join('\n');
}

function pythonTrace(exceptions: CorpusException[]): string {
  const block = (ex: CorpusException) =>
    ['Traceback (most recent call last):', ...ex.frames.flatMap((f) => [`  File "${f.abs_path}", line ${f.lineno}, in ${f.function}`, `    ${f.context_line ?? ''}`]), `${ex.type}: ${ex.value}`].join('\n');
  return exceptions.map(block).join('\n\nThe above exception was the direct cause of the following exception:\n\n');
}

function logRecord(build: Build, browser: Browser | null, exceptions: CorpusException[], time: string, rng: Rng): string {
  const service = SERVICE[build.runtime];
  const before = rng.chance(0.5) ? [`${shiftTime(time, -rng.int(50, 900))} INFO [${service}] ${rng.pick(['GET /healthz 200 2ms', 'cache warm: 1423 keys', 'worker heartbeat ok', 'flushed 12 metrics'])}`] : [];
  const after = rng.chance(0.5) ? [`${shiftTime(time, rng.int(50, 900))} INFO [${service}] ${rng.pick(['GET /healthz 200 1ms', 'request completed', 'job queue depth 3'])}`] : [];
  const ex = exceptions[exceptions.length - 1];
  let record: string;
  switch (build.runtime) {
    case 'browser':
      // Client errors forwarded to the server log: Chrome's stack starts with the message; Firefox and Safari stacks carry none.
      record = browser === 'chrome' ? `${time} ERROR [${service}] Uncaught client error\n${v8Stack(ex, true)}` : `${time} ERROR [${service}] ${ex.type}: ${ex.value}\n${geckoStack(ex)}`;
      break;
    case 'node':
      record = `${time} ERROR [${service}] Unhandled error\n${v8Stack(ex, true)}`;
      break;
    case 'java':
      record = `${time} ERROR [${service}] FATAL EXCEPTION: main\n${javaTrace(exceptions)}`;
      break;
    case 'python':
      record = `${time} ERROR [${service}] Task failed\n${pythonTrace(exceptions)}`;
      break;
  }
  return [...before, record, ...after].join('\n') + '\n';
}

function shiftTime(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

// ---------------------------------------------------------------- the corpus

export interface CorpusOptions {
  seed: number;
  /** Unrelated long-tail bugs per project. */
  tailPerProject: number;
  /** Multiplies every path's event count. */
  scale: number;
}

const START = Date.parse('2026-11-18T00:00:00.000Z');
const HOURS = 72;

export function generateCorpus(options: Partial<CorpusOptions> = {}): LabelledReport[] {
  const { seed = 20261120, tailPerProject = 24, scale = 1 } = options;
  const rng = makeRng(seed);
  const bugs = [...namedBugs(), ...tailBugs(rng, tailPerProject)];
  const out: Array<LabelledReport & { at: number }> = [];
  for (const bug of bugs) {
    for (const path of bug.paths) {
      const count = Math.max(1, Math.round(path.weight * scale * (0.7 + 0.6 * rng.next())));
      // A bug starts at some point in the window and keeps recurring.
      const start = rng.next() * HOURS * 0.6;
      for (let n = 0; n < count; n++) {
        const hour = start + rng.next() * (HOURS - start);
        const at = START + Math.floor(hour * 3_600_000);
        // Releases roll out a day apart; some clients stay on the previous build.
        let index = Math.min(2, Math.floor(hour / 24));
        if (index > 0 && rng.chance(0.2)) index--;
        const build: Build = { runtime: bug.runtime, release: BUILDS[bug.runtime][index], index };
        const browser: Browser | null = bug.runtime === 'browser' ? (rng.chance(0.6) ? 'chrome' : rng.chance(0.6) ? 'safari' : 'firefox') : null;
        const time = new Date(at).toISOString();
        const exceptions = buildExceptions(bug, path, build, browser, rng);
        const format = rng.chance(SENTRY_SHARE[bug.runtime]) ? 'sentry' : 'text';
        const payload = format === 'sentry' ? sentryEvent(bug, path, exceptions, build, browser, time, rng) : logRecord(build, browser, exceptions, time, rng);
        const reportId = `r-${rng.hex(16)}`;
        const report: RawReport = {
          reportId,
          project: bug.project,
          kind: format === 'sentry' ? 'sentry_event' : 'log_text',
          receivedAt: shiftTime(time, rng.int(20, 2000)),
          sourceName: format === 'sentry' ? '/api/envelope' : `${SERVICE[bug.runtime]}.log`,
          payload,
          sdk: format === 'sentry' ? 'sentry.javascript' : null,
        };
        out.push({ at, report, labels: { trueIssue: `${bug.cluster}/${path.issue}`, trueCluster: bug.cluster, note: bug.note }, meta: { runtime: bug.runtime, format, browser, release: build.release, time } });
      }
    }
  }
  out.sort((a, b) => a.at - b.at || (a.report.reportId < b.report.reportId ? -1 : 1));
  return out.map(({ report, labels, meta }) => ({ report, labels, meta }));
}
