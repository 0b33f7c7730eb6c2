/* test_ddl_template.c: template and derived tables and fixed DDL through esent.h, with ESE's
 * rules (fcreate.cxx ErrFILECreateTable, ErrFILEIInheritIndexes, ErrIsamAddColumn,
 * ErrIsamCreateIndex, ErrIsamDeleteColumn/Index, ErrIsamDeleteTable; cat.cxx ErrCATRenameTable):
 * a template table is fixed DDL, its columns carry the template bit; a derived table inherits
 * the template's columns (its own fixed/variable ids continue the template's, its tagged ids
 * start at 256) and a copy of every template index; records of derived tables hold both; the
 * error codes of each forbidden change; everything read back after re-attach.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "esent.h"
#include "testlib.h"

#define TBIT 0x80000000u /* the template bit of a columnid */

typedef struct env {
    JET_INSTANCE inst;
    JET_SESID s;
    JET_DBID db;
    char path[1024];
} env;

static bool env_start(env *e, const char *name)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->path, sizeof(e->path), "%s/%s", bj_test_tmpdir(), name);
    if (JetSetSystemParameter(NULL, 0, JET_paramDatabasePageSize, 8192, NULL) < 0)
        return false;
    if (JetCreateInstance(&e->inst, "tmpl") < 0 || JetInit(&e->inst) < 0)
        return false;
    if (JetBeginSession(e->inst, &e->s, NULL, NULL) < 0)
        return false;
    return JetCreateDatabase(e->s, e->path, NULL, &e->db, 0) >= 0;
}

static void reattach(env *e)
{
    CHECK_OK(JetCloseDatabase(e->s, e->db, 0));
    CHECK_OK(JetDetachDatabase(e->s, e->path));
    CHECK_OK(JetAttachDatabase(e->s, e->path, 0));
    CHECK_OK(JetOpenDatabase(e->s, e->path, NULL, &e->db, 0));
}

static void env_stop(env *e)
{
    CHECK_OK(JetCloseDatabase(e->s, e->db, 0));
    CHECK_OK(JetDetachDatabase(e->s, e->path));
    CHECK_OK(JetEndSession(e->s, 0));
    CHECK_OK(JetTerm(e->inst));
}

static JET_COLUMNCREATE_A col(const char *name, JET_COLTYP coltyp, JET_GRBIT grbit)
{
    JET_COLUMNCREATE_A c = {0};
    c.cbStruct = sizeof(c);
    c.szColumnName = (char *)name;
    c.coltyp = coltyp;
    c.grbit = grbit;
    return c;
}

static JET_INDEXCREATE_A idx(const char *name, const char *key, uint32_t cbKey, JET_GRBIT grbit)
{
    JET_INDEXCREATE_A x = {0};
    x.cbStruct = sizeof(x);
    x.szIndexName = (char *)name;
    x.szKey = (char *)key;
    x.cbKey = cbKey;
    x.grbit = grbit;
    x.ulDensity = 90;
    return x;
}

/* Template "Tmpl": id (Long, fixed 1), name (Text, variable 128), tags (LongText, tagged 256);
 * primary +id, secondary +name. */
static JET_ERR make_template(env *e)
{
    JET_COLUMNCREATE_A cols[3] = {col("id", JET_coltypLong, JET_bitColumnNotNULL),
                                  col("name", JET_coltypText, 0),
                                  col("tags", JET_coltypLongText, JET_bitColumnTagged)};
    JET_INDEXCREATE_A ix[2] = {idx("pk", "+id\0", 5, JET_bitIndexPrimary),
                               idx("iname", "+name\0", 7, 0)};
    JET_TABLECREATE_A tc = {0};
    tc.cbStruct = sizeof(tc);
    tc.szTableName = "Tmpl";
    tc.rgcolumncreate = cols;
    tc.cColumns = 3;
    tc.rgindexcreate = ix;
    tc.cIndexes = 2;
    tc.grbit = JET_bitTableCreateTemplateTable;
    JET_ERR err = JetCreateTableColumnIndex(e->s, e->db, &tc);
    if (err >= 0)
        (void)JetCloseTable(e->s, tc.tableid);
    return err;
}

