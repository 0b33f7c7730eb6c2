/* test_header_abi.c: include/esent.h keeps the ABI of ESE on 64-bit Windows.
 *
 * Expected sizes and offsets are worked out by hand from the Windows x64 rules: long and
 * unsigned long are 4 bytes, pointers and JET_API_PTR 8, natural alignment, and 1-byte packing
 * for JET_LOGTIME, JET_BKLOGTIME, JET_LGPOS, JET_SIGNATURE, JET_CHECKPOINTINFO and JET_BKINFO.
 * Constants are checked against the values in ESE's jethdr.w and mingw-w64's esent.h.
 * The header is also compiled as C++ (with the same layout checks) when a C++ compiler exists.
 */
#include <esent.h>

#include "testlib.h"

#define SIZE(T, n) CHECK_EQ(sizeof(T), (n))
#define OFF(T, f, n) CHECK_EQ(offsetof(T, f), (n))

TEST(base_type_widths)
{
    SIZE(JET_ERR, 4);
    SIZE(JET_GRBIT, 4);
    SIZE(JET_DBID, 4);
    SIZE(JET_COLUMNID, 4);
    SIZE(JET_COLTYP, 4);
    SIZE(JET_OBJTYP, 4);
    SIZE(JET_SNP, 4);
    SIZE(JET_SNT, 4);
    SIZE(JET_CBTYP, 4);
    SIZE(JET_WCHAR, 2);
    SIZE(JET_API_PTR, sizeof(void *));
    SIZE(JET_INSTANCE, sizeof(void *));
    SIZE(JET_SESID, sizeof(void *));
    SIZE(JET_TABLEID, sizeof(void *));
    SIZE(JET_HANDLE, sizeof(void *));
    SIZE(JET_OSSNAPID, sizeof(void *));
    SIZE(JET_LS, sizeof(void *));
    CHECK((JET_ERR)-1 < 0);     /* signed */
    CHECK((JET_GRBIT)-1 > 0);   /* unsigned */
    CHECK((JET_API_PTR)-1 > 0); /* unsigned */
    CHECK(JET_instanceNil == (JET_INSTANCE) ~(uintptr_t)0);
    CHECK(JET_sesidNil == (JET_SESID) ~(uintptr_t)0);
    CHECK(JET_tableidNil == (JET_TABLEID) ~(uintptr_t)0);
    CHECK(JET_LSNil == (JET_LS) ~(uintptr_t)0);
    CHECK(JET_dbidNil == 0xFFFFFFFFu);
    CHECK_EQ(JET_bitNil, 0);
}

TEST(packed_log_and_backup_records)
{
    SIZE(JET_LOGTIME, 8);
    SIZE(JET_BKLOGTIME, 8);
    SIZE(JET_LGPOS, 8);
    OFF(JET_LGPOS, ib, 0);
    OFF(JET_LGPOS, isec, 2);
    OFF(JET_LGPOS, lGeneration, 4);
    SIZE(JET_SIGNATURE, 28);
    OFF(JET_SIGNATURE, ulRandom, 0);
    OFF(JET_SIGNATURE, logtimeCreate, 4);
    OFF(JET_SIGNATURE, szComputerName, 12);
    SIZE(JET_BKINFO, 24);
    OFF(JET_BKINFO, lgposMark, 0);
    OFF(JET_BKINFO, logtimeMark, 8);
    OFF(JET_BKINFO, bklogtimeMark, 8);
    OFF(JET_BKINFO, genLow, 16);
    OFF(JET_BKINFO, genHigh, 20);
    SIZE(JET_CHECKPOINTINFO, 16);
    OFF(JET_CHECKPOINTINFO, logtimeGenMaxCreate, 8);
    CHECK_EQ(_Alignof(JET_LGPOS), 1);
    CHECK_EQ(_Alignof(JET_SIGNATURE), 1);
    CHECK_EQ(_Alignof(JET_BKINFO), 1);
}

TEST(logtime_bit_fields)
{
    JET_LOGTIME t;
    memset(&t, 0, sizeof(t));
    t.fTimeIsUTC = 1;
    t.bMillisecondsLow = 0x55;
    t.bMillisecondsHigh = 5;
    const unsigned char *b = (const unsigned char *)&t;
    CHECK_EQ(b[6], 0x01 | (0x55 << 1));
    CHECK_EQ(b[7], 5 << 1);
    JET_BKLOGTIME bt;
    memset(&bt, 0, sizeof(bt));
    bt.fOSSnapshot = 1;
    CHECK_EQ(((const unsigned char *)&bt)[7], 1);
}

