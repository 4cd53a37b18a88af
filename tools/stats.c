/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `vfsd stats [--json | --reset] MOUNTPOINT`: the counters of the `stats`
 * layer of a live mount, asked over the layer's socket (vfsd_stats_query),
 * so it answers even while the file system itself hangs. */
#include "config.h"
#include "vfsd-cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
stats_usage(FILE *f)
{
  fprintf(f,
          "Usage: %s stats [--json | --reset] MOUNTPOINT\n"
          "Show the statistics of a mount stacked with the stats layer\n"
          "(`%s mount -l stats ...`): calls, errors, bytes and latency per\n"
          "operation.\n\n"
          "  -j, --json   print the JSON document instead of the table\n"
          "  -r, --reset  set every counter to zero\n"
          "  -h, --help   show this help\n",
          cli_prog, cli_prog);
}

int
cli_stats(int argc, char **argv)
{
  static const struct option longopts[] = {
    { "json", no_argument, NULL, 'j' },
    { "reset", no_argument, NULL, 'r' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *request = "text";
  GError *error = NULL;
  char *answer;
  int c;

  optind = 1;
  opterr = 0;
  while ((c = getopt_long(argc, argv, "+jrh", longopts, NULL)) != -1) {
    switch (c) {
    case 'j':
      request = "json";
      break;
    case 'r':
      request = "reset";
      break;
    case 'h':
      stats_usage(stdout);
      return CLI_OK;
    default:
      cli_error("stats: unknown option '%s' (try `%s stats --help`)",
                argv[optind - 1], cli_prog);
      return CLI_USAGE;
    }
  }
  if (argc - optind != 1) {
    cli_error("stats: give one MOUNTPOINT (try `%s stats --help`)",
              cli_prog);
    return CLI_USAGE;
  }
  answer = vfsd_stats_query(argv[optind], request, &error);
  if (answer == NULL) {
    cli_error("%s", error->message);
    g_error_free(error);
    return CLI_ERROR;
  }
  fputs(answer, stdout);
  if (answer[0] != '\0' && answer[strlen(answer) - 1] != '\n')
    fputc('\n', stdout);
  g_free(answer);
  return CLI_OK;
}
