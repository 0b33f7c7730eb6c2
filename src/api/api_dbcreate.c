/* api_dbcreate.c: JetCreateDatabase / 2 / 3 (database creation; see src/inst/db_create.c).
 * Argument checks: a NULL or empty file name is JET_errInvalidParameter, a NULL pdbid
 * JET_errInvalidParameter; JetCreateDatabase3's database parameters are accepted only when
 * none are given (JET_errFeatureNotAvailable otherwise). */
#include "api/api.h"
#include "inst/db.h"

BJ_EXPORT JET_ERR JetCreateDatabase2(JET_SESID sesid, JET_PCSTR szFilename,
                                     const uint32_t cpgDatabaseSizeMax, JET_DBID *pdbid,
                                     JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!szFilename || !szFilename[0] || !pdbid)
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_db_create(s, szFilename, cpgDatabaseSizeMax, grbit, pdbid);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetCreateDatabase2A(JET_SESID sesid, JET_PCSTR szFilename,
                            const uint32_t cpgDatabaseSizeMax, JET_DBID *pdbid, JET_GRBIT grbit)
    BJ_ALIAS(JetCreateDatabase2);

BJ_EXPORT JET_ERR JetCreateDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                                    JET_DBID *pdbid, JET_GRBIT grbit)
{
    (void)szConnect;
    return JetCreateDatabase2(sesid, szFilename, 0, pdbid, grbit);
}
JET_ERR JetCreateDatabaseA(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                           JET_DBID *pdbid, JET_GRBIT grbit) BJ_ALIAS(JetCreateDatabase);

BJ_EXPORT JET_ERR JetCreateDatabase3(JET_SESID sesid, JET_PCSTR szFilename, JET_DBID *pdbid,
                                     JET_SETDBPARAM *rgsetdbparam, uint32_t csetdbparam,
                                     JET_GRBIT grbit)
{
    if (csetdbparam && !rgsetdbparam)
        return BJ_ERR(JET_errInvalidParameter);
    if (csetdbparam)
        return BJ_ERR(JET_errFeatureNotAvailable);
    return JetCreateDatabase2(sesid, szFilename, 0, pdbid, grbit);
}
JET_ERR JetCreateDatabase3A(JET_SESID sesid, JET_PCSTR szFilename, JET_DBID *pdbid,
                            JET_SETDBPARAM *rgsetdbparam, uint32_t csetdbparam, JET_GRBIT grbit)
    BJ_ALIAS(JetCreateDatabase3);
