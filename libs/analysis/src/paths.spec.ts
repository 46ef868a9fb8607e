import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isThirdPartyPath, normalizeStackPath, RepoPathIndex, thirdPartyPackages } from './paths';

void describe('stack paths to repository paths', () => {
  const index = new RepoPathIndex([
    'src/routes/orders.ts',
    'src/orders/totals.ts',
    'packages/web/src/orders/totals.ts',
    'app/billing/invoice.py',
    'internal/sessions/store.go',
    'src/main/java/com/acme/orders/OrderService.java',
    'src/util/index.ts',
    'src/db/index.ts',
  ]);

  void it('strips bundler, scheme and container prefixes', () => {
    assert.equal(normalizeStackPath('webpack://shop-api/./src/routes/orders.ts'), 'src/routes/orders.ts');
    assert.equal(normalizeStackPath('webpack:///src/a.ts?abc123'), 'src/a.ts');
    assert.equal(normalizeStackPath('app:///static/js/main.js'), 'static/js/main.js');
    assert.equal(normalizeStackPath('C:\\build\\src\\x.ts'), 'build/src/x.ts');
    assert.equal(normalizeStackPath('/app/dist/../src/y.ts'), 'app/src/y.ts');
  });

  void it('matches by the longest common suffix', () => {
    assert.equal(index.resolve('webpack://shop-api/./src/routes/orders.ts'), 'src/routes/orders.ts');
    assert.equal(index.resolve('/usr/src/app/app/billing/invoice.py'), 'app/billing/invoice.py');
    assert.equal(index.resolve('/home/runner/work/sessions/sessions/internal/sessions/store.go'), 'internal/sessions/store.go');
    assert.equal(index.resolve('/app/src/orders/totals.ts'), 'src/orders/totals.ts');
    assert.equal(index.resolve('/srv/packages/web/src/orders/totals.ts'), 'packages/web/src/orders/totals.ts');
  });

  void it('uses the JVM module for file-name-only frames', () => {
    assert.equal(index.resolve('OrderService.java', 'com.acme.orders.OrderService'), 'src/main/java/com/acme/orders/OrderService.java');
  });

  void it('refuses to guess between files that only share a name', () => {
    assert.equal(index.resolve('index.ts'), null);
    assert.equal(index.resolve('/build/lib/index.ts'), null);
    assert.equal(index.resolve('src/nothing.ts'), null);
  });

  void it('recognises third-party code and names its package', () => {
    assert.ok(isThirdPartyPath('/app/node_modules/knex/lib/client.js'));
    assert.ok(isThirdPartyPath('/usr/local/lib/python3.12/site-packages/sqlalchemy/pool/impl.py'));
    assert.ok(isThirdPartyPath('node:internal/process/task_queues'));
    assert.ok(!isThirdPartyPath('src/vendors/list.ts'));
    assert.deepEqual(thirdPartyPackages('/app/node_modules/@scope/pkg/dist/index.js'), ['@scope/pkg']);
    assert.deepEqual(thirdPartyPackages('/app/node_modules/a/node_modules/date-fns/format.js'), ['date-fns']);
    assert.deepEqual(thirdPartyPackages('/usr/lib/python3/site-packages/pydantic/main.py'), ['pydantic']);
    assert.deepEqual(thirdPartyPackages('/root/go/pkg/mod/github.com/redis/go-redis/v9@v9.5.1/redis.go'), ['github.com/redis/go-redis/v9']);
    assert.deepEqual(thirdPartyPackages('HikariPool.java', 'com.zaxxer.hikari.pool.HikariPool'), ['com.zaxxer.hikari', 'hikari']);
  });
});
