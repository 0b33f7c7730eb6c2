/* bluejet.c: the command-line tool's entry point (esentutl for this engine): the command table,
 * `bluejet --help`, `bluejet --version` and dispatch to one command.
 *
 * Adding a command: write tools/cmd_<name>.c defining `const bj_tool_cmd bj_cmd_<name>`
 * (see tool.h), declare it in tool.h and add it to commands[] below. CMake picks up the file.
 * Exit status: 0 ok, 1 the check found faults, 2 usage or I/O error.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

static const bj_tool_cmd *const commands[] = {
    &bj_cmd_header,
    &bj_cmd_pages,
    &bj_cmd_export,
    &bj_cmd_check,
    &bj_cmd_logs,
    &bj_cmd_recover,
    &bj_cmd_backup,
    &bj_cmd_restore,
};

static void print_help(FILE *f)
{
    fputs("usage: bluejet <command> [options] ARGS\n"
          "       bluejet <command> --help\n"
          "\n"
          "Inspects and maintains ESE (JET Blue) database files and transaction logs.\n"
          "\n"
          "commands:\n",
          f);
    for (size_t i = 0; i < BJ_ARRAY_LEN(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("\n"
          "exit status: 0 ok, 1 the check found faults, 2 usage or I/O error\n",
          f);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return BJ_EXIT_ERROR;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        if (argc > 2 && strcmp(name, "help") == 0) {
            /* `bluejet help CMD` = `bluejet CMD --help` */
            for (size_t i = 0; i < BJ_ARRAY_LEN(commands); i++) {
                if (!strcmp(argv[2], commands[i]->name)) {
                    fputs(commands[i]->usage, stdout);
                    return BJ_EXIT_OK;
                }
            }
            bj_tool_msg("unknown command '%s'", argv[2]);
            return BJ_EXIT_ERROR;
        }
        print_help(stdout);
        return BJ_EXIT_OK;
    }
    if (!strcmp(name, "--version")) {
        printf("bluejet %s\n", BJ_TOOL_VERSION);
        return BJ_EXIT_OK;
    }
    for (size_t i = 0; i < BJ_ARRAY_LEN(commands); i++) {
        if (!strcmp(name, commands[i]->name)) {
            int rc = commands[i]->run(argc - 1, argv + 1);
            if (fflush(stdout) != 0 && rc == BJ_EXIT_OK) {
                bj_tool_msg("cannot write the output");
                rc = BJ_EXIT_ERROR;
            }
            return rc;
        }
    }
    bj_tool_msg("unknown command '%s'", name);
    fputs("Try 'bluejet --help'.\n", stderr);
    return BJ_EXIT_ERROR;
}
