import { parse } from 'libpg-query';

/**
 * Built-in functions (and those of common contrib extensions) that write, lock, signal other sessions, change server
 * state or run SQL text of their own, refused anywhere in the statement, each with what it does. Most of them also
 * run inside a READ ONLY transaction, and several outlive its ROLLBACK (a session advisory lock, reset statistics,
 * a terminated backend, a dblink write, a consumed replication slot), so a server's own read-only transaction is no
 * substitute. A user-defined function can do anything: this check reads the statement, it cannot read function
 * bodies, so the database role behind the server should be read-only as well.
 */
const REFUSED_FUNCTIONS: ReadonlyArray<{ readonly does: string; readonly names?: readonly string[]; readonly prefixes?: readonly string[] }> = [
  { does: 'advances or sets a sequence', names: ['nextval', 'setval'] },
  {
    does: 'writes, removes or exports large objects',
    names: ['lo_import', 'lo_export', 'lo_unlink', 'lo_create', 'lo_creat', 'lo_put', 'lo_from_bytea', 'lo_truncate', 'lo_truncate64', 'lowrite'],
  },
  { does: 'takes or releases an advisory lock', prefixes: ['pg_advisory_', 'pg_try_advisory_'] },
  { does: 'resets statistics', names: ['pg_stat_statements_reset'], prefixes: ['pg_stat_reset'] },
  {
    does: 'creates, drops, advances or consumes a replication slot',
    names: [
      'pg_logical_slot_get_changes', 'pg_logical_slot_get_binary_changes', 'pg_replication_slot_advance',
      'pg_create_physical_replication_slot', 'pg_create_logical_replication_slot', 'pg_copy_physical_replication_slot',
      'pg_copy_logical_replication_slot', 'pg_drop_replication_slot', 'pg_sync_replication_slots', 'pg_logical_emit_message',
    ],
  },
  {
    does: 'changes replication origin state',
    names: [
      'pg_replication_origin_create', 'pg_replication_origin_drop', 'pg_replication_origin_advance', 'pg_replication_origin_session_setup',
      'pg_replication_origin_session_reset', 'pg_replication_origin_xact_setup', 'pg_replication_origin_xact_reset',
    ],
  },
  {
    does: 'controls backup, WAL or recovery',
    names: [
      'pg_backup_start', 'pg_backup_stop', 'pg_start_backup', 'pg_stop_backup', 'pg_switch_wal', 'pg_switch_xlog', 'pg_create_restore_point',
      'pg_promote', 'pg_wal_replay_pause', 'pg_wal_replay_resume', 'pg_xlog_replay_pause', 'pg_xlog_replay_resume', 'pg_log_standby_snapshot',
    ],
  },
  { does: 'sleeps, holding a connection (denial of service)', names: ['pg_sleep', 'pg_sleep_for', 'pg_sleep_until'] },
  { does: 'changes a setting', names: ['set_config'] },
  {
    does: 'signals the server or another session',
    names: ['pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_rotate_logfile_old', 'pg_logfile_rotate', 'pg_log_backend_memory_contexts'],
  },
  { does: 'assigns a transaction id', names: ['txid_current', 'pg_current_xact_id'] },
  { does: 'sends a notification', names: ['pg_notify'] },
  { does: 'runs SQL on another connection', prefixes: ['dblink'] },
  {
    does: 'runs SQL text of its own, which this check cannot see',
    names: ['query_to_xml', 'query_to_xml_and_xmlschema', 'query_to_xmlschema', 'cursor_to_xml', 'cursor_to_xmlschema', 'ts_stat', 'ts_rewrite', 'connectby', 'pg_background_launch'],
    prefixes: ['crosstab'],
  },
  { does: 'writes server files', names: ['pg_file_write', 'pg_file_rename', 'pg_file_unlink', 'pg_file_sync', 'autoprewarm_dump_now'] },
  {
    does: 'changes catalogs, indexes or table storage',
    names: [
      'brin_summarize_new_values', 'brin_summarize_range', 'brin_desummarize_range', 'gin_clean_pending_list', 'pg_import_system_collations',
      'pg_nextoid', 'pg_extension_config_dump', 'pg_stop_making_pinned_objects', 'heap_force_kill', 'heap_force_freeze', 'pg_truncate_visibility_map',
    ],
    prefixes: ['binary_upgrade_'],
  },
  { does: 'changes what the server caches', names: ['pg_prewarm', 'autoprewarm_start_worker'], prefixes: ['pg_buffercache_evict'] },
];

const REFUSED_BY_NAME = new Map(REFUSED_FUNCTIONS.flatMap(({ does, names = [] }) => names.map((name) => [name, does] as const)));
const REFUSED_BY_PREFIX = REFUSED_FUNCTIONS.flatMap(({ does, prefixes = [] }) => prefixes.map((prefix) => [prefix, does] as const));

/** What the refused function `name` does, or undefined when it may be called. */
export function refusedFunction(name: string): string | undefined {
  const lower = name.toLowerCase();
  return REFUSED_BY_NAME.get(lower) ?? REFUSED_BY_PREFIX.find(([prefix]) => lower.startsWith(prefix))?.[1];
}

/**
 * Why `sql` is not a single read-only statement, or undefined when it is.
 * Uses PostgreSQL's own parser (libpg_query): exactly one statement, a SELECT (VALUES and TABLE are SELECTs too),
 * with no INTO, no FOR UPDATE/SHARE, no data-modifying WITH, no refused function (see REFUSED_FUNCTIONS), whether
 * called as `f(x)` or in field notation `(x).f`. Anything that does not parse is refused.
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
      const does = name === undefined ? undefined : refusedFunction(name);
      if (does) return `calls ${name}(), which ${does}`;
    }
    // PostgreSQL reads `(x).f` and `t.col.f` as f(x) when f is no field: a function call without parentheses.
    const fieldNotation = key === 'A_Indirection' ? fieldNames(value, 'indirection', 0) : key === 'ColumnRef' ? fieldNames(value, 'fields', 1) : [];
    for (const name of fieldNotation) {
      const does = refusedFunction(name);
      if (does) return `calls ${name}() in field notation (.${name}), which ${does}`;
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

/** The plain names in a ColumnRef's `fields` or an A_Indirection's `indirection`, from index `from` on. */
function fieldNames(node: unknown, key: 'fields' | 'indirection', from: number): string[] {
  const items = (node as Record<string, Array<{ String?: { sval?: string } }> | undefined>)[key] ?? [];
  return items.slice(from).flatMap((item) => (item.String?.sval !== undefined ? [item.String.sval.toLowerCase()] : []));
}
