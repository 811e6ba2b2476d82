import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildDataset, CATALOG_URL, QUERIES_URL, REFERENCE_SNAPSHOT_URL, referenceSnapshotSchema, toJsonLines } from '../datasets/mcp-catalog/src/build.js';
import { captureReferenceTools, REFERENCE_SERVERS } from '../datasets/mcp-catalog/src/capture.js';
import {
  type CatalogEntry,
  catalogEntrySchema,
  QUERY_CATEGORIES,
  QUERY_DETAIL_TAGS,
  type QueryEntry,
  queryEntrySchema,
} from '../datasets/mcp-catalog/src/format.js';

function readJsonLines<T>(url: URL, parse: (value: unknown) => T): T[] {
  const text = readFileSync(url, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line, index) => {
      try {
        return parse(JSON.parse(line));
      } catch (error) {
        throw new Error(`${url.pathname}:${index + 1}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
}

const catalog: CatalogEntry[] = readJsonLines(CATALOG_URL, (value) => catalogEntrySchema.parse(value));
const queries: QueryEntry[] = readJsonLines(QUERIES_URL, (value) => queryEntrySchema.parse(value));
const referenceServers = new Set(REFERENCE_SERVERS.map(({ server }) => server));

/** The services the evaluation issue names; the catalog must model each of them. */
const REQUIRED_SERVERS = [
  'github', 'gitlab', 'bitbucket', 'slack', 'discord', 'teams', 'jira', 'linear', 'zendesk', 'notion', 'confluence',
  'google-drive', 'postgres', 'mysql', 'sqlite', 'mongodb', 'redis', 'elasticsearch', 'bigquery', 'snowflake',
  'filesystem', 'gmail', 'outlook', 'google-calendar', 'aws', 'gcp', 'azure', 'cloudflare', 'docker', 'kubernetes',
  'playwright', 'puppeteer', 'brave-search', 'exa', 'stripe', 'google-maps', 'weather', 'sentry', 'datadog',
  'pagerduty', 'hubspot', 'salesforce', 'shopify', 'twilio', 'figma', 'spotify', 'youtube', 'arxiv', 'time', 'fetch',
  'git', 'everything', 'memory',
];

describe('datasets/mcp-catalog', () => {
  it('meets the size floors: >= 40 servers, >= 600 tools, >= 300 queries', () => {
    expect(new Set(catalog.map((entry) => entry.server)).size).toBeGreaterThanOrEqual(40);
    expect(catalog.length).toBeGreaterThanOrEqual(600);
    expect(catalog.filter((entry) => !referenceServers.has(entry.server)).length).toBeGreaterThanOrEqual(600);
    expect(queries.length).toBeGreaterThanOrEqual(300);
  });

  it('models every service the evaluation issue names', () => {
    const servers = new Set(catalog.map((entry) => entry.server));
    expect(REQUIRED_SERVERS.filter((server) => !servers.has(server))).toEqual([]);
  });

  it('has unique tool ids of the form server__name, while names repeat across servers', () => {
    const ids = catalog.map((entry) => entry.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const entry of catalog) expect(entry.id).toBe(`${entry.server}__${entry.name}`);
    const serversByName = new Map<string, Set<string>>();
    for (const { name, server } of catalog) serversByName.set(name, (serversByName.get(name) ?? new Set()).add(server));
    expect(serversByName.get('create_issue')).toEqual(new Set(['github', 'gitlab', 'linear']));
    expect([...serversByName.values()].filter((servers) => servers.size >= 2).length).toBeGreaterThanOrEqual(20);
  });

  it('gives every tool an input schema that compiles as a strict JSON Schema of type object', () => {
    const ajv = new Ajv({ strict: true, allErrors: true });
    addFormats.default(ajv);
    const failures: string[] = [];
    for (const entry of catalog) {
      expect(entry.inputSchema.type).toBe('object');
      try {
        ajv.compile(entry.inputSchema);
      } catch (error) {
        failures.push(`${entry.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('annotates every hand-written tool with a title and all four hints, consistent with each other', () => {
    for (const entry of catalog.filter(({ server }) => !referenceServers.has(server))) {
      const hints = entry.annotations;
      expect(hints?.title, entry.id).toBe(entry.title);
      expect(typeof hints?.readOnlyHint, entry.id).toBe('boolean');
      expect(typeof hints?.openWorldHint, entry.id).toBe('boolean');
      if (hints?.readOnlyHint === false) {
        expect(typeof hints.destructiveHint, entry.id).toBe('boolean');
        expect(typeof hints.idempotentHint, entry.id).toBe('boolean');
      }
    }
  });

  it('has unique query ids and texts, and every relevant tool exists in the catalog', () => {
    const ids = new Set(catalog.map((entry) => entry.id));
    expect(new Set(queries.map((query) => query.id)).size).toBe(queries.length);
    expect(new Set(queries.map((query) => query.query)).size).toBe(queries.length);
    const missing = queries.flatMap((query) => query.relevant.filter((id) => !ids.has(id)).map((id) => `${query.id}: ${id}`));
    expect(missing).toEqual([]);
  });

  it('covers every query category and tag, with multi-tool queries needing 2-3 tools and the rest exactly one', () => {
    const count = (tag: string) => queries.filter((query) => (query.tags as readonly string[]).includes(tag)).length;
    for (const category of QUERY_CATEGORIES) expect(count(category), category).toBeGreaterThanOrEqual(40);
    for (const tag of QUERY_DETAIL_TAGS) expect(count(tag), tag).toBeGreaterThanOrEqual(5);
    for (const query of queries) {
      if (query.tags[0] === 'multi-tool') expect(query.relevant.length, query.id).toBeGreaterThanOrEqual(2);
      if (query.tags[0] === 'multi-tool') expect(query.relevant.length, query.id).toBeLessThanOrEqual(3);
      else expect(query.relevant, query.id).toHaveLength(1);
    }
    const onReferenceServer = (id: string) => [...referenceServers].some((server) => id.startsWith(`${server}__`));
    for (const query of queries.filter((entry) => (entry.tags as readonly string[]).includes('reference-server'))) {
      expect(query.relevant.every(onReferenceServer), query.id).toBe(true);
    }
    for (const server of referenceServers) {
      expect(queries.some((query) => query.relevant.some((id) => id.startsWith(`${server}__`))), server).toBe(true);
    }
  });

  it('commits exactly what the build script produces (no hand edits drifting from the sources)', () => {
    const built = buildDataset();
    expect(readFileSync(CATALOG_URL, 'utf8')).toBe(toJsonLines(built.catalog));
    expect(readFileSync(QUERIES_URL, 'utf8')).toBe(toJsonLines(built.queries));
  });

  it('holds the real tools/list of the installed npm reference servers', async () => {
    const snapshot = referenceSnapshotSchema.parse(JSON.parse(readFileSync(REFERENCE_SNAPSHOT_URL, 'utf8')));
    const live = await captureReferenceTools();
    expect(live.packages).toEqual(snapshot.packages);
    expect(live.tools).toEqual(snapshot.tools);
    expect(new Set(live.tools.map((entry) => entry.server))).toEqual(referenceServers);
    expect(catalog.filter((entry) => referenceServers.has(entry.server))).toEqual(snapshot.tools);
  });
});
