import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { KeyHashPartitioner, murmur2 } from './partitioner';

const kafkajsRequire = createRequire(require.resolve('kafkajs/package.json'));
const kafkajsMurmur2 = kafkajsRequire('./src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

function partitions(count: number, leaderless: number[] = []): PartitionerArgs['partitionMetadata'] {
  return Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: leaderless.includes(partitionId) ? -1 : 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }));
}

describe('murmur2', () => {
  it('hashes every key as kafkajs (and the Java client) does', () => {
    assert.equal(murmur2(''), kafkajsMurmur2(''));
    for (let length = 1; length <= 70; length++) {
      for (let sample = 0; sample < 20; sample++) {
        const key = randomBytes(length);
        assert.equal(murmur2(key), kafkajsMurmur2(key), `bytes ${key.toString('hex')}`);
      }
    }
    for (const key of ['42:0f3c9a', 'bench', 'ünïcode ключ 🔥', 'a'.repeat(1001)]) assert.equal(murmur2(key), kafkajsMurmur2(key), key);
    // Known values of Kafka's Utils.murmur2 (from the Java client's tests).
    assert.equal(murmur2('21'), -973932308);
    assert.equal(murmur2('foobar'), -790332482);
  });
});

describe('KeyHashPartitioner', () => {
  it('places keyed messages on the same partitions as kafkajs DefaultPartitioner', () => {
    const ours = KeyHashPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (const count of [1, 3, 4, 12]) {
      const partitionMetadata = partitions(count);
      for (let i = 0; i < 500; i++) {
        const message = { key: i % 2 ? `42:${randomBytes(8).toString('hex')}` : randomBytes(16), value: 'v' };
        assert.equal(ours({ topic: 't', partitionMetadata, message }), theirs({ topic: 't', partitionMetadata, message }));
      }
    }
  });

  it('keeps an explicit partition, and spreads keyless messages over partitions that have a leader', () => {
    const partitioner = KeyHashPartitioner();
    const partitionMetadata = partitions(4, [2]);
    assert.equal(partitioner({ topic: 't', partitionMetadata, message: { key: 'k', value: 'v', partition: 3 } }), 3);
    const chosen = new Set<number>();
    for (let i = 0; i < 30; i++) chosen.add(partitioner({ topic: 't', partitionMetadata, message: { value: 'v' } }));
    assert.deepEqual([...chosen].sort(), [0, 1, 3]);
    assert.equal(partitioner({ topic: 'no-leaders', partitionMetadata: partitions(2, [0, 1]), message: { value: 'v' } }) < 2, true);
  });
});
