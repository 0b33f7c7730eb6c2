/* cmd_header.c: `bluejet header FILE [--json]`, the database header dump (esentutl /mh).
 *
 * Prints every DBFILEHDR field with the labels and value formats of ESE's header dump
 * (dbdump.cxx): magic, versions, signatures, dbtime, state, log generations, log positions
 * with their times, backup records, counters, flush signatures. Also which header copy was used
 * (primary at offset 0, shadow at offset cbPage) and whether the two copies agree.
 * --json prints the same facts as one JSON object (keys documented in the usage text).
 * Scalars come from the page layer's decoded header (bj_dbhdr); LOGTIME, LGPOS and SIGNATURE
 * values are formatted from the header page bytes at the offsets of dbhdr_format.h.
 * Exit status: 0 printed, 2 the file or its header cannot be read.
 */
#include <inttypes.h>

#include "tool_db.h"

/* Database states as ESE's dump names them (dbdump.cxx; never reworded there either). */
static const char *state_name(uint32_t s)
{
    static const char *const names[] = {
        "Illegal",
        "Just Created",
        "Dirty Shutdown",
        "Clean Shutdown",
        "Being Converted",
        "Force Detach Replay Error",
        "Incremental Reseed In Progress",
        "Dirty and Patched Shutdown",
        "Database Revert in Progress",
    };
    return s < BJ_ARRAY_LEN(names) ? names[s] : names[0];
}

static const char *bkinfo_type_name(uint32_t t)
{
    switch (t) {
    case 0:
        return "normal";
    case 1:
        return "OSSnapshot";
    case 2:
        return "Snapshot";
    default:
        return "UNKNOWN";
    }
}

/* ---------------------------------------------------------------- dual text / JSON emitter */

typedef struct emit {
    bool json;
    bj_json j;
    const uint8_t *h; /* header page bytes */
} emit;

static void e_label(const char *label)
{
    printf("%17s: ", label);
}

static void e_u(emit *e, const char *label, const char *key, uint64_t v)
{
    if (e->json)
        bj_json_u64(&e->j, key, v);
    else {
        e_label(label);
        printf("%" PRIu64 "\n", v);
    }
}

static void e_hex32(emit *e, const char *label, const char *key, uint32_t v)
{
    if (e->json)
        bj_json_u64(&e->j, key, v);
    else {
        e_label(label);
        printf("0x%" PRIx32 "\n", v);
    }
}

static void e_str(emit *e, const char *label, const char *key, const char *s)
{
    if (e->json)
        bj_json_str(&e->j, key, s);
    else {
        e_label(label);
        printf("%s\n", s);
    }
}

/* "1234 (0x4d2)". */
static void e_dbtime(emit *e, const char *label, const char *key, uint64_t v)
{
    if (e->json)
        bj_json_u64(&e->j, key, v);
    else {
        e_label(label);
        printf("%" PRIu64 " (0x%" PRIx64 ")\n", v, v);
    }
}

static void json_time(emit *e, const char *key, uint32_t ib)
{
    char t[BJ_TOOL_TIME_CCH];
    if (!bj_tool_logtime_set(e->h + ib)) {
        bj_json_null(&e->j, key);
        return;
    }
    bj_tool_fmt_logtime_iso(e->h + ib, t, sizeof(t));
    bj_json_str(&e->j, key, t);
}

static void e_time(emit *e, const char *label, const char *key, uint32_t ib)
{
    char t[BJ_TOOL_TIME_CCH];
    if (e->json) {
        json_time(e, key, ib);
        return;
    }
    bj_tool_fmt_logtime(e->h + ib, t, sizeof(t));
    e_label(label);
    printf("%s\n", t);
}

static void json_lgpos(emit *e, const char *key, uint32_t ib)
{
    bj_json_obj_begin(&e->j, key);
    bj_json_u64(&e->j, "gen", bj_ld32(e->h + ib + BJ_LGPOS_IB_GEN));
    bj_json_u64(&e->j, "isec", bj_ld16(e->h + ib + BJ_LGPOS_IB_ISEC));
    bj_json_u64(&e->j, "ib", bj_ld16(e->h + ib + BJ_LGPOS_IB_IB));
    bj_json_obj_end(&e->j);
}

