"""The DuckDB peer of Kadence's measures (issue 6).

Reads what `kadence-bench --export DIR` wrote (the population as CSV, the rule sets, Kadence's figures
and timings), computes the same measures in SQL, times them (best of RUNS), and compares every figure
(numerator and denominator per measure, definition and month) with Kadence's. Exits 1 if any differs.

Usage: python peer.py DIR RUNS AS_OF FROM_MONTH TO_MONTH   (dates as YYYY-MM-DD, months as YYYY-MM-01)

The SQL follows `crates/core/src/measures.rs` rule by rule; date arithmetic uses DuckDB's month
intervals, which clamp to the month's end like `Day::add_months`, corrected to `Day::period_end`.
"""
import csv
import sys
import time

import duckdb

d, runs, as_of, first, last = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
P = {"as_of": f"DATE '{as_of}'", "from": f"DATE '{first}'", "to": f"DATE '{last}'"}

con = duckdb.connect()
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
t0 = time.perf_counter()
con.execute(f"""CREATE TABLE courses AS SELECT * FROM read_csv('{d}/courses.csv', header=true, columns={{
  'id': 'INTEGER', 'kind': 'VARCHAR', 'first_absence': 'DATE', 'benefit_start': 'DATE', 'end_date': 'DATE',
  'category': 'INTEGER', 'category_date': 'DATE', 'early_by': 'VARCHAR', 'early_date': 'DATE'}})""")
con.execute(f"""CREATE TABLE conversations AS SELECT * FROM read_csv('{d}/conversations.csv', header=true,
  columns={{'course': 'INTEGER', 'date': 'DATE', 'held': 'BOOLEAN'}})""")
con.execute(f"""CREATE TABLE standby AS SELECT * FROM read_csv('{d}/standby.csv', header=true,
  columns={{'course': 'INTEGER', 'start': 'DATE', 'end': 'DATE'}})""")
con.execute(f"""CREATE TABLE rules AS SELECT * FROM read_csv('{d}/rules.csv', header=true, columns={{
  'in_force_from': 'DATE', 'first_follow_up_weeks': 'INTEGER', 'early_request_days': 'INTEGER',
  'employer_request_weeks': 'INTEGER', 'cov1': 'BOOLEAN', 'cov2': 'BOOLEAN', 'cov3': 'BOOLEAN'}})""")
load_s = time.perf_counter() - t0
sizes = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ["courses", "conversations", "standby", "rules"]}

# First follow-up on time (official: clock from the first day of absence, standby counted as usual).
FIRST_FOLLOW_UP = """
WITH c AS (SELECT *, first_absence AS start FROM courses WHERE kind = 'S'),
r0 AS (  -- the rule set in force on day 1 gives the deadline
  SELECT c.*, c.start + 7 * r.first_follow_up_weeks - 1 AS due0
  FROM c ASOF JOIN rules r ON c.start >= r.in_force_from),
r1 AS (  -- the set in force on the deadline says which categories carry the duty
  SELECT r0.*, CASE WHEN r0.category_date IS NOT NULL AND r0.category_date <= r0.due0 THEN r0.category ELSE 2 END AS cat,
         r.cov1, r.cov2, r.cov3
  FROM r0 ASOF JOIN rules r ON r0.due0 >= r.in_force_from),
r2 AS (SELECT * FROM r1 WHERE CASE cat WHEN 1 THEN cov1 WHEN 2 THEN cov2 ELSE (cov3 OR cov2) END),
r3 AS (  -- an early-follow-up request brings the deadline forward (an employer's only within its weeks)
  SELECT r2.*, CASE
      WHEN r2.early_date IS NULL THEN r2.due0
      WHEN r2.early_by = 'E' AND r2.early_date > r2.first_absence + 7 * r.employer_request_weeks - 1 THEN r2.due0
      ELSE LEAST(r2.due0, r2.early_date + r.early_request_days) END AS due
  FROM r2 ASOF LEFT JOIN rules r ON r2.early_date >= r.in_force_from),
r4 AS (
  SELECT *, CAST(date_trunc('month', due) AS DATE) AS month,
         CASE WHEN end_date <= {as_of} THEN end_date END AS ended
  FROM r3 WHERE due <= {as_of}),
r5 AS (SELECT * FROM r4 WHERE month BETWEEN {from} AND {to}),
firsts AS (
  SELECT r5.id, min(v.date) AS first
  FROM r5 JOIN conversations v ON v.course = r5.id AND v.held AND v.date >= r5.start AND v.date <= {as_of}
  GROUP BY r5.id),
j AS (SELECT r5.*, f.first FROM r5 LEFT JOIN firsts f USING (id))
SELECT strftime(month, '%Y-%m') AS month,
       count(*) FILTER (WHERE first IS NOT NULL AND first <= due) AS numerator, count(*) AS denominator
FROM j
WHERE NOT ((first IS NULL OR (ended IS NOT NULL AND ended < first)) AND ended IS NOT NULL AND ended < due)
GROUP BY 1 ORDER BY 1
"""

