/* api_db.c: Jet* entry points for databases on the read path: attach, detach, open, close,
 * database info (attached) and database file info (any file). Each checks its arguments,
 * enters the session, and calls src/inst/db_attach.c. */
#include "api/api.h"
#include "inst/db.h"

BJ_EXPORT JET_ERR JetAttachDatabase2(JET_SESID sesid, JET_PCSTR szFilename,
                                     const uint32_t cpgDatabaseSizeMax, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    (void)cpgDatabaseSizeMax;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!szFilename || !szFilename[0])
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_db_attach(s->inst, szFilename, grbit);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetAttachDatabase2A(JET_SESID sesid, JET_PCSTR szFilename,
                            const uint32_t cpgDatabaseSizeMax, JET_GRBIT grbit)
    BJ_ALIAS(JetAttachDatabase2);

BJ_EXPORT JET_ERR JetAttachDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit)
{
    return JetAttachDatabase2(sesid, szFilename, 0, grbit);
}
JET_ERR JetAttachDatabaseA(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit)
    BJ_ALIAS(JetAttachDatabase);

BJ_EXPORT JET_ERR JetDetachDatabase2(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_db_detach(s->inst, szFilename, grbit);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetDetachDatabase2A(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit)
    BJ_ALIAS(JetDetachDatabase2);

BJ_EXPORT JET_ERR JetDetachDatabase(JET_SESID sesid, JET_PCSTR szFilename)
{
    return JetDetachDatabase2(sesid, szFilename, 0);
}
JET_ERR JetDetachDatabaseA(JET_SESID sesid, JET_PCSTR szFilename) BJ_ALIAS(JetDetachDatabase);

BJ_EXPORT JET_ERR JetOpenDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                                  JET_DBID *pdbid, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    (void)szConnect;
    CALL(bj_sess_enter(sesid, 0, &s));
    if (!pdbid)
        err = BJ_ERR(JET_errInvalidParameter);
    else
        err = bj_db_open(s, szFilename, grbit, pdbid);
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetOpenDatabaseA(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                         JET_DBID *pdbid, JET_GRBIT grbit) BJ_ALIAS(JetOpenDatabase);

BJ_EXPORT JET_ERR JetCloseDatabase(JET_SESID sesid, JET_DBID dbid, JET_GRBIT grbit)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    (void)grbit;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_db_close(s, dbid);
    bj_sess_leave(s);
fail:
    return err;
}

/* ---- information ---- */

static void lgpos_out(const bj_lgpos *in, JET_LGPOS *out)
{
    out->ib = in->ib;
    out->isec = in->isec;
    out->lGeneration = (int32_t)in->gen;
}

static void logtime_out(const bj_logtime *in, JET_LOGTIME *out)
{
    _Static_assert(sizeof(JET_LOGTIME) == 8, "JET_LOGTIME is the 8 on-disk bytes");
    bj_logtime_encode(in, (uint8_t *)out);
}

static void sign_out(const bj_signature *in, JET_SIGNATURE *out)
{
    memset(out, 0, sizeof(*out));
    out->ulRandom = in->random;
    logtime_out(&in->created, &out->logtimeCreate);
    memcpy(out->szComputerName, in->computer,
           BJ_MIN(sizeof(in->computer), (size_t)JET_MAX_COMPUTERNAME_LENGTH));
}

static void bkinfo_out(const bj_bkinfo *in, JET_BKINFO *out)
{
    memset(out, 0, sizeof(*out));
    lgpos_out(&in->lgposMark, &out->lgposMark);
    logtime_out(&in->logtimeMark, &out->logtimeMark);
    out->genLow = in->genLow;
    out->genHigh = in->genHigh;
}

/* JET_DbInfoMisc from a header (the V1 fields JET_DBINFOMISC has). */
static void misc_out(const bj_dbhdr *h, uint32_t cbPage, JET_DBINFOMISC *m)
{
    memset(m, 0, sizeof(*m));
    m->ulVersion = h->version;
    m->ulUpdate = h->updateMajor;
    sign_out(&h->signDb, &m->signDb);
    m->dbstate = h->dbstate;
    lgpos_out(&h->lgposConsistent, &m->lgposConsistent);
    logtime_out(&h->logtimeConsistent, &m->logtimeConsistent);
    logtime_out(&h->logtimeAttach, &m->logtimeAttach);
    lgpos_out(&h->lgposAttach, &m->lgposAttach);
    logtime_out(&h->logtimeDetach, &m->logtimeDetach);
    lgpos_out(&h->lgposDetach, &m->lgposDetach);
    sign_out(&h->signLog, &m->signLog);
    bkinfo_out(&h->bkinfoFullPrev, &m->bkinfoFullPrev);
    bkinfo_out(&h->bkinfoIncPrev, &m->bkinfoIncPrev);
    bkinfo_out(&h->bkinfoFullCur, &m->bkinfoFullCur);
    m->dwMajorVersion = h->osMajor;
    m->dwMinorVersion = h->osMinor;
    m->dwBuildNumber = h->osBuild;
    m->lSPNumber = (int32_t)h->osSP;
    m->cbPageSize = cbPage;
}

