/* Counters and summary line for vv_test.h. */
#include "vv_test.h"

#include <ctype.h>

int vv_test_passed, vv_test_failed;

int vv_test_finish(void)
{
    printf("%d passed, %d failed\n", vv_test_passed, vv_test_failed);
    return vv_test_failed ? 1 : 0;
}

bool vv_test_names_peer(const char *msg, int port)
{
    char forms[2][48];
    snprintf(forms[0], sizeof forms[0], "127.0.0.1 port %d", port);
    snprintf(forms[1], sizeof forms[1], "127.0.0.1::%d", port);
    for (int i = 0; i < 2; i++)
        for (const char *p = strstr(msg, forms[i]); p; p = strstr(p + 1, forms[i]))
            if (!isdigit((unsigned char)p[strlen(forms[i])]))
                return true;
    return false;
}
