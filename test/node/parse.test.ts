import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { InletError } from '../../src/errors';
import { schemaPath, validatePayload } from '../../src/pipeline/parse';

const issuesOf = (schema: v.GenericSchema, payload: unknown) => {
  try {
    validatePayload(schema, payload);
  } catch (error) {
    if (error instanceof InletError) return error.issues ?? [];
  }
  throw new Error('expected a 422');
};

describe('a 422 names where, never what the sender chose', () => {
  const Webflow = v.object({
    name: v.string(),
    payload: v.object({
      data: v.record(v.string(), v.union([v.string(), v.number(), v.null()])),
      list: v.optional(v.array(v.object({ email: v.string() }))),
    }),
  });

  it("replaces a record's keys with *, keeps the schema's own keys and array indexes", () => {
    const issues = issuesOf(Webflow, {
      name: 'form',
      payload: { data: { 'ada@example.com': { nested: true } }, list: [{ email: 'x' }, { email: 7 }] },
    });
    expect(issues.map((i) => i.path)).toEqual(['payload.data.*', 'payload.list.1.email']);
    expect(JSON.stringify(issues)).not.toContain('ada@example.com');
  });

  it('walks a JSON string parsed in a pipe (JotForm rawRequest) and the options of a union', () => {
    const Jotform = v.object({
      rawRequest: v.pipe(v.string(), v.parseJson(), v.record(v.string(), v.string())),
    });
    expect(issuesOf(Jotform, { rawRequest: '{"q3_secret-key":1}' }).map((i) => i.path)).toEqual([
      'rawRequest.*',
    ]);
    const Either = v.union([v.object({ a: v.object({ b: v.string() }) }), v.object({ c: v.string() })]);
    expect(schemaPath(Either, [{ key: 'a' }, { key: 'b' }] as unknown as v.IssuePathItem[])).toBe('a.b');
    expect(schemaPath(Either, [{ key: 'zz' }] as unknown as v.IssuePathItem[])).toBe('*');
  });

  it("a loose object's unknown keys are the sender's too", () => {
    const Loose = v.looseObject({ known: v.string() });
    expect(schemaPath(Loose, [{ key: 'known' }] as unknown as v.IssuePathItem[])).toBe('known');
    expect(schemaPath(Loose, [{ key: 'mine' }, { key: 0 }] as unknown as v.IssuePathItem[])).toBe('*.0');
  });
});
