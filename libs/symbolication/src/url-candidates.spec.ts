import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { candidateNames, resolveMapUrl } from './url-candidates';

describe('candidateNames', () => {
  it('tries the rewrite, the URL, its ~/ form, then shorter tails', () => {
    assert.deepEqual(candidateNames('https://cdn.example.com/static/js/app.js?v=3', [{ from: 'https://cdn.example.com/', to: '~/' }]), [
      '~/static/js/app.js?v=3',
      '~/static/js/app.js',
      'https://cdn.example.com/static/js/app.js?v=3',
      'https://cdn.example.com/static/js/app.js',
      'static/js/app.js',
      '~/js/app.js',
      'js/app.js',
      '~/app.js',
      'app.js',
    ]);
  });

  it('handles app:/// URLs, absolute paths, ~/ names and relative paths', () => {
    assert.deepEqual(candidateNames('app:///dist/main.js', []).slice(0, 3), ['app:///dist/main.js', '~/dist/main.js', 'dist/main.js']);
    assert.deepEqual(candidateNames('/srv/app/main.js', []).slice(0, 3), ['/srv/app/main.js', '~/srv/app/main.js', 'srv/app/main.js']);
    assert.deepEqual(candidateNames('~/a/b.js', []), ['~/a/b.js', 'a/b.js', '~/b.js', 'b.js']);
    assert.deepEqual(candidateNames('static/b.js', []), ['static/b.js', '~/static/b.js', '~/b.js', 'b.js']);
    assert.deepEqual(candidateNames('https://h/x/y.js.map', [], false), ['https://h/x/y.js.map', '~/x/y.js.map']);
  });
});

describe('resolveMapUrl', () => {
  it('resolves relative, root-relative and absolute sourceMappingURLs', () => {
    assert.equal(resolveMapUrl('~/static/js/app.js', 'app.js.map'), '~/static/js/app.js.map');
    assert.equal(resolveMapUrl('~/static/js/app.js', '../maps/app.js.map'), '~/static/maps/app.js.map');
    assert.equal(resolveMapUrl('~/static/js/app.js', './app.js.map'), '~/static/js/app.js.map');
    assert.equal(resolveMapUrl('~/app.js', '../../../x.map'), '~/x.map');
    assert.equal(resolveMapUrl('~/static/js/app.js', '/maps/app.js.map'), '~/maps/app.js.map');
    assert.equal(resolveMapUrl('https://cdn.example.com/js/app.js', '/maps/app.js.map'), 'https://cdn.example.com/maps/app.js.map');
    assert.equal(resolveMapUrl('~/js/app.js', 'https://maps.example.com/app.js.map'), 'https://maps.example.com/app.js.map');
  });
});
