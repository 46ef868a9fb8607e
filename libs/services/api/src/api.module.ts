import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { RUNTIME, type Runtime } from '@faultline/pipeline';
import { ActivityController, ClustersController, MetaController, OPENAPI_DOCUMENT, ProjectsController } from './api.controllers';
import { ActivityService } from './activity.service';
import { ApiAuthGuard, TokenRegistry } from './auth';
import { ClustersService } from './clusters.service';
import { ApiExceptionFilter } from './errors';
import { buildOpenApiDocument } from './openapi';
import { ProjectDirectory } from './projects';
import { ApiStore, Publisher } from './store';

/**
 * The HTTP API as one module over a Runtime, hosted like every service module by `hostServices`
 * (@faultline/service-ops): alone in apps/api, or next to other modules in one process sharing
 * its Runtime (chDB allows one data directory per process).
 *
 * The guard and the error filter are bound to the API's controllers. The filter is also an
 * APP_FILTER, because unmatched routes and unparseable bodies fail before any controller: it only
 * reshapes errors of requests under /api/v1 and answers every other path as Nest would, and a
 * controller's own filter still wins over it for that controller's routes.
 */
@Module({})
export class ApiModule {
  static register(runtime: Runtime): DynamicModule {
    return {
      module: ApiModule,
      controllers: [MetaController, ProjectsController, ClustersController, ActivityController],
      providers: [
        { provide: RUNTIME, useValue: runtime },
        { provide: OPENAPI_DOCUMENT, useValue: buildOpenApiDocument() },
        { provide: TokenRegistry, useValue: new TokenRegistry(runtime.config.api.tokens) },
        // Connecting (and migrating) ClickHouse at start-up: a misconfigured store fails fast.
        { provide: ApiStore, useFactory: async () => new ApiStore((await runtime.clickhouse()).client) },
        { provide: Publisher, useValue: new Publisher(() => runtime.producer()) },
        {
          provide: ProjectDirectory,
          inject: [ApiStore],
          useFactory: (store: ApiStore) =>
            new ProjectDirectory(runtime.config.projects, runtime.config.gateway.publicUrl, () => store.queries.storedProjects()),
        },
        { provide: ClustersService, inject: [ApiStore, Publisher], useFactory: (store: ApiStore, publisher: Publisher) => new ClustersService(store, publisher) },
        { provide: ActivityService, inject: [ApiStore, Publisher], useFactory: (store: ApiStore, publisher: Publisher) => new ActivityService(store, publisher) },
        ApiAuthGuard,
        ApiExceptionFilter,
        { provide: APP_FILTER, useExisting: ApiExceptionFilter },
      ],
    };
  }
}
