/* esent.h: the public API of bluejet, Microsoft's Extensible Storage Engine ("JET Blue") API
 * for POSIX systems, source-compatible with Windows' esent.h for programs that use the char
 * (ANSI) forms.
 *
 * Conventions of this header:
 * - Types keep Windows' widths: every long / unsigned long of Microsoft's API is a 32-bit
 *   integer here (JET_ERR, JET_GRBIT, JET_DBID, JET_COLUMNID ...); handles (JET_INSTANCE,
 *   JET_SESID, JET_TABLEID, JET_HANDLE, JET_OSSNAPID, JET_LS) are pointer-sized.
 * - Structures have the layouts of 64-bit Windows: natural alignment, except the log and
 *   backup records (JET_LOGTIME, JET_BKLOGTIME, JET_LGPOS, JET_SIGNATURE, JET_CHECKPOINTINFO,
 *   JET_BKINFO), which are 1-byte packed as in ESE.
 * - Strings are char. Every function that takes a string is declared under its plain name and
 *   under the same name with an A suffix (JetCreateDatabase and JetCreateDatabaseA); both are
 *   exported and behave the same. Structures with strings have a plain name and an _A name for
 *   the same type. UTF-16 (W) forms are not declared.
 * - Constants carry ESE's names and values, including the ones newer than older SDK headers.
 * - Result codes: JET_errSuccess (0), warnings > 0, errors < 0 (JET_wrnNyi is -1, as in ESE).
 *
 * Only <stdint.h> and <stddef.h> are included; the header compiles as C11 and as C++.
 */
#ifndef _INC_ESENT
#define _INC_ESENT

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Calling convention and linkage markers of Windows' header; empty here. */
#ifndef JET_API
#define JET_API
#endif
#ifndef JET_NODSAPI
#define JET_NODSAPI
#endif

/* ==== base types ==== */

typedef uintptr_t JET_API_PTR;  /* pointer-sized unsigned integer */
typedef int32_t JET_ERR;        /* < 0 error, 0 success, > 0 warning */
typedef JET_API_PTR JET_HANDLE; /* backup file handle, callback id */
typedef JET_API_PTR JET_INSTANCE;
typedef JET_API_PTR JET_SESID;
typedef JET_API_PTR JET_TABLEID;
typedef JET_API_PTR JET_LS; /* local-storage value attached to a cursor or table */
typedef JET_API_PTR JET_OSSNAPID;
typedef uint32_t JET_COLUMNID;
typedef uint32_t JET_DBID;
typedef uint32_t JET_OBJTYP;
typedef uint32_t JET_COLTYP;
typedef uint32_t JET_GRBIT;
typedef uint32_t JET_SNP;   /* status notification process */
typedef uint32_t JET_SNT;   /* status notification type */
typedef uint32_t JET_CBTYP; /* callback type */
typedef uint32_t JET_ENGINEFORMATVERSION;
typedef double JET_DATESERIAL; /* OLE automation date */

/* One UTF-16 code unit (Windows' WCHAR), not the platform's wchar_t. */
typedef uint16_t JET_WCHAR;

typedef char *JET_PSTR;
typedef const char *JET_PCSTR;
typedef JET_WCHAR *JET_PWSTR;
typedef const JET_WCHAR *JET_PCWSTR;

/* An opaque index identifier (JetGetTableIndexInfo with JET_IdxInfoIndexId). */
typedef struct tagJET_INDEXID {
    uint32_t cbStruct;
    unsigned char rgbIndexId[sizeof(JET_API_PTR) + sizeof(uint32_t) + sizeof(uint32_t)];
} JET_INDEXID;

/* ==== callbacks ==== */

/* Progress and status of long operations (backup, restore, compaction ...). */
typedef JET_ERR(JET_API *JET_PFNSTATUS)(JET_SESID sesid, JET_SNP snp, JET_SNT snt, void *pv);

/* Status callback of JetInit4: no session, a caller context instead. */
typedef JET_ERR(JET_API *JET_PFNINITCALLBACK)(JET_SNP snp, JET_SNT snt, void *pv, void *pvContext);

/* Table and engine callbacks registered by JetRegisterCallback or in JET_TABLECREATE2+. */
typedef JET_ERR(JET_API *JET_CALLBACK)(JET_SESID sesid, JET_DBID dbid, JET_TABLEID tableid,
                                       JET_CBTYP cbtyp, void *pvArg1, void *pvArg2, void *pvContext,
                                       JET_API_PTR ulUnused);

/* Allocator used by JetEnumerateColumns (realloc semantics; cb == 0 frees). */
typedef void *(JET_API *JET_PFNREALLOC)(void *pvContext, void *pv, uint32_t cb);

/* ==== time stamps, log positions, signatures (1-byte packed, as ESE declares them) ==== */

#define JET_MAX_COMPUTERNAME_LENGTH 15
#define JET_BASE_NAME_LENGTH 3

#pragma pack(push, 1)

/* A calendar time in 8 bytes; bYear counts from 1900. */
typedef struct {
    char bSeconds;
    char bMinutes;
    char bHours;
    char bDay;
    char bMonth;
    char bYear;
    union {
        char bFiller1;
        struct {
            unsigned char fTimeIsUTC : 1;
            unsigned char bMillisecondsLow : 7;
        };
    };
    union {
        char bFiller2;
        struct {
            unsigned char fReserved : 1;
            unsigned char bMillisecondsHigh : 3;
            unsigned char fUnused : 4;
        };
    };
} JET_LOGTIME;

/* JET_LOGTIME of a backup record; the low bit of the last byte marks an OS snapshot. */
typedef struct {
    char bSeconds;
    char bMinutes;
    char bHours;
    char bDay;
    char bMonth;
    char bYear;
    union {
        char bFiller1;
        struct {
            unsigned char fTimeIsUTC : 1;
            unsigned char bMillisecondsLow : 7;
        };
    };
    union {
        char bFiller2;
        struct {
            unsigned char fOSSnapshot : 1;
            unsigned char bMillisecondsHigh : 3;
            unsigned char fReserved : 4;
        };
    };
} JET_BKLOGTIME;

/* A position in the log stream: byte in sector, sector in file, file generation. */
typedef struct {
    unsigned short ib;
    unsigned short isec;
    int32_t lGeneration;
} JET_LGPOS;

/* Identity of a database or of a log stream. */
typedef struct {
    uint32_t ulRandom;
    JET_LOGTIME logtimeCreate;
    char szComputerName[JET_MAX_COMPUTERNAME_LENGTH + 1];
} JET_SIGNATURE;

/* Checkpoint summary: the range of log generations still needed. */
typedef struct {
    uint32_t genMin;
    uint32_t genMax;
    JET_LOGTIME logtimeGenMaxCreate;
} JET_CHECKPOINTINFO;

/* One backup record of a database header. */
typedef struct {
    JET_LGPOS lgposMark;
    union {
        JET_LOGTIME logtimeMark;
        JET_BKLOGTIME bklogtimeMark;
    };
    uint32_t genLow;
    uint32_t genHigh;
} JET_BKINFO;

#pragma pack(pop)

/* ==== database and log information ==== */

/* The fields that JET_DBINFOMISC starts with; every later version appends to them. */
#define BJ_DBINFOMISC_V1_                                                                          \
    uint32_t ulVersion;                                                                            \
    uint32_t ulUpdate;                                                                             \
    JET_SIGNATURE signDb;                                                                          \
    uint32_t dbstate;                                                                              \
    JET_LGPOS lgposConsistent;                                                                     \
    JET_LOGTIME logtimeConsistent;                                                                 \
    JET_LOGTIME logtimeAttach;                                                                     \
    JET_LGPOS lgposAttach;                                                                         \
    JET_LOGTIME logtimeDetach;                                                                     \
    JET_LGPOS lgposDetach;                                                                         \
    JET_SIGNATURE signLog;                                                                         \
    JET_BKINFO bkinfoFullPrev;                                                                     \
    JET_BKINFO bkinfoIncPrev;                                                                      \
    JET_BKINFO bkinfoFullCur;                                                                      \
    uint32_t fShadowingDisabled;                                                                   \
    uint32_t fUpgradeDb;                                                                           \
    uint32_t dwMajorVersion;                                                                       \
    uint32_t dwMinorVersion;                                                                       \
    uint32_t dwBuildNumber;                                                                        \
    int32_t lSPNumber;                                                                             \
    uint32_t cbPageSize;
#define BJ_DBINFOMISC_V2_                                                                          \
    BJ_DBINFOMISC_V1_                                                                              \
    uint32_t genMinRequired;                                                                       \
    uint32_t genMaxRequired;                                                                       \
    JET_LOGTIME logtimeGenMaxCreate;                                                               \
    uint32_t ulRepairCount;                                                                        \
    JET_LOGTIME logtimeRepair;                                                                     \
    uint32_t ulRepairCountOld;                                                                     \
    uint32_t ulECCFixSuccess;                                                                      \
    JET_LOGTIME logtimeECCFixSuccess;                                                              \
    uint32_t ulECCFixSuccessOld;                                                                   \
    uint32_t ulECCFixFail;                                                                         \
    JET_LOGTIME logtimeECCFixFail;                                                                 \
    uint32_t ulECCFixFailOld;                                                                      \
    uint32_t ulBadChecksum;                                                                        \
    JET_LOGTIME logtimeBadChecksum;                                                                \
    uint32_t ulBadChecksumOld;
#define BJ_DBINFOMISC_V3_                                                                          \
    BJ_DBINFOMISC_V2_                                                                              \
    uint32_t genCommitted;
#define BJ_DBINFOMISC_V4_                                                                          \
    BJ_DBINFOMISC_V3_                                                                              \
    JET_BKINFO bkinfoCopyPrev;                                                                     \
    JET_BKINFO bkinfoDiffPrev;
#define BJ_DBINFOMISC_V5_                                                                          \
    BJ_DBINFOMISC_V4_                                                                              \
    uint32_t ulIncrementalReseedCount;                                                             \
    JET_LOGTIME logtimeIncrementalReseed;                                                          \
    uint32_t ulIncrementalReseedCountOld;                                                          \
    uint32_t ulPagePatchCount;                                                                     \
    JET_LOGTIME logtimePagePatch;                                                                  \
    uint32_t ulPagePatchCountOld;
#define BJ_DBINFOMISC_V6_                                                                          \
    BJ_DBINFOMISC_V5_                                                                              \
    JET_LOGTIME logtimeChecksumPrev;                                                               \
    JET_LOGTIME logtimeChecksumStart;                                                              \
    uint32_t cpgDatabaseChecked;
#define BJ_DBINFOMISC_V7_                                                                          \
    BJ_DBINFOMISC_V6_                                                                              \
    JET_LOGTIME logtimeLastReAttach;                                                               \
    JET_LGPOS lgposLastReAttach;

/* JetGetDatabaseInfo / JetGetDatabaseFileInfo with JET_DbInfoMisc: the header's state. */
typedef struct {
    BJ_DBINFOMISC_V1_
} JET_DBINFOMISC;
typedef struct {
    BJ_DBINFOMISC_V2_
} JET_DBINFOMISC2;
typedef struct {
    BJ_DBINFOMISC_V3_
} JET_DBINFOMISC3;
typedef struct {
    BJ_DBINFOMISC_V4_
} JET_DBINFOMISC4;
typedef struct {
    BJ_DBINFOMISC_V5_
} JET_DBINFOMISC5;
typedef struct {
    BJ_DBINFOMISC_V6_
} JET_DBINFOMISC6;
typedef struct {
    BJ_DBINFOMISC_V7_
} JET_DBINFOMISC7;

#undef BJ_DBINFOMISC_V1_
#undef BJ_DBINFOMISC_V2_
#undef BJ_DBINFOMISC_V3_
#undef BJ_DBINFOMISC_V4_
#undef BJ_DBINFOMISC_V5_
#undef BJ_DBINFOMISC_V6_
#undef BJ_DBINFOMISC_V7_

/* JET_DbInfoUpgrade: what an upgrade of the file would need. */
typedef struct {
    uint32_t cbStruct;
    uint32_t cbFilesizeLow;
    uint32_t cbFilesizeHigh;
    uint32_t cbFreeSpaceRequiredLow;
    uint32_t cbFreeSpaceRequiredHigh;
    uint32_t csecToUpgrade;
    union {
        uint32_t ulFlags;
        struct {
            uint32_t fUpgradable : 1;
            uint32_t fAlreadyUpgraded : 1;
        };
    };
} JET_DBINFOUPGRADE;

/* The log generations a backup holds (JetGetLogInfoInstance2, JetExternalRestore2). */
typedef struct {
    uint32_t cbSize;
    uint32_t ulGenLow;
    uint32_t ulGenHigh;
    char szBaseName[JET_BASE_NAME_LENGTH + 1];
} JET_LOGINFO_A;
typedef JET_LOGINFO_A JET_LOGINFO;

/* Progress of a long operation: cunitDone out of cunitTotal. */
typedef struct {
    uint32_t cbStruct;
    uint32_t cunitDone;
    uint32_t cunitTotal;
} JET_SNPROG;

/* ==== restore ==== */

/* Restore a database found under szDatabaseName to szNewDatabaseName. */
typedef struct {
    char *szDatabaseName;
    char *szNewDatabaseName;
} JET_RSTMAP_A;
typedef JET_RSTMAP_A JET_RSTMAP;

/* One database parameter (JET_dbparam*) for JetCreateDatabase3, JetAttachDatabase3, RSTMAP2. */
typedef struct tagJET_SETDBPARAM {
    uint32_t dbparamid;
    void *pvParam; /* points at the value, also for integers */
    uint32_t cbParam;
} JET_SETDBPARAM;

typedef struct {
    uint32_t cbStruct;
    char *szDatabaseName; /* optional: the original path */
    char *szNewDatabaseName;
    JET_SETDBPARAM *rgsetdbparam;
    uint32_t csetdbparam;
    JET_GRBIT grbit; /* JET_bitRestoreMap* */
} JET_RSTMAP2_A;
typedef JET_RSTMAP2_A JET_RSTMAP2;

/* JetInit3: remapped soft recovery, optionally stopping at a log position. */
typedef struct {
    uint32_t cbStruct;
    JET_RSTMAP_A *rgrstmap;
    int32_t crstmap;
    JET_LGPOS lgposStop;
    JET_LOGTIME logtimeStop;
    JET_PFNSTATUS pfnStatus;
} JET_RSTINFO_A;
typedef JET_RSTINFO_A JET_RSTINFO;

/* JetInit4: as JET_RSTINFO with JET_RSTMAP2 entries and a context-carrying callback. */
typedef struct {
    uint32_t cbStruct;
    JET_RSTMAP2_A *rgrstmap;
    int32_t crstmap;
    JET_LGPOS lgposStop;
    JET_LOGTIME logtimeStop;
    JET_PFNINITCALLBACK pfnCallback;
    void *pvCallbackContext;
} JET_RSTINFO2_A;
typedef JET_RSTINFO2_A JET_RSTINFO2;

/* Compaction options (JetCompact). */
typedef struct tagCONVERT_A {
    char *szOldDll;
    union {
        uint32_t fFlags;
        struct {
            uint32_t fSchemaChangesOnly : 1;
        };
    };
} JET_CONVERT_A;
typedef JET_CONVERT_A JET_CONVERT;

/* JetGetInstanceInfo / JetOSSnapshotFreeze: one running instance and its databases. */
typedef struct _JET_INSTANCE_INFO_A {
    JET_INSTANCE hInstanceId;
    char *szInstanceName;
    JET_API_PTR cDatabases;
    char **szDatabaseFileName;
    char **szDatabaseDisplayName;
    char **szDatabaseSLVFileName_Obsolete;
} JET_INSTANCE_INFO_A;
typedef JET_INSTANCE_INFO_A JET_INSTANCE_INFO;

/* JetEnableMultiInstance: one system parameter to set on every new instance. */
typedef struct {
    uint32_t paramid;
    JET_API_PTR lParam;
    const char *sz;
    JET_ERR err;
} JET_SETSYSPARAM_A;
typedef JET_SETSYSPARAM_A JET_SETSYSPARAM;

/* ==== objects, columns, indexes: descriptions and result tables ==== */

typedef struct {
    uint32_t cbStruct;
    JET_OBJTYP objtyp;
    JET_DATESERIAL dtCreate;
    JET_DATESERIAL dtUpdate;
    JET_GRBIT grbit;
    uint32_t flags;
    uint32_t cRecord;
    uint32_t cPage;
} JET_OBJECTINFO;

/* A temporary table listing objects, and the column ids of its columns. */
typedef struct {
    uint32_t cbStruct;
    JET_TABLEID tableid;
    uint32_t cRecord;
    JET_COLUMNID columnidcontainername;
    JET_COLUMNID columnidobjectname;
    JET_COLUMNID columnidobjtyp;
    JET_COLUMNID columniddtCreate;
    JET_COLUMNID columniddtUpdate;
    JET_COLUMNID columnidgrbit;
    JET_COLUMNID columnidflags;
    JET_COLUMNID columnidcRecord;
    JET_COLUMNID columnidcPage;
} JET_OBJECTLIST;

/* A temporary table listing columns (JET_ColInfoList). */
typedef struct {
    uint32_t cbStruct;
    JET_TABLEID tableid;
    uint32_t cRecord;
    JET_COLUMNID columnidPresentationOrder;
    JET_COLUMNID columnidcolumnname;
    JET_COLUMNID columnidcolumnid;
    JET_COLUMNID columnidcoltyp;
    JET_COLUMNID columnidCountry;
    JET_COLUMNID columnidLangid;
    JET_COLUMNID columnidCp;
    JET_COLUMNID columnidCollate;
    JET_COLUMNID columnidcbMax;
    JET_COLUMNID columnidgrbit;
    JET_COLUMNID columnidDefault;
    JET_COLUMNID columnidBaseTableName;
    JET_COLUMNID columnidBaseColumnName;
    JET_COLUMNID columnidDefinitionName;
} JET_COLUMNLIST;

/* A column's definition (JetAddColumn, JetOpenTempTable, JET_ColInfo). */
typedef struct {
    uint32_t cbStruct;
    JET_COLUMNID columnid;
    JET_COLTYP coltyp;
    unsigned short wCountry;
    unsigned short langid;
    unsigned short cp;
    unsigned short wCollate;
    uint32_t cbMax;
    JET_GRBIT grbit;
} JET_COLUMNDEF;

/* JET_ColInfoBase: a column's definition with the table it is defined in. */
typedef struct {
    uint32_t cbStruct;
    JET_COLUMNID columnid;
    JET_COLTYP coltyp;
    unsigned short wCountry;
    unsigned short langid;
    unsigned short cp;
    unsigned short wFiller;
    uint32_t cbMax;
    JET_GRBIT grbit;
    char szBaseTableName[256];
    char szBaseColumnName[256];
} JET_COLUMNBASE_A;
typedef JET_COLUMNBASE_A JET_COLUMNBASE;

/* A temporary table listing index segments (JET_IdxInfoList): one row per segment. */
typedef struct {
    uint32_t cbStruct;
    JET_TABLEID tableid;
    uint32_t cRecord;
    JET_COLUMNID columnidindexname;
    JET_COLUMNID columnidgrbitIndex;
    JET_COLUMNID columnidcKey;
    JET_COLUMNID columnidcEntry;
    JET_COLUMNID columnidcPage;
    JET_COLUMNID columnidcColumn;
    JET_COLUMNID columnidiColumn;
    JET_COLUMNID columnidcolumnid;
    JET_COLUMNID columnidcoltyp;
    JET_COLUMNID columnidCountry;
    JET_COLUMNID columnidLangid;
    JET_COLUMNID columnidCp;
    JET_COLUMNID columnidCollate;
    JET_COLUMNID columnidgrbitColumn;
    JET_COLUMNID columnidcolumnname;
    JET_COLUMNID columnidLCMapFlags;
} JET_INDEXLIST;