TEST(dbinfomisc_layouts)
{
    SIZE(JET_DBINFOMISC, 216);
    OFF(JET_DBINFOMISC, ulVersion, 0);
    OFF(JET_DBINFOMISC, ulUpdate, 4);
    OFF(JET_DBINFOMISC, signDb, 8);
    OFF(JET_DBINFOMISC, dbstate, 36);
    OFF(JET_DBINFOMISC, lgposConsistent, 40);
    OFF(JET_DBINFOMISC, logtimeConsistent, 48);
    OFF(JET_DBINFOMISC, logtimeAttach, 56);
    OFF(JET_DBINFOMISC, lgposAttach, 64);
    OFF(JET_DBINFOMISC, logtimeDetach, 72);
    OFF(JET_DBINFOMISC, lgposDetach, 80);
    OFF(JET_DBINFOMISC, signLog, 88);
    OFF(JET_DBINFOMISC, bkinfoFullPrev, 116);
    OFF(JET_DBINFOMISC, bkinfoIncPrev, 140);
    OFF(JET_DBINFOMISC, bkinfoFullCur, 164);
    OFF(JET_DBINFOMISC, fShadowingDisabled, 188);
    OFF(JET_DBINFOMISC, fUpgradeDb, 192);
    OFF(JET_DBINFOMISC, dwMajorVersion, 196);
    OFF(JET_DBINFOMISC, lSPNumber, 208);
    OFF(JET_DBINFOMISC, cbPageSize, 212);
    SIZE(JET_DBINFOMISC2, 296);
    OFF(JET_DBINFOMISC2, genMinRequired, 216);
    OFF(JET_DBINFOMISC2, genMaxRequired, 220);
    OFF(JET_DBINFOMISC2, logtimeGenMaxCreate, 224);
    OFF(JET_DBINFOMISC2, ulRepairCount, 232);
    OFF(JET_DBINFOMISC2, ulBadChecksumOld, 292);
    SIZE(JET_DBINFOMISC3, 300);
    OFF(JET_DBINFOMISC3, genCommitted, 296);
    SIZE(JET_DBINFOMISC4, 348);
    OFF(JET_DBINFOMISC4, bkinfoCopyPrev, 300);
    OFF(JET_DBINFOMISC4, bkinfoDiffPrev, 324);
    SIZE(JET_DBINFOMISC5, 380);
    OFF(JET_DBINFOMISC5, ulIncrementalReseedCount, 348);
    OFF(JET_DBINFOMISC5, ulPagePatchCountOld, 376);
    SIZE(JET_DBINFOMISC6, 400);
    OFF(JET_DBINFOMISC6, cpgDatabaseChecked, 396);
    SIZE(JET_DBINFOMISC7, 416);
    OFF(JET_DBINFOMISC7, logtimeLastReAttach, 400);
    OFF(JET_DBINFOMISC7, lgposLastReAttach, 408);
    SIZE(JET_DBINFOUPGRADE, 28);
    OFF(JET_DBINFOUPGRADE, ulFlags, 24);
}

