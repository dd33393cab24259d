/* Scripted-server helper for hostile Ultra rectangles: LZO1X data of a length the script
 * chooses, made by hand (one literal run), so tests need no LZO compressor. */
#include "badsrv.h"

bool badsrv_send_ultra_data(struct badsrv *srv, const void *raw, size_t n)
{
    /* LZO1X: a first byte of 17 + n starts with a run of n literals; 0x11 0x00 0x00 (a far
     * match at distance 0) ends the stream. */
    if (n < 1 || n > 238)
        return false;
    uint8_t first = (uint8_t)(17 + n);
    static const uint8_t end[3] = {0x11, 0x00, 0x00};
    return badsrv_send_u32(srv, (uint32_t)(n + 4)) && badsrv_send(srv, &first, 1) &&
           badsrv_send(srv, raw, n) && badsrv_send(srv, end, sizeof end);
}
