"""Create the PostgreSQL database a DATABASE_URL names when it does not exist yet (make
bench uses it for BENCH_DATABASE_URL); a SQLite URL needs nothing (the file is created on
first use).

    python scripts/create-database.py postgres://postgres@127.0.0.1:5432/campaigndesk_bench
"""

import sys

import dj_database_url


def main(url: str) -> None:
    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    import psycopg
    from psycopg import sql

    name = config["NAME"]
    params = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: create-database.py DATABASE_URL")
    main(sys.argv[1])