TEST(backup_and_restore_structures)
{
    SIZE(JET_LOGINFO, 16);
    OFF(JET_LOGINFO, ulGenLow, 4);
    OFF(JET_LOGINFO, ulGenHigh, 8);
    OFF(JET_LOGINFO, szBaseName, 12);
    SIZE(JET_SNPROG, 12);
    SIZE(JET_RSTMAP, 16);
    OFF(JET_RSTMAP, szNewDatabaseName, 8);
    SIZE(JET_SETDBPARAM, 24);
    OFF(JET_SETDBPARAM, pvParam, 8);
    OFF(JET_SETDBPARAM, cbParam, 16);
    SIZE(JET_RSTMAP2, 40);
    OFF(JET_RSTMAP2, szDatabaseName, 8);
    OFF(JET_RSTMAP2, szNewDatabaseName, 16);
    OFF(JET_RSTMAP2, rgsetdbparam, 24);
    OFF(JET_RSTMAP2, csetdbparam, 32);
    OFF(JET_RSTMAP2, grbit, 36);
    SIZE(JET_RSTINFO, 48);
    OFF(JET_RSTINFO, rgrstmap, 8);
    OFF(JET_RSTINFO, crstmap, 16);
    OFF(JET_RSTINFO, lgposStop, 20);
    OFF(JET_RSTINFO, logtimeStop, 28);
    OFF(JET_RSTINFO, pfnStatus, 40);
    SIZE(JET_RSTINFO2, 56);
    OFF(JET_RSTINFO2, pfnCallback, 40);
    OFF(JET_RSTINFO2, pvCallbackContext, 48);
    SIZE(JET_INSTANCE_INFO, 48);
    OFF(JET_INSTANCE_INFO, cDatabases, 16);
    OFF(JET_INSTANCE_INFO, szDatabaseFileName, 24);
    OFF(JET_INSTANCE_INFO, szDatabaseSLVFileName_Obsolete, 40);
    SIZE(JET_COMMIT_ID, 40);
    OFF(JET_COMMIT_ID, reserved, 28);
    OFF(JET_COMMIT_ID, commitId, 32);
    SIZE(JET_CONVERT, 16);
    OFF(JET_CONVERT, fFlags, 8);
    SIZE(JET_SETSYSPARAM, 32);
    OFF(JET_SETSYSPARAM, lParam, 8);
    OFF(JET_SETSYSPARAM, sz, 16);
    OFF(JET_SETSYSPARAM, err, 24);
}

TEST(column_structures)
{
    SIZE(JET_COLUMNDEF, 28);
    OFF(JET_COLUMNDEF, columnid, 4);
    OFF(JET_COLUMNDEF, coltyp, 8);
    OFF(JET_COLUMNDEF, wCountry, 12);
    OFF(JET_COLUMNDEF, langid, 14);
    OFF(JET_COLUMNDEF, cp, 16);
    OFF(JET_COLUMNDEF, wCollate, 18);
    OFF(JET_COLUMNDEF, cbMax, 20);
    OFF(JET_COLUMNDEF, grbit, 24);
    SIZE(JET_COLUMNBASE, 540);
    OFF(JET_COLUMNBASE, szBaseTableName, 28);
    OFF(JET_COLUMNBASE, szBaseColumnName, 284);
    SIZE(JET_COLUMNLIST, 80);
    OFF(JET_COLUMNLIST, tableid, 8);
    OFF(JET_COLUMNLIST, cRecord, 16);
    OFF(JET_COLUMNLIST, columnidPresentationOrder, 20);
    OFF(JET_COLUMNLIST, columnidDefinitionName, 72);
    SIZE(JET_COLUMNCREATE, 56);
    OFF(JET_COLUMNCREATE, szColumnName, 8);
    OFF(JET_COLUMNCREATE, coltyp, 16);
    OFF(JET_COLUMNCREATE, grbit, 24);
    OFF(JET_COLUMNCREATE, pvDefault, 32);
    OFF(JET_COLUMNCREATE, cbDefault, 40);
    OFF(JET_COLUMNCREATE, cp, 44);
    OFF(JET_COLUMNCREATE, columnid, 48);
    OFF(JET_COLUMNCREATE, err, 52);
    SIZE(JET_USERDEFINEDDEFAULT, 32);
    OFF(JET_USERDEFINEDDEFAULT, szDependantColumns, 24);
    SIZE(JET_CONDITIONALCOLUMN, 24);
    OFF(JET_CONDITIONALCOLUMN, grbit, 16);
}

