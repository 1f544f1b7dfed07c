/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-cmd-args.h: checking the arguments of /crm commands.
 *
 * Pure functions over strings (and the store's plain structs), kept apart
 * from the command handlers so that every form of good and bad input is
 * tested without a client.  Error
 * messages are translated, whole sentences that say what was wrong; the
 * command layer adds how to write the command.
 */
#ifndef CRM_CMD_ARGS_H
#define CRM_CMD_ARGS_H

#include <glib.h>

#include "crm.h"

G_BEGIN_DECLS

#define CRM_CMD_ARGS_ERROR (crm_cmd_args_error_quark ())
GQuark crm_cmd_args_error_quark (void);

typedef enum {
	CRM_CMD_ARGS_ERROR_MISSING,	/* something required is not there */
	CRM_CMD_ARGS_ERROR_INVALID,	/* there, but not in a form we read */
	CRM_CMD_ARGS_ERROR_RANGE,	/* a number outside the list */
	CRM_CMD_ARGS_ERROR_TOO_LONG,	/* over the field's limit */
	CRM_CMD_ARGS_ERROR_UNKNOWN,	/* a name nobody on the team has */
} CrmCmdArgsError;

/* The most bytes a short field (name, company, tags...) may hold. */
#define CRM_CMD_ARGS_MAX_FIELD_BYTES 4096
/* The most bytes a note or follow-up text may hold. */
#define CRM_CMD_ARGS_MAX_TEXT_BYTES 65536

gboolean crm_cmd_args_parse_assignee (const char *text,
				      char **out_agent,
				      char **out_department,
				      char **out_rest,
				      GError **error);
gboolean crm_cmd_args_parse_target (const char *text,
				    char **out_agent,
				    char **out_department,
				    char **out_note,
				    GError **error);
char *crm_cmd_args_match_agent (const char *name,
				 const char *const *known,
				 const char *self,
				 GError **error);
const CrmHandover *crm_cmd_args_pick_handover (GPtrArray *pending,
					       const char *agent,
					       const char *department,
					       gboolean *out_addressed,
					       guint *out_n_candidates);
gboolean crm_cmd_args_parse_done (const char *text,
				  guint n_listed,
				  guint *out_number,
				  char **out_id,
				  GError **error);
gboolean crm_cmd_args_check_text (const char *text,
				  gsize max_bytes,
				  GError **error);
gboolean crm_cmd_args_check_email (const char *email, GError **error);
gboolean crm_cmd_args_check_phone (const char *phone, GError **error);
char **crm_cmd_args_split_tags (const char *text);
char *crm_cmd_args_phone_e164 (const char *phone, const char *region);

G_END_DECLS

#endif /* CRM_CMD_ARGS_H */
