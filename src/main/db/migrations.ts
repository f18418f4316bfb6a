/**
 * Schema migrations of project.sqlite, applied in order by PRAGMA user_version (migration i brings the
 * schema from version i to i + 1). Never edit a shipped migration; append a new one.
 */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE project (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    app_version TEXT NOT NULL
  );
  CREATE TABLE datasets (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    anisotropic INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE TABLE models (
    id INTEGER PRIMARY KEY,
    bundle_name TEXT NOT NULL,
    path TEXT NOT NULL,
    manifest TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('imported', 'trained')),
    created_at TEXT NOT NULL
  );
  CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    progress REAL NOT NULL DEFAULT 0,
    message TEXT,
    error TEXT,
    result TEXT,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
  );
  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    model TEXT,
    model_sha256 TEXT,
    params TEXT NOT NULL,
    seed INTEGER,
    targets TEXT,
    software_version TEXT NOT NULL,
    timings TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE volumes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    path TEXT NOT NULL,
    shape TEXT NOT NULL,
    spacing TEXT NOT NULL,
    unit TEXT NOT NULL,
    phases TEXT NOT NULL,
    source TEXT NOT NULL,
    job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    dataset_id INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE images (
    id INTEGER PRIMARY KEY,
    dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
    volume_id INTEGER NOT NULL REFERENCES volumes(id) ON DELETE CASCADE,
    plane TEXT CHECK (plane IN ('xy', 'xz', 'yz')),
    class_label TEXT,
    source_path TEXT,
    created_at TEXT NOT NULL
  );
  CREATE TABLE measurements (
    id INTEGER PRIMARY KEY,
    volume_id INTEGER REFERENCES volumes(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    params TEXT NOT NULL,
    result TEXT NOT NULL,
    job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX measurements_by_volume ON measurements(volume_id);
  CREATE INDEX images_by_dataset ON images(dataset_id);
  `,
  // 2: job logs, written by the runner as lines arrive; the trigger keeps the last 2000 lines of each job.
  `
  CREATE TABLE job_logs (
    job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    time TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
  ) WITHOUT ROWID;
  CREATE TRIGGER job_logs_bounded AFTER INSERT ON job_logs BEGIN
    DELETE FROM job_logs WHERE job_id = NEW.job_id AND seq <= NEW.seq - 2000;
  END;
  `,
  // 3: validation reports (microlad validate / the 'validate' job), linked to the model by its bundle id,
  // source and manifest hash (shipped bundles have no row in the models table).
  `
  CREATE TABLE validations (
    id INTEGER PRIMARY KEY,
    model_id TEXT NOT NULL,
    model_source TEXT NOT NULL,
    model_sha256 TEXT,
    job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    params TEXT NOT NULL,
    report TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX validations_by_model ON validations(model_id, model_source);
  `,
]