TEST(index_structures)
{
    SIZE(JET_INDEXID, 20);
    SIZE(JET_UNICODEINDEX, 8);
    SIZE(JET_UNICODEINDEX2, 16);
    OFF(JET_UNICODEINDEX2, dwMapFlags, 8);
    SIZE(JET_TUPLELIMITS, 20);
    SIZE(JET_SPACEHINTS, 32);
    OFF(JET_SPACEHINTS, cbMaxExtent, 28);
    SIZE(JET_INDEXCREATE, 80);
    OFF(JET_INDEXCREATE, szIndexName, 8);
    OFF(JET_INDEXCREATE, szKey, 16);
    OFF(JET_INDEXCREATE, cbKey, 24);
    OFF(JET_INDEXCREATE, grbit, 28);
    OFF(JET_INDEXCREATE, ulDensity, 32);
    OFF(JET_INDEXCREATE, lcid, 40);
    OFF(JET_INDEXCREATE, pidxunicode, 40);
    OFF(JET_INDEXCREATE, cbVarSegMac, 48);
    OFF(JET_INDEXCREATE, ptuplelimits, 48);
    OFF(JET_INDEXCREATE, rgconditionalcolumn, 56);
    OFF(JET_INDEXCREATE, cConditionalColumn, 64);
    OFF(JET_INDEXCREATE, err, 68);
    OFF(JET_INDEXCREATE, cbKeyMost, 72);
    SIZE(JET_INDEXCREATE2, 88);
    OFF(JET_INDEXCREATE2, pSpacehints, 80);
    SIZE(JET_INDEXCREATE3, 88);
    OFF(JET_INDEXCREATE3, pidxunicode, 40);
    OFF(JET_INDEXCREATE3, cbKeyMost, 72);
    OFF(JET_INDEXCREATE3, pSpacehints, 80);
    SIZE(JET_INDEXLIST, 88);
    OFF(JET_INDEXLIST, columnidindexname, 20);
    OFF(JET_INDEXLIST, columnidLCMapFlags, 80);
    SIZE(JET_INDEXRANGE, 24);
    OFF(JET_INDEXRANGE, grbit, 16);
    SIZE(JET_INDEX_COLUMN, 24);
    OFF(JET_INDEX_COLUMN, pv, 8);
    OFF(JET_INDEX_COLUMN, grbit, 20);
    SIZE(JET_INDEX_RANGE, 32);
    OFF(JET_INDEX_RANGE, rgEndColumns, 16);
}

TEST(table_structures)
{
    SIZE(JET_TABLECREATE, 80);
    OFF(JET_TABLECREATE, szTableName, 8);
    OFF(JET_TABLECREATE, szTemplateTableName, 16);
    OFF(JET_TABLECREATE, ulPages, 24);
    OFF(JET_TABLECREATE, ulDensity, 28);
    OFF(JET_TABLECREATE, rgcolumncreate, 32);
    OFF(JET_TABLECREATE, cColumns, 40);
    OFF(JET_TABLECREATE, rgindexcreate, 48);
    OFF(JET_TABLECREATE, cIndexes, 56);
    OFF(JET_TABLECREATE, grbit, 60);
    OFF(JET_TABLECREATE, tableid, 64);
    OFF(JET_TABLECREATE, cCreated, 72);
    SIZE(JET_TABLECREATE2, 96);
    OFF(JET_TABLECREATE2, szCallback, 64);
    OFF(JET_TABLECREATE2, cbtyp, 72);
    OFF(JET_TABLECREATE2, grbit, 76);
    OFF(JET_TABLECREATE2, tableid, 80);
    OFF(JET_TABLECREATE2, cCreated, 88);
    SIZE(JET_TABLECREATE3, 120);
    OFF(JET_TABLECREATE3, pSeqSpacehints, 80);
    OFF(JET_TABLECREATE3, pLVSpacehints, 88);
    OFF(JET_TABLECREATE3, cbSeparateLV, 96);
    OFF(JET_TABLECREATE3, tableid, 104);
    OFF(JET_TABLECREATE3, cCreated, 112);
    SIZE(JET_TABLECREATE4, 120);
    OFF(JET_TABLECREATE4, rgindexcreate, 48);
    OFF(JET_TABLECREATE4, tableid, 104);
    SIZE(JET_OPENTEMPORARYTABLE, 64);
    OFF(JET_OPENTEMPORARYTABLE, prgcolumndef, 8);
    OFF(JET_OPENTEMPORARYTABLE, ccolumn, 16);
    OFF(JET_OPENTEMPORARYTABLE, pidxunicode, 24);
    OFF(JET_OPENTEMPORARYTABLE, grbit, 32);
    OFF(JET_OPENTEMPORARYTABLE, prgcolumnid, 40);
    OFF(JET_OPENTEMPORARYTABLE, cbKeyMost, 48);
    OFF(JET_OPENTEMPORARYTABLE, cbVarSegMac, 52);
    OFF(JET_OPENTEMPORARYTABLE, tableid, 56);
    SIZE(JET_OPENTEMPORARYTABLE2, 64);
    SIZE(JET_OBJECTINFO, 40);
    OFF(JET_OBJECTINFO, dtCreate, 8);
    OFF(JET_OBJECTINFO, dtUpdate, 16);
    OFF(JET_OBJECTINFO, grbit, 24);
    OFF(JET_OBJECTINFO, cPage, 36);
    SIZE(JET_OBJECTLIST, 56);
    OFF(JET_OBJECTLIST, columnidcontainername, 20);
    OFF(JET_OBJECTLIST, columnidcPage, 52);
}

