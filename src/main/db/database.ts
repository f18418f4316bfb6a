import Database from 'better-sqlite3'
import { UserError, errorMessage } from '../../core/errors'
import { MIGRATIONS } from './migrations'

export type Db = Database.Database

/**
 * Open (or create) a project database: WAL journal, foreign keys on, migrations applied by user_version
 * inside one transaction each, so a crash never leaves a half-migrated schema.
 */
export function openDatabase(file: string): Db {
  let db: Db
  try {
    db = new Database(file)
  } catch (err) {
    throw databaseError(file, err)
  }
  try {
    // Refuse a database this app cannot use before writing anything to it (journal mode, migrations).
    const version = schemaVersion(db)
    if (version > MIGRATIONS.length)
      throw new UserError(
        `${file}: project database schema version ${version} is newer than this app supports (${MIGRATIONS.length}); update MicroLad Studio`,
      )
    const check = db.pragma('quick_check(1)', { simple: true })
    if (check !== 'ok') throw new UserError(`${file}: the project database is damaged (${String(check)})`)
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    migrate(db)
    return db
  } catch (err) {
    db.close()
    throw databaseError(file, err)
  }
}

/** SQLite's errors as one line naming the database file and what it means for the user. */
function databaseError(file: string, err: unknown): unknown {
  if (err instanceof UserError) return err
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err
  const meaning =
    code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')
      ? 'the file is damaged or truncated'
      : code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN')
        ? 'the file or its folder cannot be written (read-only?)'
        : code
  return new UserError(`${file}: cannot open the project database: ${errorMessage(err)} (${meaning})`)
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number
}

export function migrate(db: Db, migrations: string[] = MIGRATIONS): void {
  const current = schemaVersion(db)
  if (current > migrations.length) {
    throw new Error(
      `project database schema version ${current} is newer than this app supports (${migrations.length}); update MicroLad Studio`,
    )
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v])
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}

export function closeDatabase(db: Db): void {
  if (!db.open) return
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
}

export const nowIso = (): string => new Date().toISOString()
