/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h: what every fuzz target shares: the libFuzzer entry point's
 * prototype, a fixed test key, and silenced logging (a fuzzer's output is
 * its findings, not the store's warnings).
 */
#ifndef CRM_FUZZ_H
#define CRM_FUZZ_H

#include <glib.h>

/* The team key of the fuzz targets and their seed corpora: not a secret. */
#define FUZZ_KEY "chatcrm fuzz key; not a secret!!"

int LLVMFuzzerTestOneInput (const unsigned char *data, size_t size);

static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags level, const GLogField *fields,
		 gsize n_fields, gpointer user_data)
{
	return G_LOG_WRITER_HANDLED;
}

/* Drops every log message, once per process. */
static inline void
fuzz_silence_logging (void)
{
	static gboolean done = FALSE;

	if (!done) {
		g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
		done = TRUE;
	}
}

#endif /* CRM_FUZZ_H */