TEST(record_structures)
{
    SIZE(JET_SETCOLUMN, 40);
    OFF(JET_SETCOLUMN, columnid, 0);
    OFF(JET_SETCOLUMN, pvData, 8);
    OFF(JET_SETCOLUMN, cbData, 16);
    OFF(JET_SETCOLUMN, grbit, 20);
    OFF(JET_SETCOLUMN, ibLongValue, 24);
    OFF(JET_SETCOLUMN, itagSequence, 28);
    OFF(JET_SETCOLUMN, err, 32);
    SIZE(JET_RETRIEVECOLUMN, 48);
    OFF(JET_RETRIEVECOLUMN, pvData, 8);
    OFF(JET_RETRIEVECOLUMN, cbData, 16);
    OFF(JET_RETRIEVECOLUMN, cbActual, 20);
    OFF(JET_RETRIEVECOLUMN, grbit, 24);
    OFF(JET_RETRIEVECOLUMN, ibLongValue, 28);
    OFF(JET_RETRIEVECOLUMN, itagSequence, 32);
    OFF(JET_RETRIEVECOLUMN, columnidNextTagged, 36);
    OFF(JET_RETRIEVECOLUMN, err, 40);
    SIZE(JET_RETINFO, 16);
    OFF(JET_RETINFO, columnidNextTagged, 12);
    SIZE(JET_SETINFO, 12);
    SIZE(JET_RECPOS, 16);
    SIZE(JET_RECPOS2, 32);
    OFF(JET_RECPOS2, centriesLT, 16);
    OFF(JET_RECPOS2, centriesTotal, 24);
    SIZE(JET_RECORDLIST, 24);
    OFF(JET_RECORDLIST, tableid, 8);
    OFF(JET_RECORDLIST, columnidBookmark, 20);
    SIZE(JET_ENUMCOLUMNID, 16);
    OFF(JET_ENUMCOLUMNID, rgtagSequence, 8);
    SIZE(JET_ENUMCOLUMNVALUE, 24);
    OFF(JET_ENUMCOLUMNVALUE, cbData, 8);
    OFF(JET_ENUMCOLUMNVALUE, pvData, 16);
    SIZE(JET_ENUMCOLUMN, 24);
    OFF(JET_ENUMCOLUMN, cEnumColumnValue, 8);
    OFF(JET_ENUMCOLUMN, rgEnumColumnValue, 16);
    OFF(JET_ENUMCOLUMN, cbData, 8);
    OFF(JET_ENUMCOLUMN, pvData, 16);
    SIZE(JET_RECSIZE, 64);
    SIZE(JET_RECSIZE2, 88);
    SIZE(JET_THREADSTATS, 32);
    SIZE(JET_THREADSTATS2, 48);
    OFF(JET_THREADSTATS2, cusecPageCacheMiss, 32);
    OFF(JET_THREADSTATS2, cPageCacheMiss, 40);
    SIZE(JET_ERRINFOBASIC_W, 152);
    OFF(JET_ERRINFOBASIC_W, rgszSourceFile, 24);
    SIZE(JET_OPERATIONCONTEXT, 8);
}

