/* Counters and summary line for vv_test.h. */
#include "vv_test.h"

int vv_test_passed, vv_test_failed;

int vv_test_finish(void)
{
    printf("%d passed, %d failed\n", vv_test_passed, vv_test_failed);
    return vv_test_failed ? 1 : 0;
}