/* One column of JetCreateTableColumnIndex*; columnid and err are outputs. */
typedef struct tag_JET_COLUMNCREATE_A {
    uint32_t cbStruct;
    char *szColumnName;
    JET_COLTYP coltyp;
    uint32_t cbMax;
    JET_GRBIT grbit;
    void *pvDefault;
    uint32_t cbDefault;
    uint32_t cp;
    JET_COLUMNID columnid;
    JET_ERR err;
} JET_COLUMNCREATE_A;
typedef JET_COLUMNCREATE_A JET_COLUMNCREATE;

/* Default value computed by a callback (JET_bitColumnUserDefinedDefault). */
typedef struct tag_JET_USERDEFINEDDEFAULT_A {
    char *szCallback;
    unsigned char *pbUserData;
    uint32_t cbUserData;
    char *szDependantColumns;
} JET_USERDEFINEDDEFAULT_A;
typedef JET_USERDEFINEDDEFAULT_A JET_USERDEFINEDDEFAULT;

/* A column that decides whether a record appears in an index. */
typedef struct tagJET_CONDITIONALCOLUMN_A {
    uint32_t cbStruct;
    char *szColumnName;
    JET_GRBIT grbit; /* JET_bitIndexColumnMustBeNull / MustBeNonNull */
} JET_CONDITIONALCOLUMN_A;
typedef JET_CONDITIONALCOLUMN_A JET_CONDITIONALCOLUMN;

/* Unicode normalisation of an index: locale id and LCMapString flags. */
typedef struct tagJET_UNICODEINDEX {
    uint32_t lcid;
    uint32_t dwMapFlags;
} JET_UNICODEINDEX;

/* As JET_UNICODEINDEX with a locale name (UTF-16). */
typedef struct tagJET_UNICODEINDEX2 {
    JET_WCHAR *szLocaleName;
    uint32_t dwMapFlags;
} JET_UNICODEINDEX2;

/* Substring (tuple) index limits. */
typedef struct tagJET_TUPLELIMITS {
    uint32_t chLengthMin;
    uint32_t chLengthMax;
    uint32_t chToIndexMax;
    uint32_t cchIncrement;
    uint32_t ichStart;
} JET_TUPLELIMITS;

/* Space allocation hints of a table, long-value tree or index. */
typedef struct tagJET_SPACEHINTS {
    uint32_t cbStruct;
    uint32_t ulInitialDensity;
    uint32_t cbInitial;
    JET_GRBIT grbit;
    uint32_t ulMaintDensity;
    uint32_t ulGrowth;
    uint32_t cbMinExtent;
    uint32_t cbMaxExtent;
} JET_SPACEHINTS;

/* One index of JetCreateIndex2 / JetCreateTableColumnIndex; szKey is "+col\0-col\0\0". */
typedef struct tagJET_INDEXCREATE_A {
    uint32_t cbStruct;
    char *szIndexName;
    char *szKey;
    uint32_t cbKey;
    JET_GRBIT grbit;
    uint32_t ulDensity;
    union {
        uint32_t lcid;
        JET_UNICODEINDEX *pidxunicode; /* with JET_bitIndexUnicode */
    };
    union {
        uint32_t cbVarSegMac;
        JET_TUPLELIMITS *ptuplelimits; /* with JET_bitIndexTupleLimits */
    };
    JET_CONDITIONALCOLUMN_A *rgconditionalcolumn;
    uint32_t cConditionalColumn;
    JET_ERR err;
    uint32_t cbKeyMost;
} JET_INDEXCREATE_A;
typedef JET_INDEXCREATE_A JET_INDEXCREATE;

/* JET_INDEXCREATE plus space hints (JetCreateIndex3, JET_TABLECREATE3). */
typedef struct tagJET_INDEXCREATE2_A {
    uint32_t cbStruct;
    char *szIndexName;
    char *szKey;
    uint32_t cbKey;
    JET_GRBIT grbit;
    uint32_t ulDensity;
    union {
        uint32_t lcid;
        JET_UNICODEINDEX *pidxunicode;
    };
    union {
        uint32_t cbVarSegMac;
        JET_TUPLELIMITS *ptuplelimits;
    };
    JET_CONDITIONALCOLUMN_A *rgconditionalcolumn;
    uint32_t cConditionalColumn;
    JET_ERR err;
    uint32_t cbKeyMost;
    JET_SPACEHINTS *pSpacehints;
} JET_INDEXCREATE2_A;
typedef JET_INDEXCREATE2_A JET_INDEXCREATE2;

/* JET_INDEXCREATE2 with a locale name instead of an lcid (JetCreateIndex4, JET_TABLECREATE4). */
typedef struct tagJET_INDEXCREATE3_A {
    uint32_t cbStruct;
    char *szIndexName;
    char *szKey;
    uint32_t cbKey;
    JET_GRBIT grbit;
    uint32_t ulDensity;
    JET_UNICODEINDEX2 *pidxunicode;
    union {
        uint32_t cbVarSegMac;
        JET_TUPLELIMITS *ptuplelimits;
    };
    JET_CONDITIONALCOLUMN_A *rgconditionalcolumn;
    uint32_t cConditionalColumn;
    JET_ERR err;
    uint32_t cbKeyMost;
    JET_SPACEHINTS *pSpacehints;
} JET_INDEXCREATE3_A;
typedef JET_INDEXCREATE3_A JET_INDEXCREATE3;

/* A table with its columns and indexes (JetCreateTableColumnIndex); tableid, cCreated out. */
typedef struct tagJET_TABLECREATE_A {
    uint32_t cbStruct;
    char *szTableName;
    char *szTemplateTableName;
    uint32_t ulPages;
    uint32_t ulDensity;
    JET_COLUMNCREATE_A *rgcolumncreate;
    uint32_t cColumns;
    JET_INDEXCREATE_A *rgindexcreate;
    uint32_t cIndexes;
    JET_GRBIT grbit;
    JET_TABLEID tableid;
    uint32_t cCreated;
} JET_TABLECREATE_A;
typedef JET_TABLECREATE_A JET_TABLECREATE;

/* JET_TABLECREATE plus a callback (JetCreateTableColumnIndex2). */
typedef struct tagJET_TABLECREATE2_A {
    uint32_t cbStruct;
    char *szTableName;
    char *szTemplateTableName;
    uint32_t ulPages;
    uint32_t ulDensity;
    JET_COLUMNCREATE_A *rgcolumncreate;
    uint32_t cColumns;
    JET_INDEXCREATE_A *rgindexcreate;
    uint32_t cIndexes;
    char *szCallback;
    JET_CBTYP cbtyp;
    JET_GRBIT grbit;
    JET_TABLEID tableid;
    uint32_t cCreated;
} JET_TABLECREATE2_A;
typedef JET_TABLECREATE2_A JET_TABLECREATE2;

/* JET_TABLECREATE2 plus space hints and JET_INDEXCREATE2 (JetCreateTableColumnIndex3). */
typedef struct tagJET_TABLECREATE3_A {
    uint32_t cbStruct;
    char *szTableName;
    char *szTemplateTableName;
    uint32_t ulPages;
    uint32_t ulDensity;
    JET_COLUMNCREATE_A *rgcolumncreate;
    uint32_t cColumns;
    JET_INDEXCREATE2_A *rgindexcreate;
    uint32_t cIndexes;
    char *szCallback;
    JET_CBTYP cbtyp;
    JET_GRBIT grbit;
    JET_SPACEHINTS *pSeqSpacehints;
    JET_SPACEHINTS *pLVSpacehints;
    uint32_t cbSeparateLV;
    JET_TABLEID tableid;
    uint32_t cCreated;
} JET_TABLECREATE3_A;
typedef JET_TABLECREATE3_A JET_TABLECREATE3;

/* JET_TABLECREATE3 with JET_INDEXCREATE3 (JetCreateTableColumnIndex4). */
typedef struct tagJET_TABLECREATE4_A {
    uint32_t cbStruct;
    char *szTableName;
    char *szTemplateTableName;
    uint32_t ulPages;
    uint32_t ulDensity;
    JET_COLUMNCREATE_A *rgcolumncreate;
    uint32_t cColumns;
    JET_INDEXCREATE3_A *rgindexcreate;
    uint32_t cIndexes;
    char *szCallback;
    JET_CBTYP cbtyp;
    JET_GRBIT grbit;
    JET_SPACEHINTS *pSeqSpacehints;
    JET_SPACEHINTS *pLVSpacehints;
    uint32_t cbSeparateLV;
    JET_TABLEID tableid;
    uint32_t cCreated;
} JET_TABLECREATE4_A;
typedef JET_TABLECREATE4_A JET_TABLECREATE4;

/* JetOpenTemporaryTable: columns, key limits; tableid is the output. */
typedef struct tagJET_OPENTEMPORARYTABLE {
    uint32_t cbStruct;
    const JET_COLUMNDEF *prgcolumndef;
    uint32_t ccolumn;
    JET_UNICODEINDEX *pidxunicode;
    JET_GRBIT grbit;
    JET_COLUMNID *prgcolumnid;
    uint32_t cbKeyMost;
    uint32_t cbVarSegMac;
    JET_TABLEID tableid;
} JET_OPENTEMPORARYTABLE;

/* As JET_OPENTEMPORARYTABLE with a locale name (JetOpenTemporaryTable2). */
typedef struct tagJET_OPENTEMPORARYTABLE2 {
    uint32_t cbStruct;
    const JET_COLUMNDEF *prgcolumndef;
    uint32_t ccolumn;
    JET_UNICODEINDEX2 *pidxunicode;
    JET_GRBIT grbit;
    JET_COLUMNID *prgcolumnid;
    uint32_t cbKeyMost;
    uint32_t cbVarSegMac;
    JET_TABLEID tableid;
} JET_OPENTEMPORARYTABLE2;

/* ==== records: retrieval, update, position ==== */

/* Options of JetRetrieveColumn: offset into a long value, which value of a multi-valued column. */
typedef struct {
    uint32_t cbStruct;
    uint32_t ibLongValue;
    uint32_t itagSequence;
    JET_COLUMNID columnidNextTagged;
} JET_RETINFO;

/* Options of JetSetColumn. */
typedef struct {
    uint32_t cbStruct;
    uint32_t ibLongValue;
    uint32_t itagSequence;
} JET_SETINFO;

/* Approximate position of a record among the index entries. */
typedef struct {
    uint32_t cbStruct;
    uint32_t centriesLT;
    uint32_t centriesInRange;
    uint32_t centriesTotal;
} JET_RECPOS;

/* JET_RECPOS with 64-bit counts. */
typedef struct {
    uint32_t cbStruct;
    uint32_t centriesLTDeprecated;
    uint32_t centriesInRangeDeprecated;
    uint32_t centriesTotalDeprecated;
    uint64_t centriesLT;
    uint64_t centriesTotal;
} JET_RECPOS2;

/* A temporary table of bookmarks (JetIntersectIndexes). */
typedef struct {
    uint32_t cbStruct;
    JET_TABLEID tableid;
    uint32_t cRecord;
    JET_COLUMNID columnidBookmark;
} JET_RECORDLIST;

/* One index range to intersect: a cursor with an index range set on it. */
typedef struct {
    uint32_t cbStruct;
    JET_TABLEID tableid;
    JET_GRBIT grbit;
} JET_INDEXRANGE;

/* Comparison of a cursor filter or preread range. */
typedef enum {
    JET_relopEquals = 0,
    JET_relopPrefixEquals,
    JET_relopNotEquals,
    JET_relopLessThanOrEqual,
    JET_relopLessThan,
    JET_relopGreaterThanOrEqual,
    JET_relopGreaterThan,
    JET_relopBitmaskEqualsZero,
    JET_relopBitmaskNotEqualsZero
} JET_RELOP;

typedef struct {
    JET_COLUMNID columnid;
    JET_RELOP relop;
    void *pv;
    uint32_t cb;
    JET_GRBIT grbit;
} JET_INDEX_COLUMN;

typedef struct {
    JET_INDEX_COLUMN *rgStartColumns;
    uint32_t cStartColumns;
    JET_INDEX_COLUMN *rgEndColumns;
    uint32_t cEndColumns;
} JET_INDEX_RANGE;

/* One column value of JetSetColumns; err is the output. */
typedef struct {
    JET_COLUMNID columnid;
    const void *pvData;
    uint32_t cbData;
    JET_GRBIT grbit;
    uint32_t ibLongValue;
    uint32_t itagSequence;
    JET_ERR err;
} JET_SETCOLUMN;

/* One column value of JetRetrieveColumns; cbActual, columnidNextTagged and err are outputs. */
typedef struct {
    JET_COLUMNID columnid;
    void *pvData;
    uint32_t cbData;
    uint32_t cbActual;
    JET_GRBIT grbit;
    uint32_t ibLongValue;
    uint32_t itagSequence;
    JET_COLUMNID columnidNextTagged;
    JET_ERR err;
} JET_RETRIEVECOLUMN;

/* JetEnumerateColumns input: a column and, optionally, which of its values. */
typedef struct {
    JET_COLUMNID columnid;
    uint32_t ctagSequence;
    uint32_t *rgtagSequence;
} JET_ENUMCOLUMNID;

typedef struct {
    uint32_t itagSequence;
    JET_ERR err;
    uint32_t cbData;
    void *pvData;
} JET_ENUMCOLUMNVALUE;

/* JetEnumerateColumns output: the values of a column, or one value when err is
 * JET_wrnColumnSingleValue. */
typedef struct {
    JET_COLUMNID columnid;
    JET_ERR err;
    union {
        struct {
            uint32_t cEnumColumnValue;
            JET_ENUMCOLUMNVALUE *rgEnumColumnValue;
        };
        struct {
            uint32_t cbData;
            void *pvData;
        };
    };
} JET_ENUMCOLUMN;

/* JetGetRecordSize: sizes of a record and its parts. */
typedef struct {
    uint64_t cbData;
    uint64_t cbLongValueData;
    uint64_t cbOverhead;
    uint64_t cbLongValueOverhead;
    uint64_t cNonTaggedColumns;
    uint64_t cTaggedColumns;
    uint64_t cLongValues;
    uint64_t cMultiValues;
} JET_RECSIZE;

/* JetGetRecordSize2: JET_RECSIZE plus compression figures. */
typedef struct {
    uint64_t cbData;
    uint64_t cbLongValueData;
    uint64_t cbOverhead;
    uint64_t cbLongValueOverhead;
    uint64_t cNonTaggedColumns;
    uint64_t cTaggedColumns;
    uint64_t cLongValues;
    uint64_t cMultiValues;
    uint64_t cCompressedColumns;
    uint64_t cbDataCompressed;
    uint64_t cbLongValueDataCompressed;
} JET_RECSIZE2;

/* ==== statistics, commit ids, errors ==== */

/* JetGetThreadStats: counters of the calling thread. */
struct JET_THREADSTATS {
    uint32_t cbStruct;
    uint32_t cPageReferenced;
    uint32_t cPageRead;
    uint32_t cPagePreread;
    uint32_t cPageDirtied;
    uint32_t cPageRedirtied;
    uint32_t cLogRecord;
    uint32_t cbLogRecord;
};
typedef struct JET_THREADSTATS JET_THREADSTATS;

struct JET_THREADSTATS2 {
    uint32_t cbStruct;
    uint32_t cPageReferenced;
    uint32_t cPageRead;
    uint32_t cPagePreread;
    uint32_t cPageDirtied;
    uint32_t cPageRedirtied;
    uint32_t cLogRecord;
    uint32_t cbLogRecord;
    uint64_t cusecPageCacheMiss;
    uint32_t cPageCacheMiss;
};
typedef struct JET_THREADSTATS2 JET_THREADSTATS2;

/* Identity of a commit in the log stream (JetCommitTransaction2). */
typedef struct {
    JET_SIGNATURE signLog;
    int reserved;
    int64_t commitId;
} JET_COMMIT_ID;

/* Called when commits become durable (JET_paramDurableCommitCallback). */
typedef JET_ERR(JET_API *JET_PFNDURABLECOMMITCALLBACK)(JET_INSTANCE instance,
                                                       JET_COMMIT_ID *pCommitIdSeen,
                                                       JET_GRBIT grbit);

/* Error categories (JetGetErrorInfo). */
typedef enum {
    JET_errcatUnknown = 0,
    JET_errcatError,
    JET_errcatOperation,
    JET_errcatFatal,
    JET_errcatIO,
    JET_errcatResource,
    JET_errcatMemory,
    JET_errcatQuota,
    JET_errcatDisk,
    JET_errcatData,
    JET_errcatCorruption,
    JET_errcatInconsistent,
    JET_errcatFragmentation,
    JET_errcatApi,
    JET_errcatUsage,
    JET_errcatState,
    JET_errcatObsolete,
    JET_errcatMax
} JET_ERRCAT;

/* JetGetErrorInfo result (the file name is UTF-16). */
typedef struct {
    uint32_t cbStruct;
    JET_ERR errValue;
    JET_ERRCAT errcatMostSpecific;
    unsigned char rgCategoricalHierarchy[8];
    uint32_t lSourceLine;
    JET_WCHAR rgszSourceFile[64];
} JET_ERRINFOBASIC_W;

/* JET_paramEnableIndexChecking values. */
typedef enum {
    JET_IndexCheckingOff = 0,
    JET_IndexCheckingOn = 1,
    JET_IndexCheckingDeferToOpenTable = 2,
    JET_IndexCheckingMax = 3
} JET_INDEXCHECKING;

/* JET_sesparamOperationContext value. */
typedef struct {
    uint32_t ulUserID;
    unsigned char nOperationID;
    unsigned char nOperationType;
    unsigned char nClientType;
    unsigned char fFlags;
} JET_OPERATIONCONTEXT;

/* ======== constants ======== */

/* ---- nil handles and ids ---- */
#define JET_instanceNil (~(JET_INSTANCE)0)
#define JET_sesidNil (~(JET_SESID)0)
#define JET_tableidNil (~(JET_TABLEID)0)
#define JET_columnidNil (~(JET_COLUMNID)0)
#define JET_dbidNil ((JET_DBID)0xFFFFFFFF)
#define JET_dbidNoValid ((JET_DBID)0xFFFFFFFE)
#define JET_LSNil (~(JET_LS)0)
#define JET_bitNil ((JET_GRBIT)0)

/* ---- size and count limits ---- */
#define JET_cbCallbackUserDataMost 1024
#define JET_cbCallbackDataAllMost 4096
#define JET_cbBookmarkMost 256
#define JET_cbBookmarkMostMost JET_cbKeyMostMost
#define JET_cbNameMost 64
#define JET_cbFullNameMost 255
#define JET_cbColumnLVPageOverhead 82
#define JET_cbColumnLVChunkMost (4096 - 82)
#define JET_cbColumnLVChunkMost_OLD 4035
#define JET_cbLVDefaultValueMost 255
#define JET_cbColumnMost 255
#define JET_cbLVColumnMost 0x7FFFFFFF
#define JET_cbKeyMostMost JET_cbKeyMost32KBytePage
#define JET_cbKeyMost32KBytePage JET_cbKeyMost8KBytePage
#define JET_cbKeyMost16KBytePage JET_cbKeyMost8KBytePage
#define JET_cbKeyMost8KBytePage 2000
#define JET_cbKeyMost4KBytePage 1000
#define JET_cbKeyMost2KBytePage 500
#define JET_cbKeyMostMin 255
#define JET_cbKeyMost 255
#define JET_cbLimitKeyMost 256
#define JET_cbPrimaryKeyMost 255
#define JET_cbSecondaryKeyMost 255
#define JET_cbKeyMost_OLD 255
#define JET_ccolKeyMost 16
#define JET_ccolMost 0x0000FEE0
#define JET_ccolFixedMost 0x0000007F
#define JET_ccolVarMost 0x00000080
#define JET_ccolTaggedMost (JET_ccolMost - 0x000000ff)

