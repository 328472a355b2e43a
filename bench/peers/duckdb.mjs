// DuckDB peer for the db-benchmark groupby questions (via @duckdb/node-api).
//
//   node bench/peers/duckdb.mjs FILE.csv [load|groupby|all]     (default: all)
//
// Prints one JSON object per line on stdout:
//   load:    {"tool":"duckdb","task":"load","variant":"auto"|"enum","seconds":..,"rows":..}
//   groupby: {"tool":"duckdb","question":"q1","run":1,"seconds":..,"rows":..,"cols":..,"chk":[..]}
// "auto" = plain read_csv with type auto-detection (id4..v2 BIGINT, v3 DOUBLE);
// "enum" = the table the questions run on, typed as in the published DuckDB solution:
//   id1..id3 ENUM (types built from the distinct non-NA values), id4..id6, v1, v2 INTEGER,
//   v3 FLOAT.  To read the file once, it is staged in a temp table, the ENUM types are built
//   from that and the final table is cast from it; the whole sequence is the "enum" load time.
// Each question runs twice; only `CREATE TABLE ans AS ...` is timed (the result is
// materialized).  chk = the sum of the non-NULL, non-NaN values of each measure column of ans
// (NaN: e.g. corr over a constant column), computed after the timing.
import { DuckDBInstance } from '@duckdb/node-api';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';

const [file, mode = 'all'] = process.argv.slice(2);
if (!file || !['load', 'groupby', 'all'].includes(mode)) {
  console.error('usage: node duckdb.mjs FILE.csv [load|groupby|all]');
  process.exit(2);
}
const data = basename(file).replace(/\.csv$/, '');
const q = (s) => s.replaceAll("'", "''");

// [question, SQL producing ans, measure columns summed for chk]
const QUESTIONS = [
  ['q1', 'SELECT id1, sum(v1) AS v1 FROM x GROUP BY id1', ['v1']],
  ['q2', 'SELECT id1, id2, sum(v1) AS v1 FROM x GROUP BY id1, id2', ['v1']],
  ['q3', 'SELECT id3, sum(v1) AS v1, avg(v3) AS v3 FROM x GROUP BY id3', ['v1', 'v3']],
  ['q4', 'SELECT id4, avg(v1) AS v1, avg(v2) AS v2, avg(v3) AS v3 FROM x GROUP BY id4', ['v1', 'v2', 'v3']],
  ['q5', 'SELECT id6, sum(v1) AS v1, sum(v2) AS v2, sum(v3) AS v3 FROM x GROUP BY id6', ['v1', 'v2', 'v3']],
  ['q6', 'SELECT id4, id5, quantile_cont(v3, 0.5) AS median_v3, stddev(v3) AS sd_v3 FROM x GROUP BY id4, id5',
    ['median_v3', 'sd_v3']],
  ['q7', 'SELECT id3, max(v1) - min(v2) AS range_v1_v2 FROM x GROUP BY id3', ['range_v1_v2']],
  ['q8', 'SELECT id6, v3 AS largest2_v3 FROM (SELECT id6, v3, row_number() OVER (PARTITION BY id6 ORDER BY v3 DESC)' +
    ' AS order_v3 FROM x WHERE v3 IS NOT NULL) sub_query WHERE order_v3 <= 2', ['largest2_v3']],
  ['q9', 'SELECT id2, id4, pow(corr(v1, v2), 2) AS r2 FROM x GROUP BY id2, id4', ['r2']],
  ['q10', 'SELECT id1, id2, id3, id4, id5, id6, sum(v3) AS v3, count(*) AS count FROM x' +
    ' GROUP BY id1, id2, id3, id4, id5, id6', ['v3', 'count']],
];

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
await con.run('SET threads=2');
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];

const emit = (o) => console.log(JSON.stringify({ tool: 'duckdb', version, data, ...o }));
const num = (v) => (v === null ? null : Number(v)); // HUGEINT sums arrive as BigInt
const one = async (sql) => (await con.runAndReadAll(sql)).getRows()[0];
async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const COLS = "{'id1':'VARCHAR','id2':'VARCHAR','id3':'VARCHAR','id4':'INTEGER','id5':'INTEGER'," +
  "'id6':'INTEGER','v1':'INTEGER','v2':'INTEGER','v3':'FLOAT'}";

async function loadEnum() {
  await con.run(`CREATE TEMP TABLE raw AS SELECT * FROM read_csv('${q(file)}', header=true, columns=${COLS})`);
  for (const c of ['id1', 'id2', 'id3'])
    await con.run(`CREATE TYPE ${c}_enum AS ENUM (SELECT DISTINCT ${c} FROM raw WHERE ${c} IS NOT NULL ORDER BY ${c})`);
  await con.run('CREATE TABLE x AS SELECT id1::id1_enum AS id1, id2::id2_enum AS id2, id3::id3_enum AS id3,' +
    ' id4, id5, id6, v1, v2, v3 FROM raw');
  await con.run('DROP TABLE raw');
}

if (mode !== 'groupby') {
  const s = await timed(() => con.run(`CREATE TABLE x_auto AS SELECT * FROM read_csv('${q(file)}')`));
  emit({ task: 'load', variant: 'auto', seconds: s, rows: num((await one('SELECT count(*) FROM x_auto'))[0]) });
  await con.run('DROP TABLE x_auto');
}
const loadSeconds = await timed(loadEnum);
if (mode !== 'groupby')
  emit({ task: 'load', variant: 'enum', seconds: loadSeconds, rows: num((await one('SELECT count(*) FROM x'))[0]) });

if (mode !== 'load') {
  for (const [question, sql, measures] of QUESTIONS) {
    for (const run of [1, 2]) {
      const seconds = await timed(() => con.run(`CREATE TABLE ans AS ${sql}`));
      const rows = num((await one('SELECT count(*) FROM ans'))[0]);
      const cols = (await con.runAndReadAll('SELECT * FROM ans LIMIT 0')).columnCount;
      const sums = measures.map((m) => `sum(CASE WHEN isnan(${m}::DOUBLE) THEN NULL ELSE ${m} END)`);
      const chk = (await one(`SELECT ${sums.join(', ')} FROM ans`)).map(num);
      await con.run('DROP TABLE ans');
      emit({ question, run, seconds, rows, cols, chk });
    }
  }
}
con.closeSync?.();
