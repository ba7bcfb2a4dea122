"""DuckDB beside Kadence where users wait (issue 15): loading the case system's export, and a fresh
process answering a question from what was stored.

Usage:
  python cold.py load DATA_DIR DB_FILE
      DuckDB's `read_csv` of the same export files `kadence import` reads (Danish CSV: ';', dates
      dd-mm-åååå, UTF-8 with a byte-order mark), all seven into tables of a new DuckDB file, typed;
      then, as a user of DuckDB would keep it for the measures, one row per sickness-benefit course
      with its held conversations' dates as a sorted list, and a table of days with the half-year's
      end and the month after it. Prints the seconds of each step.
  python cold.py early DB_FILE AS_OF FROM TO
      Run in a fresh process: opens the file read-only and prints early effort (STAR's definition: the
      first day of absence, calendar months, standby counted as usual) for the months FROM..TO as of
      AS_OF, one line per month `YYYY-MM numerator denominator`, for `scripts/bench-cold` to compare
      with `kadence measure --format json`.

The import comparison is not like for like, and `scripts/bench-cold` says so beside the figures:
Kadence checks every value and reference and says where a bad one is, keeps content hashes so an
unchanged export changes nothing, writes row tables with keys in one transaction, and the
population's snapshot; DuckDB reads typed columns.
"""
import sys
import time

import duckdb


def load(data, db):
    con = duckdb.connect(db)
    t0 = time.perf_counter()

    def csv(name, columns):
        cols = ", ".join(f"'{k}': '{v}'" for k, v in columns.items())
        con.execute(f"""CREATE TABLE {name} AS SELECT * FROM read_csv('{data}/{name}.csv', delim=';', header=true,
            dateformat='%d-%m-%Y', columns={{{cols}}})""")

    v, dt = "VARCHAR", "DATE"
    csv("teams", {"Team-id": v, "Teamnavn": v})
    csv("sagsbehandlere", {"Sagsbehandler-id": v, "Sagsbehandler": v, "Team-id": v})
    csv("forloeb", {"Forløbs-id": v, "CPR-nr.": v, "Navn": v, "Forløbstype": v, "Første fraværsdag": dt,
                    "Ydelsesstart": dt, "Overgangsdato": dt, "Fra forløb": v, "Målgruppe": v,
                    "Visitationskategori": "INTEGER", "Visiteret dato": dt, "Tidlig opfølgning anmodet af": v,
                    "Tidlig opfølgning anmodet dato": dt, "§ 13 f markeret dato": dt, "§ 13 f bortfaldet dato": dt,
                    "Forventet rask inden 26 uger registreret": dt, "Opfølgning ønsket af": v,
                    "Opfølgning ønsket dato": dt, "Kommunen besluttet opfølgning dato": dt, "Ledig fra": dt,
                    "Nedsat sats fra": dt, "Slutdato": dt, "Slutårsag": v, "Sagsbehandler-id": v})
    csv("samtaler", {"Forløbs-id": v, "Dato": dt, "Form": v, "Status": v, "Sagsbehandler-id": v,
                     "Registreringsdato": dt})
    csv("standby", {"Forløbs-id": v, "Startdato": dt, "Slutdato": dt, "Registreringsdato": dt})
    csv("laegeanmodninger", {"Forløbs-id": v, "Blanket": v, "Sendt": dt, "Frist": dt, "Modtaget": dt,
                             "Modtagelse registreret": dt})
    csv("rehabiliteringsmoeder", {"Forløbs-id": v, "Mødedato": dt, "Lægeligt grundlag": v})
    t1 = time.perf_counter()
    con.execute("""CREATE TABLE c AS
      SELECT k."Første fraværsdag" AS first_absence, k."Slutdato" AS end_date, coalesce(h.held, []) AS held
      FROM forloeb k LEFT JOIN (
        SELECT "Forløbs-id" AS id, list("Dato" ORDER BY "Dato") AS held FROM samtaler
        WHERE "Status" = 'Afholdt' GROUP BY 1) h ON h.id = k."Forløbs-id"
      WHERE k."Forløbstype" = 'Sygedagpenge'""")
    # The brief's calendar half-year: the day before the same date six months later, clamped.
    con.execute("""CREATE TABLE days AS
      WITH d AS (SELECT CAST(unnest(generate_series(
          (SELECT min(first_absence) FROM c) - 1, (SELECT max(first_absence) FROM c) + 1,
          INTERVAL 1 DAY)) AS DATE) AS day),
      e AS (SELECT day, CAST(day + INTERVAL 6 MONTH AS DATE) AS t FROM d)
      SELECT day, t - CASE WHEN day(t) = day(day) THEN 1 ELSE 0 END AS pe6,
             CAST(date_trunc('month', t - CASE WHEN day(t) = day(day) THEN 1 ELSE 0 END + 1) AS DATE) AS month
      FROM e""")
    con.execute("CHECKPOINT")
    t2 = time.perf_counter()
    con.close()
    print(f"read_csv {t1 - t0:.2f} s; per-course lists and days {t2 - t1:.2f} s")


EARLY = """
SELECT strftime(s.month, '%Y-%m'),
       count(*) FILTER (WHERE len(list_filter(c.held, lambda h: h >= c.first_absence AND h <= s.pe6)) >= 4),
       count(*)
FROM c JOIN days s ON s.day = c.first_absence
WHERE s.pe6 + 1 <= DATE '{as_of}' AND s.month BETWEEN DATE '{first}' AND DATE '{last}'
  AND NOT (c.end_date IS NOT NULL AND c.end_date < least(last_day(s.month), DATE '{as_of}'))
GROUP BY 1 ORDER BY 1
"""


def early(db, as_of, first, last):
    con = duckdb.connect(db, read_only=True)
    for m, n, d in con.execute(EARLY.format(as_of=as_of, first=first, last=last)).fetchall():
        print(m, n, d)


if __name__ == "__main__":
    if sys.argv[1] == "load":
        load(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "early":
        early(*sys.argv[2:6])
    else:
        sys.exit(f"unknown step {sys.argv[1]}")