TEST(constant_sample)
{
    /* column types and limits */
    CHECK_EQ(JET_coltypNil, 0);
    CHECK_EQ(JET_coltypBit, 1);
    CHECK_EQ(JET_coltypLong, 4);
    CHECK_EQ(JET_coltypDateTime, 8);
    CHECK_EQ(JET_coltypLongText, 12);
    CHECK_EQ(JET_coltypLongLong, 15);
    CHECK_EQ(JET_coltypGUID, 16);
    CHECK_EQ(JET_coltypUnsignedShort, 17);
    CHECK_EQ(JET_coltypMax, 19);
    CHECK_EQ(JET_cbKeyMost, 255);
    CHECK_EQ(JET_cbKeyMost8KBytePage, 2000);
    CHECK_EQ(JET_cbKeyMostMost, 2000);
    CHECK_EQ(JET_ccolKeyMost, 16);
    CHECK_EQ(JET_cbColumnMost, 255);
    CHECK_EQ(JET_cbLVColumnMost, 0x7FFFFFFF);
    CHECK_EQ(JET_cbNameMost, 64);
    CHECK_EQ(JET_cbFullNameMost, 255);
    CHECK_EQ(JET_cbBookmarkMost, 256);
    CHECK_EQ(JET_ccolFixedMost, 127);
    /* navigation and updates */
    CHECK_EQ((uint32_t)JET_MoveFirst, 0x80000000u);
    CHECK_EQ(JET_MoveLast, 0x7fffffff);
    CHECK_EQ(JET_MovePrevious, -1);
    CHECK_EQ(JET_MoveNext, 1);
    CHECK_EQ(JET_prepInsert, 0);
    CHECK_EQ(JET_prepReplace, 2);
    CHECK_EQ(JET_prepCancel, 3);
    CHECK_EQ(JET_prepReplaceNoLock, 4);
    CHECK_EQ(JET_prepInsertCopy, 5);
    CHECK_EQ(JET_bitSeekEQ, 0x1);
    CHECK_EQ(JET_bitSeekGE, 0x8);
    CHECK_EQ(JET_bitNewKey, 0x1);
    CHECK_EQ(JET_bitRetrieveCopy, 0x1);
    CHECK_EQ(JET_bitSetAppendLV, 0x1);
    CHECK_EQ(JET_bitColumnFixed, 0x1);
    CHECK_EQ(JET_bitColumnTagged, 0x2);
    CHECK_EQ(JET_bitColumnNotNULL, 0x4);
    CHECK_EQ(JET_bitColumnMultiValued, 0x400);
    CHECK_EQ(JET_bitIndexUnique, 0x1);
    CHECK_EQ(JET_bitIndexPrimary, 0x2);
    CHECK_EQ(JET_bitIndexUnicode, 0x800);
    CHECK_EQ(JET_bitTTIndexed, 0x1);
    CHECK_EQ(JET_bitTTUnique, 0x2);
    CHECK_EQ(JET_bitDbReadOnly, 0x1);
    CHECK_EQ(JET_bitCommitLazyFlush, 0x1);
    CHECK_EQ(JET_bitRollbackAll, 0x1);
    /* backup, restore, termination (ese-backup-spec.md 1.3-1.5) */
    CHECK_EQ(JET_bitBackupIncremental, 0x1);
    CHECK_EQ(JET_bitBackupAtomic, 0x4);
    CHECK_EQ(JET_bitBackupSnapshot, 0x10);
    CHECK_EQ(JET_bitBackupEndNormal, 0x1);
    CHECK_EQ(JET_bitBackupEndAbort, 0x2);
    CHECK_EQ(JET_bitBackupTruncateDone, 0x100);
    CHECK_EQ(JET_bitTermStopBackup, 0x4);
    CHECK_EQ(JET_bitTermDirty, 0x8);
    CHECK_EQ(JET_bitReplayIgnoreMissingDB, 0x4);
    CHECK_EQ(JET_bitRestoreMapOverwriteOnCreate, 0x4);
    CHECK_EQ(JET_snpRestore, 8);
    CHECK_EQ(JET_snpBackup, 9);
    CHECK_EQ(JET_sntBegin, 5);
    CHECK_EQ(JET_sntComplete, 6);
    CHECK_EQ(JET_sntFail, 3);
    CHECK_EQ(JET_dbstateJustCreated, 1);
    CHECK_EQ(JET_dbstateDirtyShutdown, 2);
    CHECK_EQ(JET_dbstateCleanShutdown, 3);
    CHECK_EQ(JET_dbstateRevertInProgress, 8);
    CHECK_EQ(JET_filetypeDatabase, 1);
    CHECK_EQ(JET_filetypeLog, 3);
    CHECK_EQ(JET_filetypeCheckpoint, 4);
    CHECK_EQ(JET_BASE_NAME_LENGTH, 3);
    CHECK_EQ(JET_MAX_COMPUTERNAME_LENGTH, 15);
    /* system parameters */
    CHECK_EQ(JET_paramSystemPath, 0);
    CHECK_EQ(JET_paramTempPath, 1);
    CHECK_EQ(JET_paramLogFilePath, 2);
    CHECK_EQ(JET_paramBaseName, 3);
    CHECK_EQ(JET_paramMaxSessions, 5);
    CHECK_EQ(JET_paramLogFileSize, 11);
    CHECK_EQ(JET_paramCircularLog, 17);
    CHECK_EQ(JET_paramRecovery, 34);
    CHECK_EQ(JET_paramDatabasePageSize, 64);
    CHECK_EQ(JET_paramCreatePathIfNotExist, 100);
    CHECK_EQ(JET_paramLegacyFileNames, 136);
    CHECK_EQ(JET_paramCacheSizeMax, 23);
    CHECK_EQ(JET_paramCacheSize, 41);
    CHECK_EQ(JET_sesparamCommitDefault, 4097);
    /* info levels and object types */
    CHECK_EQ(JET_DbInfoFilesize, 10);
    CHECK_EQ(JET_DbInfoMisc, 14);
    CHECK_EQ(JET_DbInfoPageSize, 17);
    CHECK_EQ(JET_ColInfo, 0);
    CHECK_EQ(JET_ColInfoList, 1);
    CHECK_EQ(JET_ColInfoBase, 4);
    CHECK_EQ(JET_IdxInfoList, 1);
    CHECK_EQ(JET_TblInfoName, 1);
    CHECK_EQ(JET_ObjInfoList, 2);
    CHECK_EQ(JET_objtypTable, 1);
    /* result codes */
    CHECK_EQ(JET_errSuccess, 0);
    CHECK_EQ(JET_wrnNyi, -1);
    CHECK_EQ(JET_wrnColumnNull, 1004);
    CHECK_EQ(JET_wrnBufferTruncated, 1006);
    CHECK_EQ(JET_wrnSeekNotEqual, 1039);
    CHECK_EQ(JET_wrnRecordFoundGreater, JET_wrnSeekNotEqual);
    CHECK_EQ(JET_wrnTargetInstanceRunning, 578);
    CHECK_EQ(JET_errLogFileCorrupt, -501);
    CHECK_EQ(JET_errBackupInProgress, -505);
    CHECK_EQ(JET_errMissingLogFile, -528);
    CHECK_EQ(JET_errBadLogSignature, -530);
    CHECK_EQ(JET_errRequiredLogFilesMissing, -543);
    CHECK_EQ(JET_errDatabaseDirtyShutdown, -550);
    CHECK_EQ(JET_errDatabaseInconsistent, -550);
    CHECK_EQ(JET_errLogFileNotCopied, -616);
    CHECK_EQ(JET_errSurrogateBackupInProgress, -617);
    CHECK_EQ(JET_errBackupAbortByServer, -801);
    CHECK_EQ(JET_errInvalidGrbit, -900);
    CHECK_EQ(JET_errInvalidParameter, -1003);
    CHECK_EQ(JET_errReadVerifyFailure, -1018);
    CHECK_EQ(JET_errRunningInMultiInstanceMode, -1081);
    CHECK_EQ(JET_errWriteConflict, -1102);
    CHECK_EQ(JET_errDatabaseCorrupted, -1206);
    CHECK_EQ(JET_errDatabaseAttachedForRecovery, -1231);
    CHECK_EQ(JET_errRecordNotFound, -1601);
    CHECK_EQ(JET_errKeyDuplicate, -1605);
    CHECK_EQ(JET_errFileNotFound, -1811);
    CHECK_EQ(JET_errFileAlreadyExists, -1814);
    CHECK_EQ(JET_errAfterInitialization, -1850);
    CHECK_EQ(JET_errOSSnapshotInvalidSnapId, -2404);
    CHECK_EQ(JET_errBadSLVSignature, -537); /* kept from older SDK headers */
}