/* ---- system parameter ids (JetSetSystemParameter / JetGetSystemParameter), by id ---- */
#define JET_paramSystemPath 0
#define JET_paramTempPath 1
#define JET_paramLogFilePath 2
#define JET_paramBaseName 3
#define JET_paramEventSource 4
#define JET_paramMaxSessions 5
#define JET_paramMaxOpenTables 6
#define JET_paramPreferredMaxOpenTables 7
#define JET_paramMaxCursors 8
#define JET_paramMaxVerPages 9
#define JET_paramMaxTemporaryTables 10
#define JET_paramLogFileSize 11
#define JET_paramLogBuffers 12
#define JET_paramWaitLogFlush 13
#define JET_paramLogCheckpointPeriod 14
#define JET_paramLogWaitingUserMax 15
#define JET_paramCommitDefault 16
#define JET_paramCircularLog 17
#define JET_paramDbExtensionSize 18
#define JET_paramPageTempDBMin 19
#define JET_paramPageFragment 20
#define JET_paramPageReadAheadMax 21
#define JET_paramBatchIOBufferMax 22
#define JET_paramCacheSizeMax 23
#define JET_paramCheckpointDepthMax 24
#define JET_paramLRUKCorrInterval 25
#define JET_paramLRUKHistoryMax 26
#define JET_paramLRUKPolicy 27
#define JET_paramLRUKTimeout 28
#define JET_paramLRUKTrxCorrInterval 29
#define JET_paramOutstandingIOMax 30
#define JET_paramStartFlushThreshold 31
#define JET_paramStopFlushThreshold 32
#define JET_paramTableClassName 33
#define JET_paramRecovery 34
#define JET_paramEnableOnlineDefrag 35
#define JET_paramOnLineCompact 35
#define JET_paramAssertAction 36
#define JET_paramPrintFunction 37
#define JET_paramTransactionLevel 38
#define JET_paramRFS2IOsPermitted 39
#define JET_paramRFS2AllocsPermitted 40
#define JET_paramCacheSize 41
#define JET_paramCacheRequests 42
#define JET_paramCacheHits 43
#define JET_paramCheckFormatWhenOpenFail 44
#define JET_paramEnableIndexChecking 45
#define JET_paramEnableTempTableVersioning 46
#define JET_paramIgnoreLogVersion 47
#define JET_paramDeleteOldLogs 48
#define JET_paramEventSourceKey 49
#define JET_paramNoInformationEvent 50
#define JET_paramEventLoggingLevel 51
#define JET_paramDeleteOutOfRangeLogs 52
#define JET_paramAccessDeniedRetryPeriod 53
#define JET_paramEnableIndexCleanup 54
#define JET_paramFlight_SmoothIoTestPermillage 55
#define JET_paramElasticWaypointLatency 56
#define JET_paramFlight_SynchronousLVCleanup 57
#define JET_paramFlight_RBSRevertIOUrgentLevel 58
#define JET_paramFlight_EnableXpress10Compression 59
#define JET_paramCacheSizeMin 60
#define JET_paramLogFileFailoverPath 61
#define JET_paramEnableImprovedSeekShortcut 62
#define JET_paramPreferredVerPages 63
#define JET_paramDatabasePageSize 64
#define JET_paramDisableCallbacks 65
#define JET_paramBackupChunkSize 66
#define JET_paramBackupOutstandingReads 67
#define JET_paramFlight_RBSMaxTableDeletePages 68
#define JET_paramLogFileCreateAsynch 69
#define JET_paramErrorToString 70
#define JET_paramZeroDatabaseDuringBackup 71
#define JET_paramUnicodeIndexDefault 72
#define JET_paramRuntimeCallback 73
#define JET_paramFlight_RBSDbScanRaiseCorruptionRevertedFDP 74
#define JET_paramFlight_RBSAllowTooSoonNonRevertableDelete 75
#define JET_paramEnableSortedRetrieveColumns 76
#define JET_paramCleanupMismatchedLogFiles 77
#define JET_paramRecordUpgradeDirtyLevel 78
#define JET_paramRecoveryCurrentLogfile 79
#define JET_paramFlight_RBSForceRollIntervalSec 80
#define JET_paramGlobalMinVerPages 81
#define JET_paramOSSnapshotTimeout 82
#define JET_paramFlight_EnableScanCheckFDPDeleteFlags 83
#define JET_paramFlight_NewQueueOptions 84
#define JET_paramFlight_ConcurrentMetedOps 85
#define JET_paramFlight_LowMetedOpsThreshold 86
#define JET_paramFlight_MetedOpStarvedThreshold 87
#define JET_paramFlight_MaxRBSBuffers 88
#define JET_paramFlight_EnableShrinkArchiving 89
#define JET_paramFlight_EnableBackupDuringRecovery 90
#define JET_paramFlight_RBSRollIntervalSec 91
#define JET_paramFlight_RBSMaxRequiredRange 92
#define JET_paramFlight_RBSCleanupEnabled 93
#define JET_paramFlight_RBSLowDiskSpaceThresholdGb 94
#define JET_paramFlight_RBSMaxSpaceWhenLowDiskSpaceGb 95
#define JET_paramFlight_RBSMaxTimeSpanSec 96
#define JET_paramFlight_RBSCleanupIntervalMinSec 97
#define JET_paramExceptionAction 98
#define JET_paramEventLogCache 99
#define JET_paramCreatePathIfNotExist 100
#define JET_paramPageHintCacheSize 101
#define JET_paramOneDatabasePerSession 102
#define JET_paramMaxDatabasesPerInstance 103
#define JET_paramMaxInstances 104
#define JET_paramVersionStoreTaskQueueMax 105
#define JET_paramIdleFlushTime 106
#define JET_paramDisablePerfmon 107
#define JET_paramAbortRetryFailCallback 108
#define JET_paramVAReserve 109
#define JET_paramIndexTuplesLengthMin 110
#define JET_paramIndexTuplesLengthMax 111
#define JET_paramIndexTuplesToIndexMax 112
#define JET_paramAlternateDatabaseRecoveryPath 113
#define JET_paramFlight_ExtentPageCountCacheVerifyOnly 114
#define JET_paramFlight_EnablePgnoFDPLastSetTime 115
#define JET_paramFlight_EnableScanCheck2Flags 116
#define JET_paramFlight_EnableExtentFreed2 117
#define JET_paramFlight_RBSLargeRevertableDeletePages 118
#define JET_paramFlight_RBSRevertableDeleteIfTooSoonTimeNull 119
#define JET_paramDBAPageAvailMin 120
#define JET_paramDBAPageAvailThreshold 121
#define JET_paramDBAK1 122
#define JET_paramDBAK2 123
#define JET_paramMaxRandomIOSize 124
#define JET_paramCachedClosedTables 125
#define JET_paramEnableFileCache 126
#define JET_paramEnableViewCache 127
#define JET_paramVerPageSize 128
#define JET_paramConfiguration 129
#define JET_paramEnableAdvanced 130
#define JET_paramMaxColtyp 131
#define JET_paramIndexTupleIncrement 132
#define JET_paramIndexTupleStart 133
#define JET_paramKeyMost 134
#define JET_paramCheckpointIOMax 135
#define JET_paramLegacyFileNames 136
#define JET_paramTableClass1Name 137
#define JET_paramTableClass2Name 138
#define JET_paramTableClass3Name 139
#define JET_paramTableClass4Name 140
#define JET_paramTableClass5Name 141
#define JET_paramTableClass6Name 142
#define JET_paramTableClass7Name 143
#define JET_paramTableClass8Name 144
#define JET_paramTableClass9Name 145
#define JET_paramTableClass10Name 146
#define JET_paramTableClass11Name 147
#define JET_paramTableClass12Name 148
#define JET_paramTableClass13Name 149
#define JET_paramTableClass14Name 150
#define JET_paramTableClass15Name 151
#define JET_paramIOPriority 152
#define JET_paramWaypointLatency 153
#define JET_paramCheckpointTooDeep 154
#define JET_paramDisableBlockVerification 155
#define JET_paramEnablePersistedCallbacks 156
#define JET_paramAggressiveLogRollover 157
#define JET_paramPeriodicLogRolloverLLR 158
#define JET_paramUsePageDependencies 159
#define JET_paramDefragmentSequentialBTrees 160
#define JET_paramDefragmentSequentialBTreesDensityCheckFrequency 161
#define JET_paramIOThrottlingTimeQuanta 162
#define JET_paramLVChunkSizeMost 163
#define JET_paramMaxCoalesceReadSize 164
#define JET_paramMaxCoalesceWriteSize 165
#define JET_paramMaxCoalesceReadGapSize 166
#define JET_paramMaxCoalesceWriteGapSize 167
#define JET_paramEnableHaPublish 168
#define JET_paramEnableDBScanInRecovery 169
#define JET_paramDbScanThrottle 170
#define JET_paramDbScanIntervalMinSec 171
#define JET_paramDbScanIntervalMaxSec 172
#define JET_paramEmitLogDataCallback 173
#define JET_paramEmitLogDataCallbackCtx 174
#define JET_paramEnableExternalAutoHealing 175
#define JET_paramPatchRequestTimeout 176
#define JET_paramCachePriority 177
#define JET_paramMaxTransactionSize 178
#define JET_paramPrereadIOMax 179
#define JET_paramEnableDBScanSerialization 180
#define JET_paramHungIOThreshold 181
#define JET_paramHungIOActions 182
#define JET_paramMinDataForXpress 183
#define JET_paramEnableShrinkDatabase 184
#define JET_paramProcessFriendlyName 186
#define JET_paramDurableCommitCallback 187
#define JET_paramEnableSqm 188
#define JET_paramConfigStoreSpec 189
#define JET_paramStageFlighting 190
#define JET_paramZeroDatabaseUnusedSpace 191
#define JET_paramDisableVerifications 192
#define JET_paramPersistedLostFlushDetection 193
#define JET_paramEngineFormatVersion 194
#define JET_paramReplayThrottlingLevel 195
#define JET_paramTableClass16Name 196
#define JET_paramTableClass17Name 197
#define JET_paramTableClass18Name 198
#define JET_paramTableClass19Name 199
#define JET_paramTableClass20Name 200
#define JET_paramTableClass21Name 201
#define JET_paramTableClass22Name 202
#define JET_paramTableClass23Name 203
#define JET_paramTableClass24Name 204
#define JET_paramTableClass25Name 205
#define JET_paramTableClass26Name 206
#define JET_paramTableClass27Name 207
#define JET_paramTableClass28Name 208
#define JET_paramTableClass29Name 209
#define JET_paramTableClass30Name 210
#define JET_paramTableClass31Name 211
#define JET_paramBlockCacheConfiguration 212
#define JET_paramRecordSizeMost 213
#define JET_paramUseFlushForWriteDurability 214
#define JET_paramEnableRBS 215
#define JET_paramRBSFilePath 216
#define JET_paramPerfmonRefreshInterval 217
#define JET_paramEnableBlockCache 218
#define JET_paramDeferredIndexPopulateRowsPerTransaction 219
#define JET_paramEnableBlockCacheDetach 220
#define JET_paramMaxValueInvalid 221

/* ---- session parameter ids (JetSetSessionParameter / JetGetSessionParameter) ---- */
#define JET_sesparamCommitDefault 4097
#define JET_sesparamCommitGenericContext 4098
#define JET_sesparamTransactionLevel 4099
#define JET_sesparamOperationContext 4100
#define JET_sesparamCorrelationID 4101
#define JET_sesparamCachePriority 4102
#define JET_sesparamClientComponentDesc 4103
#define JET_sesparamClientActionDesc 4104
#define JET_sesparamClientActionContextDesc 4105
#define JET_sesparamClientActivityId 4106
#define JET_sesparamIOSessTraceFlags 4107
#define JET_sesparamIOPriority 4108
#define JET_sesparamCommitContextContainsCustomerData 4109
#define JET_sesparamCommitContextNeedPreCommitCallback 4110
#define JET_sesparamMaxValueInvalid 4111

/* ---- database parameter ids (JET_SETDBPARAM) ---- */
#define JET_dbparamDbSizeMaxPages 8193
#define JET_dbparamCachePriority 8194
#define JET_dbparamShrinkDatabaseOptions 8195
#define JET_dbparamShrinkDatabaseTimeQuota 8196
#define JET_dbparamShrinkDatabaseSizeLimit 8197
#define JET_dbparamLeakReclaimerEnabled 8198
#define JET_dbparamLeakReclaimerTimeQuota 8199
#define JET_dbparamMaintainExtentPageCountCache 8200
#define JET_dbparamFlight_SelfAllocSpBufReservationEnabled 8201
#define JET_dbparamMaxValueInvalid 8202

/* ---- JET_paramConfiguration values ---- */
#define JET_configDefault 0x00000001
#define JET_configRemoveQuotas 0x00000002
#define JET_configLowDiskFootprint 0x00000004
#define JET_configMediumDiskFootprint 0x00000008
#define JET_configLowMemory 0x00000010
#define JET_configDynamicMediumMemory 0x00000020
#define JET_configLowPower 0x00000040
#define JET_configSSDProfileIO 0x00000080
#define JET_configRunSilent 0x00000100
#define JET_configUnthrottledMemory 0x00000200
#define JET_configHighConcurrencyScaling 0x00000400
#define JET_configMask                                                                             \
    (JET_configDefault | JET_configRemoveQuotas | JET_configLowDiskFootprint |                     \
     JET_configMediumDiskFootprint | JET_configLowMemory | JET_configDynamicMediumMemory |         \
     JET_configLowPower | JET_configSSDProfileIO | JET_configRunSilent |                           \
     JET_configUnthrottledMemory | JET_configHighConcurrencyScaling)

/* ---- column types (JET_COLTYP) ---- */
#define JET_coltypNil 0
#define JET_coltypBit 1
#define JET_coltypUnsignedByte 2
#define JET_coltypShort 3
#define JET_coltypLong 4
#define JET_coltypCurrency 5
#define JET_coltypIEEESingle 6
#define JET_coltypIEEEDouble 7
#define JET_coltypDateTime 8
#define JET_coltypBinary 9
#define JET_coltypText 10
#define JET_coltypLongBinary 11
#define JET_coltypLongText 12
#define JET_coltypSLV 13
#define JET_coltypUnsignedLong 14
#define JET_coltypLongLong 15
#define JET_coltypGUID 16
#define JET_coltypUnsignedShort 17
#define JET_coltypUnsignedLongLong 18
#define JET_coltypMax 19

/* ---- JetPrepareUpdate operations ---- */
#define JET_prepInsert 0
#define JET_prepReplace 2
#define JET_prepCancel 3
#define JET_prepReplaceNoLock 4
#define JET_prepInsertCopy 5
#define JET_prepInsertCopyDeleteOriginal 7
#define JET_prepReadOnlyCopy 8
#define JET_prepInsertCopyReplaceOriginal 9
#define JET_prepInsertMustSetAutoIncrement 10

/* ---- JetMove row counts ---- */
#define JET_MoveFirst 0x80000000
#define JET_MovePrevious (-1)
#define JET_MoveNext (+1)
#define JET_MoveLast 0x7FFFFFFF

/* ---- object types (JET_OBJTYP) ---- */
#define JET_objtypNil 0
#define JET_objtypTable 1
#define JET_objtypDb 2
#define JET_objtypContainer 3
#define JET_objtypLongRoot 9

/* ---- info levels: JetGet*Info InfoLevel arguments ---- */
#define JET_DbInfoFilename 0
#define JET_DbInfoConnect 1
#define JET_DbInfoCountry 2
#define JET_DbInfoLCID 3
#define JET_DbInfoLangid 3
#define JET_DbInfoCp 4
#define JET_DbInfoCollate 5
#define JET_DbInfoOptions 6
#define JET_DbInfoTransactions 7
#define JET_DbInfoVersion 8
#define JET_DbInfoIsam 9
#define JET_DbInfoFilesize 10
#define JET_DbInfoSpaceOwned 11
#define JET_DbInfoSpaceAvailable 12
#define JET_DbInfoUpgrade 13
#define JET_DbInfoMisc 14
#define JET_DbInfoDBInUse 15
#define JET_DbInfoHasSLVFile_Obsolete 16
#define JET_DbInfoPageSize 17
#define JET_DbInfoStreamingFileSpace_Obsolete 18
#define JET_DbInfoFileType 19
#define JET_DbInfoStreamingFileSize_Obsolete 20
#define JET_DbInfoFilesizeOnDisk 21
#define JET_DbInfoSplitBuffers 23
#define JET_DbInfoUseCachedResult 0x40000000
#define JET_LogInfoMisc 0
#define JET_LogInfoMisc2 1
#define JET_LogInfoMisc3 2
#define JET_SessionInfo 0U
#define JET_ObjInfo 0U
#define JET_ObjInfoListNoStats 1U
#define JET_ObjInfoList 2U
#define JET_ObjInfoSysTabCursor 3U
#define JET_ObjInfoListACM 4U
#define JET_ObjInfoNoStats 5U
#define JET_ObjInfoSysTabReadOnly 6U
#define JET_ObjInfoRulesLoaded 7U
#define JET_ObjInfoMax 8U
#define JET_TblInfo 0U
#define JET_TblInfoName 1U
#define JET_TblInfoDbid 2U
#define JET_TblInfoMostMany 3U
#define JET_TblInfoRvt 4U
#define JET_TblInfoOLC 5U
#define JET_TblInfoResetOLC 6U
#define JET_TblInfoSpaceUsage 7U
#define JET_TblInfoDumpTable 8U
#define JET_TblInfoSpaceAlloc 9U
#define JET_TblInfoSpaceOwned 10U
#define JET_TblInfoSpaceAvailable 11U
#define JET_TblInfoTemplateTableName 12U
#define JET_TblInfoLVChunkMax 13U
#define JET_TblInfoEncryptionKey 14U
#define JET_TblInfoRetrieveAndReserveAutoIncrement 16U
#define JET_TblInfoSpaceOwnedLV 17U
#define JET_TblInfoSpaceAvailableLV 18U
#define JET_TblInfoObjectId 19U
#define JET_IdxInfo 0U
#define JET_IdxInfoList 1U
#define JET_IdxInfoSysTabCursor 2U
#define JET_IdxInfoOLC 3U
#define JET_IdxInfoResetOLC 4U
#define JET_IdxInfoSpaceAlloc 5U
#define JET_IdxInfoLCID 6U
#define JET_IdxInfoLangid 6U
#define JET_IdxInfoCount 7U
#define JET_IdxInfoVarSegMac 8U
#define JET_IdxInfoIndexId 9U
#define JET_IdxInfoKeyMost 10U
#define JET_IdxInfoCreateIndex 11U
#define JET_IdxInfoCreateIndex2 12U
#define JET_IdxInfoCreateIndex3 13U
#define JET_IdxInfoLocaleName 14U
#define JET_IdxInfoSortVersion 15U
#define JET_IdxInfoDefinedSortVersion 16U
#define JET_IdxInfoSortId 17U
#define JET_IdxInfoSpaceOwned 18U
#define JET_IdxInfoSpaceAvailable 19U
#define JET_ColInfo 0U
#define JET_ColInfoList 1U
#define JET_ColInfoSysTabCursor 3U
#define JET_ColInfoBase 4U
#define JET_ColInfoListCompact 5U
#define JET_ColInfoByColid 6U
#define JET_ColInfoListSortColumnid 7U
#define JET_ColInfoBaseByColid 8U
#define JET_ColInfoGrbitNonDerivedColumnsOnly 0x80000000
#define JET_ColInfoGrbitMinimalInfo 0x40000000
#define JET_ColInfoGrbitSortByColumnid 0x20000000
#define JET_ColInfoGrbitCompacting 0x10000000
#define JET_InstanceMiscInfoLogSignature 0U
#define JET_InstanceMiscInfoCheckpoint 1U
#define JET_InstanceMiscInfoRBS 2U

