/* fuzz_dbhdr.c: libFuzzer target for the database-header choice (page/dbhdr.h).
 * Input: the first bytes of a file (up to two 32 KiB pages). bj_dbhdr_choose must return a
 * result or an error without reading past the input; a chosen header must re-encode.
 */
#include "fuzz_common.h"
#include "page/dbhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy so ASan sees any read past the end */
    uint8_t *p = malloc(size ? size : 1);
    memcpy(p, data, size);
    uint32_t cbPage = 0;
    bj_dbhdr h;
    bool shadow = false;
    JET_ERR err = bj_dbhdr_choose(p, size, &cbPage, &h, &shadow);
    if (err >= 0) {
        if (!bj_page_size_valid(cbPage))
            __builtin_trap(); /* a chosen header always names a page size ESE knows */
        uint8_t *pg = calloc(1, cbPage);
        if (bj_dbhdr_encode(&h, pg, cbPage) >= 0 && !bj_dbhdr_verify(pg, cbPage))
            __builtin_trap();
        free(pg);
    }
    free(p);
    return 0;
}