/* Function declarations: the plain and A names have one type (the library exports both).
 * _Generic does not evaluate its operand, so this needs no definitions at link time. */
#define HAS_TYPE(fn, T) _Generic((fn), T : 1, default : 0)

typedef JET_ERR (*create_fn)(JET_SESID, const char *, const char *, JET_DBID *, JET_GRBIT);
typedef JET_ERR (*attach_fn)(JET_SESID, const char *, JET_GRBIT);
typedef JET_ERR (*begin_fn)(JET_INSTANCE, JET_GRBIT);
typedef JET_ERR (*openfile_fn)(JET_INSTANCE, const char *, JET_HANDLE *, uint32_t *, uint32_t *);
typedef JET_ERR (*loginfo2_fn)(JET_INSTANCE, char *, uint32_t, uint32_t *, JET_LOGINFO *);
typedef JET_ERR (*init3_fn)(JET_INSTANCE *, JET_RSTINFO *, JET_GRBIT);
typedef JET_ERR (*init4_fn)(JET_INSTANCE *, JET_RSTINFO2 *, JET_GRBIT);
typedef JET_ERR (*errinfo_fn)(void *, void *, uint32_t, uint32_t, JET_GRBIT);
typedef JET_ERR (*retrieve_fn)(JET_SESID, JET_TABLEID, JET_COLUMNID, void *, uint32_t, uint32_t *,
                               JET_GRBIT, JET_RETINFO *);
