import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProguardMapping } from './proguard';

const TEXT = readFileSync(join(__dirname, 'fixtures', 'r8-mapping.txt'), 'utf8');

describe('parseProguardMapping (R8 format)', () => {
  const mapping = parseProguardMapping(TEXT);

  it('reads the R8 headers and indexes every class', () => {
    assert.deepEqual(mapping.header, { mapId: '5b46fdc', compiler: 'R8', compilerVersion: '8.5.35', mappingVersion: '2.2' });
    assert.equal(mapping.classCount, 7);
  });

  it('maps class and field names back', () => {
    assert.equal(mapping.remapClass('a.a'), 'com.example.shop.cart.CartRepository');
    assert.equal(mapping.remapClass('com.example.shop.CheckoutActivity'), 'com.example.shop.CheckoutActivity');
    assert.equal(mapping.remapClass('java.lang.String'), null);
    assert.equal(mapping.remapField('a.b', 'a'), 'price');
    assert.equal(mapping.remapField('com.example.shop.CheckoutActivity', 'b'), 'totalView');
    assert.equal(mapping.sourceFileOf('com.example.shop.cart.LineItem'), 'LineItem.kt');
    assert.equal(mapping.sourceFileOf('com.example.shop.ui.PriceFormatter'), null);
  });

  it('maps a line inside an obfuscated range linearly to the original range', () => {
    assert.deepEqual(mapping.remapFrame({ className: 'a.a', methodName: 'a', line: 2, file: 'SourceFile' }), {
      status: 'remapped',
      frames: [{ className: 'com.example.shop.cart.CartRepository', methodName: 'totalCents', line: 16, file: 'CartRepository.kt' }],
    });
    assert.deepEqual(mapping.remapFrame({ className: 'a.a', methodName: 'a', line: 6 }), {
      status: 'remapped',
      frames: [{ className: 'com.example.shop.cart.CartRepository', methodName: 'totalCents', line: 20, file: 'CartRepository.kt' }],
    });
  });

  it('expands an inline chain into several frames, innermost first, across classes', () => {
    assert.deepEqual(mapping.remapFrame({ className: 'a.a', methodName: 'a', line: 4, file: 'SourceFile' }), {
      status: 'remapped',
      frames: [
        { className: 'com.example.shop.cart.LineItem', methodName: 'priceCents', line: 22, file: 'LineItem.kt' },
        { className: 'com.example.shop.cart.CartRepository', methodName: 'sumLine', line: 27, file: 'CartRepository.kt' },
        { className: 'com.example.shop.cart.CartRepository', methodName: 'totalCents', line: 18, file: 'CartRepository.kt' },
      ],
    });
    // A class without sourceFile metadata gets `<Class>.java`, as retrace infers it.
    assert.deepEqual(mapping.remapFrame({ className: 'com.example.shop.CheckoutActivity', methodName: 'onCreate', line: 6, file: 'SourceFile' }), {
      status: 'remapped',
      frames: [
        { className: 'com.example.shop.ui.PriceFormatter', methodName: 'format', line: 31, file: 'PriceFormatter.java' },
        { className: 'com.example.shop.CheckoutActivity', methodName: 'render', line: 40, file: 'CheckoutActivity.kt' },
        { className: 'com.example.shop.CheckoutActivity', methodName: 'onCreate', line: 25, file: 'CheckoutActivity.kt' },
      ],
    });
  });

  it('says out_of_range when no range holds the line', () => {
    assert.deepEqual(mapping.remapFrame({ className: 'a.a', methodName: 'a', line: 99 }), { status: 'out_of_range' });
  });

  it('without a line, names the method only when the obfuscated name is unambiguous', () => {
    assert.deepEqual(mapping.remapFrame({ className: 'a.a', methodName: 'b', line: null }), {
      status: 'remapped',
      frames: [{ className: 'com.example.shop.cart.CartRepository', methodName: 'clear', line: null, file: 'CartRepository.kt' }],
    });
    // Every range of `a` ends in totalCents: the outermost method is known even without a line.
    assert.deepEqual(mapping.remapFrame({ className: 'a.a', methodName: 'a', line: 0 }), {
      status: 'remapped',
      frames: [{ className: 'com.example.shop.cart.CartRepository', methodName: 'totalCents', line: null, file: 'CartRepository.kt' }],
    });
    assert.deepEqual(mapping.remapFrame({ className: 'com.example.shop.CheckoutActivity', methodName: 'onCreate', line: null }), {
      status: 'remapped',
      frames: [{ className: 'com.example.shop.CheckoutActivity', methodName: 'onCreate', line: null, file: 'CheckoutActivity.kt' }],
    });
  });

  it('handles plain ProGuard members without line ranges (lines unchanged) and overloads', () => {
    assert.deepEqual(mapping.remapFrame({ className: 'a.e', methodName: 'a', line: 12, file: 'SourceFile' }), {
      status: 'remapped',
      frames: [{ className: 'com.example.shop.legacy.Util', methodName: 'log', line: 12, file: 'Util.java' }],
    });
    assert.deepEqual(mapping.remapFrame({ className: 'a.a', methodName: 'c', line: 7 }), {
      status: 'remapped',
      frames: [{ className: 'com.example.shop.cart.CartRepository', methodName: 'reset', line: 7, file: 'CartRepository.kt' }],
    });
  });

  it('keeps a method the mapping does not list, and reports unknown classes', () => {
    assert.deepEqual(mapping.remapFrame({ className: 'a.b', methodName: 'toString', line: 3 }), {
      status: 'remapped',
      frames: [{ className: 'com.example.shop.cart.LineItem', methodName: 'toString', line: 3, file: 'LineItem.kt' }],
    });
    assert.deepEqual(mapping.remapFrame({ className: 'android.app.Activity', methodName: 'performCreate', line: 8305 }), { status: 'class_not_found' });
  });

  it('infers the file extension from the trace when the mapping has no sourceFile', () => {
    assert.equal(mapping.remapFrame({ className: 'a.d', methodName: 'a', line: 1, file: 'r8-map-id-5b46fdc' }).status, 'remapped');
    const result = mapping.remapFrame({ className: 'a.d', methodName: 'a', line: 1, file: 'PriceFormatter.kt' });
    assert.equal(result.status === 'remapped' ? result.frames[0].file : null, 'PriceFormatter.kt');
  });

  it('parses CRLF files and tolerates garbage lines', () => {
    const crlf = parseProguardMapping('# pg_map_id: abc\r\ncom.A -> a:\r\n    1:2:void run():10:11 -> a\r\nnot a mapping line\r\n');
    assert.equal(crlf.header.mapId, 'abc');
    assert.deepEqual(crlf.remapFrame({ className: 'a', methodName: 'a', line: 2 }), {
      status: 'remapped',
      frames: [{ className: 'com.A', methodName: 'run', line: 11, file: 'A.java' }],
    });
  });
});
