import { z } from 'zod';
import { ErrorBody } from './contracts';
import { API_PREFIX, ROUTES, type RouteSpec } from './routes';

type JsonSchema = Record<string, unknown>;

/** zod 4's JSON Schema (draft 2020-12, which OpenAPI 3.1 uses), without the `$schema` marker. */
function schemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return json;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Invalid input (validation_failed, invalid_cursor, invalid_json, invalid_artifact)',
  401: 'Missing or unknown token (unauthorized, invalid_token)',
  403: 'The token lacks the scope or may not see the project (insufficient_scope, project_forbidden)',
  404: 'No such project, cluster, issue or event',
  409: 'Conflicts with the current state (deploy_conflict, not_in_cluster, would_empty_cluster)',
  413: 'The upload is larger than the limit (payload_too_large)',
  415: 'The body is not in an accepted media type or is compressed (unsupported_media_type)',
  500: 'Internal error',
  503: 'Kafka is unavailable; retry later (kafka_unavailable)',
};

function parameters(spec: RouteSpec): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [['path', spec.params], ['query', spec.query], ['header', spec.headers]] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      const { description, ...rest } = property as { description?: string };
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

function requestBody(spec: RouteSpec): JsonSchema {
  if (spec.upload) {
    const file = { schema: { type: 'string', format: 'binary', description: 'The file, as it is' } };
    return { requestBody: { required: true, content: Object.fromEntries(spec.upload.mediaTypes.map((type) => [type, file])) } };
  }
  if (spec.body) {
    return { requestBody: { required: !spec.bodyOptional, content: { 'application/json': { schema: schemaOf(spec.body, 'input') } } } };
  }
  return {};
}

function operation(spec: RouteSpec): JsonSchema {
  const errors = Object.fromEntries(
    spec.errors.map((status) => [
      String(status),
      { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [spec.tag],
    security: spec.scope === 'public' ? [] : [{ bearerAuth: [] }],
    'x-faultline-scope': spec.scope,
    parameters: parameters(spec),
    ...(spec.description ? { description: spec.description } : {}),
    ...requestBody(spec),
    responses: {
      [String(spec.status)]: { description: spec.summary, content: { 'application/json': { schema: schemaOf(spec.response, 'output') } } },
      ...errors,
    },
  };
}

/** The OpenAPI 3.1 document, generated from the route table and its zod contracts. */
export function buildOpenApiDocument(version = '0.1.0'): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const spec of Object.values(ROUTES) as RouteSpec[]) {
    const path = `${API_PREFIX}${spec.path}`;
    paths[path] ??= {};
    paths[path][spec.method.toLowerCase()] = operation(spec);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Faultline API',
      version,
      description:
        'Read crash clusters, issues, events, deploys, analyses and alerts; resolve issues, merge and split clusters, record deploys, request analyses, ' +
        'upload source maps, minified files and ProGuard/R8 mappings. ' +
        'Authenticate with `Authorization: Bearer <token>` (API_TOKENS): `read` for GET, `write` for POST; a token sees only its projects (`*` = all). ' +
        'Every error is `{ "error": { "code", "message", "details"? } }`.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token from API_TOKENS' } },
      schemas: { Error: schemaOf(ErrorBody, 'output') },
    },
  };
}
