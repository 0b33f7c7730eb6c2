/* param.c: system parameters (JetSetSystemParameter / JetGetSystemParameter): one table row per
 * parameter id with ESE's type, scope and write rules, range and default, and the values.
 *
 * Facts from ESE (dev/ese/src/ese/sysparamtable.g.cxx for the rows, jetapi.cxx CJetParam::* for
 * the rules): a row's columns are (advanced, global, read-only once the process has a run mode,
 * read-only once the instance is initialised, low, high, default). Setting an integer to its
 * current value always succeeds (ValidateSet returns early, even after JetInit); otherwise a
 * "global-init" parameter fails with JET_errAlreadyInitialized once any run mode is set, an
 * "instance-init" parameter once its instance is initialised, and an out-of-range value (for
 * strings: the length) with JET_errInvalidParameter. Booleans are stored as 0/1; block sizes must
 * be powers of two. Folders are completed to an absolute path with a trailing '/'; paths are
 * completed unless they are a bare file name. An advanced parameter is silently ignored while
 * JET_paramEnableAdvanced is off. Strings are returned whole or not at all
 * (JET_errBufferTooSmall). Read-only rows (and ESE's IllegalSet rows) reject sets with
 * JET_errInvalidParameter; id 185 and ids past the table reject both.
 *
 * Our choices where the platform differs: default folders are "./" (ESE: ".\\"); the default
 * database page size is 8 KiB (ESE: 4 KiB); defaults that differ between ESENT and Exchange use
 * ESENT's; JET_paramConfiguration only stores its bits (ESE also applies the bundles to other
 * parameters); JET_paramEngineFormatVersion stores the value as given.
 *
 * Values are read and written under the process lock (inst_priv.h); integer values are also
 * read without it through atomic loads (bj_param_int).
 */
#include <stdio.h>

#include "inst/inst_priv.h"

enum ptype { T_NONE = 0, T_INT, T_BOOL, T_GRBIT, T_PTR, T_BLOCK, T_STRING, T_FOLDER, T_PATH, T_USER };

enum pflag {
    ADV = 0x01,    /* advanced: ignored when JET_paramEnableAdvanced is off */
    GLOBAL = 0x02, /* one value per process */
    GRO = 0x04,    /* read-only once the process has a run mode (ESE: after global init) */
    IRO = 0x08,    /* read-only once the instance is initialised */
    RO = 0x10,     /* never settable */
};

/* Constants of ESE that esent.h does not carry (jethdr.w, daeconst.hxx). */
#define BJ_EXCEPTION_FAIL_FAST 0x0004
#define BJ_ASSERT_FAIL_FAST 0x0040
#define BJ_ONLINE_DEFRAG_ALL 0xffff
#define BJ_MAX_INSTANCES 10240
#define BJ_EFV_USE_ENGINE_DEFAULT 0x40000001
#define BJ_IO_PRIORITY_MASK                                                                        \
    (JET_IOPriorityLow | JET_IOPriorityLowForCheckpoint | JET_IOPriorityLowForScavenge |           \
     JET_IOPriorityUserClassIdMask | JET_IOPriorityMarkAsMaintenance)
/* ESE's default Unicode index: LCMAP_SORTKEY | NORM_IGNORECASE | NORM_IGNOREKANATYPE |
 * NORM_IGNOREWIDTH on en-US (0x409). */
#define BJ_UNICODE_FLAGS_DEFAULT 0x00030401u
#define BJ_UNICODE_LCID_DEFAULT 0x409u

struct prow;
typedef JET_ERR (*pget_fn)(const struct prow *row, bj_inst *inst, bj_sess *sess,
                           const bj_param_value *val, JET_API_PTR *pl, char *sz, uint32_t cb);
typedef JET_ERR (*pset_fn)(const struct prow *row, bj_inst *inst, bj_sess *sess,
                           bj_param_value *val, JET_API_PTR l, const char *sz);

typedef struct prow {
    const char *name;
    uint8_t type;
    uint8_t flags;
    uintptr_t lo, hi, def;
    const char *def_str;
    pget_fn get; /* NULL: by type */
    pset_fn set; /* NULL: by type */
} prow;

static JET_ERR get_commit_default(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                                  JET_API_PTR *, char *, uint32_t);
static JET_ERR get_trx_level(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                             JET_API_PTR *, char *, uint32_t);
static JET_ERR get_error_to_string(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                                   JET_API_PTR *, char *, uint32_t);
static JET_ERR get_unicode_index(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                                 JET_API_PTR *, char *, uint32_t);
static JET_ERR get_key_most(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                            JET_API_PTR *, char *, uint32_t);
static JET_ERR get_record_size_most(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                                    JET_API_PTR *, char *, uint32_t);
static JET_ERR get_lv_chunk_most(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                                 JET_API_PTR *, char *, uint32_t);
static JET_ERR get_zero(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                        JET_API_PTR *, char *, uint32_t);
static JET_ERR get_ignored(const prow *, bj_inst *, bj_sess *, const bj_param_value *,
                           JET_API_PTR *, char *, uint32_t);
static JET_ERR set_unicode_index(const prow *, bj_inst *, bj_sess *, bj_param_value *,
                                 JET_API_PTR, const char *);
static JET_ERR set_ignored(const prow *, bj_inst *, bj_sess *, bj_param_value *, JET_API_PTR,
                           const char *);

#define P(id, ty, fl, lo_, hi_, def_, str_, get_, set_)                                            \
    [JET_param##id] = {.name = "JET_param" #id,                                                     \
                       .type = T_##ty,                                                             \
                       .flags = (fl),                                                              \
                       .lo = (uintptr_t)(lo_),                                                     \
                       .hi = (uintptr_t)(hi_),                                                     \
                       .def = (uintptr_t)(def_),                                                   \
                       .def_str = (str_),                                                          \
                       .get = (get_),                                                              \
                       .set = (set_)}

