#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# common/xap.h compiles alone as strict C11.
. "$(dirname "$0")/../lib.sh"
need cc
tmpdir
printf '#include "xap.h"\nint main(void) { return xap_status_name(XAP_OK) == 0; }\n' > "$T/h.c"
${CC:-cc} -std=c11 -pedantic -Werror -Wall -Wextra -I"$ROOT/common" -c "$T/h.c" -o "$T/h.o"
ok $? "xap.h compiles with -std=c11 -pedantic -Werror"
done_testing
