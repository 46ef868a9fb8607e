import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { frameTuples, normalizeFixture, only } from '../testing';
import { splitLines } from './scan';
import { parseGo, stripGoArgs } from './go';

describe('Go panics', () => {
  it('strips argument lists but keeps receivers', () => {
    assert.equal(stripGoArgs('main.(*Server).handle(0xc000010000, {0x1234, 0x5})'), 'main.(*Server).handle');
    assert.equal(stripGoArgs('github.com/a/b.pick(...)'), 'github.com/a/b.pick');
    assert.equal(stripGoArgs('main.main()'), 'main.main');
  });

  it('keeps re-panics as a chain, the last panic outermost', () => {
    const text = 'panic: first [recovered]\n\tpanic: second\n\ngoroutine 1 [running]:\nmain.main()\n\t/src/main.go:5 +0x1d\n';
    const lines = splitLines(text);
    const t = parseGo(lines, 0, lines.length);
    assert.deepEqual(t?.exceptions.map((e) => e.value), ['first', 'second']);
    assert.deepEqual(frameTuples(t?.exceptions[1].frames ?? []), [['main.main', '/src/main.go', 5]]);
  });
});

describe('fixture text/go-panic.txt', () => {
  it('takes the running goroutine as the crash, frames oldest first', () => {
    const e = only(normalizeFixture('text/go-panic.txt'));
    assert.equal(e.platform, 'go');
    assert.equal(e.severity, 'fatal');
    assert.equal(e.errorType, 'runtime.Error');
    assert.equal(e.canonicalKind, 'null_reference');
    assert.equal(e.tags.goroutine, '42');
    assert.equal(e.tags.signal, 'SIGSEGV');
    const frames = e.exceptions[0].frames;
    assert.deepEqual(frameTuples(frames), [
      ['net/http.(*conn).serve', '/usr/local/go/src/net/http/server.go', 2092],
      ['github.com/go-chi/chi/v5.(*Mux).routeHTTP', '/go/pkg/mod/github.com/go-chi/chi/v5@v5.1.0/mux.go', 459],
      ['net/http.HandlerFunc.ServeHTTP', '/usr/local/go/src/net/http/server.go', 2220],
      ['github.com/acme/ledger/internal/api.(*Handler).getBalance.func1', '/src/ledger/internal/api/balance.go', 41],
      ['github.com/acme/ledger/internal/store.(*Store).Balance', '/src/ledger/internal/store/store.go', 88],
    ]);
    assert.deepEqual(frames.map((f) => f.inApp), [false, false, false, true, true]);
    assert.equal(frames[4].module, 'github.com/acme/ledger/internal/store');
  });
});
