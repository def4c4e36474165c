/**
 * The OpenAPI 3.1 document of the admin API, generated from the routes' valibot schemas (the same
 * ones that validate each request), and a reference page that reads it and can send requests.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';

export interface ApiRoute {
  method: 'get' | 'post';
  path: string;
  tag: string;
  summary: string;
  description?: string;
  query?: v.GenericSchema;
  body?: v.GenericSchema;
  answers: Record<number, { description: string; schema?: v.GenericSchema }>;
}

type Json = Record<string, unknown>;

// Request schemas are documented as the client sends them (strings in a query, before any
// transform); answers as they come out.
const jsonSchema = (schema: v.GenericSchema, typeMode: 'input' | 'output'): Json => {
  const { $schema: _, ...rest } = toJsonSchema(schema, {
    errorMode: 'ignore',
    typeMode,
    target: 'draft-2020-12',
  });
  return rest as Json;
};

function parameters(route: ApiRoute): Json[] {
  const path = [...route.path.matchAll(/:(\w+)/g)].map((match) => ({
    name: match[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const query = route.query ? jsonSchema(route.query, 'input') : undefined;
  const properties = (query?.properties ?? {}) as Record<string, Json>;
  const required = new Set((query?.required ?? []) as string[]);
  return [
    ...path,
    ...Object.entries(properties).map(([name, schema]) => {
      const { description, ...rest } = schema;
      return {
        name,
        in: 'query',
        required: required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      };
    }),
  ];
}

let cached: Json | undefined;

export function openApiDocument(routes: readonly ApiRoute[], origin: string): Json {
  cached ??= {
    openapi: '3.1.0',
    info: {
      title: 'Inlet admin API',
      version: '1',
      description:
        'Search, inspect and replay events, read the funnel, erase a person, pause destinations. Errors are RFC 9457 problems with a stable `code`.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN' } },
    },
    security: [{ bearer: [] }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths: routes.reduce<Record<string, Json>>((paths, route) => {
      const path = `/admin${route.path.replace(/:(\w+)/g, '{$1}')}`;
      paths[path] ??= {};
      paths[path][route.method] = {
        tags: [route.tag],
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        operationId: `${route.method}${path.replace(/[{}]/g, '').replace(/[^a-zA-Z]+(\w)/g, (_, c: string) => c.toUpperCase())}`,
        parameters: parameters(route),
        ...(route.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
              },
            }
          : {}),
        responses: {
          ...Object.fromEntries(
            Object.entries(route.answers).map(([status, answer]) => [
              status,
              {
                description: answer.description,
                ...(answer.schema
                  ? {
                      content: {
                        [Number(status) >= 400 ? 'application/problem+json' : 'application/json']: {
                          schema: jsonSchema(answer.schema, 'output'),
                        },
                      },
                    }
                  : {}),
              },
            ]),
          ),
          401: { description: 'No valid bearer token.' },
        },
      };
      return paths;
    }, {}),
  };
  return { ...cached, servers: [{ url: origin }] };
}

/**
 * The interactive reference: each operation with its parameters, a form to fill them, and the
 * answer shown. Self-contained (no CDN); the token stays in the page's memory only.
 */