/* "Last Consistent: (0x1A,8,1F)  05/01/2019 10:11:12.000 UTC". ibTime 0 = no time. */
static void e_lgpos_time(emit *e, const char *label, const char *key, uint32_t ibLgpos,
                         uint32_t ibTime)
{
    char l[48], t[BJ_TOOL_TIME_CCH];
    if (e->json) {
        bj_json_obj_begin(&e->j, key);
        json_lgpos(e, "lgpos", ibLgpos);
        if (ibTime)
            json_time(e, "time", ibTime);
        bj_json_obj_end(&e->j);
        return;
    }
    bj_tool_fmt_lgpos(e->h + ibLgpos, l, sizeof(l));
    e_label(label);
    if (ibTime) {
        bj_tool_fmt_logtime(e->h + ibTime, t, sizeof(t));
        printf("%s  %s\n", l, t);
    } else {
        printf("%s\n", l);
    }
}

static void e_sig(emit *e, const char *label, const char *key, uint32_t ib)
{
    char s[BJ_TOOL_SIG_CCH], computer[17];
    const uint8_t *p = e->h + ib;
    if (e->json) {
        bj_json_obj_begin(&e->j, key);
        bj_json_u64(&e->j, "random", bj_ld32(p + BJ_SIGN_IB_RANDOM));
        json_time(e, "create_time", ib + BJ_SIGN_IB_LOGTIME);
        bj_tool_sig_computer(p, computer);
        bj_json_str(&e->j, "computer", computer);
        bj_json_obj_end(&e->j);
        return;
    }
    bj_tool_fmt_sig(p, s, sizeof(s));
    e_label(label);
    printf("%s\n", s);
}

/* "min-max (0xmin-0xmax)" generation ranges. */
static void e_gen_range(emit *e, const char *label, const char *key, uint32_t lo, uint32_t hi,
                        const char *extraLabel, const char *extraKey, uint32_t extra)
{
    if (e->json) {
        bj_json_obj_begin(&e->j, key);
        bj_json_u64(&e->j, "min", lo);
        bj_json_u64(&e->j, "max", hi);
        if (extraKey)
            bj_json_u64(&e->j, extraKey, extra);
        bj_json_obj_end(&e->j);
        return;
    }
    e_label(label);
    printf("%" PRIu32 "-%" PRIu32 " (0x%" PRIx32 "-0x%" PRIx32 ")", lo, hi, lo, hi);
    if (extraLabel)
        printf(" [%s: %" PRIu32 " (0x%" PRIx32 ")]", extraLabel, extra, extra);
    printf("\n");
}

static void e_bkinfo(emit *e, const char *title, const char *key, uint32_t ib, uint32_t type)
{
    const uint8_t *p = e->h + ib;
    uint32_t lo = bj_ld32(p + BJ_BKINFO_IB_GENLOW), hi = bj_ld32(p + BJ_BKINFO_IB_GENHIGH);
    if (e->json) {
        bj_json_obj_begin(&e->j, key);
        bj_json_str(&e->j, "type", bkinfo_type_name(type));
        bj_json_u64(&e->j, "gen_low", lo);
        bj_json_u64(&e->j, "gen_high", hi);
        json_lgpos(e, "mark", ib + BJ_BKINFO_IB_LGPOS);
        json_time(e, "mark_time", ib + BJ_BKINFO_IB_LOGTIME);
        bj_json_obj_end(&e->j);
        return;
    }
    char l[48], t[BJ_TOOL_TIME_CCH];
    printf("\n%s:\n", title);
    printf("        Log Gen: %" PRIu32 "-%" PRIu32 " (0x%" PRIx32 "-0x%" PRIx32 ")%s%s\n", lo, hi,
           lo, hi, type ? " - " : "", type ? bkinfo_type_name(type) : "");
    bj_tool_fmt_lgpos(p + BJ_BKINFO_IB_LGPOS, l, sizeof(l));
    printf("           Mark: %s\n", l);
    bj_tool_fmt_logtime(p + BJ_BKINFO_IB_LOGTIME, t, sizeof(t));
    printf("           Mark: %s\n", t);
}

static void e_blank(emit *e)
{
    if (!e->json)
        printf("\n");
}

/* A count with its date, shown as ESE does for the ECC / checksum counters. */
static void e_found(emit *e, const char *label, const char *key, uint32_t n, const char *dlabel,
                    uint32_t ibTime)
{
    if (e->json) {
        bj_json_u64(&e->j, key, n);
        return;
    }
    e_label(label);
    if (n)
        printf("found (%" PRIu32 ")\n", n);
    else
        printf("none\n");
    if (n && dlabel)
        e_time(e, dlabel, NULL, ibTime);
}

