import { parse } from 'libpg-query';

/**
 * Built-in functions that write, signal other sessions or run SQL text of their own, refused even inside a SELECT.
 * A user-defined function can do anything: this check reads the statement, it cannot read function bodies, so the
 * database role behind the server should be read-only as well.
 */
const SIDE_EFFECT_FUNCTIONS = new Set([
  'nextval', 'setval', 'set_config', 'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile',
  'pg_switch_wal', 'pg_create_restore_point', 'pg_promote', 'pg_create_physical_replication_slot',
  'pg_create_logical_replication_slot', 'pg_drop_replication_slot', 'pg_replication_origin_create',
  'pg_advisory_lock', 'pg_advisory_xact_lock', 'pg_try_advisory_lock', 'pg_try_advisory_xact_lock',
  'lo_import', 'lo_export', 'lo_unlink', 'lo_create', 'lo_creat', 'lo_put', 'lo_from_bytea', 'lo_truncate',
  'dblink', 'dblink_exec', 'dblink_connect', 'dblink_send_query', 'pg_file_write', 'pg_file_rename', 'pg_file_unlink',
  'query_to_xml', 'query_to_xml_and_xmlschema', 'query_to_xmlschema', 'cursor_to_xml', 'pg_notify',
]);

/**
 * Why `sql` is not a single read-only statement, or undefined when it is.
 * Uses PostgreSQL's own parser (libpg_query): exactly one statement, a SELECT (VALUES and TABLE are SELECTs too),
 * with no INTO, no FOR UPDATE/SHARE, no data-modifying WITH, no side-effecting built-in function.
 * Anything that does not parse is refused.
 */
export async function sqlReadOnlyViolation(sql: unknown): Promise<string | undefined> {
  if (typeof sql !== 'string') return 'must be an SQL string';
  let statements: Array<{ stmt?: unknown }>;
  try {
    statements = (await parse(sql)).stmts ?? [];
  } catch (error) {
    return `does not parse as PostgreSQL: ${(error as Error).message}`;
  }
  if (statements.length !== 1) return `must be exactly one statement, found ${statements.length}`;
  const statement = statements[0]!.stmt as Record<string, unknown> | undefined;
  const kind = statement ? Object.keys(statement)[0] : undefined;
  if (kind !== 'SelectStmt') return `must be a SELECT, found ${kind ?? 'an empty statement'}`;
  return findWrite(statement);
}

/** Walks the whole parse tree: sub-queries and CTEs hide writes as deep as they like. */
function findWrite(node: unknown): string | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findWrite(item);
      if (found) return found;
    }
    return undefined;
  }
  if (node === null || typeof node !== 'object') return undefined;
  for (const [key, value] of Object.entries(node)) {
    if (key.endsWith('Stmt') && key !== 'SelectStmt') return `contains a ${key} (data-modifying WITH or sub-statement)`;
    if (key === 'intoClause') return 'SELECT ... INTO creates a table';
    if (key === 'lockingClause') return 'FOR UPDATE/SHARE takes row locks';
    if (key === 'FuncCall') {
      const name = functionName(value);
      if (name && SIDE_EFFECT_FUNCTIONS.has(name)) return `calls ${name}(), which has side effects`;
    }
    const found = findWrite(value);
    if (found) return found;
  }
  return undefined;
}

function functionName(call: unknown): string | undefined {
  const parts = (call as { funcname?: Array<{ String?: { sval?: string } }> }).funcname ?? [];
  return parts.at(-1)?.String?.sval?.toLowerCase();
}
