/**
 * A self-contained HTML page (no scripts, no CDN) describing an OpenAPI 3.1 document: each operation with
 * its parameters, body schema, examples and responses, then every named schema, cross-linked.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222}
h2{margin-top:2.5rem;border-bottom:1px solid #ddd}h3{margin:1.8rem 0 .3rem}code,pre{font:13px ui-monospace,monospace}
pre{background:#f6f6f6;padding:.6rem;overflow-x:auto;border-radius:4px}.m{display:inline-block;min-width:3.5rem;
font-weight:700;text-transform:uppercase}.get{color:#07a}.post{color:#080}table{border-collapse:collapse}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}nav a{margin-right:.8rem}`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const anchor = (name: string) => `schema-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

/** Pretty JSON with every `$ref` to a named schema turned into a link to it. */
function jsonBlock(value: Json): string {
  const escaped = escapeHtml(JSON.stringify(value, null, 2));
  const linked = escaped.replace(
    /(&#34;\$ref&#34;: &#34;)#\/components\/schemas\/([^&]+)(&#34;)/g,
    (_, open: string, name: string, close: string) => `${open}<a href="#${anchor(name)}">${name}</a>${close}`,
  );
  return `<pre>${linked}</pre>`;
}

const asObject = (value: Json | undefined): JsonObject | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? value : undefined;

function parametersTable(parameters: Json | undefined): string {
  if (!Array.isArray(parameters) || parameters.length === 0) return '';
  const rows = parameters.map((p) => {
    const param = asObject(p) ?? {};
    const description = asObject(param.schema)?.description ?? param.description ?? '';
    return `<tr><td><code>${escapeHtml(String(param.name))}</code></td><td>${escapeHtml(String(param.in))}</td><td>${
      param.required ? 'yes' : 'no'
    }</td><td>${escapeHtml(String(description))}</td></tr>`;
  });
  return `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th>required</th><th>meaning</th></tr>${rows.join('')}</table>`;
}

/** The body schema, and its example (from the schema, or from the named schema it refers to). */
function content(body: JsonObject | undefined, schemas: JsonObject): string {
  const media = asObject(asObject(body?.content)?.['application/json']);
  if (!media) return '';
  const schema = asObject(media.schema);
  const ref = typeof schema?.$ref === 'string' ? schema.$ref.replace('#/components/schemas/', '') : undefined;
  const example = media.example ?? schema?.example ?? (ref ? asObject(schemas[ref])?.example : undefined);
  // A bare reference reads better as a link than as a one-line JSON block.
  const shape =
    ref && schema && Object.keys(schema).length === 1
      ? `<p>Schema: <code><a href="#${anchor(ref)}">${escapeHtml(ref)}</a></code></p>`
      : jsonBlock(media.schema ?? {});
  return shape + (example === undefined ? '' : `<p>Example:</p>${jsonBlock(example)}`);
}

function operation(path: string, method: string, op: JsonObject, schemas: JsonObject): string {
  const id = `op-${method}-${path.replace(/[^A-Za-z0-9]/g, '_')}`;
  const responses = Object.entries(asObject(op.responses) ?? {}).map(([status, response]) => {
    const r = asObject(response) ?? {};
    return `<li><b>${escapeHtml(status)}</b> ${escapeHtml(String(r.description ?? ''))}${content(r, schemas)}</li>`;
  });
  const body = asObject(op.requestBody);
  return [
    `<h3 id="${id}"><span class="m ${method}">${method}</span> <code>${escapeHtml(path)}</code></h3>`,
    op.summary ? `<p>${escapeHtml(String(op.summary))}</p>` : '',
    op.description ? `<p>${escapeHtml(String(op.description))}</p>` : '',
    parametersTable(op.parameters),
    body ? `<h4>Request body</h4>${content(body, schemas)}` : '',
    `<h4>Responses</h4><ul>${responses.join('')}</ul>`,
  ].join('\n');
}

/** The whole page for `doc` (an OpenAPI 3.x document as JSON). */
export function renderDocsPage(doc: JsonObject): string {
  const info = asObject(doc.info) ?? {};
  const title = `${String(info.title ?? 'API')} ${String(info.version ?? '')}`.trim();
  const schemas = asObject(asObject(doc.components)?.schemas) ?? {};
  const operations: string[] = [];
  const index: string[] = [];
  for (const [path, item] of Object.entries(asObject(doc.paths) ?? {})) {
    for (const method of METHODS) {
      const op = asObject(asObject(item)?.[method]);
      if (!op) continue;
      operations.push(operation(path, method, op, schemas));
      index.push(
        `<li><a href="#op-${method}-${path.replace(/[^A-Za-z0-9]/g, '_')}"><span class="m ${method}">${method}</span> <code>${escapeHtml(path)}</code></a> ${escapeHtml(String(op.summary ?? ''))}</li>`,
      );
    }
  }
  const schemaSections = Object.entries(schemas).map(
    ([name, schema]) => `<h3 id="${anchor(name)}"><code>${escapeHtml(name)}</code></h3>${jsonBlock(schema)}`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p>Generated from <a href="/openapi.json"><code>/openapi.json</code></a>. Errors are <code>{error: {code, message, path?}}</code>.</p>
<nav><a href="#routes">Routes</a><a href="#schemas">Schemas</a></nav>
<h2 id="routes">Routes</h2><ul>${index.join('\n')}</ul>
${operations.join('\n')}
<h2 id="schemas">Schemas</h2>
${schemaSections.join('\n')}
</body></html>
`;
}