/* ---------------------------------------------------------------- the dump */

static void dump(emit *e, const bj_tool_db *db)
{
    const bj_dbhdr *h = &db->hdr;
    const uint32_t *cks = db->used == BJ_TOOL_HDR_SHADOW ? db->cksShadow : db->cksPrimary;
    const char *copyName = db->used == BJ_TOOL_HDR_SHADOW ? "shadow" : "primary";

    if (e->json) {
        bj_json_str(&e->j, "file", db->path);
        bj_json_str(&e->j, "header_copy", copyName);
        bj_json_bool(&e->j, "primary_ok", db->primaryOk);
        bj_json_bool(&e->j, "shadow_ok", db->shadowOk);
        bj_json_bool(&e->j, "copies_identical", db->copiesIdentical);
        bj_json_u64(&e->j, "checksum_expected", cks[0]);
        bj_json_u64(&e->j, "checksum_actual", cks[1]);
        bj_json_u64(&e->j, "file_size", db->cbFile);
        bj_json_u64(&e->j, "database_pages", db->cpg);
    } else {
        printf("Database: %s\n\n", db->path);
        printf("DATABASE HEADER:\n");
        printf("Checksum Information:\n");
        printf("Expected Checksum: 0x%08" PRIx32 "\n", cks[0]);
        printf("  Actual Checksum: 0x%08" PRIx32 "\n", cks[1]);
        printf("\nHeader Copies:\n");
        printf("      Copy in use: %s (offset %" PRIu32 ")\n", copyName,
               db->used == BJ_TOOL_HDR_SHADOW ? db->cbPage : 0u);
        printf("     Primary copy: %s\n", db->primaryOk ? "ok" : "bad checksum");
        printf("      Shadow copy: %s\n",
               !db->shadowOk ? "bad checksum"
                             : (db->copiesIdentical
                                    ? "ok, identical to the primary"
                                    : (db->primaryOk ? "ok, differs from the primary" : "ok")));
        printf("\nFields:\n");
    }

    e_str(e, "File Type", "file_type", h->attrib == 0 ? "Database" : "UNKNOWN");
    e_hex32(e, "Checksum", "checksum", h->checksum);
    e_hex32(e, "Format ulMagic", "format_magic", h->magic);
    e_hex32(e, "Engine ulMagic", "engine_magic", BJ_DBH_MAGIC);
    if (e->json) {
        bj_json_obj_begin(&e->j, "format_version");
        bj_json_u64(&e->j, "version", h->version);
        bj_json_u64(&e->j, "update_major", h->updateMajor);
        bj_json_u64(&e->j, "update_minor", h->updateMinor);
        bj_json_u64(&e->j, "attached_by_efv", h->efvMaxBinAttachDiagnostic);
        bj_json_obj_end(&e->j);
        bj_json_obj_begin(&e->j, "created_version");
        bj_json_u64(&e->j, "version", h->createVersion);
        bj_json_u64(&e->j, "update", h->createUpdate);
        bj_json_obj_end(&e->j);
        bj_json_u64(&e->j, "filetype", h->filetype);
    } else {
        e_label("Format ulVersion");
        printf("0x%" PRIx32 ",%" PRIu32 ",%" PRIu32 "  (attached by %" PRIu32 ")\n", h->version,
               h->updateMajor, h->updateMinor, h->efvMaxBinAttachDiagnostic);
        e_label("Engine ulVersion");
        printf("0x%x,%u,%u  (bluejet)\n", BJ_DBH_VERSION, BJ_DBH_UPDATE_MAJOR, 0u);
        e_label("Created ulVersion");
        printf("0x%" PRIx32 ",%" PRIu32 "\n", h->createVersion, h->createUpdate);
    }
    e_sig(e, "DB Signature", "db_signature", BJ_DBH_IB_SIGNDB);
    e_u(e, "cbDbPage", "page_size", h->cbPageSize);
    e_dbtime(e, "dbtime", "dbtime", h->dbtime);
    if (e->json) {
        bj_json_u64(&e->j, "state", h->dbstate);
        bj_json_str(&e->j, "state_name", state_name(h->dbstate));
    } else {
        e_label("State");
        if (h->dbstate < 9 && h->dbstate > 0)
            printf("%s\n", state_name(h->dbstate));
        else
            printf("%s (%" PRIu32 ")\n", state_name(h->dbstate), h->dbstate);
    }
    e_gen_range(e, "Log Required", "log_required", h->genMinRequired, h->genMaxRequired,
                "Min. Req. Pre-Redo", "pre_redo_min", h->genPreRedoMinRequired);
    e_time(e, "Gen. Max. Req. Creation Time", "gen_max_required_time",
           BJ_DBH_IB_LOGTIMEGENMAXREQUIRED);
    e_gen_range(e, "Log Committed", "log_committed", 0, h->genMaxCommitted, NULL, NULL, 0);
    e_time(e, "Gen. Max. Com. Creation Time", "gen_max_committed_time",
           BJ_DBH_IB_LOGTIMEGENMAXCREATE);
    if (e->json) {
        bj_json_obj_begin(&e->j, "log_consistent");
        bj_json_u64(&e->j, "min", h->genMinConsistent);
        bj_json_u64(&e->j, "pre_redo", h->genPreRedoMinConsistent);
        bj_json_obj_end(&e->j);
        bj_json_u64(&e->j, "log_recovering", h->genRecovering);
        bj_json_bool(&e->j, "shadowed", !(h->dbFlags & 0x1u));
        bj_json_u64(&e->j, "db_flags", h->dbFlags);
    } else {
        e_label("Log Consistent");
        printf("%" PRIu32 " (0x%" PRIx32 ") [Pre-Redo: %" PRIu32 " (0x%" PRIx32 ")]\n",
               h->genMinConsistent, h->genMinConsistent, h->genPreRedoMinConsistent,
               h->genPreRedoMinConsistent);
        e_label("Log Recovering");
        printf("%" PRIu32 " (0x%" PRIx32 ")\n", h->genRecovering, h->genRecovering);
        e_str(e, "Shadowed", NULL, (h->dbFlags & 0x1u) ? "No" : "Yes");
    }
    e_u(e, "Last Objid", "last_objid", h->objidLast);
    e_dbtime(e, "Scrub Dbtime", "scrub_dbtime", h->dbtimeLastScrub);
    e_time(e, "Scrub Date", "scrub_time", BJ_DBH_IB_LOGTIMESCRUB);
    e_u(e, "Repair Count", "repair_count", h->repairCount);
    e_time(e, "Repair Date", "repair_time", BJ_DBH_IB_LOGTIMEREPAIR);
    e_u(e, "Old Repair Count", "repair_count_old", h->repairCountOld);
    e_lgpos_time(e, "Last Consistent", "last_consistent", BJ_DBH_IB_LGPOSCONSISTENT,
                 BJ_DBH_IB_LOGTIMECONSISTENT);
    e_lgpos_time(e, "Last Attach", "last_attach", BJ_DBH_IB_LGPOSATTACH, BJ_DBH_IB_LOGTIMEATTACH);
    e_lgpos_time(e, "Last Detach", "last_detach", BJ_DBH_IB_LGPOSDETACH, BJ_DBH_IB_LOGTIMEDETACH);
    e_lgpos_time(e, "Last ReAttach", "last_reattach", BJ_DBH_IB_LGPOSLASTREATTACH,
                 BJ_DBH_IB_LOGTIMELASTREATTACH);
    e_u(e, "Dbid", "dbid", h->dbid);
    e_sig(e, "Log Signature", "log_signature", BJ_DBH_IB_SIGNLOG);
    if (e->json) {
        bj_json_obj_begin(&e->j, "os_version");
        bj_json_u64(&e->j, "major", h->osMajor);
        bj_json_u64(&e->j, "minor", h->osMinor);
        bj_json_u64(&e->j, "build", h->osBuild);
        bj_json_u64(&e->j, "service_pack", h->osSP);
        bj_json_obj_end(&e->j);
        bj_json_u64(&e->j, "sort_version", h->sortVersion);
    } else {
        e_label("OS Version");
        printf("(%" PRIu32 ".%" PRIu32 ".%" PRIu32 " SP %" PRIu32 " NLS %" PRIx32 ".%" PRIx32 ")\n",
               h->osMajor, h->osMinor, h->osBuild, h->osSP, (uint32_t)(h->sortVersion >> 32),
               (uint32_t)h->sortVersion);
    }
    if (e->json || h->incReseedCount || h->incReseedCountOld || h->pagePatchCount ||
        h->pagePatchCountOld) {
        e_u(e, "Reseed Count", "reseed_count", h->incReseedCount);
        e_time(e, "Reseed Date", "reseed_time", BJ_DBH_IB_LOGTIMEINCRESEED);
        e_u(e, "Old Reseed Count", "reseed_count_old", h->incReseedCountOld);
        e_u(e, "Patch Count", "patch_count", h->pagePatchCount);
        e_time(e, "Patch Date", "patch_time", BJ_DBH_IB_LOGTIMEPAGEPATCH);
        e_u(e, "Old Patch Count", "patch_count_old", h->pagePatchCountOld);
    }

    if (e->json)
        bj_json_obj_begin(&e->j, "backups");
    e_bkinfo(e, "Previous Full Backup", "previous_full", BJ_DBH_IB_BKFULLPREV,
             h->bkinfoTypeFullPrev);
    e_bkinfo(e, "Previous Incremental Backup", "previous_incremental", BJ_DBH_IB_BKINCPREV,
             h->bkinfoTypeIncPrev);
    e_bkinfo(e, "Previous Copy Backup", "previous_copy", BJ_DBH_IB_BKCOPYPREV,
             h->bkinfoTypeCopyPrev);
    e_bkinfo(e, "Previous Differential Backup", "previous_differential", BJ_DBH_IB_BKDIFFPREV,
             h->bkinfoTypeDiffPrev);
    e_bkinfo(e, "Current Full Backup", "current_full", BJ_DBH_IB_BKFULLCUR, 0);
    e_bkinfo(e, "Current Shadow copy backup", "current_shadow_copy", BJ_DBH_IB_BKSNAPSHOTCUR, 0);
    if (e->json)
        bj_json_obj_end(&e->j);

    e_blank(e);
    if (e->json) {
        bj_json_i64(&e->j, "cpg_upgrade_55_format", (int32_t)h->cpgUpgrade55Format);
        bj_json_i64(&e->j, "cpg_upgrade_free_pages", (int32_t)h->cpgUpgradeFreePages);
        bj_json_i64(&e->j, "cpg_upgrade_space_map_pages", (int32_t)h->cpgUpgradeSpaceMapPages);
    } else {
        printf("     cpgUpgrade55Format: %" PRId32 "\n", (int32_t)h->cpgUpgrade55Format);
        printf("    cpgUpgradeFreePages: %" PRId32 "\n", (int32_t)h->cpgUpgradeFreePages);
        printf("cpgUpgradeSpaceMapPages: %" PRId32 "\n", (int32_t)h->cpgUpgradeSpaceMapPages);
    }
    e_blank(e);
    e_lgpos_time(e, "Last Resize", "last_resize", BJ_DBH_IB_LGPOSLASTRESIZE, 0);
    e_blank(e);
    e_u(e, "Extend Count", "extend_count", h->extendCount);
    e_time(e, "Extend Date", "extend_time", BJ_DBH_IB_LOGTIMELASTEXTEND);
    e_blank(e);
    e_u(e, "Shrink Count", "shrink_count", h->shrinkCount);
    e_time(e, "Shrink Date", "shrink_time", BJ_DBH_IB_LOGTIMELASTSHRINK);
    e_blank(e);
    e_u(e, "Trim Count", "trim_count", h->trimCount);
    e_blank(e);
    e_found(e, "ECC Fix Success Count", "ecc_fix_success_count", h->eccFixSuccess,
            "Last ECC Fix Success Date", BJ_DBH_IB_LOGTIMEECCFIXSUCCESS);
    e_found(e, "Old ECC Fix Success Count", "ecc_fix_success_count_old", h->eccFixSuccessOld, NULL,
            0);
    e_found(e, "ECC Fix Error Count", "ecc_fix_error_count", h->eccFixFail,
            "Last ECC Fix Error Date", BJ_DBH_IB_LOGTIMEECCFIXFAIL);
    e_found(e, "Old ECC Fix Error Count", "ecc_fix_error_count_old", h->eccFixFailOld, NULL, 0);
    e_found(e, "Bad Checksum Error Count", "bad_checksum_count", h->badChecksum,
            "Last Bad Checksum Error Date", BJ_DBH_IB_LOGTIMEBADCHECKSUM);
    e_found(e, "Old bad Checksum Error Count", "bad_checksum_count_old", h->badChecksumOld, NULL,
            0);
    e_blank(e);
    e_time(e, "Last Database Maintenance Finish Date", "dbscan_finish_time",
           BJ_DBH_IB_LOGTIMEDBSCANPREV);
    e_time(e, "Current Database Maintenance Start Date", "dbscan_start_time",
           BJ_DBH_IB_LOGTIMEDBSCANSTART);
    e_u(e, "Highest Continuous Database Maintenance Page", "dbscan_highest_continuous_page",
        h->pgnoDbscanHighestContinuous);
    e_u(e, "Highest Database Maintenance Page", "dbscan_highest_page", h->pgnoDbscanHighest);
    e_blank(e);
    e_sig(e, "Database Header Flush Signature", "db_header_flush_signature",
          BJ_DBH_IB_SIGNDBHDRFLUSH);
    e_sig(e, "Flush Map Header Flush Signature", "flush_map_header_flush_signature",
          BJ_DBH_IB_SIGNFMHDRFLUSH);
    e_sig(e, "RBS Header Flush Signature", "rbs_header_flush_signature", BJ_DBH_IB_SIGNRBSHDRFLUSH);
    if (e->json || h->revertCount || h->revertPageCount) {
        e_blank(e);
        e_u(e, "Revert Count", "revert_count", h->revertCount);
        e_time(e, "Revert From Date", "revert_from_time", BJ_DBH_IB_LOGTIMEREVERTFROM);
        e_time(e, "Revert To Date", "revert_to_time", BJ_DBH_IB_LOGTIMEREVERTTO);
        e_u(e, "Revert Page Count", "revert_page_count", h->revertPageCount);
        e_lgpos_time(e, "Last Commit Before Revert", "last_commit_before_revert",
                     BJ_DBH_IB_LGPOSCOMMITBEFOREREVERT, 0);
    }
}