/* ---- database states (JET_DBINFOMISC.dbstate) ---- */
#define JET_dbstateJustCreated 1
#define JET_dbstateDirtyShutdown 2
#define JET_dbstateCleanShutdown 3
#define JET_dbstateBeingConverted 4
#define JET_dbstateForceDetach 5
#define JET_dbstateIncrementalReseedInProgress 6
#define JET_dbstateDirtyAndPatchedShutdown 7
#define JET_dbstateRevertInProgress 8

/* ---- file types (JET_DbInfoFileType) ---- */
#define JET_filetypeUnknown 0
#define JET_filetypeDatabase 1
#define JET_filetypeStreamingFile 2
#define JET_filetypeLog 3
#define JET_filetypeCheckpoint 4
#define JET_filetypeTempDatabase 5
#define JET_filetypeFTL 6
#define JET_filetypeFlushMap 7
#define JET_filetypeCachedFile 8
#define JET_filetypeCachingFile 9
#define JET_filetypeSnapshot 10
#define JET_filetypeRBSRevertCheckpoint 11
#define JET_filetypeMax 12

/* ---- status notification processes (JET_SNP) ---- */
#define JET_snpRepair 2
#define JET_snpCompact 4
#define JET_snpRestore 8
#define JET_snpBackup 9
#define JET_snpUpgrade 10
#define JET_snpScrub 11
#define JET_snpUpgradeRecordFormat 12
#define JET_snpRecoveryControl 18
#define JET_snpExternalAutoHealing 19
#define JET_snpSpaceCategorization 20

/* ---- status notification types (JET_SNT) ---- */
#define JET_sntBegin 5
#define JET_sntRequirements 7
#define JET_sntProgress 0
#define JET_sntComplete 6
#define JET_sntFail 3
#define JET_sntOpenLog 1001
#define JET_sntOpenCheckpoint 1002
#define JET_sntMissingLog 1004
#define JET_sntBeginUndo 1005
#define JET_sntNotificationEvent 1006
#define JET_sntSignalErrorCondition 1007
#define JET_sntAttachedDb 1008
#define JET_sntDetachingDb 1009
#define JET_sntCommitCtx 1010
#define JET_sntPagePatchRequest 1101
#define JET_sntCorruptedPage 1102

/* ---- callback types (JET_CBTYP) ---- */
#define JET_cbtypNull 0x00000000
#define JET_cbtypFinalize 0x00000001
#define JET_cbtypBeforeInsert 0x00000002
#define JET_cbtypAfterInsert 0x00000004
#define JET_cbtypBeforeReplace 0x00000008
#define JET_cbtypAfterReplace 0x00000010
#define JET_cbtypBeforeDelete 0x00000020
#define JET_cbtypAfterDelete 0x00000040
#define JET_cbtypUserDefinedDefaultValue 0x00000080
#define JET_cbtypOnlineDefragCompleted 0x00000100
#define JET_cbtypFreeCursorLS 0x00000200
#define JET_cbtypFreeTableLS 0x00000400
#define JET_cbtypScanProgress 0x00004000
#define JET_cbtypScanCompleted 0x00008000
#define JET_cbtypDTCQueryPreparedTransaction 0x00001000
#define JET_cbtypOnlineDefragProgress 0x00002000
#define JET_cbtypOld2Action 0x00004000
#define JET_cbtypIndexDeferredPopulateThrottle 0x00008000

/* ---- miscellaneous enumerations ---- */
#define JET_OpenLogForRecoveryCheckingAndPatching 1
#define JET_OpenLogForRedo 2
#define JET_OpenLogForUndo 3
#define JET_OpenLogForDo 4
#define JET_MissingLogMustFail 1
#define JET_MissingLogContinueToRedo 2
#define JET_MissingLogContinueTryCurrentLog 3
#define JET_MissingLogContinueToUndo 4
#define JET_MissingLogCreateNewLogStream 5
#define JET_EventLoggingDisable 0
#define JET_EventLoggingLevelMin 1
#define JET_EventLoggingLevelLow 25
#define JET_EventLoggingLevelMedium 50
#define JET_EventLoggingLevelHigh 75
#define JET_EventLoggingLevelMax 100
#define JET_IOPriorityNormal 0x00000000
#define JET_IOPriorityLow 0x00000001
#define JET_IOPriorityLowForCheckpoint 0x00000002
#define JET_IOPriorityLowForScavenge 0x00000004
#define JET_IOPriorityUserClassIdMask 0x0F000000
#define JET_IOPriorityMarkAsMaintenance 0x40000000
#define JET_ReplayThrottlingNone 0
#define JET_ReplayThrottlingSleep 1
#define JET_sqmDisable 0
#define JET_sqmEnable 1
#define JET_sqmFromCEIP 2
#define JET_PageInfo 0U
#define JET_PageInfo2 1U
#define JET_ErrorInfoSpecificErr 1U

/* ==== grbits, grouped by the call or structure that takes them ==== */

/* JET_bitConfigStoreReadControl* */
#define JET_bitConfigStoreReadControlInhibitRead 0x00000001
#define JET_bitConfigStoreReadControlDisableAll 0x00000002
#define JET_bitConfigStoreReadControlDisableSetParamRead 0x00000004
#define JET_bitConfigStoreReadControlDisableGlobalInitRead 0x00000008
#define JET_bitConfigStoreReadControlDisableInstInitRead 0x00000010
#define JET_bitConfigStoreReadControlDisableLiveRead 0x00000020
#define JET_bitConfigStoreReadControlDefault 0x00000000

/* JET_bitConfigStorePopulateControl* */
#define JET_bitConfigStorePopulateControlOff 0x00000000
#define JET_bitConfigStorePopulateControlOn 0x00000001

/* JET_bitDatabaseScan* */
#define JET_bitDatabaseScanBatchStart 0x00000010
#define JET_bitDatabaseScanBatchStop 0x00000020
#define JET_bitDatabaseScanZeroPages 0x00000040
#define JET_bitDatabaseScanBatchStartContinuous 0x00000080

/* JET_bitDefragment* */
#define JET_bitDefragmentBatchStart 0x00000001
#define JET_bitDefragmentBatchStop 0x00000002
#define JET_bitDefragmentAvailSpaceTreesOnly 0x00000040
#define JET_bitDefragmentNoPartialMerges 0x00000080
#define JET_bitDefragmentBTree 0x00000100
#define JET_bitDefragmentBTreeBatch 0x00000200

/* JET_bitOld2* */
#define JET_bitOld2Start 0x00000001
#define JET_bitOld2Suspend 0x00000002
#define JET_bitOld2Resume 0x00000004
#define JET_bitOld2End 0x00000008

/* JET_bitCIM* */
#define JET_bitCIMCommitted 0x00000001
#define JET_bitCIMDirty 0x00000002

/* JET_bitAggregateTransaction* */
#define JET_bitAggregateTransaction 0x00000008

/* JET_bitTableInfo* */
#define JET_bitTableInfoUpdatable 0x00000001
#define JET_bitTableInfoBookmark 0x00000002
#define JET_bitTableInfoRollback 0x00000004

/* JET_bitObject* */
#define JET_bitObjectSystem 0x80000000
#define JET_bitObjectTableFixedDDL 0x40000000
#define JET_bitObjectTableTemplate 0x20000000
#define JET_bitObjectTableDerived 0x10000000
#define JET_bitObjectSystemDynamic (JET_bitObjectSystem | 0x08000000)
#define JET_bitObjectTableNoFixedVarColumnsInDerivedTables 0x04000000

/* grbits for JET_PFNDURABLECOMMITCALLBACK */
#define JET_bitDurableCommitCallbackLogUnavailable 0x00000001

/* grbits for JET_sesparamIOSessTraceFlags */
#define JET_bitIOSessTraceReads 0x00000001
#define JET_bitIOSessTraceWrites 0x00000002
#define JET_bitIOSessTraceHDD 0x00000004
#define JET_bitIOSessTraceSSD 0x00000008

/* grbits for JET_paramLegacyFileNames */
#define JET_bitESE98FileNames 0x00000001
#define JET_bitEightDotThreeSoftCompat 0x00000002

/* grbits for JET_paramHungIOActions */
#define JET_bitHungIOEvent 0x00000001
#define JET_bitHungIOCancel 0x00000002
#define JET_bitHungIODebug 0x00000004
#define JET_bitHungIOEnforce 0x00000008
#define JET_bitHungIOTimeout 0x00000010

/* grbits for JET_paramPersistedLostFlushDetection */
#define JET_bitPersistedLostFlushDetectionEnabled 0x00000001
#define JET_bitPersistedLostFlushDetectionCreateNew 0x00000002
#define JET_bitPersistedLostFlushDetectionFailOnRuntimeOnly 0x00000004

/* JET_bitShrinkDatabase* */
#define JET_bitShrinkDatabaseOff 0x00000000
#define JET_bitShrinkDatabaseOn 0x00000001
#define JET_bitShrinkDatabaseRealtime 0x00000002
#define JET_bitShrinkDatabasePeriodically 0x00008000
#define JET_bitShrinkDatabaseTrim 0x00000001

/* grbits for JetInit2, JetInit3 */
#define JET_bitReplayReplicatedLogFiles 0x00000001
#define JET_bitReplayIgnoreMissingDB 0x00000004
#define JET_bitRecoveryWithoutUndo 0x00000008
#define JET_bitTruncateLogsAfterRecovery 0x00000010
#define JET_bitReplayMissingMapEntryDB 0x00000020
#define JET_bitLogStreamMustExist 0x00000040
#define JET_bitReplayIgnoreLostLogs 0x00000080
#define JET_bitAllowMissingCurrentLog 0x00000100
#define JET_bitAllowSoftRecoveryOnBackup 0x00000200
#define JET_bitSkipLostLogsEvent 0x00000400
#define JET_bitExternalRecoveryControl 0x00000800
#define JET_bitKeepDbAttachedAtEndOfRecovery 0x00001000
#define JET_bitReplayIgnoreLogRecordsBeforeMinRequiredLog 0x00002000
#define JET_bitReplayInferCheckpointFromRstmapDbs 0x00004000

/* grbits for JetInit4 JET_RSTMAP2 */
#define JET_bitRestoreMapIgnoreWhenMissing 0x00000001
#define JET_bitRestoreMapFailWhenMissing 0x00000002
#define JET_bitRestoreMapOverwriteOnCreate 0x00000004

/* grbits for JetTerm2 */
#define JET_bitTermComplete 0x00000001
#define JET_bitTermAbrupt 0x00000002
#define JET_bitTermStopBackup 0x00000004
#define JET_bitTermDirty 0x00000008

/* grbits for JetIdle */
#define JET_bitIdleFlushBuffers 0x00000001
#define JET_bitIdleCompact 0x00000002
#define JET_bitIdleStatus 0x00000004
#define JET_bitIdleVersionStoreTest 0x00000008
#define JET_bitIdleCompactAsync 0x00000010
#define JET_bitIdleAvailBuffersStatus 0x00000020
#define JET_bitIdleWaitForAsyncActivity 0x00000040

/* grbits for JetEndSession */
#define JET_bitForceSessionClosed 0x00000001

/* grbits for JetAttachDatabase/JetOpenDatabase */
#define JET_bitDbReadOnly 0x00000001
#define JET_bitDbExclusive 0x00000002
#define JET_bitDbSingleExclusive 0x00000002
#define JET_bitDbDeleteCorruptIndexes 0x00000010
#define JET_bitDbRebuildCorruptIndexes 0x00000020
#define JET_bitDbDeleteUnicodeIndexes 0x00000400
#define JET_bitDbUpgrade 0x00000200
#define JET_bitDbEnableBackgroundMaintenance 0x00000800
#define JET_bitDbPurgeCacheOnAttach 0x00001000

/* grbits for JetDetachDatabase2 */
#define JET_bitForceDetach 0x00000001
#define JET_bitForceCloseAndDetach (0x00000002 | JET_bitForceDetach)

/* grbits for JetCreateDatabase */
#define JET_bitDbRecoveryOff 0x00000008
#define JET_bitDbVersioningOff 0x00000040
#define JET_bitDbShadowingOff 0x00000080
#define JET_bitDbCreateStreamingFile 0x00000100
#define JET_bitDbOverwriteExisting 0x00000200

/* grbits for JetBackup, JetBeginExternalBackup, JetBeginExternalBackupInstance,
 * JetBeginSurrogateBackup */
#define JET_bitBackupIncremental 0x00000001
#define JET_bitKeepOldLogs 0x00000002
#define JET_bitBackupAtomic 0x00000004
#define JET_bitBackupFullWithAllLogs 0x00000008
#define JET_bitBackupSnapshot 0x00000010
#define JET_bitBackupSurrogate 0x00000020
#define JET_bitInternalCopy 0x00000040

/* grbits for JetEndExternalBackupInstance2, JetEndSurrogateBackup */
#define JET_bitBackupEndNormal 0x00000001
#define JET_bitBackupEndAbort 0x00000002
#define JET_bitBackupTruncateDone 0x00000100
#define JET_bitBackupNoDbHeaderUpdate 0x00000200

/* grbits for JetCreateTableColumnIndex */
#define JET_bitTableCreateFixedDDL 0x00000001
#define JET_bitTableCreateTemplateTable 0x00000002
#define JET_bitTableCreateNoFixedVarColumnsInDerivedTables 0x00000004
#define JET_bitTableCreateImmutableStructure 0x00000008
#define JET_bitTableCreateSystemTable 0x80000000

/* grbits for JetAddColumn, JetGetColumnInfo, JetOpenTempTable */
#define JET_bitColumnFixed 0x00000001
#define JET_bitColumnTagged 0x00000002
#define JET_bitColumnNotNULL 0x00000004
#define JET_bitColumnVersion 0x00000008
#define JET_bitColumnAutoincrement 0x00000010
#define JET_bitColumnUpdatable 0x00000020
#define JET_bitColumnTTKey 0x00000040
#define JET_bitColumnTTDescending 0x00000080
#define JET_bitColumnMultiValued 0x00000400
#define JET_bitColumnEscrowUpdate 0x00000800
#define JET_bitColumnUnversioned 0x00001000
#define JET_bitColumnMaybeNull 0x00002000
#define JET_bitColumnFinalize 0x00004000
#define JET_bitColumnUserDefinedDefault 0x00008000
#define JET_bitColumnRenameConvertToPrimaryIndexPlaceholder 0x00010000
#define JET_bitColumnDeleteOnZero 0x00020000
#define JET_bitColumnVariable 0x00040000
#define JET_bitColumnCompressed 0x00080000
#define JET_bitColumnEncrypted 0x00100000

/* grbits for JetDeleteColumn */
#define JET_bitDeleteColumnIgnoreTemplateColumns 0x00000001

/* grbits for JetSetCurrentIndex */
#define JET_bitMoveFirst 0x00000000
#define JET_bitMoveBeforeFirst 0x00000001
#define JET_bitNoMove 0x00000002

/* grbits for JetMakeKey */
#define JET_bitNewKey 0x00000001
#define JET_bitStrLimit 0x00000002
#define JET_bitSubStrLimit 0x00000004
#define JET_bitNormalizedKey 0x00000008
#define JET_bitKeyDataZeroLength 0x00000010
#define JET_bitKeyOverridePrimaryIndexPlaceholder 0x00000020

/* JET_bitFullColumn* */
#define JET_bitFullColumnStartLimit 0x00000100
#define JET_bitFullColumnEndLimit 0x00000200

/* JET_bitPartialColumn* */
#define JET_bitPartialColumnStartLimit 0x00000400
#define JET_bitPartialColumnEndLimit 0x00000800

/* grbits for JetSetIndexRange */
#define JET_bitRangeInclusive 0x00000001
#define JET_bitRangeUpperLimit 0x00000002
#define JET_bitRangeInstantDuration 0x00000004
#define JET_bitRangeRemove 0x00000008

/* grbits for JetGetLock */
#define JET_bitReadLock 0x00000001
#define JET_bitWriteLock 0x00000002
#define JET_bitKeyLock 0x00000004

/* grbits for JetMove */
#define JET_bitMoveKeyNE 0x00000001

/* grbits for JetSeek */
#define JET_bitSeekEQ 0x00000001
#define JET_bitSeekLT 0x00000002
#define JET_bitSeekLE 0x00000004
#define JET_bitSeekGE 0x00000008
#define JET_bitSeekGT 0x00000010
#define JET_bitSetIndexRange 0x00000020
#define JET_bitCheckUniqueness 0x00000040

/* grbits for JetGotoSecondaryIndexBookmark */
#define JET_bitBookmarkPermitVirtualCurrency 0x00000001

/* grbits for JET_CONDITIONALCOLUMN */
#define JET_bitIndexColumnMustBeNull 0x00000001
#define JET_bitIndexColumnMustBeNonNull 0x00000002

/* grbits for JET_INDEXRANGE */
#define JET_bitRecordInIndex 0x00000001
#define JET_bitRecordNotInIndex 0x00000002

/* grbits for JetCreateIndex */
#define JET_bitIndexUnique 0x00000001
#define JET_bitIndexPrimary 0x00000002
#define JET_bitIndexDisallowNull 0x00000004
#define JET_bitIndexIgnoreNull 0x00000008
#define JET_bitIndexClustered40 0x00000010
#define JET_bitIndexIgnoreAnyNull 0x00000020
#define JET_bitIndexIgnoreFirstNull 0x00000040
#define JET_bitIndexLazyFlush 0x00000080
#define JET_bitIndexEmpty 0x00000100
#define JET_bitIndexUnversioned 0x00000200
#define JET_bitIndexSortNullsHigh 0x00000400
#define JET_bitIndexUnicode 0x00000800
#define JET_bitIndexTuples 0x00001000
#define JET_bitIndexTupleLimits 0x00002000
#define JET_bitIndexCrossProduct 0x00004000
#define JET_bitIndexKeyMost 0x00008000
#define JET_bitIndexDisallowTruncation 0x00010000
#define JET_bitIndexNestedTable 0x00020000
#define JET_bitIndexDotNetGuid 0x00040000
#define JET_bitIndexImmutableStructure 0x00080000
#define JET_bitIndexDeferredPopulateCreate 0x00100000
#define JET_bitIndexDeferredPopulateProcess 0x00200000
#define JET_bitIndexOptionallyUnique 0x00400000

/* grbits for index key definition */
#define JET_bitKeyAscending 0x00000000
#define JET_bitKeyDescending 0x00000001

