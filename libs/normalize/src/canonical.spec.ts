import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalErrorKind, slugifyType } from './canonical';

describe('canonicalErrorKind', () => {
  const cases: Array<[string, string, string]> = [
    ['TypeError', "Cannot read properties of undefined (reading 'x')", 'null_property_access'],
    ['TypeError', "Cannot read property 'x' of null", 'null_property_access'],
    ['TypeError', 'a is undefined', 'null_property_access'],
    ['TypeError', 'this.props.items is null', 'null_property_access'],
    ['TypeError', 'can\'t access property "x", a is undefined', 'null_property_access'],
    ['TypeError', "undefined is not an object (evaluating 'a.x')", 'null_property_access'],
    ['AttributeError', "'NoneType' object has no attribute 'id'", 'null_property_access'],
    ['NullPointerException', 'Attempt to invoke virtual method', 'null_reference'],
    ['java.lang.NullPointerException', '', 'null_reference'],
    ['runtime.Error', 'runtime error: invalid memory address or nil pointer dereference', 'null_reference'],
    ['RangeError', 'Maximum call stack size exceeded', 'stack_overflow'],
    ['InternalError', 'too much recursion', 'stack_overflow'],
    ['RangeError', 'Maximum call stack size exceeded.', 'stack_overflow'],
    ['StackOverflowError', '', 'stack_overflow'],
    ['TypeError', 'items.forEach is not a function', 'not_a_function'],
    ['TypeError', "undefined is not a function (near '...x...')", 'not_a_function'],
    ['ReferenceError', 'foo is not defined', 'undefined_variable'],
    ['ReferenceError', "Can't find variable: foo", 'undefined_variable'],
    ['TypeError', 'Failed to fetch', 'network_error'],
    ['TypeError', 'NetworkError when attempting to fetch resource.', 'network_error'],
    ['TypeError', 'Load failed', 'network_error'],
    ['ChunkLoadError', 'Loading chunk 12 failed.', 'chunk_load_failed'],
    ['SyntaxError', 'Unexpected token < in JSON at position 0', 'json_parse_error'],
    ['ZeroDivisionError', 'division by zero', 'division_by_zero'],
    ['IllegalStateException', 'boom', 'illegal_state_exception'],
    ['', '', 'error'],
  ];
  for (const [type, msg, kind] of cases) it(`${type}: ${msg}`, () => assert.equal(canonicalErrorKind(type, msg), kind));

  it('slugs qualified and camel-cased types', () => {
    assert.equal(slugifyType('java.lang.IllegalStateException'), 'illegal_state_exception');
    assert.equal(slugifyType('HTTPError'), 'http_error');
    assert.equal(slugifyType('fatal error'), 'fatal_error');
  });
});