/* ---------------------------------------------------------------- the command */

static const char usage[] =
    "usage: bluejet header FILE [--json]\n"
    "\n"
    "Prints the database header of FILE with the field names of esentutl /mh:\n"
    "magic, format and creation versions, DB and log signatures, page size, dbtime,\n"
    "state, required/committed/consistent log generations, last consistent/attach/\n"
    "detach positions and times, backup records, counters and flush signatures;\n"
    "and which header copy was used (primary at offset 0, shadow at offset one page)\n"
    "and whether the two copies agree.\n"
    "The log fields: State (Just Created, Dirty Shutdown while attached or after a\n"
    "crash, Clean Shutdown), Log Required (genMinRequired-genMaxRequired: the logs\n"
    "recovery needs), Log Committed (genMaxCommitted), Last Consistent / Attach /\n"
    "Detach (lgposConsistent, lgposAttach, lgposDetach) and Log Signature (signLog).\n"
    "\n"
    "options:\n"
    "  --json   one JSON object instead of text (keys: file, header_copy, primary_ok,\n"
    "           shadow_ok, copies_identical, page_size, dbtime, state, state_name,\n"
    "           format_version{version,update_major,update_minor}, created_version,\n"
    "           db_signature, log_required, last_consistent, backups, ...)\n"
    "  --help   this text\n"
    "\n"
    "exit status: 0 printed, 2 usage error or no readable header\n";

static int run_header(int argc, char **argv)
{
    bool json = false;
    const bj_tool_opt opts[] = {
        {"--json", BJ_OPT_FLAG, &json, NULL},
    };
    const char *pos[1];
    int npos = 0;
    int rc = bj_tool_parse(&bj_cmd_header, argc, argv, opts, BJ_ARRAY_LEN(opts), pos, 1, 1, &npos);
    if (rc != BJ_TOOL_PARSED)
        return rc;

    bj_tool_db db;
    if (bj_tool_db_open(pos[0], &db) < 0)
        return BJ_EXIT_ERROR;
    emit e;
    memset(&e, 0, sizeof(e));
    e.json = json;
    e.h = db.hdrPage;
    if (json) {
        bj_json_init(&e.j, stdout);
        bj_json_obj_begin(&e.j, NULL);
    }
    dump(&e, &db);
    if (json) {
        bj_json_obj_end(&e.j);
        bj_json_finish(&e.j);
    }
    bj_tool_db_close(&db);
    return BJ_EXIT_OK;
}

const bj_tool_cmd bj_cmd_header = {
    "header",
    "database header dump (esentutl /mh); --json for machine-readable output",
    usage,
    run_header,
};