typedef JET_ERR (*move_fn)(JET_SESID, JET_TABLEID, int32_t, JET_GRBIT);
typedef JET_ERR (*extrestore_fn)(char *, char *, JET_RSTMAP *, int32_t, char *, int32_t, int32_t,
                                 JET_PFNSTATUS);

TEST(char_variants_share_signatures)
{
    CHECK(HAS_TYPE(JetCreateDatabase, create_fn));
    CHECK(HAS_TYPE(JetCreateDatabaseA, create_fn));
    CHECK(HAS_TYPE(JetAttachDatabase, attach_fn));
    CHECK(HAS_TYPE(JetAttachDatabaseA, attach_fn));
    CHECK(HAS_TYPE(JetBeginExternalBackupInstance, begin_fn));
    CHECK(HAS_TYPE(JetEndExternalBackupInstance2, begin_fn));
    CHECK(HAS_TYPE(JetOpenFileInstance, openfile_fn));
    CHECK(HAS_TYPE(JetOpenFileInstanceA, openfile_fn));
    CHECK(HAS_TYPE(JetGetLogInfoInstance2, loginfo2_fn));
    CHECK(HAS_TYPE(JetGetLogInfoInstance2A, loginfo2_fn));
    CHECK(HAS_TYPE(JetInit3, init3_fn));
    CHECK(HAS_TYPE(JetInit3A, init3_fn));
    CHECK(HAS_TYPE(JetInit4, init4_fn));
    CHECK(HAS_TYPE(JetInit4A, init4_fn));
    CHECK(HAS_TYPE(JetGetErrorInfo, errinfo_fn));
    CHECK(HAS_TYPE(JetRetrieveColumn, retrieve_fn));
    CHECK(HAS_TYPE(JetMove, move_fn));
    CHECK(HAS_TYPE(JetExternalRestore, extrestore_fn));
    CHECK(HAS_TYPE(JetExternalRestoreA, extrestore_fn));
    CHECK(!HAS_TYPE(JetAttachDatabase, create_fn));
}

/* Compiles the header as C++ with the same layout facts, when a C++ compiler is installed. */
TEST(header_compiles_as_cxx)
{
    const char *src = getenv("BJ_SOURCE_DIR");
    if (!src || system("command -v c++ >/dev/null 2>&1") != 0) {
        printf("    skipped: no C++ compiler or BJ_SOURCE_DIR\n");
        return;
    }
    char path[4096], cmd[8192];
    snprintf(path, sizeof(path), "%s/abi.cpp", bj_test_tmpdir());
    FILE *f = fopen(path, "w");
    REQUIRE(f != NULL);
    fputs("#include <esent.h>\n"
          "static_assert(sizeof(JET_COLUMNDEF) == 28, \"columndef\");\n"
          "static_assert(sizeof(JET_SETCOLUMN) == 40, \"setcolumn\");\n"
          "static_assert(sizeof(JET_RETRIEVECOLUMN) == 48, \"retrievecolumn\");\n"
          "static_assert(sizeof(JET_INDEXCREATE) == 80, \"indexcreate\");\n"
          "static_assert(sizeof(JET_TABLECREATE) == 80, \"tablecreate\");\n"
          "static_assert(sizeof(JET_SIGNATURE) == 28, \"signature\");\n"
          "static_assert(sizeof(JET_BKINFO) == 24, \"bkinfo\");\n"
          "static_assert(sizeof(JET_DBINFOMISC4) == 348, \"dbinfomisc4\");\n"
          "static_assert(offsetof(JET_RSTINFO, pfnStatus) == 40, \"rstinfo\");\n"
          "static_assert(JET_errFileAlreadyExists == -1814, \"err\");\n"
          "extern \"C\" JET_ERR JET_API JetIdle(JET_SESID, JET_GRBIT);\n"
          "int main() { JET_THREADSTATS ts; ts.cbStruct = sizeof(ts); return (int)ts.cbStruct - "
          "32; }\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof(cmd),
             "c++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only -I'%s/include' '%s'", src, path);
    CHECK_EQ(system(cmd), 0);
}

int main(int argc, char **argv)
{
    return bj_test_main(argc, argv);
}
