import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { RUNTIME, type Runtime } from '@faultline/pipeline';
import { LocalDirectoryArtifactStore } from '@faultline/symbolication';
import { ActivityController, ArtifactsController, ClustersController, MetaController, OPENAPI_DOCUMENT, ProjectsController } from './api.controllers';
import { ActivityService } from './activity.service';
import { ArtifactsService, type ListableArtifactStore } from './artifacts.service';
import { ApiAuthGuard, TokenRegistry } from './auth';
import { ClustersService } from './clusters.service';
import { ApiExceptionFilter } from './errors';
import { buildOpenApiDocument } from './openapi';
import { ProjectDirectory } from './projects';
import { RawUploadSupport } from './raw-upload';
import { ApiStore, Publisher } from './store';

export interface ApiModuleOptions {
  /**
   * Where uploaded source maps and mappings go. Default: a LocalDirectoryArtifactStore on
   * `symbolication.artifactsDir` (ARTIFACTS_DIR), the directory the normalizer's Symbolicator reads.
   */
  artifactStore?: ListableArtifactStore;
}

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
  static register(runtime: Runtime, options: ApiModuleOptions = {}): DynamicModule {
    const { artifactsDir, artifactMaxBytes } = runtime.config.symbolication;
    const artifactStore = options.artifactStore ?? new LocalDirectoryArtifactStore(artifactsDir);
    return {
      module: ApiModule,
      controllers: [MetaController, ProjectsController, ClustersController, ActivityController, ArtifactsController],
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
        { provide: ArtifactsService, useValue: new ArtifactsService(artifactStore, artifactMaxBytes) },
        // Upload routes read their own bodies (raw-upload.ts): hooked into Fastify before Nest adds the routes.
        RawUploadSupport,
        ApiAuthGuard,
        ApiExceptionFilter,
        { provide: APP_FILTER, useExisting: ApiExceptionFilter },
      ],
    };
  }
}