/* JET_DbInfoMisc in the largest version that fits cbMax (V1..V5; ESE fills by size too). */
static void misc_out_v(const bj_dbhdr *h, uint32_t cbPage, void *pv, uint32_t cbMax)
{
    JET_DBINFOMISC5 m;
    memset(&m, 0, sizeof(m));
    misc_out(h, cbPage, (JET_DBINFOMISC *)&m);
    m.genMinRequired = h->genMinRequired;
    m.genMaxRequired = h->genMaxRequired;
    logtime_out(&h->logtimeGenMaxCreate, &m.logtimeGenMaxCreate);
    m.ulRepairCount = h->repairCount;
    logtime_out(&h->logtimeRepair, &m.logtimeRepair);
    m.ulRepairCountOld = h->repairCountOld;
    m.ulECCFixSuccess = h->eccFixSuccess;
    logtime_out(&h->logtimeEccFixSuccess, &m.logtimeECCFixSuccess);
    m.ulECCFixSuccessOld = h->eccFixSuccessOld;
    m.ulECCFixFail = h->eccFixFail;
    logtime_out(&h->logtimeEccFixFail, &m.logtimeECCFixFail);
    m.ulECCFixFailOld = h->eccFixFailOld;
    m.ulBadChecksum = h->badChecksum;
    logtime_out(&h->logtimeBadChecksum, &m.logtimeBadChecksum);
    m.ulBadChecksumOld = h->badChecksumOld;
    m.genCommitted = h->genMaxCommitted;
    bkinfo_out(&h->bkinfoCopyPrev, &m.bkinfoCopyPrev);
    bkinfo_out(&h->bkinfoDiffPrev, &m.bkinfoDiffPrev);
    m.ulIncrementalReseedCount = h->incReseedCount;
    logtime_out(&h->logtimeIncReseed, &m.logtimeIncrementalReseed);
    m.ulIncrementalReseedCountOld = h->incReseedCountOld;
    m.ulPagePatchCount = h->pagePatchCount;
    logtime_out(&h->logtimePagePatch, &m.logtimePagePatch);
    m.ulPagePatchCountOld = h->pagePatchCountOld;
    const size_t cb = cbMax >= sizeof(JET_DBINFOMISC5)   ? sizeof(JET_DBINFOMISC5)
                      : cbMax >= sizeof(JET_DBINFOMISC4) ? sizeof(JET_DBINFOMISC4)
                      : cbMax >= sizeof(JET_DBINFOMISC3) ? sizeof(JET_DBINFOMISC3)
                      : cbMax >= sizeof(JET_DBINFOMISC2) ? sizeof(JET_DBINFOMISC2)
                                                         : sizeof(JET_DBINFOMISC);
    memcpy(pv, &m, cb);
}

/* The info levels both functions answer from a header and a file size. */
static JET_ERR header_info(const bj_dbhdr *h, uint32_t cbPage, uint64_t cbFile, void *pv,
                           uint32_t cbMax, uint32_t level)
{
    switch (level) {
    case JET_DbInfoMisc:
        if (cbMax < sizeof(JET_DBINFOMISC))
            return BJ_ERR(JET_errInvalidBufferSize);
        misc_out_v(h, cbPage, pv, cbMax);
        return JET_errSuccess;
    case JET_DbInfoPageSize:
        if (cbMax < sizeof(uint32_t))
            return BJ_ERR(JET_errInvalidBufferSize);
        *(uint32_t *)pv = cbPage;
        return JET_errSuccess;
    case JET_DbInfoFilesize:
    case JET_DbInfoFilesizeOnDisk:
        /* in pages, as ESE reports it (the file's pages, header pages included) */
        if (cbMax < sizeof(uint32_t))
            return BJ_ERR(JET_errInvalidBufferSize);
        *(uint32_t *)pv = (uint32_t)(cbFile / cbPage);
        return JET_errSuccess;
    default:
        return BJ_ERR(JET_errInvalidParameter);
    }
}

BJ_EXPORT JET_ERR JetGetDatabaseFileInfo(JET_PCSTR szDatabaseName, void *pvResult, uint32_t cbMax,
                                         uint32_t InfoLevel)
{
    JET_ERR err = JET_errSuccess;
    bj_dbhdr h;
    uint32_t cbPage;
    uint64_t cbFile;
    if (!szDatabaseName || !szDatabaseName[0] || !pvResult)
        ERR(JET_errInvalidParameter);
    CALL(bj_db_read_header(bj_os_posix(), szDatabaseName, &h, &cbPage, &cbFile));
    err = header_info(&h, cbPage, cbFile, pvResult, cbMax, InfoLevel);
fail:
    return err;
}
JET_ERR JetGetDatabaseFileInfoA(JET_PCSTR szDatabaseName, void *pvResult, uint32_t cbMax,
                                uint32_t InfoLevel) BJ_ALIAS(JetGetDatabaseFileInfo);

BJ_EXPORT JET_ERR JetGetDatabaseInfo(JET_SESID sesid, JET_DBID dbid, void *pvResult, uint32_t cbMax,
                                     uint32_t InfoLevel)
{
    JET_ERR err = JET_errSuccess;
    bj_sess *s = NULL;
    bj_db *db;
    CALL(bj_sess_enter(sesid, 0, &s));
    err = bj_db_get(s, dbid, &db);
    if (err >= 0 && !pvResult)
        err = BJ_ERR(JET_errInvalidParameter);
    if (err >= 0) {
        if (InfoLevel == JET_DbInfoFilename) {
            size_t n = strlen(db->path) + 1;
            if (cbMax < n)
                err = BJ_ERR(JET_errBufferTooSmall);
            else
                memcpy(pvResult, db->path, n);
        } else {
            err = header_info(&db->hdr, db->cbPage, db->cbFile, pvResult, cbMax, InfoLevel);
        }
    }
    bj_sess_leave(s);
fail:
    return err;
}
JET_ERR JetGetDatabaseInfoA(JET_SESID sesid, JET_DBID dbid, void *pvResult, uint32_t cbMax,
                            uint32_t InfoLevel) BJ_ALIAS(JetGetDatabaseInfo);