# Early effort: courses reaching 6 months' seniority in the month, still running on its last day
# (or the as-of date); numerator: at least 4 held conversations in the half-year.
EARLY_EFFORT = """
WITH base AS (
  SELECT id, {start} AS start, {wend} AS wend, end_date
  FROM courses WHERE kind = 'S'),
m AS (
  SELECT id, start, wend, CAST(date_trunc('month', wend + 1) AS DATE) AS month, end_date
  FROM base WHERE wend + 1 <= {as_of}),
m2 AS (
  SELECT * FROM m
  WHERE month BETWEEN {from} AND {to}
    AND NOT (end_date IS NOT NULL AND end_date < LEAST(last_day(month), {as_of}))
    {exclude}),
counted AS (
  SELECT m2.id, m2.month, count(*) FILTER (WHERE v.held) AS n
  FROM m2 LEFT JOIN conversations v ON v.course = m2.id AND v.date >= m2.start AND v.date <= m2.wend
  GROUP BY ALL)
SELECT strftime(month, '%Y-%m') AS month, count(*) FILTER (WHERE n >= 4) AS numerator, count(*) AS denominator
FROM counted GROUP BY 1 ORDER BY 1
"""

# The internal definition leaves out a course when a standby period known on the as-of date touches
# the half-year (an end after the as-of date is not yet known).
EXCLUDE_STANDBY = """AND NOT EXISTS (
      SELECT 1 FROM standby s
      WHERE s.course = m.id AND s.start <= {as_of} AND s.start <= m.wend
        AND (s."end" IS NULL OR s."end" > {as_of} OR s."end" >= m.start))"""

# Focus target 2: on each month's last day (or the as-of date), courses that have lasted 12 months;
# numerator: fewer than 4 held conversations in the 12 months up to that day.
FOCUS_TARGET_2 = """
WITH c AS (
  SELECT id, {twelve} AS twelve,
         CASE WHEN end_date IS NULL THEN {as_of} ELSE LEAST(end_date, {as_of}) END AS last_day
  FROM courses WHERE kind = 'S'),
months AS (
  SELECT id, twelve, last_day,
         unnest(generate_series(GREATEST(CAST(date_trunc('month', twelve) AS DATE), {from}),
                                LEAST(CAST(date_trunc('month', last_day) AS DATE), {to}),
                                INTERVAL 1 MONTH)) AS m
  FROM c WHERE twelve <= last_day),
pts AS (
  SELECT id, CAST(m AS DATE) AS month, LEAST(last_day(CAST(m AS DATE)), {as_of}) AS d, twelve, last_day FROM months),
valid AS (
  SELECT id, month, d, CAST((d + 1) - INTERVAL 12 MONTH AS DATE) AS lookback FROM pts
  WHERE d >= twelve AND d <= last_day AND d >= month),
counted AS (
  SELECT v.id, v.month, count(*) FILTER (WHERE x.held) AS n
  FROM valid v LEFT JOIN conversations x ON x.course = v.id AND x.date >= v.lookback AND x.date <= v.d
  GROUP BY ALL)
SELECT strftime(month, '%Y-%m') AS month, count(*) FILTER (WHERE n < 4) AS numerator, count(*) AS denominator
FROM counted GROUP BY 1 ORDER BY 1
"""

