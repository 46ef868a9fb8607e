import type { ClickHouseClient } from '@clickhouse/client';
import { ApiQueries, ClusterQueries, EventsRepository, IssuesRepository } from '@faultline/clickhouse';
import type { TopicId, TopicMessage, TopicProducer } from '@faultline/kafka';
import { ApiError } from './errors';

/** The repositories the API reads and writes through, over the process's one ClickHouse client. */
export class ApiStore {
  readonly queries: ApiQueries;
  readonly issues: IssuesRepository;
  readonly events: EventsRepository;
  readonly clusters: ClusterQueries;

  constructor(client: ClickHouseClient) {
    this.queries = new ApiQueries(client);
    this.issues = new IssuesRepository(client);
    this.events = new EventsRepository(client);
    this.clusters = new ClusterQueries(client);
  }
}

/**
 * Publishes to a registry topic through the process's producer, connected on first use so the
 * API serves reads while Kafka is down. A broker failure is a 503 the client may retry.
 */
export class Publisher {
  constructor(private readonly producer: () => Promise<TopicProducer>) {}

  async publish<T extends TopicId>(topic: T, messages: TopicMessage<T>[]): Promise<void> {
    let producer: TopicProducer;
    try {
      producer = await this.producer();
    } catch (error) {
      throw new ApiError('kafka_unavailable', 'Kafka is unavailable; retry later', undefined, { cause: error });
    }
    try {
      await producer.send(topic, messages);
    } catch (error) {
      // A message that breaks its topic's schema is our bug (500), not the broker's.
      if ((error as Error).name?.startsWith('KafkaJS')) {
        throw new ApiError('kafka_unavailable', 'Kafka is unavailable; retry later', undefined, { cause: error });
      }
      throw error;
    }
  }
}