/* grbits for JetOpenTable */
#define JET_bitTableDenyWrite 0x00000001
#define JET_bitTableDenyRead 0x00000002
#define JET_bitTableReadOnly 0x00000004
#define JET_bitTableUpdatable 0x00000008
#define JET_bitTablePermitDDL 0x00000010
#define JET_bitTableNoCache 0x00000020
#define JET_bitTablePreread 0x00000040
#define JET_bitTableOpportuneRead 0x00000080
#define JET_bitTableAllowOutOfDate 0x00000100
#define JET_bitAllowPgnoFDPLastSetTime 0x00000200
#define JET_bitTableSequential 0x00008000
#define JET_bitTableTryPurgeOnClose 0x01000000
#define JET_bitTableAllowSensitiveOperation 0x08000000
#define JET_bitTableDelete 0x10000000
#define JET_bitTableCreate 0x20000000
#define JET_bitTableClassMask 0x001F0000
#define JET_bitTableClassNone 0x00000000
#define JET_bitTableClass1 0x00010000
#define JET_bitTableClass2 0x00020000
#define JET_bitTableClass3 0x00030000
#define JET_bitTableClass4 0x00040000
#define JET_bitTableClass5 0x00050000
#define JET_bitTableClass6 0x00060000
#define JET_bitTableClass7 0x00070000
#define JET_bitTableClass8 0x00080000
#define JET_bitTableClass9 0x00090000
#define JET_bitTableClass10 0x000A0000
#define JET_bitTableClass11 0x000B0000
#define JET_bitTableClass12 0x000C0000
#define JET_bitTableClass13 0x000D0000
#define JET_bitTableClass14 0x000E0000
#define JET_bitTableClass15 0x000F0000
#define JET_bitTableClass16 0x00100000
#define JET_bitTableClass17 0x00110000
#define JET_bitTableClass18 0x00120000
#define JET_bitTableClass19 0x00130000
#define JET_bitTableClass20 0x00140000
#define JET_bitTableClass21 0x00150000
#define JET_bitTableClass22 0x00160000
#define JET_bitTableClass23 0x00170000
#define JET_bitTableClass24 0x00180000
#define JET_bitTableClass25 0x00190000
#define JET_bitTableClass26 0x001A0000
#define JET_bitTableClass27 0x001B0000
#define JET_bitTableClass28 0x001C0000
#define JET_bitTableClass29 0x001D0000
#define JET_bitTableClass30 0x001E0000
#define JET_bitTableClass31 0x001F0000
#define JET_bitLSReset 0x00000001
#define JET_bitLSCursor 0x00000002
#define JET_bitLSTable 0x00000004

/* grbits for JetSetTableSequential and JetPrereadIndexRanges */
#define JET_bitPrereadForward 0x00000001
#define JET_bitPrereadBackward 0x00000002
#define JET_bitPrereadFirstPage 0x00000004
#define JET_bitPrereadNormalizedKey 0x00000008

/* grbits for JetOpenTempTable */
#define JET_bitTTIndexed 0x00000001
#define JET_bitTTUnique 0x00000002
#define JET_bitTTUpdatable 0x00000004
#define JET_bitTTScrollable 0x00000008
#define JET_bitTTSortNullsHigh 0x00000010
#define JET_bitTTForceMaterialization 0x00000020
#define JET_bitTTErrorOnDuplicateInsertion JET_bitTTForceMaterialization
#define JET_bitTTForwardOnly 0x00000040
#define JET_bitTTIntrinsicLVsOnly 0x00000080
#define JET_bitTTDotNetGuid 0x00000100

/* grbits for JetSetColumn */
#define JET_bitSetAppendLV 0x00000001
#define JET_bitSetOverwriteLV 0x00000004
#define JET_bitSetSizeLV 0x00000008
#define JET_bitSetZeroLength 0x00000020
#define JET_bitSetSeparateLV 0x00000040
#define JET_bitSetUniqueMultiValues 0x00000080
#define JET_bitSetUniqueNormalizedMultiValues 0x00000100
#define JET_bitSetRevertToDefaultValue 0x00000200
#define JET_bitSetIntrinsicLV 0x00000400
#define JET_bitSetUncompressed 0x00010000
#define JET_bitSetCompressed 0x00020000
#define JET_bitSetContiguousLV 0x00040000

/* grbits for JET_SPACEHINTS */
#define JET_bitSpaceHintsUtilizeParentSpace 0x00000001
#define JET_bitCreateHintAppendSequential 0x00000002
#define JET_bitCreateHintHotpointSequential 0x00000004
#define JET_bitRetrieveHintReserve1 0x00000008
#define JET_bitRetrieveHintTableScanForward 0x00000010
#define JET_bitRetrieveHintTableScanBackward 0x00000020
#define JET_bitRetrieveHintReserve2 0x00000040
#define JET_bitRetrieveHintReserve3 0x00000080
#define JET_bitDeleteHintTableSequential 0x00000100
#define JET_bitSpaceHintsUtilizeExactExtents 0x00000200

/* grbits for JetUpdate */
#define JET_bitUpdateCheckESE97Compatibility 0x00000001
#define JET_bitUpdateNoVersion 0x00000002
#define JET_bitUpdateEnforceOptionallyUniqueIndices 0x00000004

/* grbits for JetEscrowUpdate */
#define JET_bitEscrowNoRollback 0x00000001

/* grbits for JetRetrieveColumn */
#define JET_bitRetrieveCopy 0x00000001
#define JET_bitRetrieveFromIndex 0x00000002
#define JET_bitRetrieveFromPrimaryBookmark 0x00000004
#define JET_bitRetrieveTag 0x00000008
#define JET_bitRetrieveNull 0x00000010
#define JET_bitRetrieveIgnoreDefault 0x00000020
#define JET_bitRetrieveLongId 0x00000040
#define JET_bitRetrieveLongValueRefCount 0x00000080

/* grbits for JetRetrieveColumn when the SLV Provider is enabled */
#define JET_bitRetrieveTuple 0x00000800
#define JET_bitRetrievePageNumber 0x00001000
#define JET_bitRetrieveCopyIntrinsic 0x00002000
#define JET_bitRetrievePrereadOnly 0x00004000
#define JET_bitRetrievePrereadMany 0x00008000
#define JET_bitRetrievePhysicalSize 0x00010000
#define JET_bitRetrieveAsRefIfNotInRecord 0x00020000

/* grbits for JET_INDEX_COLUMN */
#define JET_bitZeroLength 0x00000001

/* grbits for JetEnumerateColumns */
#define JET_bitEnumerateCopy JET_bitRetrieveCopy
#define JET_bitEnumerateIgnoreDefault JET_bitRetrieveIgnoreDefault
#define JET_bitEnumerateLocal 0x00010000
#define JET_bitEnumeratePresenceOnly 0x00020000
#define JET_bitEnumerateTaggedOnly 0x00040000
#define JET_bitEnumerateCompressOutput 0x00080000
#define JET_bitEnumerateIgnoreUserDefinedDefault 0x00100000
#define JET_bitEnumerateInRecordOnly 0x00200000
#define JET_bitEnumerateAsRefIfNotInRecord 0x00400000

/* grbits for JetStreamRecords */
#define JET_bitStreamForward 0x00000001
#define JET_bitStreamBackward 0x00000002
#define JET_bitStreamColumnReferences 0x00000004

/* grbits for JetGetRecordSize */
#define JET_bitRecordSizeInCopyBuffer 0x00000001
#define JET_bitRecordSizeRunningTotal 0x00000002
#define JET_bitRecordSizeLocal 0x00000004
#define JET_bitRecordSizeIncludeDefaultValues 0x00000008
#define JET_bitRecordSizeSecondaryIndexKeyOnly 0x00000010
#define JET_bitRecordSizeIntrinsicPhysicalOnly 0x00000020
#define JET_bitRecordSizeExtrinsicLogicalOnly 0x00000040

/* grbits for JetBeginTransaction2 */
#define JET_bitTransactionReadOnly 0x00000001
#define JET_bitDistributedTransaction 0x00000002

/* grbits for JetCommitTransaction */
#define JET_bitCommitLazyFlush 0x00000001
#define JET_bitWaitLastLevel0Commit 0x00000002
#define JET_bitWaitAllLevel0Commit 0x00000008
#define JET_bitForceNewLog 0x00000010
#define JET_bitCommitRedoCallback 0x00000020
#define JET_bitCommitFlush_OLD 0x00000001
#define JET_bitCommitLazyFlush_OLD 0x00000004
#define JET_bitWaitLastLevel0Commit_OLD 0x00000010

/* grbits for JetRollback */
#define JET_bitRollbackAll 0x00000001
#define JET_bitRollbackRedoCallback 0x00000020

/* grbits for JetOSSnapshotPrepare */
#define JET_bitIncrementalSnapshot 0x00000001
#define JET_bitCopySnapshot 0x00000002
#define JET_bitContinueAfterThaw 0x00000004
#define JET_bitExplicitPrepare 0x00000008

/* grbits for JetOSSnapshotTruncateLog & JetOSSnapshotTruncateLogInstance */
#define JET_bitAllDatabasesSnapshot 0x00000001

/* grbits for JetOSSnapshotEnd */
#define JET_bitAbortSnapshot 0x00000001

/* grbits for JET_EMITDATACTX and used by JET_PFNEMITLOGDATA and JetConsumeLogData */
#define JET_bitShadowLogEmitFirstCall 0x00000001
#define JET_bitShadowLogEmitLastCall 0x00000002
#define JET_bitShadowLogEmitCancel 0x00000004
#define JET_bitShadowLogEmitDataBuffers 0x00000008
#define JET_bitShadowLogEmitLogComplete 0x00000010

/* JET_bitDeleteAllExistingLogs* */
#define JET_bitDeleteAllExistingLogs 0x00000001

/* JET_bitNonRevertableTableDelete* */
#define JET_bitNonRevertableTableDelete 0x00000001

/* JET_bitRevertableTableDeleteIfTooSoon* */
#define JET_bitRevertableTableDeleteIfTooSoon 0x00000002

/* grbits for JetGetPageInfo */
#define JET_bitPageInfoNoStructureChecksum 0x00000001

/* grbits for JetPatchDatabasePages */
#define JET_bitPatchingCorruptPage 0x00000002

/* grbits for JetEndDatabaseIncrementalReseed */
#define JET_bitEndDatabaseIncrementalReseedCancel 0x00000001

/* grbits for JetBeginDatabaseIncrementalReseed */
#define JET_bitBeginDatabaseIncrementalReseedPatchRBS 0x00000001

/* JET_bitCompact* */
#define JET_bitCompactStats 0x00000020
#define JET_bitCompactRepair 0x00000040
#define JET_bitCompactPreserveOriginal 0x00000100

/* grbits for JetResizeDatabase */
#define JET_bitResizeDatabaseOnlyGrow 0x00000001
#define JET_bitResizeDatabaseOnlyShrink 0x00000002
#define JET_bitStopServiceAll 0x00000000
#define JET_bitStopServiceBackgroundUserTasks 0x00000002
#define JET_bitStopServiceQuiesceCaches 0x00000004
#define JET_bitStopServiceResume 0x80000000
#define JET_bitStopServiceStopAndEmitLog 0x00000008

/* JET_bitShrinkDatabase* */
#define JET_bitShrinkDatabaseEofOnAttach 0x00000001
#define JET_bitShrinkDatabaseFullCategorizationOnAttach 0x00000002
#define JET_bitShrinkDatabaseDontMoveRootsOnAttach 0x00000004
#define JET_bitShrinkDatabaseDontTruncateLeakedPagesOnAttach 0x00000008
#define JET_bitShrinkDatabaseDontTruncateIndeterminatePagesOnAttach 0x00000010

/* grbits for JetConfigureProcessForCrashDump */
#define JET_bitDumpMinimum 0x00000001
#define JET_bitDumpMaximum 0x00000002
#define JET_bitDumpCacheMinimum 0x00000004
#define JET_bitDumpCacheMaximum 0x00000008
#define JET_bitDumpCacheIncludeDirtyPages 0x00000010
#define JET_bitDumpCacheIncludeCachedPages 0x00000020
#define JET_bitDumpCacheIncludeCorruptedPages 0x00000040
#define JET_bitDumpCacheNoDecommit 0x00000080
#define JET_bitDumpUnitTest 0x80000000

/* ==== result codes: 0 success, > 0 warnings, < 0 errors ==== */
#define JET_errSuccess 0
#define JET_wrnRemainingVersions 321
#define JET_wrnUniqueKey 345
#define JET_wrnSeparateLongValue 406
#define JET_wrnNoMoreRecords 428
#define JET_wrnIndexDeferredPopulateIncomplete 432
#define JET_wrnIndexDeferredPopulateHalted 433
#define JET_wrnExistingLogFileHasBadSignature 558
#define JET_wrnExistingLogFileIsNotContiguous 559
#define JET_wrnSkipThisRecord 564
#define JET_wrnTargetInstanceRunning 578
#define JET_wrnCommittedLogFilesLost 585
#define JET_wrnCommittedLogFilesRemoved 587
#define JET_wrnFinishWithUndo 588
#define JET_wrnDatabaseRepaired 595
#define JET_wrnColumnNull 1004
#define JET_wrnBufferTruncated 1006
#define JET_wrnDatabaseAttached 1007
#define JET_wrnSortOverflow 1009
#define JET_wrnRecordFoundGreater JET_wrnSeekNotEqual
#define JET_wrnRecordFoundLess JET_wrnSeekNotEqual
#define JET_wrnSeekNotEqual 1039
#define JET_wrnNoErrorInfo 1055
#define JET_wrnNoIdleActivity 1058
#define JET_wrnNoWriteLock 1067
#define JET_wrnColumnSetNull 1068
#define JET_wrnShrinkNotPossible 1122
#define JET_wrnDTCCommitTransaction 1163
#define JET_wrnDTCRollbackTransaction 1164
#define JET_wrnTableEmpty 1301
#define JET_wrnTableInUseBySystem 1327
#define JET_wrnCorruptIndexDeleted 1415
#define JET_wrnPrimaryIndexOutOfDate 1417
#define JET_wrnSecondaryIndexOutOfDate 1418
#define JET_wrnColumnMaxTruncated 1512
#define JET_wrnCopyLongValue 1520
#define JET_wrnTaggedColumnsRemaining 1523
#define JET_wrnColumnSkipped 1531
#define JET_wrnColumnNotLocal 1532
#define JET_wrnColumnMoreTags 1533
#define JET_wrnColumnTruncated 1534
#define JET_wrnColumnPresent 1535
#define JET_wrnColumnSingleValue 1536
#define JET_wrnColumnDefault 1537
#define JET_wrnColumnNotInRecord 1539
#define JET_wrnColumnReference 1541
#define JET_wrnDataHasChanged 1610
#define JET_wrnKeyChanged 1618
#define JET_wrnFileOpenReadOnly 1813
#define JET_wrnIdleFull 1908
#define JET_wrnDefragAlreadyRunning 2000
#define JET_wrnDefragNotRunning 2001
#define JET_wrnDatabaseScanAlreadyRunning 2002
#define JET_wrnDatabaseScanNotRunning 2003
#define JET_wrnCallbackNotRegistered 2100
#define JET_wrnPreviousLogFileIncomplete 2602

/* codes -1 */
#define JET_wrnNyi (-1)

/* codes -100..-199: engine internals, I/O */
#define JET_errRfsFailure (-100)
#define JET_errRfsNotArmed (-101)
#define JET_errFileClose (-102)
#define JET_errOutOfThreads (-103)
#define JET_errTooManyIO (-105)
#define JET_errTaskDropped (-106)
#define JET_errInternalError (-107)
#define JET_errDisabledFunctionality (-112)
#define JET_errUnloadableOSFunctionality (-113)
#define JET_errDeviceMissing (-114)
#define JET_errDeviceMisconfigured (-115)
#define JET_errDeviceTimeout (-116)
#define JET_errDeviceFailure (-118)

/* codes -200..-299: buffer manager */
#define JET_errDatabaseBufferDependenciesCorrupted (-255)

/* codes -300..-399: B-tree, space */
#define JET_errPreviousVersion (-322)
#define JET_errPageBoundary (-323)
#define JET_errKeyBoundary (-324)
#define JET_errBadPageLink (-327)
#define JET_errBadBookmark (-328)
#define JET_errNTSystemCallFailed (-334)
#define JET_errBadParentPageLink (-338)
#define JET_errSPAvailExtCacheOutOfSync (-340)
#define JET_errSPAvailExtCorrupted (-341)
#define JET_errSPAvailExtCacheOutOfMemory (-342)
#define JET_errSPOwnExtCorrupted (-343)
#define JET_errDbTimeCorrupted (-344)
#define JET_errKeyTruncated (-346)
#define JET_errDatabaseLeakInSpace (-348)
#define JET_errBadEmptyPage (-351)
#define JET_errBadLineCount (-354)
#define JET_errPageTagCorrupted (-357)
#define JET_errNodeCorrupted (-358)

/* codes -400..-499: records and keys */
#define JET_errKeyTooBig (-408)
#define JET_errCannotSeparateIntrinsicLV (-416)
#define JET_errSeparatedLongValue (-421)
#define JET_errMustBeSeparateLongValue (-423)
#define JET_errInvalidPreread (-424)
#define JET_errInvalidColumnReference (-426)
#define JET_errStaleColumnReference (-427)
#define JET_errCompressionIntegrityCheckFailed (-431)
#define JET_errIndexDeferredPopulateCurrentlyUnavailable (-434)

/* codes -500..-599: log, backup and restore */
#define JET_errInvalidLoggedOperation (-500)
#define JET_errLogFileCorrupt (-501)
#define JET_errNoBackupDirectory (-503)
#define JET_errBackupDirectoryNotEmpty (-504)
#define JET_errBackupInProgress (-505)
#define JET_errRestoreInProgress (-506)
#define JET_errMissingPreviousLogFile (-509)
#define JET_errLogWriteFail (-510)
#define JET_errLogDisabledDueToRecoveryFailure (-511)
#define JET_errCannotLogDuringRecoveryRedo (-512)
#define JET_errLogGenerationMismatch (-513)
#define JET_errBadLogVersion (-514)
#define JET_errInvalidLogSequence (-515)
#define JET_errLoggingDisabled (-516)
#define JET_errLogBufferTooSmall (-517)
#define JET_errLogSequenceEnd (-519)
#define JET_errNoBackup (-520)
#define JET_errInvalidBackupSequence (-521)
#define JET_errBackupNotAllowedYet (-523)
#define JET_errDeleteBackupFileFail (-524)
#define JET_errMakeBackupDirectoryFail (-525)
#define JET_errInvalidBackup (-526)
#define JET_errRecoveredWithErrors (-527)
#define JET_errMissingLogFile (-528)
#define JET_errLogDiskFull (-529)
#define JET_errBadLogSignature (-530)
#define JET_errBadDbSignature (-531)
#define JET_errBadCheckpointSignature (-532)
#define JET_errCheckpointCorrupt (-533)
#define JET_errMissingPatchPage (-534)
#define JET_errBadPatchPage (-535)
#define JET_errRedoAbruptEnded (-536)
#define JET_errBadSLVSignature (-537)
#define JET_errPatchFileMissing (-538)
#define JET_errDatabaseLogSetMismatch (-539)
#define JET_errDatabaseStreamingFileMismatch (-540)
#define JET_errLogFileSizeMismatch (-541)
#define JET_errCheckpointFileNotFound (-542)
#define JET_errRequiredLogFilesMissing (-543)
#define JET_errSoftRecoveryOnBackupDatabase (-544)
#define JET_errLogFileSizeMismatchDatabasesConsistent (-545)
#define JET_errLogSectorSizeMismatch (-546)
#define JET_errLogSectorSizeMismatchDatabasesConsistent (-547)
#define JET_errLogSequenceEndDatabasesConsistent (-548)
#define JET_errStreamingDataNotLogged (-549)
#define JET_errDatabaseDirtyShutdown (-550)
#define JET_errDatabaseInconsistent JET_errDatabaseDirtyShutdown
#define JET_errConsistentTimeMismatch (-551)
#define JET_errDatabasePatchFileMismatch (-552)
#define JET_errEndingRestoreLogTooLow (-553)
#define JET_errStartingRestoreLogTooHigh (-554)
#define JET_errGivenLogFileHasBadSignature (-555)
#define JET_errGivenLogFileIsNotContiguous (-556)
#define JET_errMissingRestoreLogFiles (-557)
#define JET_errMissingFullBackup (-560)
#define JET_errBadBackupDatabaseSize (-561)
#define JET_errDatabaseAlreadyUpgraded (-562)
#define JET_errDatabaseIncompleteUpgrade (-563)
#define JET_errMissingCurrentLogFiles (-565)
#define JET_errDbTimeTooOld (-566)
#define JET_errDbTimeTooNew (-567)
#define JET_errMissingFileToBackup (-569)
#define JET_errLogTornWriteDuringHardRestore (-570)
#define JET_errLogTornWriteDuringHardRecovery (-571)
#define JET_errLogCorruptDuringHardRestore (-573)
#define JET_errLogCorruptDuringHardRecovery (-574)
#define JET_errMustDisableLoggingForDbUpgrade (-575)
#define JET_errBadRestoreTargetInstance (-577)
#define JET_errRecoveredWithoutUndo (-579)
#define JET_errDatabasesNotFromSameSnapshot (-580)
#define JET_errSoftRecoveryOnSnapshot (-581)
#define JET_errCommittedLogFilesMissing (-582)
#define JET_errSectorSizeNotSupported (-583)
#define JET_errRecoveredWithoutUndoDatabasesConsistent (-584)
#define JET_errCommittedLogFileCorrupt (-586)
#define JET_errLogSequenceChecksumMismatch (-590)
#define JET_errPageInitializedMismatch (-596)

