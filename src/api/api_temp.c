/* api_temp.c: Jet* entry points for temporary tables: JetOpenTempTable, JetOpenTempTable2
 * (lcid), JetOpenTempTable3 (JET_UNICODEINDEX), JetOpenTemporaryTable (JET_OPENTEMPORARYTABLE:
 * cbKeyMost, cbVarSegMac), JetOpenTemporaryTable2 (JET_UNICODEINDEX2 with a locale name).
 * Argument checks only; src/inst/tempdb.c does the work. */
#include "api/api.h"
#include "inst/tempdb.h"

static JET_ERR temp_open(JET_SESID sesid, const bj_temp_def *def, JET_TABLEID *ptableid,
                         JET_COLUMNID *rgcolumnid)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!ptableid || (def->ccol && (!def->rgcol || !rgcolumnid)))
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_temp_open(s, def, ptableid, rgcolumnid);
    bj_sess_leave(s);
fail:
    return err;
}

BJ_EXPORT JET_ERR JetOpenTempTable(JET_SESID sesid, const JET_COLUMNDEF *prgcolumndef,
                                   uint32_t ccolumn, JET_GRBIT grbit, JET_TABLEID *ptableid,
                                   JET_COLUMNID *prgcolumnid)
{
    bj_temp_def def = {.rgcol = prgcolumndef, .ccol = ccolumn, .grbit = grbit};
    return temp_open(sesid, &def, ptableid, prgcolumnid);
}

BJ_EXPORT JET_ERR JetOpenTempTable2(JET_SESID sesid, const JET_COLUMNDEF *prgcolumndef,
                                    uint32_t ccolumn, uint32_t lcid, JET_GRBIT grbit,
                                    JET_TABLEID *ptableid, JET_COLUMNID *prgcolumnid)
{
    bj_temp_def def = {.rgcol = prgcolumndef, .ccol = ccolumn, .grbit = grbit, .lcid = lcid};
    return temp_open(sesid, &def, ptableid, prgcolumnid);
}

BJ_EXPORT JET_ERR JetOpenTempTable3(JET_SESID sesid, const JET_COLUMNDEF *prgcolumndef,
                                    uint32_t ccolumn, JET_UNICODEINDEX *pidxunicode,
                                    JET_GRBIT grbit, JET_TABLEID *ptableid,
                                    JET_COLUMNID *prgcolumnid)
{
    bj_temp_def def = {.rgcol = prgcolumndef, .ccol = ccolumn, .grbit = grbit};
    if (pidxunicode) {
        def.lcid = pidxunicode->lcid;
        def.dwMapFlags = pidxunicode->dwMapFlags;
    }
    return temp_open(sesid, &def, ptableid, prgcolumnid);
}

BJ_EXPORT JET_ERR JetOpenTemporaryTable(JET_SESID sesid, JET_OPENTEMPORARYTABLE *popentemp)
{
    if (!popentemp || popentemp->cbStruct != sizeof(*popentemp))
        return BJ_ERR(JET_errInvalidParameter);
    bj_temp_def def = {.rgcol = popentemp->prgcolumndef,
                       .ccol = popentemp->ccolumn,
                       .grbit = popentemp->grbit,
                       .cbKeyMost = popentemp->cbKeyMost,
                       .cbVarSegMac = popentemp->cbVarSegMac};
    if (popentemp->pidxunicode) {
        def.lcid = popentemp->pidxunicode->lcid;
        def.dwMapFlags = popentemp->pidxunicode->dwMapFlags;
    }
    return temp_open(sesid, &def, &popentemp->tableid, popentemp->prgcolumnid);
}

BJ_EXPORT JET_ERR JetOpenTemporaryTable2(JET_SESID sesid, JET_OPENTEMPORARYTABLE2 *popentemp)
{
    char szLocale[JET_cbNameMost + 1];
    if (!popentemp || popentemp->cbStruct != sizeof(*popentemp))
        return BJ_ERR(JET_errInvalidParameter);
    bj_temp_def def = {.rgcol = popentemp->prgcolumndef,
                       .ccol = popentemp->ccolumn,
                       .grbit = popentemp->grbit,
                       .cbKeyMost = popentemp->cbKeyMost,
                       .cbVarSegMac = popentemp->cbVarSegMac};
    if (popentemp->pidxunicode) {
        const JET_WCHAR *w = popentemp->pidxunicode->szLocaleName;
        size_t n = 0;
        for (; w && w[n]; n++) {
            if (n + 1 >= sizeof(szLocale) || w[n] >= 0x80) /* locale names are ASCII */
                return BJ_ERR(JET_errInvalidParameter);
            szLocale[n] = (char)w[n];
        }
        szLocale[n] = '\0';
        def.szLocale = w ? szLocale : NULL;
        def.dwMapFlags = popentemp->pidxunicode->dwMapFlags;
    }
    return temp_open(sesid, &def, &popentemp->tableid, popentemp->prgcolumnid);
}
