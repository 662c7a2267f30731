#include <sqlite3.h>
#include "CSQLiteSetup.h"

int talent_sqlite_configure(int statement_journal_spill) {
    int code = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    if (code != SQLITE_OK) return code;
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, statement_journal_spill);
}
