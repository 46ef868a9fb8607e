import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@faultline/config';
import { createRuntime } from '@faultline/pipeline';
import { testEnvironment } from '@faultline/testing';
import { standardReadinessChecks } from './ops.controller';

describe('readiness checks on the real broker', () => {
  const { env, cleanup } = testEnvironment('readiness');
  const runtime = createRuntime(loadConfig(env, {}), 'readiness');
  after(async () => {
    await runtime.close();
    cleanup();
  });

  it('asks Kafka on every probe, over one admin connection kept for the process', async () => {
    const [kafka] = standardReadinessChecks(runtime, { clickhouse: false, kafka: true });
    assert.equal(kafka.name, 'kafka');
    await kafka.check();
    const admin = await runtime.admin();
    await kafka.check();
    assert.equal(await runtime.admin(), admin, 'the same connected admin');
    const { brokers } = await admin.describeCluster();
    assert.equal(`${brokers[0].host}:${brokers[0].port}`, env.KAFKA_BROKERS);
  });
});