/* codes -600..-699: log, Unicode, engine format versions */
#define JET_errUnicodeTranslationBufferTooSmall (-601)
#define JET_errUnicodeTranslationFail (-602)
#define JET_errUnicodeNormalizationNotSupported (-603)
#define JET_errUnicodeLanguageValidationFailure (-604)
#define JET_errExistingLogFileHasBadSignature (-610)
#define JET_errExistingLogFileIsNotContiguous (-611)
#define JET_errLogReadVerifyFailure (-612)
#define JET_errSLVReadVerifyFailure (-613)
#define JET_errCheckpointDepthTooDeep (-614)
#define JET_errRestoreOfNonBackupDatabase (-615)
#define JET_errLogFileNotCopied (-616)
#define JET_errSurrogateBackupInProgress (-617)
#define JET_errTransactionTooLong (-618)
#define JET_errEngineFormatVersionNoLongerSupportedTooLow (-619)
#define JET_errEngineFormatVersionNotYetImplementedTooHigh (-620)
#define JET_errEngineFormatVersionParamTooLowForRequestedFeature (-621)
#define JET_errEngineFormatVersionSpecifiedTooLowForLogVersion (-622)
#define JET_errEngineFormatVersionSpecifiedTooLowForDatabaseVersion (-623)
#define JET_errDbTimeBeyondMaxRequired (-625)
#define JET_errLogOperationInconsistentWithDatabase (-626)

/* codes -800..-899: backup abort */
#define JET_errBackupAbortByServer (-801)

/* codes -900..-999: API arguments */
#define JET_errInvalidGrbit (-900)

/* codes -1000..-1099: instance, resources, generic */
#define JET_errTermInProgress (-1000)
#define JET_errFeatureNotAvailable (-1001)
#define JET_errInvalidName (-1002)
#define JET_errInvalidParameter (-1003)
#define JET_errDatabaseFileReadOnly (-1008)
#define JET_errInvalidDatabaseId (-1010)
#define JET_errOutOfMemory (-1011)
#define JET_errOutOfDatabaseSpace (-1012)
#define JET_errOutOfCursors (-1013)
#define JET_errOutOfBuffers (-1014)
#define JET_errTooManyIndexes (-1015)
#define JET_errTooManyKeys (-1016)
#define JET_errRecordDeleted (-1017)
#define JET_errReadVerifyFailure (-1018)
#define JET_errPageNotInitialized (-1019)
#define JET_errOutOfFileHandles (-1020)
#define JET_errDiskReadVerificationFailure (-1021)
#define JET_errDiskIO (-1022)
#define JET_errInvalidPath (-1023)
#define JET_errInvalidSystemPath (-1024)
#define JET_errInvalidLogDirectory (-1025)
#define JET_errRecordTooBig (-1026)
#define JET_errTooManyOpenDatabases (-1027)
#define JET_errInvalidDatabase (-1028)
#define JET_errNotInitialized (-1029)
#define JET_errAlreadyInitialized (-1030)
#define JET_errInitInProgress (-1031)
#define JET_errFileAccessDenied (-1032)
#define JET_errQueryNotSupported (-1034)
#define JET_errSQLLinkNotSupported (-1035)
#define JET_errBufferTooSmall (-1038)
#define JET_errTooManyColumns (-1040)
#define JET_errContainerNotEmpty (-1043)
#define JET_errInvalidFilename (-1044)
#define JET_errInvalidBookmark (-1045)
#define JET_errColumnInUse (-1046)
#define JET_errInvalidBufferSize (-1047)
#define JET_errColumnNotUpdatable (-1048)
#define JET_errIndexInUse (-1051)
#define JET_errLinkNotSupported (-1052)
#define JET_errNullKeyDisallowed (-1053)
#define JET_errNotInTransaction (-1054)
#define JET_errMustRollback (-1057)
#define JET_errTooManyActiveUsers (-1059)
#define JET_errInvalidCountry (-1061)
#define JET_errInvalidLanguageId (-1062)
#define JET_errInvalidCodePage (-1063)
#define JET_errInvalidLCMapStringFlags (-1064)
#define JET_errVersionStoreEntryTooBig (-1065)
#define JET_errVersionStoreOutOfMemoryAndCleanupTimedOut (-1066)
#define JET_errVersionStoreOutOfMemory (-1069)
#define JET_errCurrencyStackOutOfMemory (-1070)
#define JET_errCannotIndex (-1071)
#define JET_errRecordNotDeleted (-1072)
#define JET_errTooManyMempoolEntries (-1073)
#define JET_errOutOfObjectIDs (-1074)
#define JET_errOutOfLongValueIDs (-1075)
#define JET_errOutOfAutoincrementValues (-1076)
#define JET_errOutOfDbtimeValues (-1077)
#define JET_errOutOfSequentialIndexValues (-1078)
#define JET_errRunningInOneInstanceMode (-1080)
#define JET_errRunningInMultiInstanceMode (-1081)
#define JET_errSystemParamsAlreadySet (-1082)
#define JET_errSystemPathInUse (-1083)
#define JET_errLogFilePathInUse (-1084)
#define JET_errTempPathInUse (-1085)
#define JET_errInstanceNameInUse (-1086)
#define JET_errSystemParameterConflict (-1087)
#define JET_errInstanceUnavailable (-1090)
#define JET_errDatabaseUnavailable (-1091)
#define JET_errInstanceUnavailableDueToFatalLogDiskFull (-1092)
#define JET_errInvalidSesparamId (-1093)
#define JET_errTooManyRecords (-1094)
#define JET_errInvalidDbparamId (-1095)

/* codes -1100..-1199: sessions and transactions */
#define JET_errOutOfSessions (-1101)
#define JET_errWriteConflict (-1102)
#define JET_errTransTooDeep (-1103)
#define JET_errInvalidSesid (-1104)
#define JET_errWriteConflictPrimaryIndex (-1105)
#define JET_errInTransaction (-1108)
#define JET_errRollbackRequired (-1109)
#define JET_errTransReadOnly (-1110)
#define JET_errSessionWriteConflict (-1111)
#define JET_errRecordTooBigForBackwardCompatibility (-1112)
#define JET_errCannotMaterializeForwardOnlySort (-1113)
#define JET_errSesidTableIdMismatch (-1114)
#define JET_errInvalidInstance (-1115)
#define JET_errDirtyShutdown (-1116)
#define JET_errReadPgnoVerifyFailure (-1118)
#define JET_errReadLostFlushVerifyFailure (-1119)
#define JET_errFileSystemCorruption (-1121)
#define JET_errRecoveryVerifyFailure (-1123)
#define JET_errFilteredMoveNotSupported (-1124)
#define JET_errMustCommitDistributedTransactionToLevel0 (-1150)
#define JET_errDistributedTransactionAlreadyPreparedToCommit (-1151)
#define JET_errNotInDistributedTransaction (-1152)
#define JET_errDistributedTransactionNotYetPreparedToCommit (-1153)
#define JET_errCannotNestDistributedTransactions (-1154)
#define JET_errDTCMissingCallback (-1160)
#define JET_errDTCMissingCallbackOnRecovery (-1161)
#define JET_errDTCCallbackUnexpectedError (-1162)

/* codes -1200..-1299: databases */
#define JET_errDatabaseDuplicate (-1201)
#define JET_errDatabaseInUse (-1202)
#define JET_errDatabaseNotFound (-1203)
#define JET_errDatabaseInvalidName (-1204)
#define JET_errDatabaseInvalidPages (-1205)
#define JET_errDatabaseCorrupted (-1206)
#define JET_errDatabaseLocked (-1207)
#define JET_errCannotDisableVersioning (-1208)
#define JET_errInvalidDatabaseVersion (-1209)
#define JET_errDatabase200Format (-1210)
#define JET_errDatabase400Format (-1211)
#define JET_errDatabase500Format (-1212)
#define JET_errPageSizeMismatch (-1213)
#define JET_errTooManyInstances (-1214)
#define JET_errDatabaseSharingViolation (-1215)
#define JET_errAttachedDatabaseMismatch (-1216)
#define JET_errDatabaseInvalidPath (-1217)
#define JET_errDatabaseIdInUse (-1218)
#define JET_errForceDetachNotAllowed (-1219)
#define JET_errCatalogCorrupted (-1220)
#define JET_errPartiallyAttachedDB (-1221)
#define JET_errDatabaseSignInUse (-1222)
#define JET_errDatabaseCorruptedNoRepair (-1224)
#define JET_errInvalidCreateDbVersion (-1225)
#define JET_errDatabaseIncompleteIncrementalReseed (-1226)
#define JET_errDatabaseInvalidIncrementalReseed (-1227)
#define JET_errDatabaseFailedIncrementalReseed (-1228)
#define JET_errNoAttachmentsFailedIncrementalReseed (-1229)
#define JET_errDatabaseNotReady (-1230)
#define JET_errDatabaseAttachedForRecovery (-1231)
#define JET_errTransactionsNotReadyDuringRecovery (-1232)

/* codes -1300..-1399: tables */
#define JET_errTableLocked (-1302)
#define JET_errTableDuplicate (-1303)
#define JET_errTableInUse (-1304)
#define JET_errObjectNotFound (-1305)
#define JET_errDensityInvalid (-1307)
#define JET_errTableNotEmpty (-1308)
#define JET_errInvalidTableId (-1310)
#define JET_errTooManyOpenTables (-1311)
#define JET_errIllegalOperation (-1312)
#define JET_errTooManyOpenTablesAndCleanupTimedOut (-1313)
#define JET_errObjectDuplicate (-1314)
#define JET_errInvalidObject (-1316)
#define JET_errCannotDeleteTempTable (-1317)
#define JET_errCannotDeleteSystemTable (-1318)
#define JET_errCannotDeleteTemplateTable (-1319)
#define JET_errExclusiveTableLockRequired (-1322)
#define JET_errFixedDDL (-1323)
#define JET_errFixedInheritedDDL (-1324)
#define JET_errCannotNestDDL (-1325)
#define JET_errDDLNotInheritable (-1326)
#define JET_errInvalidSettings (-1328)
#define JET_errClientRequestToStopJetService (-1329)
#define JET_errCannotAddFixedVarColumnToDerivedTable (-1330)

/* codes -1400..-1499: indexes */
#define JET_errIndexCantBuild (-1401)
#define JET_errIndexHasPrimary (-1402)
#define JET_errIndexDuplicate (-1403)
#define JET_errIndexNotFound (-1404)
#define JET_errIndexMustStay (-1405)
#define JET_errIndexInvalidDef (-1406)
#define JET_errInvalidCreateIndex (-1409)
#define JET_errTooManyOpenIndexes (-1410)
#define JET_errMultiValuedIndexViolation (-1411)
#define JET_errIndexBuildCorrupted (-1412)
#define JET_errPrimaryIndexCorrupted (-1413)
#define JET_errSecondaryIndexCorrupted (-1414)
#define JET_errInvalidIndexId (-1416)
#define JET_errCantUseDeferredPopulateIndex (-1419)
#define JET_errIndexTuplesSecondaryIndexOnly (-1430)
#define JET_errIndexTuplesOneColumnOnly JET_errIndexTuplesTooManyColumns
#define JET_errIndexTuplesTooManyColumns (-1431)
#define JET_errIndexTuplesNonUniqueOnly (-1432)
#define JET_errIndexTuplesTextBinaryColumnsOnly (-1433)
#define JET_errIndexTuplesTextColumnsOnly JET_errIndexTuplesTextBinaryColumnsOnly
#define JET_errIndexTuplesVarSegMacNotAllowed (-1434)
#define JET_errIndexTuplesInvalidLimits (-1435)
#define JET_errIndexTuplesCannotRetrieveFromIndex (-1436)
#define JET_errIndexTuplesKeyTooSmall (-1437)
#define JET_errInvalidLVChunkSize (-1438)
#define JET_errColumnCannotBeEncrypted (-1439)
#define JET_errCannotIndexOnEncryptedColumn (-1440)

/* codes -1500..-1599: columns */
#define JET_errColumnLong (-1501)
#define JET_errColumnNoChunk (-1502)
#define JET_errColumnDoesNotFit (-1503)
#define JET_errColumnIllegalNull JET_errNullInvalid
#define JET_errNullInvalid (-1504)
#define JET_errColumnIndexed (-1505)
#define JET_errColumnTooBig (-1506)
#define JET_errColumnNotFound (-1507)
#define JET_errColumnDuplicate (-1508)
#define JET_errMultiValuedColumnMustBeTagged (-1509)
#define JET_errColumnRedundant (-1510)
#define JET_errInvalidColumnType (-1511)
#define JET_errTaggedNotNULL (-1514)
#define JET_errNoCurrentIndex (-1515)
#define JET_errKeyIsMade (-1516)
#define JET_errBadColumnId (-1517)
#define JET_errBadItagSequence (-1518)
#define JET_errColumnInRelationship (-1519)
#define JET_errCannotBeTagged (-1521)
#define JET_errDefaultValueTooBig (-1524)
#define JET_errMultiValuedDuplicate (-1525)
#define JET_errLVCorrupted (-1526)
#define JET_errMultiValuedDuplicateAfterTruncation (-1528)
#define JET_errDerivedColumnCorruption (-1529)
#define JET_errInvalidPlaceholderColumn (-1530)
#define JET_errColumnCannotBeCompressed (-1538)
#define JET_errColumnNoEncryptionKey (-1540)

/* codes -1600..-1699: records */
#define JET_errRecordNotFound (-1601)
#define JET_errRecordNoCopy (-1602)
#define JET_errNoCurrentRecord (-1603)
#define JET_errRecordPrimaryChanged (-1604)
#define JET_errKeyDuplicate (-1605)
#define JET_errAlreadyPrepared (-1607)
#define JET_errKeyNotMade (-1608)
#define JET_errUpdateNotPrepared (-1609)
#define JET_errDataHasChanged (-1611)
#define JET_errLanguageNotSupported (-1619)
#define JET_errDecompressionFailed (-1620)
#define JET_errUpdateMustVersion (-1621)
#define JET_errDecryptionFailed (-1622)
#define JET_errEncryptionBadItag (-1623)
#define JET_errSetAutoIncrementTooHigh (-1624)
#define JET_errAutoIncrementNotSet (-1625)

/* codes -1700..-1799: sorts */
#define JET_errTooManySorts (-1701)
#define JET_errInvalidOnSort (-1702)

/* codes -1800..-1899: files and miscellaneous */
#define JET_errTempFileOpenError (-1803)
#define JET_errTooManyAttachedDatabases (-1805)
#define JET_errDiskFull (-1808)
#define JET_errPermissionDenied (-1809)
#define JET_errFileNotFound (-1811)
#define JET_errFileInvalidType (-1812)
#define JET_errFileAlreadyExists (-1814)
#define JET_errAfterInitialization (-1850)
#define JET_errLogCorrupted (-1852)

/* codes -1900..-1999: miscellaneous */
#define JET_errInvalidOperation (-1906)
#define JET_errAccessDenied (-1907)
#define JET_errTooManySplits (-1909)
#define JET_errSessionSharingViolation (-1910)
#define JET_errEntryPointNotFound (-1911)
#define JET_errSessionContextAlreadySet (-1912)
#define JET_errSessionContextNotSetByThisThread (-1913)
#define JET_errSessionInUse (-1914)
#define JET_errRecordFormatConversionFailed (-1915)
#define JET_errOneDatabasePerSession (-1916)
#define JET_errRollbackError (-1917)
#define JET_errFlushMapVersionUnsupported (-1918)
#define JET_errFlushMapDatabaseMismatch (-1919)
#define JET_errFlushMapUnrecoverable (-1920)
#define JET_errRBSFileCorrupt (-1921)
#define JET_errRBSHeaderCorrupt (-1922)
#define JET_errRBSDbMismatch (-1923)
#define JET_errBadRBSVersion (-1925)
#define JET_errOutOfRBSSpace (-1926)
#define JET_errRBSInvalidSign (-1927)
#define JET_errRBSInvalidRecord (-1928)
#define JET_errRBSRCInvalidRBS (-1929)
#define JET_errRBSRCNoRBSFound (-1930)
#define JET_errRBSRCBadDbState (-1931)
#define JET_errRBSMissingReqLogs (-1932)
#define JET_errRBSLogDivergenceFailed (-1933)
#define JET_errRBSRCCopyLogsRevertState (-1934)
#define JET_errDatabaseIncompleteRevert (-1935)
#define JET_errRBSRCRevertCancelled (-1936)
#define JET_errRBSRCInvalidDbFormatVersion (-1937)
#define JET_errRBSCannotDetermineDivergence (-1938)
#define JET_errRBSDeleteTableTooBig (-1941)
#define JET_errRBSDeleteTableTooSoon (-1942)
#define JET_errRBSFDPToBeDeleted (-1943)
#define JET_errRBSRevertableDeleteNotPossible (-1944)
#define JET_errRBSRedeleteFDPUnexpected (-1947)
#define JET_errRBSRCPageFDPDeleteFileCorrupt (-1948)

/* codes -2000..-2099: defragmentation */
#define JET_errDatabaseAlreadyRunningMaintenance (-2004)
#define JET_errRootSpaceLeakEstimationAlreadyRunning (-2006)

/* codes -2100..-2199: callbacks */
#define JET_errCallbackFailed (-2101)
#define JET_errCallbackNotResolved (-2102)
#define JET_errSpaceHintsInvalid (-2103)

/* codes -2400..-2499: OS snapshots */
#define JET_errOSSnapshotInvalidSequence (-2401)
#define JET_errOSSnapshotTimeOut (-2402)
#define JET_errOSSnapshotNotAllowed (-2403)
#define JET_errOSSnapshotInvalidSnapId (-2404)

/* codes -2500..-2599 */
#define JET_errTooManyTestInjections (-2501)
#define JET_errTestInjectionNotSupported (-2502)

/* codes -2600..-2699 */
#define JET_errInvalidLogDataSequence (-2601)

/* codes -3000..-3099: local storage */
#define JET_errLSCallbackNotSpecified (-3000)
#define JET_errLSAlreadySet (-3001)
#define JET_errLSNotSet (-3002)

/* codes -4000..-4099: file I/O */
#define JET_errFileIOSparse (-4000)
#define JET_errFileIOBeyondEOF (-4001)
#define JET_errFileIOAbort (-4002)
#define JET_errFileIORetry (-4003)
#define JET_errFileIOFail (-4004)
#define JET_errFileCompressed (-4005)

/* codes -10000..-10099 */
#define JET_errClientSpaceBegin (-10000)

/* codes -11900..-11999 */
#define JET_errClientSpaceEnd (-11999)

/* ======== functions ======== */

