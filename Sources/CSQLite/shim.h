#include <sqlite3.h>

/* sqlite3_config is variadic, which Swift cannot call; these wrap the settings Hearth uses. */

/* Turns off SQLite's global memory statistics, whose mutex every allocation takes. */
static inline int hearth_sqlite3_disable_memstatus(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
