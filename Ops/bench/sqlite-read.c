// The least one `org.get` costs in SQLite: bind the code, step, read the 7 columns, reset, through
// one prepared statement inside one read transaction, in C with nothing else. A bound for what
// talentd can do per read (Ops/bench/throughput-results.md, ninth round).
//
//     talentd init --db /tmp/read/talent.db --admin-secret-file /tmp/read/secret
//     gcc -O2 -o /tmp/sqlite-read Ops/bench/sqlite-read.c -lsqlite3 && /tmp/sqlite-read /tmp/read/talent.db
#include <sqlite3.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: sqlite-read DB\n"); return 2; }
    sqlite3 *db;
    sqlite3_stmt *statement;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, 0) != SQLITE_OK ||
        sqlite3_prepare_v3(db, "SELECT code, kind, name, name_en, parent, created_at, updated_at FROM org WHERE code = ?",
                           -1, SQLITE_PREPARE_PERSISTENT, &statement, 0) != SQLITE_OK) {
        fprintf(stderr, "sqlite-read: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    sqlite3_exec(db, "BEGIN", 0, 0, 0);
    const long reads = 2000000;
    long bytes = 0;
    struct timespec start, end;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &start);
    for (long i = 0; i < reads; i++) {
        sqlite3_bind_text(statement, 1, "MOHA", 4, SQLITE_STATIC);
        if (sqlite3_step(statement) != SQLITE_ROW) { fprintf(stderr, "sqlite-read: no org MOHA\n"); return 1; }
        for (int column = 0; column < 7; column++) {
            sqlite3_column_text(statement, column);
            bytes += sqlite3_column_bytes(statement, column);
        }
        sqlite3_reset(statement);
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &end);
    double nanoseconds = (end.tv_sec - start.tv_sec) * 1e9 + (end.tv_nsec - start.tv_nsec);
    printf("%.3f µs of CPU per read by key (%ld bytes a row), SQLite %s\n", nanoseconds / reads / 1000, bytes / reads,
           sqlite3_libversion());
    return 0;
}