/* ---- instances, initialisation and termination ---- */
JET_ERR JET_API JetInit(JET_INSTANCE *pinstance);
JET_ERR JET_API JetInit2(JET_INSTANCE *pinstance, JET_GRBIT grbit);
JET_ERR JET_API JetInit3(JET_INSTANCE *pinstance, JET_RSTINFO *prstInfo, JET_GRBIT grbit);
JET_ERR JET_API JetInit3A(JET_INSTANCE *pinstance, JET_RSTINFO *prstInfo, JET_GRBIT grbit);
JET_ERR JET_API JetInit4(JET_INSTANCE *pinstance, JET_RSTINFO2 *prstInfo, JET_GRBIT grbit);
JET_ERR JET_API JetInit4A(JET_INSTANCE *pinstance, JET_RSTINFO2 *prstInfo, JET_GRBIT grbit);
JET_ERR JET_API JetCreateInstance(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName);
JET_ERR JET_API JetCreateInstanceA(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName);
JET_ERR JET_API JetCreateInstance2(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName,
                                   JET_PCSTR szDisplayName, JET_GRBIT grbit);
JET_ERR JET_API JetCreateInstance2A(JET_INSTANCE *pinstance, JET_PCSTR szInstanceName,
                                    JET_PCSTR szDisplayName, JET_GRBIT grbit);
JET_ERR JET_API JetGetInstanceMiscInfo(JET_INSTANCE instance, void *pvResult, uint32_t cbMax,
                                       uint32_t InfoLevel);
JET_ERR JET_API JetTerm(JET_INSTANCE instance);
JET_ERR JET_API JetTerm2(JET_INSTANCE instance, JET_GRBIT grbit);
JET_ERR JET_API JetStopService(void);
JET_ERR JET_API JetStopServiceInstance(JET_INSTANCE instance);
JET_ERR JET_API JetStopServiceInstance2(JET_INSTANCE instance, const JET_GRBIT grbit);
JET_ERR JET_API JetStopBackup(void);
JET_ERR JET_API JetStopBackupInstance(JET_INSTANCE instance);

/* ---- system parameters ---- */
JET_ERR JET_API JetSetSystemParameter(JET_INSTANCE *pinstance, JET_SESID sesid, uint32_t paramid,
                                      JET_API_PTR lParam, JET_PCSTR szParam);
JET_ERR JET_API JetSetSystemParameterA(JET_INSTANCE *pinstance, JET_SESID sesid, uint32_t paramid,
                                       JET_API_PTR lParam, JET_PCSTR szParam);
JET_ERR JET_API JetGetSystemParameter(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid,
                                      JET_API_PTR *plParam, JET_PSTR szParam, uint32_t cbMax);
JET_ERR JET_API JetGetSystemParameterA(JET_INSTANCE instance, JET_SESID sesid, uint32_t paramid,
                                       JET_API_PTR *plParam, JET_PSTR szParam, uint32_t cbMax);
JET_ERR JET_API JetEnableMultiInstance(JET_SETSYSPARAM *psetsysparam, uint32_t csetsysparam,
                                       uint32_t *pcsetsucceed);
JET_ERR JET_API JetEnableMultiInstanceA(JET_SETSYSPARAM *psetsysparam, uint32_t csetsysparam,
                                        uint32_t *pcsetsucceed);

/* ---- threads ---- */
JET_ERR JET_API JetGetThreadStats(void *pvResult, uint32_t cbMax);

/* ---- sessions ---- */
JET_ERR JET_API JetBeginSession(JET_INSTANCE instance, JET_SESID *psesid, JET_PCSTR szUserName,
                                JET_PCSTR szPassword);
JET_ERR JET_API JetBeginSessionA(JET_INSTANCE instance, JET_SESID *psesid, JET_PCSTR szUserName,
                                 JET_PCSTR szPassword);
JET_ERR JET_API JetDupSession(JET_SESID sesid, JET_SESID *psesid);
JET_ERR JET_API JetEndSession(JET_SESID sesid, JET_GRBIT grbit);
JET_ERR JET_API JetGetVersion(JET_SESID sesid, uint32_t *pwVersion);
JET_ERR JET_API JetIdle(JET_SESID sesid, JET_GRBIT grbit);

/* ---- databases ---- */
JET_ERR JET_API JetCreateDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                                  JET_DBID *pdbid, JET_GRBIT grbit);
JET_ERR JET_API JetCreateDatabaseA(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                                   JET_DBID *pdbid, JET_GRBIT grbit);
JET_ERR JET_API JetCreateDatabase2(JET_SESID sesid, JET_PCSTR szFilename,
                                   const uint32_t cpgDatabaseSizeMax, JET_DBID *pdbid,
                                   JET_GRBIT grbit);
JET_ERR JET_API JetCreateDatabase2A(JET_SESID sesid, JET_PCSTR szFilename,
                                    const uint32_t cpgDatabaseSizeMax, JET_DBID *pdbid,
                                    JET_GRBIT grbit);
JET_ERR JET_API JetCreateDatabase3(JET_SESID sesid, JET_PCSTR szFilename, JET_DBID *pdbid,
                                   JET_SETDBPARAM *rgsetdbparam, uint32_t csetdbparam,
                                   JET_GRBIT grbit);
JET_ERR JET_API JetCreateDatabase3A(JET_SESID sesid, JET_PCSTR szFilename, JET_DBID *pdbid,
                                    JET_SETDBPARAM *rgsetdbparam, uint32_t csetdbparam,
                                    JET_GRBIT grbit);
JET_ERR JET_API JetAttachDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit);
JET_ERR JET_API JetAttachDatabaseA(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit);
JET_ERR JET_API JetAttachDatabase2(JET_SESID sesid, JET_PCSTR szFilename,
                                   const uint32_t cpgDatabaseSizeMax, JET_GRBIT grbit);
JET_ERR JET_API JetAttachDatabase2A(JET_SESID sesid, JET_PCSTR szFilename,
                                    const uint32_t cpgDatabaseSizeMax, JET_GRBIT grbit);
JET_ERR JET_API JetAttachDatabase3(JET_SESID sesid, JET_PCSTR szFilename,
                                   JET_SETDBPARAM *rgsetdbparam, uint32_t csetdbparam,
                                   JET_GRBIT grbit);
JET_ERR JET_API JetAttachDatabase3A(JET_SESID sesid, JET_PCSTR szFilename,
                                    JET_SETDBPARAM *rgsetdbparam, uint32_t csetdbparam,
                                    JET_GRBIT grbit);
JET_ERR JET_API JetDetachDatabase(JET_SESID sesid, JET_PCSTR szFilename);
JET_ERR JET_API JetDetachDatabaseA(JET_SESID sesid, JET_PCSTR szFilename);
JET_ERR JET_API JetDetachDatabase2(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit);
JET_ERR JET_API JetDetachDatabase2A(JET_SESID sesid, JET_PCSTR szFilename, JET_GRBIT grbit);

/* ---- objects and tables ---- */
JET_ERR JET_API JetGetObjectInfo(JET_SESID sesid, JET_DBID dbid, JET_OBJTYP objtyp,
                                 JET_PCSTR szContainerName, JET_PCSTR szObjectName, void *pvResult,
                                 uint32_t cbMax, uint32_t InfoLevel);
JET_ERR JET_API JetGetObjectInfoA(JET_SESID sesid, JET_DBID dbid, JET_OBJTYP objtyp,
                                  JET_PCSTR szContainerName, JET_PCSTR szObjectName, void *pvResult,
                                  uint32_t cbMax, uint32_t InfoLevel);
JET_ERR JET_API JetGetTableInfo(JET_SESID sesid, JET_TABLEID tableid, void *pvResult,
                                uint32_t cbMax, uint32_t InfoLevel);
JET_ERR JET_API JetGetTableInfoA(JET_SESID sesid, JET_TABLEID tableid, void *pvResult,
                                 uint32_t cbMax, uint32_t InfoLevel);
JET_ERR JET_API JetCreateTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                               uint32_t lPages, uint32_t lDensity, JET_TABLEID *ptableid);
JET_ERR JET_API JetCreateTableA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                uint32_t lPages, uint32_t lDensity, JET_TABLEID *ptableid);
JET_ERR JET_API JetCreateTableColumnIndex(JET_SESID sesid, JET_DBID dbid,
                                          JET_TABLECREATE *ptablecreate);
JET_ERR JET_API JetCreateTableColumnIndexA(JET_SESID sesid, JET_DBID dbid,
                                           JET_TABLECREATE *ptablecreate);
JET_ERR JET_API JetCreateTableColumnIndex2(JET_SESID sesid, JET_DBID dbid,
                                           JET_TABLECREATE2 *ptablecreate);
JET_ERR JET_API JetCreateTableColumnIndex2A(JET_SESID sesid, JET_DBID dbid,
                                            JET_TABLECREATE2 *ptablecreate);
JET_ERR JET_API JetCreateTableColumnIndex3(JET_SESID sesid, JET_DBID dbid,
                                           JET_TABLECREATE3 *ptablecreate);
JET_ERR JET_API JetCreateTableColumnIndex3A(JET_SESID sesid, JET_DBID dbid,
                                            JET_TABLECREATE3 *ptablecreate);
JET_ERR JET_API JetCreateTableColumnIndex4(JET_SESID sesid, JET_DBID dbid,
                                           JET_TABLECREATE4 *ptablecreate);
JET_ERR JET_API JetCreateTableColumnIndex4A(JET_SESID sesid, JET_DBID dbid,
                                            JET_TABLECREATE4 *ptablecreate);
JET_ERR JET_API JetDeleteTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName);
JET_ERR JET_API JetDeleteTableA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName);
JET_ERR JET_API JetRenameTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szName,
                               JET_PCSTR szNameNew);
JET_ERR JET_API JetRenameTableA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szName,
                                JET_PCSTR szNameNew);

/* ---- columns ---- */
JET_ERR JET_API JetGetTableColumnInfo(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                                      void *pvResult, uint32_t cbMax, uint32_t InfoLevel);
JET_ERR JET_API JetGetTableColumnInfoA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                                       void *pvResult, uint32_t cbMax, uint32_t InfoLevel);
JET_ERR JET_API JetGetColumnInfo(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                 JET_PCSTR pColumnNameOrId, void *pvResult, uint32_t cbMax,
                                 uint32_t InfoLevel);
JET_ERR JET_API JetGetColumnInfoA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                  JET_PCSTR pColumnNameOrId, void *pvResult, uint32_t cbMax,
                                  uint32_t InfoLevel);
JET_ERR JET_API JetAddColumn(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                             const JET_COLUMNDEF *pcolumndef, const void *pvDefault,
                             uint32_t cbDefault, JET_COLUMNID *pcolumnid);
JET_ERR JET_API JetAddColumnA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                              const JET_COLUMNDEF *pcolumndef, const void *pvDefault,
                              uint32_t cbDefault, JET_COLUMNID *pcolumnid);
JET_ERR JET_API JetDeleteColumn(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName);
JET_ERR JET_API JetDeleteColumnA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName);
JET_ERR JET_API JetDeleteColumn2(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                                 const JET_GRBIT grbit);
JET_ERR JET_API JetDeleteColumn2A(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szColumnName,
                                  const JET_GRBIT grbit);
JET_ERR JET_API JetRenameColumn(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szName,
                                JET_PCSTR szNameNew, JET_GRBIT grbit);
JET_ERR JET_API JetRenameColumnA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szName,
                                 JET_PCSTR szNameNew, JET_GRBIT grbit);
JET_ERR JET_API JetSetColumnDefaultValue(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                         JET_PCSTR szColumnName, const void *pvData,
                                         const uint32_t cbData, const JET_GRBIT grbit);
JET_ERR JET_API JetSetColumnDefaultValueA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                          JET_PCSTR szColumnName, const void *pvData,
                                          const uint32_t cbData, const JET_GRBIT grbit);

/* ---- indexes ---- */
JET_ERR JET_API JetGetTableIndexInfo(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                     void *pvResult, uint32_t cbResult, uint32_t InfoLevel);
JET_ERR JET_API JetGetTableIndexInfoA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                      void *pvResult, uint32_t cbResult, uint32_t InfoLevel);
JET_ERR JET_API JetGetIndexInfo(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                JET_PCSTR szIndexName, void *pvResult, uint32_t cbResult,
                                uint32_t InfoLevel);
JET_ERR JET_API JetGetIndexInfoA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                 JET_PCSTR szIndexName, void *pvResult, uint32_t cbResult,
                                 uint32_t InfoLevel);
JET_ERR JET_API JetCreateIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                               JET_GRBIT grbit, const char *szKey, uint32_t cbKey,
                               uint32_t lDensity);
JET_ERR JET_API JetCreateIndexA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                JET_GRBIT grbit, const char *szKey, uint32_t cbKey,
                                uint32_t lDensity);
JET_ERR JET_API JetCreateIndex2(JET_SESID sesid, JET_TABLEID tableid, JET_INDEXCREATE *pindexcreate,
                                uint32_t cIndexCreate);
JET_ERR JET_API JetCreateIndex2A(JET_SESID sesid, JET_TABLEID tableid,
                                 JET_INDEXCREATE *pindexcreate, uint32_t cIndexCreate);
JET_ERR JET_API JetCreateIndex3(JET_SESID sesid, JET_TABLEID tableid,
                                JET_INDEXCREATE2 *pindexcreate, uint32_t cIndexCreate);
JET_ERR JET_API JetCreateIndex3A(JET_SESID sesid, JET_TABLEID tableid,
                                 JET_INDEXCREATE2 *pindexcreate, uint32_t cIndexCreate);
JET_ERR JET_API JetCreateIndex4(JET_SESID sesid, JET_TABLEID tableid,
                                JET_INDEXCREATE3 *pindexcreate, uint32_t cIndexCreate);
JET_ERR JET_API JetCreateIndex4A(JET_SESID sesid, JET_TABLEID tableid,
                                 JET_INDEXCREATE3 *pindexcreate, uint32_t cIndexCreate);
JET_ERR JET_API JetDeleteIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName);
JET_ERR JET_API JetDeleteIndexA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName);

/* ---- transactions ---- */
JET_ERR JET_API JetBeginTransaction(JET_SESID sesid);
JET_ERR JET_API JetBeginTransaction2(JET_SESID sesid, JET_GRBIT grbit);
JET_ERR JET_API JetBeginTransaction3(JET_SESID sesid, int64_t trxid, JET_GRBIT grbit);
JET_ERR JET_API JetCommitTransaction(JET_SESID sesid, JET_GRBIT grbit);
JET_ERR JET_API JetCommitTransaction2(JET_SESID sesid, JET_GRBIT grbit, uint32_t cmsecDurableCommit,
                                      JET_COMMIT_ID *pCommitId);
JET_ERR JET_API JetRollback(JET_SESID sesid, JET_GRBIT grbit);

/* ---- database information, open and close ---- */
JET_ERR JET_API JetGetDatabaseInfo(JET_SESID sesid, JET_DBID dbid, void *pvResult, uint32_t cbMax,
                                   uint32_t InfoLevel);
JET_ERR JET_API JetGetDatabaseInfoA(JET_SESID sesid, JET_DBID dbid, void *pvResult, uint32_t cbMax,
                                    uint32_t InfoLevel);
JET_ERR JET_API JetGetDatabaseFileInfo(JET_PCSTR szDatabaseName, void *pvResult, uint32_t cbMax,
                                       uint32_t InfoLevel);
JET_ERR JET_API JetGetDatabaseFileInfoA(JET_PCSTR szDatabaseName, void *pvResult, uint32_t cbMax,
                                        uint32_t InfoLevel);
JET_ERR JET_API JetOpenDatabase(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                                JET_DBID *pdbid, JET_GRBIT grbit);
JET_ERR JET_API JetOpenDatabaseA(JET_SESID sesid, JET_PCSTR szFilename, JET_PCSTR szConnect,
                                 JET_DBID *pdbid, JET_GRBIT grbit);
JET_ERR JET_API JetCloseDatabase(JET_SESID sesid, JET_DBID dbid, JET_GRBIT grbit);

/* ---- tables and cursors ---- */
JET_ERR JET_API JetOpenTable(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                             const void *pvParameters, uint32_t cbParameters, JET_GRBIT grbit,
                             JET_TABLEID *ptableid);
JET_ERR JET_API JetOpenTableA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                              const void *pvParameters, uint32_t cbParameters, JET_GRBIT grbit,
                              JET_TABLEID *ptableid);
JET_ERR JET_API JetSetTableSequential(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit);
JET_ERR JET_API JetResetTableSequential(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit);
JET_ERR JET_API JetCloseTable(JET_SESID sesid, JET_TABLEID tableid);

/* ---- records ---- */
JET_ERR JET_API JetDelete(JET_SESID sesid, JET_TABLEID tableid);
JET_ERR JET_API JetUpdate(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                          uint32_t cbBookmark, uint32_t *pcbActual);
JET_ERR JET_API JetUpdate2(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                           uint32_t cbBookmark, uint32_t *pcbActual, const JET_GRBIT grbit);
JET_ERR JET_API JetEscrowUpdate(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid,
                                void *pv, uint32_t cbMax, void *pvOld, uint32_t cbOldMax,
                                uint32_t *pcbOldActual, JET_GRBIT grbit);
JET_ERR JET_API JetRetrieveColumn(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid,
                                  void *pvData, uint32_t cbData, uint32_t *pcbActual,
                                  JET_GRBIT grbit, JET_RETINFO *pretinfo);
JET_ERR JET_API JetRetrieveColumns(JET_SESID sesid, JET_TABLEID tableid,
                                   JET_RETRIEVECOLUMN *pretrievecolumn, uint32_t cretrievecolumn);
JET_ERR JET_API JetEnumerateColumns(JET_SESID sesid, JET_TABLEID tableid, uint32_t cEnumColumnId,
                                    JET_ENUMCOLUMNID *rgEnumColumnId, uint32_t *pcEnumColumn,
                                    JET_ENUMCOLUMN **prgEnumColumn, JET_PFNREALLOC pfnRealloc,
                                    void *pvReallocContext, uint32_t cbDataMost, JET_GRBIT grbit);
JET_ERR JET_API JetGetRecordSize(JET_SESID sesid, JET_TABLEID tableid, JET_RECSIZE *precsize,
                                 const JET_GRBIT grbit);
JET_ERR JET_API JetGetRecordSize2(JET_SESID sesid, JET_TABLEID tableid, JET_RECSIZE2 *precsize,
                                  const JET_GRBIT grbit);
JET_ERR JET_API JetSetColumn(JET_SESID sesid, JET_TABLEID tableid, JET_COLUMNID columnid,
                             const void *pvData, uint32_t cbData, JET_GRBIT grbit,
                             JET_SETINFO *psetinfo);
JET_ERR JET_API JetSetColumns(JET_SESID sesid, JET_TABLEID tableid, JET_SETCOLUMN *psetcolumn,
                              uint32_t csetcolumn);
JET_ERR JET_API JetPrepareUpdate(JET_SESID sesid, JET_TABLEID tableid, uint32_t prep);
JET_ERR JET_API JetGetRecordPosition(JET_SESID sesid, JET_TABLEID tableid, JET_RECPOS *precpos,
                                     uint32_t cbRecpos);
JET_ERR JET_API JetGotoPosition(JET_SESID sesid, JET_TABLEID tableid, JET_RECPOS *precpos);
JET_ERR JET_API JetGetCursorInfo(JET_SESID sesid, JET_TABLEID tableid, void *pvResult,
                                 uint32_t cbMax, uint32_t InfoLevel);
JET_ERR JET_API JetDupCursor(JET_SESID sesid, JET_TABLEID tableid, JET_TABLEID *ptableid,
                             JET_GRBIT grbit);

/* ---- current index, navigation, keys ---- */
JET_ERR JET_API JetGetCurrentIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PSTR szIndexName,
                                   uint32_t cbIndexName);