/* Derived table szName of Tmpl with an own fixed column "extra" and an own tagged "memo", and
 * an own index on extra. */
static JET_ERR make_derived(env *e, const char *szName, JET_GRBIT grbit)
{
    JET_COLUMNCREATE_A cols[2] = {col("extra", JET_coltypLong, 0),
                                  col("memo", JET_coltypLongBinary, 0)};
    JET_INDEXCREATE_A ix[1] = {idx("iextra", "-extra\0", 8, 0)};
    JET_TABLECREATE_A tc = {0};
    tc.cbStruct = sizeof(tc);
    tc.szTableName = (char *)szName;
    tc.szTemplateTableName = "Tmpl";
    tc.rgcolumncreate = cols;
    tc.cColumns = 2;
    tc.rgindexcreate = ix;
    tc.cIndexes = 1;
    tc.grbit = grbit;
    JET_ERR err = JetCreateTableColumnIndex(e->s, e->db, &tc);
    if (err >= 0)
        (void)JetCloseTable(e->s, tc.tableid);
    return err;
}

static JET_COLUMNID colid(env *e, const char *table, const char *name)
{
    JET_COLUMNDEF d = {0};
    if (JetGetColumnInfo(e->s, e->db, table, name, &d, sizeof(d), JET_ColInfo) < 0)
        return 0;
    return d.columnid;
}

