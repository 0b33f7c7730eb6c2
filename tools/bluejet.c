/* bluejet.c: the command-line tool's entry point (esentutl for this engine). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        printf("usage: bluejet COMMAND [ARGS]\n");
        return argc < 2 ? 2 : 0;
    }
    fprintf(stderr, "bluejet: unknown command '%s'\n", argv[1]);
    return 2;
}