# The brief's calendar period: the day before the same date N months later; where that date does not
# exist, the last day of that month. DuckDB's month interval clamps to the month's end, so the same
# day of month means the date exists (subtract one day), a clamped day means it did not.
def period_end(col, months):
    t = f"CAST({col} + INTERVAL {months} MONTH AS DATE)"
    return f"({t} - CASE WHEN day({t}) = day({col}) THEN 1 ELSE 0 END)"

P["twelve"] = period_end("first_absence", 12)
exclude = EXCLUDE_STANDBY.format(**P)
QUERIES = [
    ("FirstFollowUpOnTime", "official", FIRST_FOLLOW_UP.format(**P)),
    ("EarlyEffort", "official", EARLY_EFFORT.format(start="first_absence", wend=period_end("first_absence", 6), exclude="", **P)),
    ("FocusTarget2", "official", FOCUS_TARGET_2.format(**P)),
    ("EarlyEffort", "internal", EARLY_EFFORT.format(start="benefit_start", wend=period_end("benefit_start", 6), exclude=exclude, **P)),
]

kadence = {}
with open(f"{d}/kadence.csv") as f:
    for r in csv.DictReader(f):
        kadence.setdefault((r["measure"], r["definition"]), {})[r["month"]] = (int(r["numerator"]), int(r["denominator"]))
k_ms = {}
with open(f"{d}/kadence-timings.csv") as f:
    for r in csv.DictReader(f):
        k_ms[(r["measure"], r["definition"])] = (float(r["ms_1_thread"]), float(r["ms_all_threads"]), r["threads"])

print(f"DuckDB {duckdb.__version__}, {threads} threads; loaded {sizes['courses']:,} courses, "
      f"{sizes['conversations']:,} conversations, {sizes['standby']:,} standby periods from CSV in {load_s:.1f} s "
      f"(not counted below)")
print()
print("| measure | definition | Kadence, 1 thread | Kadence, all threads | DuckDB | DuckDB / Kadence (all threads) | months | figures equal |")
print("|---|---|---:|---:|---:|---:|---:|---|")
bad = 0
tot_k = tot_d = 0.0
for measure, definition, sql in QUERIES:
    best = float("inf")
    rows = None
    for _ in range(runs):
        t = time.perf_counter()
        rows = con.execute(sql).fetchall()
        best = min(best, time.perf_counter() - t)
    duck = {m: (n, den) for m, n, den in rows}
    kad = kadence.get((measure, definition), {})
    differing = sorted(m for m in set(duck) | set(kad) if duck.get(m) != kad.get(m))
    bad += len(differing)
    k1, kn, kt = k_ms[(measure, definition)]
    tot_k += kn
    tot_d += best * 1000
    same = "yes" if not differing else f"**NO: {len(differing)} months differ**"
    print(f"| {measure} | {definition} | {k1:,.0f} ms | {kn:,.0f} ms | {best * 1000:,.0f} ms | "
          f"{best * 1000 / kn:.1f}x | {len(duck)} | {same} |")
    for m in differing[:5]:
        print(f"|  | {m}: Kadence {kad.get(m)}, DuckDB {duck.get(m)} | | | | | | |")
print(f"| **all four** | | | **{tot_k:,.0f} ms** | **{tot_d:,.0f} ms** | **{tot_d / tot_k:.1f}x** | | |")
floor = k_ms.get(("scan floor", ""))
if floor:
    print(f"\nKadence's scan floor (one pass over the columns read): {floor[0]:,.0f} ms on 1 thread, "
          f"{floor[1]:,.0f} ms on {floor[2]} threads; all four measures: {tot_k / floor[1]:.1f}x the floor "
          f"({tot_k / floor[1] / 4:.1f}x per measure).")
if bad:
    print(f"\n{bad} figures differ between Kadence and DuckDB", file=sys.stderr)
    sys.exit(1)