/* id, type, flags, low, high, default, default string, custom get, custom set */
static const prow rows[BJ_PARAM_COUNT] = {
    P(SystemPath, FOLDER, IRO, 0, 246, 0, "./", NULL, NULL),
    P(TempPath, PATH, IRO, 0, 247, 0, "tmp.edb", NULL, NULL),
    P(LogFilePath, FOLDER, IRO, 0, 246, 0, "./", NULL, NULL),
    P(BaseName, STRING, IRO, 3, 3, 0, "edb", NULL, NULL),
    P(EventSource, STRING, IRO, 0, 259, 0, "", NULL, NULL),
    P(MaxSessions, INT, ADV | IRO, 0, 30000, 16, NULL, NULL, NULL),
    P(MaxOpenTables, INT, ADV | IRO, 0, 2147483647, 300, NULL, NULL, NULL),
    P(PreferredMaxOpenTables, INT, ADV | IRO, 0, 2147483647, 0, NULL, NULL, NULL),
    P(MaxCursors, INT, ADV | IRO, 0, 2147483647, 1024, NULL, NULL, NULL),
    P(MaxVerPages, INT, ADV | IRO, 1, 2147483647, 64, NULL, NULL, NULL),
    P(MaxTemporaryTables, INT, ADV | IRO, 0, 2147483647, 20, NULL, NULL, NULL),
    P(LogFileSize, INT, IRO, 64, 32768, 5120, NULL, NULL, NULL),
    P(LogBuffers, INT, ADV | IRO, 1, 2147483647, 126, NULL, NULL, NULL),
    P(WaitLogFlush, INT, ADV, 0, 2147483647, 0, NULL, NULL, NULL),
    P(LogCheckpointPeriod, INT, ADV | IRO, 0, 2147483647, 1024, NULL, NULL, NULL),
    P(LogWaitingUserMax, INT, ADV | IRO, 0, 2147483647, 3, NULL, NULL, NULL),
    P(CommitDefault, GRBIT, 0, 0, UINTPTR_MAX, 0, NULL, get_commit_default, NULL),
    P(CircularLog, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(DbExtensionSize, INT, ADV, 1, 2147483647, 256, NULL, NULL, NULL),
    P(PageTempDBMin, INT, ADV | IRO, 0, 2147483647, 0, NULL, NULL, NULL),
    P(PageFragment, INT, ADV | IRO, 0, 2147483647, 8, NULL, NULL, NULL),
    P(PageReadAheadMax, INT, ADV, 0, UINTPTR_MAX, UINTPTR_MAX, NULL, NULL, NULL),
    P(BatchIOBufferMax, INT, ADV | GLOBAL, 0, UINTPTR_MAX, 256, NULL, NULL, NULL),
    P(CacheSizeMax, INT, ADV | GLOBAL, 1, UINTPTR_MAX, 2000000000, NULL, NULL, NULL),
    P(CheckpointDepthMax, INT, 0, 0, UINTPTR_MAX, 20971520, NULL, NULL, NULL),
    P(LRUKCorrInterval, INT, ADV | GLOBAL | GRO | IRO, 0, UINTPTR_MAX, 128000, NULL, NULL, NULL),
    P(LRUKHistoryMax, INT, ADV | GLOBAL | GRO | IRO, 0, UINTPTR_MAX, 100000, NULL, NULL, NULL),
    P(LRUKPolicy, INT, ADV | GLOBAL | GRO | IRO, 1, 2, 2, NULL, NULL, NULL),
    P(LRUKTimeout, INT, ADV | GLOBAL | GRO | IRO, 1, UINTPTR_MAX, 100, NULL, NULL, NULL),
    P(LRUKTrxCorrInterval, INT, ADV | GLOBAL | GRO | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(OutstandingIOMax, INT, ADV | GLOBAL | GRO | IRO, 0, 65536, 1024, NULL, NULL, NULL),
    P(StartFlushThreshold, INT, ADV | GLOBAL, 0, UINTPTR_MAX, 20000000, NULL, NULL, NULL),
    P(StopFlushThreshold, INT, ADV | GLOBAL, 0, UINTPTR_MAX, 40000000, NULL, NULL, NULL),
    P(TableClassName, STRING, GLOBAL, 0, JET_cbNameMost, 0, "", NULL, NULL),
    P(Recovery, STRING, IRO, 0, 259, 0, "on", NULL, NULL),
    P(EnableOnlineDefrag, GRBIT, 0, 0, BJ_ONLINE_DEFRAG_ALL, BJ_ONLINE_DEFRAG_ALL, NULL, NULL, NULL),
    P(AssertAction, GRBIT, GLOBAL, 0, 64, BJ_ASSERT_FAIL_FAST, NULL, NULL, NULL),
    P(PrintFunction, PTR, GLOBAL | RO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(TransactionLevel, INT, RO, 0, UINTPTR_MAX, 0, NULL, get_trx_level, NULL),
    P(RFS2IOsPermitted, INT, GLOBAL, 0, 0xfffffffe, 0, NULL, NULL, NULL),
    P(RFS2AllocsPermitted, INT, GLOBAL, 0, 0xfffffffe, 0, NULL, NULL, NULL),
    P(CacheSize, INT, ADV | GLOBAL, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(CacheRequests, INT, GLOBAL | RO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(CacheHits, INT, GLOBAL | RO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(CheckFormatWhenOpenFail, BOOL, IRO, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(EnableIndexChecking, INT, 0, 0, JET_IndexCheckingMax - 1, 1, NULL, NULL, NULL),
    P(EnableTempTableVersioning, BOOL, IRO, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(IgnoreLogVersion, BOOL, IRO, 0, 0, 0, NULL, NULL, NULL),
    P(DeleteOldLogs, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(EventSourceKey, STRING, IRO, 0, 259, 0, "", NULL, NULL),
    P(NoInformationEvent, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(EventLoggingLevel, INT, IRO, JET_EventLoggingDisable, JET_EventLoggingLevelMax, JET_EventLoggingLevelMax, NULL, NULL, NULL),
    P(DeleteOutOfRangeLogs, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(AccessDeniedRetryPeriod, INT, GLOBAL, 0, UINTPTR_MAX, 10000, NULL, NULL, NULL),
    P(EnableIndexCleanup, BOOL, 0, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(Flight_SmoothIoTestPermillage, INT, ADV | IRO, 0, 1000, 0, NULL, NULL, NULL),
    P(ElasticWaypointLatency, INT, ADV, 0, 10, 0, NULL, NULL, NULL),
    P(Flight_SynchronousLVCleanup, BOOL, ADV, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(Flight_RBSRevertIOUrgentLevel, INT, ADV, 0, 127, 8, NULL, NULL, NULL),
    P(Flight_EnableXpress10Compression, BOOL, ADV, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(CacheSizeMin, INT, ADV | GLOBAL, 1, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(LogFileFailoverPath, FOLDER, IRO, 0, 0, 0, "", NULL, NULL),
    P(EnableImprovedSeekShortcut, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(PreferredVerPages, INT, ADV, 1, 2147483647, 58, NULL, NULL, NULL),
    P(DatabasePageSize, BLOCK, GLOBAL | GRO | IRO, 4096, 32768, BJ_PAGE_SIZE_DEFAULT, NULL, NULL, NULL),
    P(DisableCallbacks, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(BackupChunkSize, INT, ADV | IRO, 1, 2147483647, 16, NULL, NULL, NULL),
    P(BackupOutstandingReads, INT, ADV | IRO, 1, 2147483647, 8, NULL, NULL, NULL),
    P(Flight_RBSMaxTableDeletePages, INT, ADV, 0, 2147483647, 0, NULL, NULL, NULL),
    P(LogFileCreateAsynch, BOOL, ADV | IRO, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(ErrorToString, USER, GLOBAL | RO, 0, UINTPTR_MAX, 0, NULL, get_error_to_string, NULL),
    P(ZeroDatabaseDuringBackup, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(UnicodeIndexDefault, USER, IRO, 0, UINTPTR_MAX, 0, NULL, get_unicode_index, set_unicode_index),
    P(RuntimeCallback, PTR, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(Flight_RBSDbScanRaiseCorruptionRevertedFDP, BOOL, ADV, 0, 1, 1, NULL, NULL, NULL),
    P(Flight_RBSAllowTooSoonNonRevertableDelete, BOOL, ADV, 0, 1, 0, NULL, NULL, NULL),
    P(EnableSortedRetrieveColumns, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(CleanupMismatchedLogFiles, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(RecordUpgradeDirtyLevel, GRBIT, ADV | GLOBAL, 0, 3, 1, NULL, NULL, NULL),
    P(RecoveryCurrentLogfile, INT, RO, 0, UINTPTR_MAX, 0, NULL, get_zero, NULL),
    P(Flight_RBSForceRollIntervalSec, INT, ADV, 0, 2147483647, 172800, NULL, NULL, NULL),
    P(GlobalMinVerPages, INT, ADV | GLOBAL | GRO | IRO, 1, 2147483647, 64, NULL, NULL, NULL),
    P(OSSnapshotTimeout, INT, GLOBAL, 0, 2147483647, 70000, NULL, NULL, NULL),
    P(Flight_EnableScanCheckFDPDeleteFlags, BOOL, ADV, 0, 1, 1, NULL, NULL, NULL),
    P(Flight_NewQueueOptions, INT, 0, 0, UINT32_MAX, 0, NULL, NULL, NULL),
    P(Flight_ConcurrentMetedOps, INT, IRO, 0, 1024, 2, NULL, NULL, NULL),
    P(Flight_LowMetedOpsThreshold, INT, IRO, 0, 1024, 40, NULL, NULL, NULL),
    P(Flight_MetedOpStarvedThreshold, INT, IRO, 50, 2147483647, 3000, NULL, NULL, NULL),
    P(Flight_MaxRBSBuffers, INT, 0, 1, 2147483647, 20, NULL, NULL, NULL),
    P(Flight_EnableShrinkArchiving, BOOL, ADV, 0, 1, 1, NULL, NULL, NULL),
    P(Flight_EnableBackupDuringRecovery, BOOL, ADV, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(Flight_RBSRollIntervalSec, INT, ADV, 0, 604800, 43200, NULL, NULL, NULL),
    P(Flight_RBSMaxRequiredRange, INT, ADV, 0, 10000, 1000, NULL, NULL, NULL),
    P(Flight_RBSCleanupEnabled, BOOL, ADV, 0, 1, 0, NULL, NULL, NULL),
    P(Flight_RBSLowDiskSpaceThresholdGb, INT, ADV, 0, 2147483647, 100, NULL, NULL, NULL),
    P(Flight_RBSMaxSpaceWhenLowDiskSpaceGb, INT, ADV, 0, 1000, 150, NULL, NULL, NULL),
    P(Flight_RBSMaxTimeSpanSec, INT, ADV, 0, 2147483647, 604800, NULL, NULL, NULL),
    P(Flight_RBSCleanupIntervalMinSec, INT, ADV, 0, 2147483647, 3600, NULL, NULL, NULL),
    P(ExceptionAction, INT, GLOBAL, 0, UINTPTR_MAX, BJ_EXCEPTION_FAIL_FAST, NULL, NULL, NULL),
    P(EventLogCache, INT, GLOBAL | GRO | IRO, 0, 2147483647, 0, NULL, NULL, NULL),
    P(CreatePathIfNotExist, BOOL, 0, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(PageHintCacheSize, INT, ADV | GLOBAL | GRO | IRO, 0, 2147483647, 262144, NULL, NULL, NULL),
    P(OneDatabasePerSession, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(MaxDatabasesPerInstance, INT, GLOBAL | GRO | IRO, 7, 7, 7, NULL, NULL, NULL),
    P(MaxInstances, INT, GLOBAL | GRO | IRO, 1, BJ_MAX_INSTANCES, 16, NULL, NULL, NULL),
    P(VersionStoreTaskQueueMax, INT, ADV, 1, 127, 4, NULL, NULL, NULL),
    P(IdleFlushTime, INT, ADV | GLOBAL, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(DisablePerfmon, BOOL, GLOBAL | GRO | IRO, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(AbortRetryFailCallback, PTR, GLOBAL | GRO | IRO, 0, 0, 0, NULL, NULL, NULL),
    P(VAReserve, INT, ADV | GLOBAL, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(IndexTuplesLengthMin, INT, IRO, 2, 255, 3, NULL, NULL, NULL),
    P(IndexTuplesLengthMax, INT, IRO, 2, 255, 10, NULL, NULL, NULL),
    P(IndexTuplesToIndexMax, INT, IRO, 1, 32767, 32767, NULL, NULL, NULL),
    P(AlternateDatabaseRecoveryPath, FOLDER, IRO, 0, 246, 0, "", NULL, NULL),
    P(Flight_ExtentPageCountCacheVerifyOnly, BOOL, ADV | GLOBAL, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(Flight_EnablePgnoFDPLastSetTime, BOOL, ADV | IRO, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(Flight_EnableScanCheck2Flags, BOOL, ADV | IRO, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(Flight_EnableExtentFreed2, BOOL, ADV | IRO, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(Flight_RBSLargeRevertableDeletePages, INT, ADV, 0, 2147483647, 0, NULL, NULL, NULL),
    P(Flight_RBSRevertableDeleteIfTooSoonTimeNull, BOOL, ADV, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(DBAPageAvailMin, INT, ADV | GLOBAL, 0, UINTPTR_MAX, 1280, NULL, NULL, NULL),
    P(DBAPageAvailThreshold, USER, GLOBAL, 0, UINTPTR_MAX, 0, NULL, get_ignored, set_ignored),
    P(DBAK1, USER, GLOBAL, 0, UINTPTR_MAX, 0, NULL, get_ignored, set_ignored),
    P(DBAK2, USER, GLOBAL, 0, UINTPTR_MAX, 0, NULL, get_ignored, set_ignored),
    P(MaxRandomIOSize, INT, ADV | GLOBAL, 0, UINTPTR_MAX, 1024 * 1024, NULL, NULL, NULL),
    P(CachedClosedTables, INT, ADV, 0, 2147483647, 64, NULL, NULL, NULL),
    P(EnableFileCache, BOOL, ADV | GLOBAL | GRO | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(EnableViewCache, BOOL, ADV | GLOBAL | GRO | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(VerPageSize, BLOCK, ADV | GLOBAL | GRO | IRO, 1024, 65536, 32768, NULL, NULL, NULL),
    P(Configuration, INT, IRO, 0, JET_configMask, JET_configDefault, NULL, NULL, NULL),
    P(EnableAdvanced, BOOL, 0, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(MaxColtyp, INT, GLOBAL | RO, 0, UINTPTR_MAX, JET_coltypMax, NULL, NULL, NULL),
    P(IndexTupleIncrement, INT, IRO, 0, 32767, 1, NULL, NULL, NULL),
    P(IndexTupleStart, INT, 0, 0, 32767, 0, NULL, NULL, NULL),
    P(KeyMost, INT, RO, 0, UINTPTR_MAX, 0, NULL, get_key_most, NULL),
    P(CheckpointIOMax, INT, ADV | GLOBAL, 1, 1024, 1, NULL, NULL, NULL),
    P(LegacyFileNames, GRBIT, IRO, 0, 255, (JET_bitESE98FileNames | JET_bitEightDotThreeSoftCompat), NULL, NULL, NULL),
    P(TableClass1Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass1", NULL, NULL),
    P(TableClass2Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass2", NULL, NULL),
    P(TableClass3Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass3", NULL, NULL),
    P(TableClass4Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass4", NULL, NULL),
    P(TableClass5Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass5", NULL, NULL),
    P(TableClass6Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass6", NULL, NULL),
    P(TableClass7Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass7", NULL, NULL),
    P(TableClass8Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass8", NULL, NULL),
    P(TableClass9Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass9", NULL, NULL),
    P(TableClass10Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass10", NULL, NULL),
    P(TableClass11Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass11", NULL, NULL),
    P(TableClass12Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass12", NULL, NULL),
    P(TableClass13Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass13", NULL, NULL),
    P(TableClass14Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass14", NULL, NULL),
    P(TableClass15Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass15", NULL, NULL),
    P(IOPriority, INT, ADV, 0, BJ_IO_PRIORITY_MASK, 0, NULL, NULL, NULL),
    P(WaypointLatency, INT, IRO, 0, 1023, 0, NULL, NULL, NULL),
    P(CheckpointTooDeep, INT, IRO, 0x20, 0x10000, 0x10000, NULL, NULL, NULL),
    P(DisableBlockVerification, BOOL, GLOBAL | GRO | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(EnablePersistedCallbacks, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(AggressiveLogRollover, BOOL, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(PeriodicLogRolloverLLR, INT, IRO, 0, 7*24*60*60, 0, NULL, NULL, NULL),
    P(UsePageDependencies, BOOL, GLOBAL | GRO | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(DefragmentSequentialBTrees, BOOL, 0, 0, UINTPTR_MAX, 1, NULL, NULL, NULL),
    P(DefragmentSequentialBTreesDensityCheckFrequency, INT, IRO, 0, UINTPTR_MAX, 10, NULL, NULL, NULL),
    P(IOThrottlingTimeQuanta, INT, GLOBAL | GRO | IRO, 1, 10000, 100, NULL, NULL, NULL),
    P(LVChunkSizeMost, INT, GLOBAL | RO, 0, UINTPTR_MAX, 0, NULL, get_lv_chunk_most, NULL),
    P(MaxCoalesceReadSize, INT, ADV | GLOBAL | GRO | IRO, 0, 10 * 1024 * 1024, (512 * 1024), NULL, NULL, NULL),
    P(MaxCoalesceWriteSize, INT, ADV | GLOBAL | GRO | IRO, 0, 10 * 1024 * 1024, (512 * 1024), NULL, NULL, NULL),
    P(MaxCoalesceReadGapSize, INT, ADV | GLOBAL | GRO | IRO, 0, 10 * 1024 * 1024, (512 * 1024), NULL, NULL, NULL),
    P(MaxCoalesceWriteGapSize, INT, ADV | GLOBAL | GRO | IRO, 0, 10 * 1024 * 1024, (512 * 1024), NULL, NULL, NULL),
    P(EnableHaPublish, INT, ADV | IRO, 0, 2, 0, NULL, NULL, NULL),
    P(EnableDBScanInRecovery, INT, ADV, 0, 2, 0, NULL, NULL, NULL),
    P(DbScanThrottle, INT, ADV, 0, 1000 * 60, 20, NULL, NULL, NULL),
    P(DbScanIntervalMinSec, INT, ADV | IRO, 0, 60 * 60 * 24 * 21, 60 * 60 * 24 * 1, NULL, NULL, NULL),
    P(DbScanIntervalMaxSec, INT, ADV | IRO, 1, 60 * 60 * 24 * 365 * 50, 60 * 60 * 24 * 7, NULL, NULL, NULL),
    P(EmitLogDataCallback, PTR, ADV | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(EmitLogDataCallbackCtx, PTR, ADV | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(EnableExternalAutoHealing, BOOL, ADV | IRO, 0, 1, 0, NULL, NULL, NULL),
    P(PatchRequestTimeout, INT, ADV, 0, 2147483647, 300, NULL, NULL, NULL),
    P(CachePriority, INT, ADV, 0, 1000, 100, NULL, NULL, NULL),
    P(MaxTransactionSize, INT, ADV, 1, 100, 100, NULL, NULL, NULL),
    P(PrereadIOMax, INT, ADV, 0, 256, 8, NULL, NULL, NULL),
    P(EnableDBScanSerialization, BOOL, ADV | IRO, 0, 1, 0, NULL, NULL, NULL),
    P(HungIOThreshold, INT, ADV | GLOBAL | GRO | IRO, 11*1000, 30*60*1000, 30*1000, NULL, NULL, NULL),
    P(HungIOActions, INT, ADV | GLOBAL | GRO | IRO, JET_bitNil, (JET_bitHungIOEvent|JET_bitHungIOCancel|JET_bitHungIODebug|JET_bitHungIOEnforce|JET_bitHungIOTimeout), JET_bitHungIOEvent, NULL, NULL, NULL),
    P(MinDataForXpress, INT, ADV | GLOBAL | GRO | IRO, 0, 2147483647, 1024, NULL, NULL, NULL),
    P(EnableShrinkDatabase, GRBIT, IRO, 0, 0xffff, JET_bitShrinkDatabaseOff, NULL, NULL, NULL),
    [185] = {.type = T_NONE},
    P(ProcessFriendlyName, STRING, GLOBAL | GRO | IRO, 0, JET_cbNameMost, 0, "", NULL, NULL),
    P(DurableCommitCallback, PTR, ADV | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(EnableSqm, INT, IRO, JET_sqmDisable, JET_sqmFromCEIP, JET_sqmEnable, NULL, NULL, NULL),
    P(ConfigStoreSpec, STRING, IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(StageFlighting, INT, ADV, 0x0, UINT32_MAX, 0x800000, NULL, NULL, NULL),
    P(ZeroDatabaseUnusedSpace, BOOL, ADV, 0, 1, 0, NULL, NULL, NULL),
    P(DisableVerifications, BOOL, ADV, 0, 1, 0, NULL, NULL, NULL),
    P(PersistedLostFlushDetection, INT, ADV | IRO, 0, 7, (JET_bitPersistedLostFlushDetectionEnabled | JET_bitPersistedLostFlushDetectionFailOnRuntimeOnly), NULL, NULL, NULL),
    P(EngineFormatVersion, INT, 0, 0, UINT32_MAX, BJ_EFV_USE_ENGINE_DEFAULT, NULL, NULL, NULL),
    P(ReplayThrottlingLevel, INT, ADV, JET_ReplayThrottlingNone, JET_ReplayThrottlingSleep, JET_ReplayThrottlingNone, NULL, NULL, NULL),
    P(TableClass16Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass16", NULL, NULL),
    P(TableClass17Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass17", NULL, NULL),
    P(TableClass18Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass18", NULL, NULL),
    P(TableClass19Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass19", NULL, NULL),
    P(TableClass20Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass20", NULL, NULL),
    P(TableClass21Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass21", NULL, NULL),
    P(TableClass22Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass22", NULL, NULL),
    P(TableClass23Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass23", NULL, NULL),
    P(TableClass24Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass24", NULL, NULL),
    P(TableClass25Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass25", NULL, NULL),
    P(TableClass26Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass26", NULL, NULL),
    P(TableClass27Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass27", NULL, NULL),
    P(TableClass28Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass28", NULL, NULL),
    P(TableClass29Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass29", NULL, NULL),
    P(TableClass30Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass30", NULL, NULL),
    P(TableClass31Name, STRING, GLOBAL | GRO | IRO, 1, JET_cbNameMost, 0, "TableClass31", NULL, NULL),
    P(BlockCacheConfiguration, PTR, ADV | IRO, 0, UINTPTR_MAX, 0, NULL, NULL, NULL),
    P(RecordSizeMost, INT, GLOBAL | RO, 0, UINTPTR_MAX, 0, NULL, get_record_size_most, NULL),
    P(UseFlushForWriteDurability, BOOL, ADV | IRO, 0, 1, 1, NULL, NULL, NULL),
    P(EnableRBS, BOOL, ADV, 0, 1, 0, NULL, NULL, NULL),
    P(RBSFilePath, FOLDER, IRO, 0, 246, 0, "./", NULL, NULL),
    P(PerfmonRefreshInterval, INT, GLOBAL | GRO | IRO, 0, 1 * 24 * 60 * 60 * 1000, 100, NULL, NULL, NULL),
    P(EnableBlockCache, BOOL, ADV | GLOBAL | GRO, 0, 1, 0, NULL, NULL, NULL),
    P(DeferredIndexPopulateRowsPerTransaction, INT, ADV, 1, 2147483647, 1000, NULL, NULL, NULL),
    P(EnableBlockCacheDetach, BOOL, ADV | GLOBAL | GRO, 0, 1, 0, NULL, NULL, NULL),
};

#undef P

static bj_param_value process_values[BJ_PARAM_COUNT];
static bool process_values_ready;

static const prow *row_of(uint32_t paramid)
{
    if (paramid >= BJ_PARAM_COUNT || rows[paramid].type == T_NONE)
        return NULL;
    return &rows[paramid];
}

static bool is_string_type(uint8_t t)
{
    return t == T_STRING || t == T_FOLDER || t == T_PATH;
}

bj_param_value *bj_param_process_values(void)
{
    if (!process_values_ready) {
        for (uint32_t i = 0; i < BJ_PARAM_COUNT; i++) {
            const prow *r = &rows[i];
            process_values[i].v = r->def;
            if (i == JET_paramUnicodeIndexDefault)
                process_values[i].v = ((uintptr_t)BJ_UNICODE_LCID_DEFAULT << 32) |
                                      BJ_UNICODE_FLAGS_DEFAULT;
            /* Default strings stay static (never freed): s points at the table. */
            process_values[i].s = (char *)(is_string_type(r->type) ? r->def_str : NULL);
            process_values[i].written = false;
        }
        process_values_ready = true;
    }
    return process_values;
}

/* Strings that are not the table's default are owned by the value. */
static void free_str(bj_param_value *val, uint32_t i)
{
    if (val->s && val->s != rows[i].def_str)
        bj_free(val->s);
    val->s = NULL;
}

void bj_param_free(bj_param_value *vals)
{
    for (uint32_t i = 0; i < BJ_PARAM_COUNT; i++)
        free_str(&vals[i], i);
}

JET_ERR bj_param_clone(bj_param_value *dst, const bj_param_value *src)
{
    JET_ERR err = JET_errSuccess;
    memset(dst, 0, sizeof(bj_param_value) * BJ_PARAM_COUNT);
    for (uint32_t i = 0; i < BJ_PARAM_COUNT; i++) {
        dst[i] = src[i];
        if (src[i].s && src[i].s != rows[i].def_str) {
            dst[i].s = bj_strdup(src[i].s);
            if (!dst[i].s)
                ERR(JET_errOutOfMemory);
        }
    }
fail:
    if (err < 0)
        bj_param_free(dst);
    return err;
}

bool bj_param_is_global(uint32_t paramid)
{
    return paramid < BJ_PARAM_COUNT && (rows[paramid].flags & GLOBAL);
}

/* The value array that holds paramid for inst (the process's for global ones). */
static const bj_param_value *scope_of(const bj_inst *inst, uint32_t paramid)
{
    if (!inst || (rows[paramid].flags & GLOBAL))
        return process_values_ready ? process_values : NULL;
    return inst->params;
}

uintptr_t bj_param_int(const bj_inst *inst, uint32_t paramid)
{
    if (paramid >= BJ_PARAM_COUNT)
        return 0;
    const bj_param_value *vals = scope_of(inst, paramid);
    if (!vals)
        return rows[paramid].def;
    return __atomic_load_n(&vals[paramid].v, __ATOMIC_RELAXED);
}

void bj_param_str(const bj_inst *inst, uint32_t paramid, char *buf, size_t cb)
{
    if (!cb)
        return;
    buf[0] = 0;
    if (paramid >= BJ_PARAM_COUNT)
        return;
    bj_mutex_lock(&bj_inst_process_lock);
    bj_param_process_values();
    const bj_param_value *vals = scope_of(inst, paramid);
    if (vals && vals[paramid].s)
        snprintf(buf, cb, "%s", vals[paramid].s);
    bj_mutex_unlock(&bj_inst_process_lock);
}

uint32_t bj_param_page_size(void)
{
    return (uint32_t)bj_param_int(NULL, JET_paramDatabasePageSize);
}

/* ---- custom getters and setters ---- */

static JET_ERR get_commit_default(const prow *row, bj_inst *inst, bj_sess *sess,
                                  const bj_param_value *val, JET_API_PTR *pl, char *sz,
                                  uint32_t cb)
{
    if (!pl)
        return BJ_ERR(JET_errInvalidParameter);
    *pl = sess ? sess->commit_default : (JET_GRBIT)val->v;
    return JET_errSuccess;
}

static JET_ERR get_trx_level(const prow *row, bj_inst *inst, bj_sess *sess,
                             const bj_param_value *val, JET_API_PTR *pl, char *sz, uint32_t cb)
{
    if (!pl || !sess)
        return BJ_ERR(JET_errInvalidParameter);
    *pl = sess->trx_level;
    return JET_errSuccess;
}

/* In: *pl holds a JET_ERR (its low 32 bits); out: its name in sz. */
static JET_ERR get_error_to_string(const prow *row, bj_inst *inst, bj_sess *sess,
                                   const bj_param_value *val, JET_API_PTR *pl, char *sz,
                                   uint32_t cb)
{
    if (!pl || !sz || cb < 1)
        return BJ_ERR(JET_errInvalidParameter);
    JET_ERR code = (JET_ERR)(uint32_t)(*pl & 0xffffffffu);
    char num[16];
    const char *name = bj_err_name(code);
    if (!name) {
        snprintf(num, sizeof num, "%d", (int)code);
        name = num;
    }
    if (strlen(name) + 1 > cb)
        return BJ_ERR(JET_errBufferTooSmall);
    memcpy(sz, name, strlen(name) + 1);
    return JET_errSuccess;
}

/* JET_UNICODEINDEX packed as lcid << 32 | dwMapFlags; plParam points at the structure and cbMax
 * is its size (ESE's GetUnicodeIndexDefault). */
static JET_ERR get_unicode_index(const prow *row, bj_inst *inst, bj_sess *sess,
                                 const bj_param_value *val, JET_API_PTR *pl, char *sz, uint32_t cb)
{
    if (!pl)
        return BJ_ERR(JET_errInvalidParameter);
    if (cb < sizeof(JET_UNICODEINDEX))
        return BJ_ERR(JET_errBufferTooSmall);
    JET_UNICODEINDEX ui;
    ui.lcid = (uint32_t)(val->v >> 32);
    ui.dwMapFlags = (uint32_t)val->v;
    memcpy(pl, &ui, sizeof ui);
    return JET_errSuccess;
}

static JET_ERR set_unicode_index(const prow *row, bj_inst *inst, bj_sess *sess,
                                 bj_param_value *val, JET_API_PTR l, const char *sz)
{
    if (inst && atomic_load(&inst->initialized))
        return BJ_ERR(JET_errAlreadyInitialized);
    uintptr_t v = ((uintptr_t)BJ_UNICODE_LCID_DEFAULT << 32) | BJ_UNICODE_FLAGS_DEFAULT;
    if (l) {
        JET_UNICODEINDEX ui;
        memcpy(&ui, (const void *)l, sizeof ui);
        v = ((uintptr_t)ui.lcid << 32) | ui.dwMapFlags;
    }
    __atomic_store_n(&val->v, v, __ATOMIC_RELAXED);
    val->written = l != 0;
    return JET_errSuccess;
}

static JET_ERR get_key_most(const prow *row, bj_inst *inst, bj_sess *sess,
                            const bj_param_value *val, JET_API_PTR *pl, char *sz, uint32_t cb)
{
    if (!pl)
        return BJ_ERR(JET_errInvalidParameter);
    /* ESE's CbKeyMostForPage (daedef.hxx). */
    *pl = bj_param_page_size() >= 8192 ? JET_cbKeyMost8KBytePage : JET_cbKeyMost4KBytePage;
    return JET_errSuccess;
}

/* Page header: 40 bytes on pages up to 8 KiB, 80 above (cpage.hxx PGHDR / PGHDR2). */
static uint32_t page_header_size(uint32_t cb_page)
{
    return cb_page <= 8192 ? 40 : 80;
}

static JET_ERR get_record_size_most(const prow *row, bj_inst *inst, bj_sess *sess,
                                    const bj_param_value *val, JET_API_PTR *pl, char *sz,
                                    uint32_t cb)
{
    if (!pl)
        return BJ_ERR(JET_errInvalidParameter);
    /* CPAGE::CbPageDataMaxNoInsert: the data area less one reserved 4-byte tag. */
    uint32_t cb_page = bj_param_page_size();
    *pl = cb_page - page_header_size(cb_page) - 4;
    return JET_errSuccess;
}

static JET_ERR get_lv_chunk_most(const prow *row, bj_inst *inst, bj_sess *sess,
                                 const bj_param_value *val, JET_API_PTR *pl, char *sz, uint32_t cb)
{
    if (!pl)
        return BJ_ERR(JET_errInvalidParameter);
    /* jetapi.cxx InitVariablesWithPageSize: small pages hold one chunk of the page less the
     * header and 42 bytes of overhead; 16 KiB and 32 KiB pages use fixed sizes. */
    uint32_t cb_page = bj_param_page_size();
    if (cb_page <= 8192)
        *pl = cb_page - (42 + page_header_size(cb_page));
    else if (cb_page == 32768)
        *pl = 8150;
    else
        *pl = 4050;
    return JET_errSuccess;
}

static JET_ERR get_zero(const prow *row, bj_inst *inst, bj_sess *sess, const bj_param_value *val,
                        JET_API_PTR *pl, char *sz, uint32_t cb)
{
    if (!pl)
        return BJ_ERR(JET_errInvalidParameter);
    *pl = 0;
    return JET_errSuccess;
}

static JET_ERR get_ignored(const prow *row, bj_inst *inst, bj_sess *sess,
                           const bj_param_value *val, JET_API_PTR *pl, char *sz, uint32_t cb)
{
    return JET_errSuccess;
}

static JET_ERR set_ignored(const prow *row, bj_inst *inst, bj_sess *sess, bj_param_value *val,
                           JET_API_PTR l, const char *sz)
{
    return JET_errSuccess;
}

/* ---- set and get by type ---- */

static JET_ERR check_writable(const prow *row, const bj_inst *inst)
{
    if ((row->flags & GRO) && bj_inst_mode() != BJ_MODE_NONE)
        return BJ_ERR(JET_errAlreadyInitialized);
    if ((row->flags & IRO) && inst && atomic_load(&inst->initialized))
        return BJ_ERR(JET_errAlreadyInitialized);
    return JET_errSuccess;
}

/* The stored form of a folder (absolute, trailing '/') or path (bare file names kept). */
static JET_ERR complete_path(const prow *row, const char *sz, char **pout)
{
    JET_ERR err = JET_errSuccess;
    char abs[BJ_PATH_MAX], norm[BJ_PATH_MAX];
    const char *res;
    if (!sz || !*sz)
        ERR(JET_errInvalidParameter);
    if (row->type == T_PATH && !strchr(sz, '/')) {
        res = sz;
    } else {
        CALL(bj_path_absolute(abs, sizeof abs, sz));
        CALL(bj_path_normalize(norm, sizeof norm, abs, row->type == T_FOLDER));
        res = norm;
    }
    if (strlen(res) < row->lo || strlen(res) > row->hi)
        ERR(JET_errInvalidParameter);
    *pout = bj_strdup(res);
    if (!*pout)
        ERR(JET_errOutOfMemory);
fail:
    return err;
}

static JET_ERR set_by_type(const prow *row, uint32_t paramid, bj_inst *inst,
                           bj_param_value *val, JET_API_PTR l, const char *sz)
{
    JET_ERR err = JET_errSuccess;
    char *s = NULL;
    if (row->flags & RO)
        ERR(JET_errInvalidParameter);
    if (is_string_type(row->type)) {
        CALL(check_writable(row, inst));
        size_t len = sz ? strlen(sz) : 0;
        if (len < row->lo || len > row->hi)
            ERR(JET_errInvalidParameter);
        if (row->type == T_STRING) {
            s = bj_strdup(sz ? sz : "");
            if (!s)
                ERR(JET_errOutOfMemory);
        } else {
            CALL(complete_path(row, sz, &s));
        }
        free_str(val, paramid);
        val->s = s;
        s = NULL;
        val->written = true;
        goto fail;
    }
    if (row->type == T_USER)
        ERR(JET_errInvalidParameter);
    if (l == __atomic_load_n(&val->v, __ATOMIC_RELAXED))
        goto fail; /* ESE's ValidateSet: same value, nothing to check */
    CALL(check_writable(row, inst));
    if (l < row->lo || l > row->hi)
        ERR(JET_errInvalidParameter);
    if (row->type == T_BLOCK && (l & (l - 1)) != 0)
        ERR(JET_errInvalidParameter);
    __atomic_store_n(&val->v, row->type == T_BOOL ? (uintptr_t)(l != 0) : (uintptr_t)l,
                     __ATOMIC_RELAXED);
    val->written = true;
fail:
    bj_free(s);
    return err;
}

JET_ERR bj_param_set_locked(bj_inst *inst, bj_sess *sess, uint32_t paramid, JET_API_PTR lParam,
                            const char *sz)
{
    JET_ERR err = JET_errSuccess;
    const prow *row = row_of(paramid);
    if (!row)
        ERR(JET_errInvalidParameter);
    bj_param_value *pv = bj_param_process_values();
    bj_param_value *vals = (!inst || (row->flags & GLOBAL)) ? pv : inst->params;
    if ((row->flags & ADV) && !vals[JET_paramEnableAdvanced].v)
        goto fail; /* ESE ignores advanced parameters while they are not enabled */
    if (row->set)
        CALL(row->set(row, inst, sess, &vals[paramid], lParam, sz));
    else
        CALL(set_by_type(row, paramid, inst, &vals[paramid], lParam, sz));
fail:
    return err;
}

JET_ERR bj_param_get_locked(bj_inst *inst, bj_sess *sess, uint32_t paramid,
                            JET_API_PTR *plParam, char *sz, uint32_t cbMax)
{
    JET_ERR err = JET_errSuccess;
    const prow *row = row_of(paramid);
    if (!row)
        ERR(JET_errInvalidParameter);
    bj_param_value *pv = bj_param_process_values();
    const bj_param_value *val = ((!inst || (row->flags & GLOBAL)) ? pv : inst->params) + paramid;
    if (row->get) {
        CALL(row->get(row, inst, sess, val, plParam, sz, cbMax));
    } else if (is_string_type(row->type)) {
        if (!sz || cbMax < 1)
            ERR(JET_errInvalidParameter);
        const char *s = val->s ? val->s : "";
        size_t len = strlen(s);
        if (len + 1 > cbMax)
            ERR(JET_errBufferTooSmall);
        memcpy(sz, s, len + 1);
    } else {
        if (!plParam)
            ERR(JET_errInvalidParameter);
        *plParam = __atomic_load_n(&val->v, __ATOMIC_RELAXED);
        if (sz && cbMax)
            sz[0] = 0; /* ESE's A form hands back an empty string for integer parameters */
    }
fail:
    return err;
}

JET_ERR bj_param_set(bj_inst *inst, bj_sess *sess, uint32_t paramid, JET_API_PTR lParam,
                     const char *sz)
{
    bj_mutex_lock(&bj_inst_process_lock);
    JET_ERR err = bj_param_set_locked(inst, sess, paramid, lParam, sz);
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

JET_ERR bj_param_get(bj_inst *inst, bj_sess *sess, uint32_t paramid, JET_API_PTR *plParam,
                     char *sz, uint32_t cbMax)
{
    bj_mutex_lock(&bj_inst_process_lock);
    JET_ERR err = bj_param_get_locked(inst, sess, paramid, plParam, sz, cbMax);
    bj_mutex_unlock(&bj_inst_process_lock);
    return err;
}

/* ESE's JetEnableMultiInstanceEx when the mode is already multi-instance: every listed parameter
 * must match the process's value, and every global "global-init" parameter set before must be
 * listed; then JET_errSystemParamsAlreadySet. */
JET_ERR bj_param_compare(JET_SETSYSPARAM *psp, uint32_t csp, uint32_t *pcsucceed)
{
    JET_ERR err = JET_errSuccess;
    bool listed[BJ_PARAM_COUNT] = {false};
    bj_param_value *pv = bj_param_process_values();
    for (uint32_t i = 0; i < csp; i++) {
        uint32_t id = psp[i].paramid;
        const prow *row = row_of(id);
        if (!row)
            ERR(JET_errInvalidParameter);
        if ((row->flags & GLOBAL) && (row->flags & GRO) && !pv[id].written) {
            psp[i].err = BJ_ERR(JET_errSystemParameterConflict);
            ERR(psp[i].err);
        }
        listed[id] = true;
        bool same;
        if (is_string_type(row->type))
            same = strcmp(pv[id].s ? pv[id].s : "", psp[i].sz ? psp[i].sz : "") == 0;
        else if (id == JET_paramConfiguration)
            same = (pv[id].v & ~(uintptr_t)JET_configDefault) == psp[i].lParam;
        else
            same = pv[id].v == psp[i].lParam;
        if (!same) {
            psp[i].err = BJ_ERR(JET_errSystemParameterConflict);
            ERR(psp[i].err);
        }
        psp[i].err = JET_errSuccess;
        (*pcsucceed)++;
    }
    for (uint32_t id = 0; id < BJ_PARAM_COUNT; id++) {
        if ((rows[id].flags & GLOBAL) && (rows[id].flags & GRO) && pv[id].written && !listed[id])
            ERR(JET_errSystemParameterConflict);
    }
    ERR(JET_errSystemParamsAlreadySet);
fail:
    return err;
}
