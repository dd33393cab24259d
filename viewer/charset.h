/* Clipboard charset conversion: RFB cut text (ServerCutText/ClientCutText) is Latin-1, the local
 * clipboard is UTF-8. Pure functions, no SDL, safe on untrusted input. */
#ifndef VV_CHARSET_H
#define VV_CHARSET_H

#include <stddef.h>

/* Converts len bytes of Latin-1 to a NUL-terminated UTF-8 string; caller frees.
 * Every byte maps to the code point of the same value (0x80-0x9F included, as C1 controls).
 * A NUL byte ends the text: RFB cut text has no use for NUL, libvncclient hands us a
 * NUL-terminated copy, and the local clipboard API takes C strings, so anything after a NUL
 * could never reach the user anyway. Line endings are left as they are (servers send LF).
 * *out_len (if out_len is not NULL) receives the output length without the terminator.
 * in may be NULL when len is 0. Returns NULL with errno set on bad arguments (EINVAL), a len
 * too large to size the output (EOVERFLOW, checked before reading anything) or no memory. */
char *charset_latin1_to_utf8(const char *in, size_t len, size_t *out_len);

/* Converts len bytes of UTF-8 to NUL-terminated Latin-1; caller frees.
 * Code points above U+00FF cannot be sent over RFB and become '?'. Malformed input (stray
 * continuation bytes, overlong forms, surrogates, code points above U+10FFFF, sequences cut
 * short by the end of input or by another lead byte) also becomes '?': one '?' per maximal
 * invalid subsequence, as Unicode recommends, and decoding resumes at the next byte that can
 * start a character. Never reads past len.
 * "\r\n" becomes "\n": Windows clipboards use CRLF, RFB specifies LF-separated lines; a lone
 * '\r' is kept. A NUL byte ends the text, as above.
 * *out_len (if not NULL) receives the output length without the terminator; *unrepresentable
 * (if not NULL) the number of '?' substitutions made. Returns NULL with errno set on bad
 * arguments, a len too large to size the output, or no memory. */
char *charset_utf8_to_latin1(const char *in, size_t len, size_t *out_len, size_t *unrepresentable);

#endif
