export { ALL_TOPIC_IDS, TOPICS, topicName } from './topics';
export type { TopicDefinition, TopicId, TopicMessage } from './topics';
export { InvalidOutgoingMessageError, MessageTooLargeError, TopicProducer, connectTopicProducer, createKafka, encodeRecord, ensureTopics } from './client';
export type { EncodedRecord, KafkaSettings } from './client';
export { BatchConsumer } from './batch-consumer';
export type { BatchConsumerOptions, BatchHandler, ConsumedMessage, MessageOutcome } from './batch-consumer';
export { KafkaBatchHandler, KafkaBatchStrategy } from './nest-strategy';
export type { BatchLimits, KafkaBatchStrategyOptions } from './nest-strategy';