static void insert(env *e, JET_TABLEID t, int32_t id, const char *name, int32_t extra,
                   const char *tags)
{
    CHECK_OK(JetBeginTransaction(e->s));
    CHECK_OK(JetPrepareUpdate(e->s, t, JET_prepInsert));
    CHECK_OK(JetSetColumn(e->s, t, colid(e, "D", "id"), &id, sizeof(id), 0, NULL));
    CHECK_OK(JetSetColumn(e->s, t, colid(e, "D", "name"), name, (uint32_t)strlen(name), 0, NULL));
    CHECK_OK(JetSetColumn(e->s, t, colid(e, "D", "extra"), &extra, sizeof(extra), 0, NULL));
    CHECK_OK(JetSetColumn(e->s, t, colid(e, "D", "tags"), tags, (uint32_t)strlen(tags), 0, NULL));
    CHECK_OK(JetSetColumn(e->s, t, colid(e, "D", "memo"), "m", 1, 0, NULL));
    CHECK_OK(JetUpdate(e->s, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(e->s, 0));
}

static void check_derived(env *e)
{
    /* columnids: template columns with the template bit, own ones from their class's start */
    CHECK_EQ(colid(e, "Tmpl", "id"), TBIT | 1u);
    CHECK_EQ(colid(e, "Tmpl", "name"), TBIT | 128u);
    CHECK_EQ(colid(e, "Tmpl", "tags"), TBIT | 256u);
    CHECK_EQ(colid(e, "D", "id"), TBIT | 1u);
    CHECK_EQ(colid(e, "D", "tags"), TBIT | 256u);
    CHECK_EQ(colid(e, "D", "extra"), 2u);  /* after the template's fixed column */
    CHECK_EQ(colid(e, "D", "memo"), 256u); /* own tagged space */
    JET_TABLEID t;
    CHECK_OK(JetOpenTable(e->s, e->db, "D", NULL, 0, 0, &t));
    /* the inherited primary index orders by id, the inherited secondary by name */
    int32_t id = 2, got = 0;
    uint32_t cb = 0;
    char buf[64];
    CHECK_OK(JetMakeKey(e->s, t, &id, sizeof(id), JET_bitNewKey));
    CHECK_OK(JetSeek(e->s, t, JET_bitSeekEQ));
    CHECK_OK(JetRetrieveColumn(e->s, t, colid(e, "D", "tags"), buf, sizeof(buf), &cb, 0, NULL));
    CHECK_EQ(cb, 3u);
    CHECK(memcmp(buf, "two", 3) == 0);
    CHECK_OK(JetRetrieveColumn(e->s, t, colid(e, "D", "memo"), buf, sizeof(buf), &cb, 0, NULL));
    CHECK_EQ(cb, 1u);
    CHECK_OK(JetSetCurrentIndex(e->s, t, "iname"));
    CHECK_OK(JetMove(e->s, t, JET_MoveFirst, 0));
    CHECK_OK(JetRetrieveColumn(e->s, t, colid(e, "D", "id"), &got, sizeof(got), &cb, 0, NULL));
    CHECK_EQ(got, 3);                                /* "alpha" */
    CHECK_OK(JetSetCurrentIndex(e->s, t, "iextra")); /* descending extra */
    CHECK_OK(JetMove(e->s, t, JET_MoveFirst, 0));
    CHECK_OK(JetRetrieveColumn(e->s, t, colid(e, "D", "id"), &got, sizeof(got), &cb, 0, NULL));
    CHECK_EQ(got, 1); /* extra 30 */
    CHECK_OK(JetCloseTable(e->s, t));
}

TEST(template_and_derived)
{
    env e;
    REQUIRE(env_start(&e, "t1.edb"));
    CHECK_OK(make_template(&e));
    CHECK_OK(make_derived(&e, "D", 0));
    JET_TABLEID t;
    CHECK_OK(JetOpenTable(e.s, e.db, "D", NULL, 0, 0, &t));
    insert(&e, t, 1, "zulu", 30, "one");
    insert(&e, t, 2, "mike", 20, "two");
    insert(&e, t, 3, "alpha", 10, "three");
    CHECK_OK(JetCloseTable(e.s, t));
    check_derived(&e);
    /* the template itself takes records too (its tagged columns are its own) */
    CHECK_OK(JetOpenTable(e.s, e.db, "Tmpl", NULL, 0, 0, &t));
    int32_t id = 7;
    uint32_t cb = 0;
    char buf[16];
    CHECK_OK(JetBeginTransaction(e.s));
    CHECK_OK(JetPrepareUpdate(e.s, t, JET_prepInsert));
    CHECK_OK(JetSetColumn(e.s, t, TBIT | 1u, &id, sizeof(id), 0, NULL));
    CHECK_OK(JetSetColumn(e.s, t, TBIT | 256u, "tt", 2, 0, NULL));
    CHECK_OK(JetUpdate(e.s, t, NULL, 0, NULL));
    CHECK_OK(JetCommitTransaction(e.s, 0));
    CHECK_OK(JetMove(e.s, t, JET_MoveFirst, 0));
    CHECK_OK(JetRetrieveColumn(e.s, t, TBIT | 256u, buf, sizeof(buf), &cb, 0, NULL));
    CHECK_EQ(cb, 2u);
    CHECK_OK(JetCloseTable(e.s, t));
    reattach(&e);
    check_derived(&e);
    env_stop(&e);
}

TEST(template_rules)
{
    env e;
    JET_TABLEID t;
    JET_COLUMNDEF d = {sizeof(d), 0, JET_coltypLong, 0, 0, 0, 0, 0, 0};
    REQUIRE(env_start(&e, "t2.edb"));
    CHECK_OK(make_template(&e));
    /* fixed DDL: nothing through a plain cursor */
    CHECK_OK(JetOpenTable(e.s, e.db, "Tmpl", NULL, 0, 0, &t));
    CHECK_ERR(JetAddColumn(e.s, t, "x", &d, NULL, 0, NULL), JET_errFixedDDL);
    CHECK_ERR(JetCreateIndex(e.s, t, "ix", 0, "+id\0\0", 5, 0), JET_errFixedDDL);
    CHECK_ERR(JetDeleteIndex(e.s, t, "iname"), JET_errFixedDDL);
    CHECK_ERR(JetDeleteColumn(e.s, t, "tags"), JET_errFixedDDL);
    CHECK_OK(JetCloseTable(e.s, t));
    /* JET_bitTablePermitDDL: tagged columns only, still no index */
    CHECK_ERR(JetOpenTable(e.s, e.db, "Tmpl", NULL, 0, JET_bitTablePermitDDL, &t),
              JET_errInvalidGrbit); /* needs deny-read */
    CHECK_OK(
        JetOpenTable(e.s, e.db, "Tmpl", NULL, 0, JET_bitTablePermitDDL | JET_bitTableDenyRead, &t));
    CHECK_ERR(JetAddColumn(e.s, t, "x", &d, NULL, 0, NULL), JET_errFixedDDL);
    d.grbit = JET_bitColumnTagged;
    JET_COLUMNID cx = 0;
    CHECK_OK(JetAddColumn(e.s, t, "x", &d, NULL, 0, &cx));
    CHECK_EQ(cx, TBIT | 257u);
    CHECK_ERR(JetCreateIndex(e.s, t, "ix", 0, "+id\0\0", 5, 0), JET_errFixedDDL);
    CHECK_OK(JetCloseTable(e.s, t));
    /* templates stay */
    CHECK_ERR(JetDeleteTable(e.s, e.db, "Tmpl"), JET_errCannotDeleteTemplateTable);
    CHECK_ERR(JetRenameTable(e.s, e.db, "Tmpl", "Other"), JET_errFixedDDL);
    /* derived: not from a plain table, no nesting, no deprecated bit */
    CHECK_OK(JetCreateTable(e.s, e.db, "Plain", 0, 0, &t));
    CHECK_OK(JetCloseTable(e.s, t));
    JET_TABLECREATE_A tc = {0};
    tc.cbStruct = sizeof(tc);
    tc.szTableName = "D1";
    tc.szTemplateTableName = "Plain";
    CHECK_ERR(JetCreateTableColumnIndex(e.s, e.db, &tc), JET_errDDLNotInheritable);
    tc.szTemplateTableName = "Nope";
    CHECK_ERR(JetCreateTableColumnIndex(e.s, e.db, &tc), JET_errObjectNotFound);
    tc.szTemplateTableName = "Tmpl";
    tc.grbit = JET_bitTableCreateTemplateTable;
    CHECK_ERR(JetCreateTableColumnIndex(e.s, e.db, &tc), JET_errCannotNestDDL);
    tc.szTemplateTableName = NULL;
    tc.grbit = JET_bitTableCreateTemplateTable | JET_bitTableCreateNoFixedVarColumnsInDerivedTables;
    CHECK_ERR(JetCreateTableColumnIndex(e.s, e.db, &tc), JET_errInvalidGrbit);
    /* a derived table: inherited columns and indexes cannot go; a template column's name is
     * taken; own columns of every class may be added (ESE 2003+: not only tagged ones) */
    CHECK_OK(make_derived(&e, "D", 0));
    CHECK_OK(JetOpenTable(e.s, e.db, "D", NULL, 0, 0, &t));
    CHECK_ERR(JetDeleteColumn(e.s, t, "name"), JET_errFixedInheritedDDL);
    CHECK_ERR(JetDeleteIndex(e.s, t, "iname"), JET_errFixedInheritedDDL);
    CHECK_ERR(JetDeleteIndex(e.s, t, "pk"), JET_errFixedInheritedDDL);
    d.grbit = 0;
    CHECK_ERR(JetAddColumn(e.s, t, "name", &d, NULL, 0, NULL), JET_errColumnDuplicate);
    CHECK_OK(JetAddColumn(e.s, t, "more", &d, NULL, 0, &cx));
    CHECK_EQ(cx, 3u); /* fixed: after template 1 and own 2 */
    d.grbit = JET_bitColumnTagged;
    CHECK_OK(JetAddColumn(e.s, t, "moretag", &d, NULL, 0, &cx));
    CHECK_EQ(cx, 257u);
    CHECK_OK(JetDeleteIndex(e.s, t, "iextra")); /* its own index */
    CHECK_ERR(JetCreateIndex(e.s, t, "pk2", JET_bitIndexPrimary, "+more\0\0", 7, 0),
              JET_errIndexHasPrimary);
    CHECK_OK(JetCloseTable(e.s, t));
    /* a fixed-DDL derived table */
    CHECK_OK(make_derived(&e, "DF", JET_bitTableCreateFixedDDL));
    CHECK_OK(JetOpenTable(e.s, e.db, "DF", NULL, 0, 0, &t));
    d.grbit = JET_bitColumnTagged;
    CHECK_ERR(JetAddColumn(e.s, t, "y", &d, NULL, 0, NULL), JET_errFixedDDL);
    CHECK_OK(JetCloseTable(e.s, t));
    CHECK_OK(
        JetOpenTable(e.s, e.db, "DF", NULL, 0, JET_bitTablePermitDDL | JET_bitTableDenyRead, &t));
    CHECK_OK(JetAddColumn(e.s, t, "y", &d, NULL, 0, NULL));
    CHECK_OK(JetCreateIndex(e.s, t, "iy", 0, "+y\0\0", 4, 0));
    CHECK_OK(JetCloseTable(e.s, t));
    reattach(&e);
    CHECK_EQ(colid(&e, "Tmpl", "x"), TBIT | 257u);
    CHECK_EQ(colid(&e, "D", "more"), 3u);
    CHECK_EQ(colid(&e, "DF", "y"), 257u); /* after its own "memo" */
    env_stop(&e);
}

TEST(derived_in_rolled_back_transaction)
{
    env e;
    REQUIRE(env_start(&e, "t3.edb"));
    CHECK_OK(make_template(&e));
    CHECK_OK(JetBeginTransaction(e.s));
    CHECK_OK(make_derived(&e, "D", 0));
    CHECK(colid(&e, "D", "extra") != 0);
    CHECK_OK(JetRollback(e.s, 0));
    JET_TABLEID t;
    CHECK_ERR(JetOpenTable(e.s, e.db, "D", NULL, 0, 0, &t), JET_errObjectNotFound);
    CHECK_OK(make_derived(&e, "D", 0)); /* the name is free again */
    reattach(&e);
    CHECK_EQ(colid(&e, "D", "extra"), 2u);
    env_stop(&e);
}

/* The catalog rows as ESE writes them (fcreate.cxx): template Template|FixedDDL, its columns
 * TemplateColumnESE98 (0x100), its indexes fidbTemplateIndex (0x100); the derived table
 * Derived (0x10000000) naming the template, its index copies with the template's flags but
 * fidbDerivedIndex (0x200) for fidbTemplateIndex, key segments flagged template (0x80). */
TEST(catalog_rows)
{
    const char *tool = getenv("BJ_TOOL");
    if (!tool)
        return;
    env e;
    REQUIRE(env_start(&e, "t4.edb"));
    CHECK_OK(make_template(&e));
    CHECK_OK(make_derived(&e, "D", 0));
    env_stop(&e);
    char out[1100], cmd[4096];
    snprintf(out, sizeof(out), "%s/mso.csv", bj_test_tmpdir());
    snprintf(cmd, sizeof(cmd), "'%s' export '%s' MSysObjects > '%s' 2>/dev/null", tool, e.path,
             out);
    REQUIRE(system(cmd) == 0);
    /* ObjidTable,Type,Id,ColtypOrPgnoFDP,SpaceUsage,Flags,...,Name(12),Stats,TemplateTable(14),
     * DefaultValue,KeyFldIDs(16) */
    static const char *const want[] = {
        "8,1,1610612736,Tmpl,",        /* Template | FixedDDL */
        "8,2,257,id,",                 /* TemplateColumnESE98 | NotNULL */
        "8,2,256,name,",               /* */
        "8,2,256,tags,",               /* */
        "8,3,65839,pk,,80000100",      /* 0x1012f: template index, primary; +id (1) */
        "8,3,65806,iname,,80008000",   /* 0x1010e; IDXSEG {0x80 template column, fid 128} */
        "10,1,268435456,D,Tmpl,",      /* Derived */
        "10,3,66095,pk,,80000100",     /* 0x1022f: derived index */
        "10,3,66062,iname,,80008000",  /* 0x1020e */
        "10,3,65550,iextra,,40000200", /* own: IDXSEG {0x40 descending, fid 2} */
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        snprintf(cmd, sizeof(cmd),
                 "awk -F, '$1>=8 { print $1\",\"$2\",\"$6\",\"$12\",\"$14\","
                 "\"$16 }' '%s' | grep -qF '%s'",
                 out, want[i]);
        if (system(cmd) != 0)
            bj_test_fail(__FILE__, __LINE__, "no catalog row like %s", want[i]);
    }
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
