/* xlsx_write.c: being written (issue 10); registers nothing yet. */
#include "zs.h"

void zs_xlsx_write_open(lua_State *L) { (void)L; }