export function referencePage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inlet admin API reference</title>
<style>
  :root { --fg:#17202a; --muted:#5d6d7e; --line:#e5e8eb; --accent:#1f6feb; --bg:#f7f8fa; }
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0; background: var(--bg); }
  header { background: #0d1b2a; color: #fff; padding: 16px 32px; display: flex; gap: 16px; align-items: center; }
  header h1 { font-size: 18px; margin: 0; flex: 1; }
  header input { width: 320px; padding: 6px 10px; border-radius: 6px; border: 0; font: inherit; }
  main { max-width: 980px; margin: 24px auto; padding: 0 24px; }
  h2 { font-size: 14px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 28px 0 8px; }
  details { background: #fff; border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; }
  summary { cursor: pointer; padding: 10px 14px; display: flex; gap: 12px; align-items: center; }
  .m { font: 600 12px ui-monospace, monospace; padding: 2px 8px; border-radius: 4px; color: #fff; min-width: 40px; text-align: center; }
  .get { background: #1a7f37; } .post { background: #1f6feb; }
  code, pre { font: 13px ui-monospace, SFMono-Regular, Menlo, monospace; }
  .body { padding: 0 14px 14px; }
  .desc { color: var(--muted); }
  label { display: grid; grid-template-columns: 180px 1fr; gap: 8px; margin: 6px 0; align-items: center; }
  label input, textarea { font: inherit; padding: 5px 8px; border: 1px solid var(--line); border-radius: 6px; }
  textarea { width: 100%; min-height: 80px; box-sizing: border-box; }
  button { background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: 6px 14px; font: inherit; cursor: pointer; }
  pre.answer { background: #0d1117; color: #c9d1d9; padding: 12px; border-radius: 6px; overflow: auto; max-height: 420px; }
</style></head>
<body>
<header><h1>Inlet admin API</h1><input id="token" type="password" placeholder="ADMIN_TOKEN, to try requests" autocomplete="off">
<a href="/admin/openapi.json" style="color:#9ecbff">openapi.json</a></header>
<main id="ops"><p>Loading…</p></main>
<script>
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
fetch('/admin/openapi.json').then((r) => r.json()).then((doc) => {
  const byTag = {};
  for (const [path, methods] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(methods)) (byTag[op.tags[0]] ??= []).push({ path, method, op });
  let n = 0;
  document.getElementById('ops').innerHTML = Object.entries(byTag).map(([tag, ops]) => '<h2>' + esc(tag) + '</h2>' + ops.map(({ path, method, op }) => {
    const id = 'op' + n++;
    const params = op.parameters.map((p) => '<label><span><code>' + esc(p.name) + '</code>' + (p.required ? ' *' : '') + '</span><input name="' + esc(p.name) + '" data-in="' + p.in + '" placeholder="' + esc((p.schema.enum || []).join(' | ') || p.description || p.schema.type || '') + '"></label>').join('');
    const body = op.requestBody ? '<p>Body (JSON)</p><textarea name="__body">{}</textarea><details><summary>Body schema</summary><pre>' + esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2)) + '</pre></details>' : '';
    const answers = Object.entries(op.responses).map(([status, r]) => '<li><code>' + status + '</code> ' + esc(r.description) + '</li>').join('');
    return '<details><summary><span class="m ' + method + '">' + method.toUpperCase() + '</span><code>' + esc(path) + '</code><span class="desc">' + esc(op.summary) + '</span></summary><div class="body">' +
      (op.description ? '<p class="desc">' + esc(op.description) + '</p>' : '') + '<form id="' + id + '" data-path="' + esc(path) + '" data-method="' + method + '">' + params + body +
      '<p><button>Send</button></p></form><ul>' + answers + '</ul><pre class="answer" hidden></pre></div></details>';
  }).join('')).join('');
  for (const form of document.querySelectorAll('form')) form.addEventListener('submit', async (e) => {
    e.preventDefault();
    let path = form.dataset.path; const query = new URLSearchParams(); let body;
    for (const input of form.querySelectorAll('[name]')) {
      if (input.name === '__body') body = input.value;
      else if (input.dataset.in === 'path') path = path.replace('{' + input.name + '}', encodeURIComponent(input.value));
      else if (input.value) query.set(input.name, input.value);
    }
    const out = form.parentElement.querySelector('.answer'); out.hidden = false; out.textContent = '…';
    const response = await fetch(path + (query.size ? '?' + query : ''), { method: form.dataset.method.toUpperCase(),
      headers: { authorization: 'Bearer ' + document.getElementById('token').value, ...(body ? { 'content-type': 'application/json' } : {}) }, body });
    out.textContent = response.status + ' ' + response.statusText + '\\n\\n' + JSON.stringify(await response.json().catch(() => null), null, 2);
  });
});
</script></body></html>`;
}
