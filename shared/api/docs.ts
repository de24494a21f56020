import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { renderDocsPage } from './docs-html.ts';

export const DOCS_PATH = '/docs';

const docsRoute = createRoute({
  method: 'get',
  path: DOCS_PATH,
  summary: 'This API described as a self-contained HTML page (rendered from /openapi.json; works offline)',
  responses: { 200: { description: 'The page', content: { 'text/html': { schema: z.string() } } } },
});

/**
 * GET /docs: the app's OpenAPI document as HTML, rendered on first request (the routes are all
 * registered by then) and kept.
 */
export function registerDocs(app: OpenAPIHono, info: { title: string; version: string }): void {
  let page: string | undefined;
  app.openapi(docsRoute, (c) => {
    page ??= renderDocsPage(
      JSON.parse(JSON.stringify(app.getOpenAPI31Document({ openapi: '3.1.0', info }))) as Parameters<
        typeof renderDocsPage
      >[0],
    );
    return c.html(page, 200);
  });
}
