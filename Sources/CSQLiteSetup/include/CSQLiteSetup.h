#ifndef TALENT_CSQLITESETUP_H
#define TALENT_CSQLITESETUP_H

/// Process-wide SQLite settings, which `sqlite3_config` takes only before SQLite initializes
/// (the first database opened). A C function because `sqlite3_config` is variadic, which Swift
/// does not call. Returns SQLITE_OK (0), or the code of the first setting refused
/// (SQLITE_MISUSE once SQLite is initialized).
///
/// - Memory statistics off: with them on, every SQLite allocation and free takes a global
///   mutex to count itself; nothing here reads the counts.
/// - `statement_journal_spill` bytes: how large a statement's or savepoint's undo journal may
///   grow in memory before SQLite moves it to a temporary file. SQLite allocates it in one piece
///   of that size.
int talent_sqlite_configure(int statement_journal_spill);

#endif
