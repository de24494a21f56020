import { describe, expect, it } from 'vitest';
import { createApp } from '../../shared/api/app.ts';
import { escapeHtml } from '../../shared/api/docs-html.ts';
import { createScorer } from '../../shared/reward/compose.ts';

const app = createApp({ scorer: createScorer(), version: '9.9.9' });

describe('GET /docs', () => {
  it('renders every route and schema of /openapi.json as one self-contained HTML page', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const page = await res.text();
    const doc = (await (await app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(Object.keys(doc.paths)).toContain('/docs');
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const method of Object.keys(methods)) {
        expect(page).toContain(`<span class="m ${method}">${method}</span> <code>${escapeHtml(path)}</code>`);
      }
    }
    for (const name of Object.keys(doc.components.schemas)) expect(page).toContain(`id="schema-${name}"`);
    expect(page).toContain('gradus reward API 9.9.9');
  });

  it('loads nothing from elsewhere: no scripts, no external URLs', async () => {
    const page = await (await app.request('/docs')).text();
    expect(page).not.toMatch(/<script|<link|https?:\/\//i);
  });

  it('links each $ref to the schema it names, and shows examples', async () => {
    const page = await (await app.request('/docs')).text();
    expect(page).toContain('<a href="#schema-RewardItem">RewardItem</a>'); // a $ref inside a schema
    expect(page).toContain('Schema: <code><a href="#schema-OpenRLHFRequest">OpenRLHFRequest</a></code>');
    expect(page).toContain('Example:');
  });
});

describe('escapeHtml', () => {
  it('escapes markup characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
