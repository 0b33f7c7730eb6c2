/* cat_int.h: private to src/cat: the finishing pass shared by cat_load.c and cat_schema.c. */
#ifndef BJ_CAT_INT_H
#define BJ_CAT_INT_H

#include "cat/cat.h"

/* Resolves templates and builds every table's record schema and index key descriptions.
 * JET_errCatalogCorrupted when they do not fit together. */
JET_ERR cat_finish(bj_cat *cat);

#endif /* BJ_CAT_INT_H */