JET_ERR JET_API JetGetCurrentIndexA(JET_SESID sesid, JET_TABLEID tableid, JET_PSTR szIndexName,
                                    uint32_t cbIndexName);
JET_ERR JET_API JetSetCurrentIndex(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName);
JET_ERR JET_API JetSetCurrentIndexA(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName);
JET_ERR JET_API JetSetCurrentIndex2(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                    JET_GRBIT grbit);
JET_ERR JET_API JetSetCurrentIndex2A(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                     JET_GRBIT grbit);
JET_ERR JET_API JetSetCurrentIndex3(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                    JET_GRBIT grbit, uint32_t itagSequence);
JET_ERR JET_API JetSetCurrentIndex3A(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                     JET_GRBIT grbit, uint32_t itagSequence);
JET_ERR JET_API JetSetCurrentIndex4(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                    JET_INDEXID *pindexid, JET_GRBIT grbit, uint32_t itagSequence);
JET_ERR JET_API JetSetCurrentIndex4A(JET_SESID sesid, JET_TABLEID tableid, JET_PCSTR szIndexName,
                                     JET_INDEXID *pindexid, JET_GRBIT grbit, uint32_t itagSequence);
JET_ERR JET_API JetMove(JET_SESID sesid, JET_TABLEID tableid, int32_t cRow, JET_GRBIT grbit);
JET_ERR JET_API JetSetCursorFilter(JET_SESID sesid, JET_TABLEID tableid,
                                   JET_INDEX_COLUMN *rgColumnFilters, uint32_t cColumnFilters,
                                   JET_GRBIT grbit);
JET_ERR JET_API JetGetLock(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit);
JET_ERR JET_API JetMakeKey(JET_SESID sesid, JET_TABLEID tableid, const void *pvData,
                           uint32_t cbData, JET_GRBIT grbit);
JET_ERR JET_API JetSeek(JET_SESID sesid, JET_TABLEID tableid, JET_GRBIT grbit);
JET_ERR JET_API JetPrereadKeys(JET_SESID sesid, JET_TABLEID tableid, const void **rgpvKeys,
                               const uint32_t *rgcbKeys, int32_t ckeys, int32_t *pckeysPreread,
                               JET_GRBIT grbit);
JET_ERR JET_API JetPrereadIndexRanges(JET_SESID sesid, JET_TABLEID tableid,
                                      const JET_INDEX_RANGE *const rgIndexRanges,
                                      const uint32_t cIndexRanges, uint32_t *const pcRangesPreread,
                                      const JET_COLUMNID *const rgcolumnidPreread,
                                      const uint32_t ccolumnidPreread, JET_GRBIT grbit);
JET_ERR JET_API JetGetBookmark(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                               uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetSecondaryIndexBookmark(JET_SESID sesid, JET_TABLEID tableid,
                                             void *pvSecondaryKey, uint32_t cbSecondaryKeyMax,
                                             uint32_t *pcbSecondaryKeyActual,
                                             void *pvPrimaryBookmark, uint32_t cbPrimaryBookmarkMax,
                                             uint32_t *pcbPrimaryBookmarkActual,
                                             const JET_GRBIT grbit);

/* ---- maintenance: compaction, defragmentation, size ---- */
JET_ERR JET_API JetCompact(JET_SESID sesid, JET_PCSTR szDatabaseSrc, JET_PCSTR szDatabaseDest,
                           JET_PFNSTATUS pfnStatus, JET_CONVERT *pconvert, JET_GRBIT grbit);
JET_ERR JET_API JetCompactA(JET_SESID sesid, JET_PCSTR szDatabaseSrc, JET_PCSTR szDatabaseDest,
                            JET_PFNSTATUS pfnStatus, JET_CONVERT *pconvert, JET_GRBIT grbit);
JET_ERR JET_API JetDefragment(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                              uint32_t *pcPasses, uint32_t *pcSeconds, JET_GRBIT grbit);
JET_ERR JET_API JetDefragmentA(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                               uint32_t *pcPasses, uint32_t *pcSeconds, JET_GRBIT grbit);
JET_ERR JET_API JetDefragment2(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                               uint32_t *pcPasses, uint32_t *pcSeconds, JET_CALLBACK callback,
                               JET_GRBIT grbit);
JET_ERR JET_API JetDefragment2A(JET_SESID sesid, JET_DBID dbid, JET_PCSTR szTableName,
                                uint32_t *pcPasses, uint32_t *pcSeconds, JET_CALLBACK callback,
                                JET_GRBIT grbit);
JET_ERR JET_API JetDefragment3(JET_SESID sesid, JET_PCSTR szDatabaseName, JET_PCSTR szTableName,
                               uint32_t *pcPasses, uint32_t *pcSeconds, JET_CALLBACK callback,
                               void *pvContext, JET_GRBIT grbit);
JET_ERR JET_API JetDefragment3A(JET_SESID sesid, JET_PCSTR szDatabaseName, JET_PCSTR szTableName,
                                uint32_t *pcPasses, uint32_t *pcSeconds, JET_CALLBACK callback,
                                void *pvContext, JET_GRBIT grbit);
JET_ERR JET_API JetUpgradeDatabase(JET_SESID sesid, JET_PCSTR szDbFileName, JET_PCSTR szSLVFileName,
                                   const JET_GRBIT grbit);
JET_ERR JET_API JetUpgradeDatabaseA(JET_SESID sesid, JET_PCSTR szDbFileName,
                                    JET_PCSTR szSLVFileName, const JET_GRBIT grbit);
JET_ERR JET_API JetSetDatabaseSize(JET_SESID sesid, JET_PCSTR szDatabaseName, uint32_t cpg,
                                   uint32_t *pcpgReal);
JET_ERR JET_API JetSetDatabaseSizeA(JET_SESID sesid, JET_PCSTR szDatabaseName, uint32_t cpg,
                                    uint32_t *pcpgReal);
JET_ERR JET_API JetGrowDatabase(JET_SESID sesid, JET_DBID dbid, uint32_t cpg, uint32_t *pcpgReal);
JET_ERR JET_API JetResizeDatabase(JET_SESID sesid, JET_DBID dbid, uint32_t cpgTarget,
                                  uint32_t *pcpgActual, const JET_GRBIT grbit);

/* ---- session context ---- */
JET_ERR JET_API JetSetSessionContext(JET_SESID sesid, JET_API_PTR ulContext);
JET_ERR JET_API JetResetSessionContext(JET_SESID sesid);

/* ---- bookmarks and index intersection ---- */
JET_ERR JET_API JetGotoBookmark(JET_SESID sesid, JET_TABLEID tableid, void *pvBookmark,
                                uint32_t cbBookmark);
JET_ERR JET_API JetGotoSecondaryIndexBookmark(JET_SESID sesid, JET_TABLEID tableid,
                                              void *pvSecondaryKey, uint32_t cbSecondaryKey,
                                              void *pvPrimaryBookmark, uint32_t cbPrimaryBookmark,
                                              const JET_GRBIT grbit);
JET_ERR JET_API JetIntersectIndexes(JET_SESID sesid, JET_INDEXRANGE *rgindexrange,
                                    uint32_t cindexrange, JET_RECORDLIST *precordlist,
                                    JET_GRBIT grbit);

/* ---- statistics and temporary tables ---- */
JET_ERR JET_API JetComputeStats(JET_SESID sesid, JET_TABLEID tableid);
JET_ERR JET_API JetOpenTempTable(JET_SESID sesid, const JET_COLUMNDEF *prgcolumndef,
                                 uint32_t ccolumn, JET_GRBIT grbit, JET_TABLEID *ptableid,
                                 JET_COLUMNID *prgcolumnid);
JET_ERR JET_API JetOpenTempTable2(JET_SESID sesid, const JET_COLUMNDEF *prgcolumndef,
                                  uint32_t ccolumn, uint32_t lcid, JET_GRBIT grbit,
                                  JET_TABLEID *ptableid, JET_COLUMNID *prgcolumnid);
JET_ERR JET_API JetOpenTempTable3(JET_SESID sesid, const JET_COLUMNDEF *prgcolumndef,
                                  uint32_t ccolumn, JET_UNICODEINDEX *pidxunicode, JET_GRBIT grbit,
                                  JET_TABLEID *ptableid, JET_COLUMNID *prgcolumnid);
JET_ERR JET_API JetOpenTemporaryTable(JET_SESID sesid, JET_OPENTEMPORARYTABLE *popentemporarytable);
JET_ERR JET_API JetOpenTemporaryTable2(JET_SESID sesid,
                                       JET_OPENTEMPORARYTABLE2 *popentemporarytable);

/* ---- internal backup and restore ---- */
JET_ERR JET_API JetBackup(JET_PCSTR szBackupPath, JET_GRBIT grbit, JET_PFNSTATUS pfnStatus);
JET_ERR JET_API JetBackupA(JET_PCSTR szBackupPath, JET_GRBIT grbit, JET_PFNSTATUS pfnStatus);
JET_ERR JET_API JetBackupInstance(JET_INSTANCE instance, JET_PCSTR szBackupPath, JET_GRBIT grbit,
                                  JET_PFNSTATUS pfnStatus);
JET_ERR JET_API JetBackupInstanceA(JET_INSTANCE instance, JET_PCSTR szBackupPath, JET_GRBIT grbit,
                                   JET_PFNSTATUS pfnStatus);
JET_ERR JET_API JetRestore(JET_PCSTR szSource, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestoreA(JET_PCSTR szSource, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestore2(JET_PCSTR sz, JET_PCSTR szDest, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestore2A(JET_PCSTR sz, JET_PCSTR szDest, JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestoreInstance(JET_INSTANCE instance, JET_PCSTR sz, JET_PCSTR szDest,
                                   JET_PFNSTATUS pfn);
JET_ERR JET_API JetRestoreInstanceA(JET_INSTANCE instance, JET_PCSTR sz, JET_PCSTR szDest,
                                    JET_PFNSTATUS pfn);

/* ---- index ranges and keys ---- */
JET_ERR JET_API JetSetIndexRange(JET_SESID sesid, JET_TABLEID tableidSrc, JET_GRBIT grbit);
JET_ERR JET_API JetIndexRecordCount(JET_SESID sesid, JET_TABLEID tableid, uint32_t *pcrec,
                                    uint32_t crecMax);
JET_ERR JET_API JetIndexRecordCount2(JET_SESID sesid, JET_TABLEID tableid, uint64_t *pcrec,
                                     uint64_t crecMax);
JET_ERR JET_API JetRetrieveKey(JET_SESID sesid, JET_TABLEID tableid, void *pvKey, uint32_t cbMax,
                               uint32_t *pcbActual, JET_GRBIT grbit);

/* ---- external (streaming) backup ---- */
JET_ERR JET_API JetBeginExternalBackup(JET_GRBIT grbit);
JET_ERR JET_API JetBeginExternalBackupInstance(JET_INSTANCE instance, JET_GRBIT grbit);
JET_ERR JET_API JetBeginSurrogateBackup(JET_INSTANCE instance, uint32_t lgenFirst,
                                        uint32_t lgenLast, JET_GRBIT grbit);
JET_ERR JET_API JetGetAttachInfo(JET_PSTR szzDatabases, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetAttachInfoA(JET_PSTR szzDatabases, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetAttachInfoInstance(JET_INSTANCE instance, JET_PSTR szzDatabases,
                                         uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetAttachInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzDatabases,
                                          uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetOpenFile(JET_PCSTR szFileName, JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                            uint32_t *pulFileSizeHigh);
JET_ERR JET_API JetOpenFileA(JET_PCSTR szFileName, JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                             uint32_t *pulFileSizeHigh);
JET_ERR JET_API JetOpenFileInstance(JET_INSTANCE instance, JET_PCSTR szFileName,
                                    JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                                    uint32_t *pulFileSizeHigh);
JET_ERR JET_API JetOpenFileInstanceA(JET_INSTANCE instance, JET_PCSTR szFileName,
                                     JET_HANDLE *phfFile, uint32_t *pulFileSizeLow,
                                     uint32_t *pulFileSizeHigh);
JET_ERR JET_API JetOpenFileSectionInstance(JET_INSTANCE instance, JET_PSTR szFile,
                                           JET_HANDLE *phFile, int32_t iSection, int32_t cSections,
                                           uint64_t ibRead, uint32_t *pulSectionSizeLow,
                                           int32_t *plSectionSizeHigh);
JET_ERR JET_API JetOpenFileSectionInstanceA(JET_INSTANCE instance, JET_PSTR szFile,
                                            JET_HANDLE *phFile, int32_t iSection, int32_t cSections,
                                            uint64_t ibRead, uint32_t *pulSectionSizeLow,
                                            int32_t *plSectionSizeHigh);
JET_ERR JET_API JetReadFile(JET_HANDLE hfFile, void *pv, uint32_t cb, uint32_t *pcbActual);
JET_ERR JET_API JetReadFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile, void *pv, uint32_t cb,
                                    uint32_t *pcbActual);
JET_ERR JET_API JetCloseFile(JET_HANDLE hfFile);
JET_ERR JET_API JetCloseFileInstance(JET_INSTANCE instance, JET_HANDLE hfFile);
JET_ERR JET_API JetGetLogInfo(JET_PSTR szzLogs, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetLogInfoA(JET_PSTR szzLogs, uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetLogInfoInstance(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                      uint32_t *pcbActual);
JET_ERR JET_API JetGetLogInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                       uint32_t *pcbActual);
JET_ERR JET_API JetGetLogInfoInstance2(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                       uint32_t *pcbActual, JET_LOGINFO *pLogInfo);
JET_ERR JET_API JetGetLogInfoInstance2A(JET_INSTANCE instance, JET_PSTR szzLogs, uint32_t cbMax,
                                        uint32_t *pcbActual, JET_LOGINFO *pLogInfo);
JET_ERR JET_API JetGetTruncateLogInfoInstance(JET_INSTANCE instance, JET_PSTR szzLogs,
                                              uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetGetTruncateLogInfoInstanceA(JET_INSTANCE instance, JET_PSTR szzLogs,
                                               uint32_t cbMax, uint32_t *pcbActual);
JET_ERR JET_API JetTruncateLog(void);
JET_ERR JET_API JetTruncateLogInstance(JET_INSTANCE instance);
JET_ERR JET_API JetEndExternalBackup(void);
JET_ERR JET_API JetEndExternalBackupInstance(JET_INSTANCE instance);
JET_ERR JET_API JetEndExternalBackupInstance2(JET_INSTANCE instance, JET_GRBIT grbit);
JET_ERR JET_API JetEndSurrogateBackup(JET_INSTANCE instance, JET_GRBIT grbit);

/* ---- external restore ---- */
JET_ERR JET_API JetExternalRestore(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                                   JET_RSTMAP *rgrstmap, int32_t crstfilemap,
                                   JET_PSTR szBackupLogPath, int32_t genLow, int32_t genHigh,
                                   JET_PFNSTATUS pfn);
JET_ERR JET_API JetExternalRestoreA(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                                    JET_RSTMAP *rgrstmap, int32_t crstfilemap,
                                    JET_PSTR szBackupLogPath, int32_t genLow, int32_t genHigh,
                                    JET_PFNSTATUS pfn);
JET_ERR JET_API JetExternalRestore2(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                                    JET_RSTMAP *rgrstmap, int32_t crstfilemap,
                                    JET_PSTR szBackupLogPath, JET_LOGINFO *pLogInfo,
                                    JET_PSTR szTargetInstanceName, JET_PSTR szTargetInstanceLogPath,
                                    JET_PSTR szTargetInstanceCheckpointPath, JET_PFNSTATUS pfn);
JET_ERR JET_API JetExternalRestore2A(JET_PSTR szCheckpointFilePath, JET_PSTR szLogPath,
                                     JET_RSTMAP *rgrstmap, int32_t crstfilemap,
                                     JET_PSTR szBackupLogPath, JET_LOGINFO *pLogInfo,
                                     JET_PSTR szTargetInstanceName,
                                     JET_PSTR szTargetInstanceLogPath,
                                     JET_PSTR szTargetInstanceCheckpointPath, JET_PFNSTATUS pfn);
JET_ERR JET_API JetSnapshotStart(JET_INSTANCE instance, JET_PSTR szDatabases, JET_GRBIT grbit);
JET_ERR JET_API JetSnapshotStartA(JET_INSTANCE instance, JET_PSTR szDatabases, JET_GRBIT grbit);
JET_ERR JET_API JetSnapshotStop(JET_INSTANCE instance, JET_GRBIT grbit);

/* ---- callbacks ---- */
JET_ERR JET_API JetRegisterCallback(JET_SESID sesid, JET_TABLEID tableid, JET_CBTYP cbtyp,
                                    JET_CALLBACK pCallback, void *pvContext,
                                    JET_HANDLE *phCallbackId);
JET_ERR JET_API JetUnregisterCallback(JET_SESID sesid, JET_TABLEID tableid, JET_CBTYP cbtyp,
                                      JET_HANDLE hCallbackId);

/* ---- instance enumeration ---- */
JET_ERR JET_API JetGetInstanceInfo(uint32_t *pcInstanceInfo, JET_INSTANCE_INFO **paInstanceInfo);
JET_ERR JET_API JetGetInstanceInfoA(uint32_t *pcInstanceInfo, JET_INSTANCE_INFO **paInstanceInfo);
JET_ERR JET_API JetFreeBuffer(char *pbBuf);

/* ---- local storage ---- */
JET_ERR JET_API JetSetLS(JET_SESID sesid, JET_TABLEID tableid, JET_LS ls, JET_GRBIT grbit);
JET_ERR JET_API JetGetLS(JET_SESID sesid, JET_TABLEID tableid, JET_LS *pls, JET_GRBIT grbit);

/* ---- OS snapshots (VSS) ---- */
JET_ERR JET_API JetOSSnapshotPrepare(JET_OSSNAPID *psnapId, const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotPrepareInstance(JET_OSSNAPID snapId, JET_INSTANCE instance,
                                             const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotFreeze(const JET_OSSNAPID snapId, uint32_t *pcInstanceInfo,
                                    JET_INSTANCE_INFO **paInstanceInfo, const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotFreezeA(const JET_OSSNAPID snapId, uint32_t *pcInstanceInfo,
                                     JET_INSTANCE_INFO **paInstanceInfo, const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotThaw(const JET_OSSNAPID snapId, const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotAbort(const JET_OSSNAPID snapId, const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotTruncateLog(const JET_OSSNAPID snapId, const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotTruncateLogInstance(const JET_OSSNAPID snapId, JET_INSTANCE instance,
                                                 const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotGetFreezeInfo(const JET_OSSNAPID snapId, uint32_t *pcInstanceInfo,
                                           JET_INSTANCE_INFO **paInstanceInfo,
                                           const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotGetFreezeInfoA(const JET_OSSNAPID snapId, uint32_t *pcInstanceInfo,
                                            JET_INSTANCE_INFO **paInstanceInfo,
                                            const JET_GRBIT grbit);
JET_ERR JET_API JetOSSnapshotEnd(const JET_OSSNAPID snapId, const JET_GRBIT grbit);

/* ---- process configuration ---- */
JET_ERR JET_API JetConfigureProcessForCrashDump(const JET_GRBIT grbit);
JET_ERR JET_API JetGetErrorInfo(void *pvContext, void *pvResult, uint32_t cbMax, uint32_t InfoLevel,
                                JET_GRBIT grbit);

/* ---- session parameters and error information ---- */
JET_ERR JET_API JetSetSessionParameter(JET_SESID sesid, uint32_t sesparamid, void *pvParam,
                                       uint32_t cbParam);
JET_ERR JET_API JetGetSessionParameter(JET_SESID sesid, uint32_t sesparamid, void *pvParam,
                                       uint32_t cbParamMax, uint32_t *pcbParamActual);

#ifdef __cplusplus
}
#endif

#endif /* _INC_ESENT */
