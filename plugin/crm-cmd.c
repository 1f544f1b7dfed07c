/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crm-cmd.c: the /crm command and its subcommands.
 *
 * One command, /crm, is registered for every protocol, in IMs and chats.
 * Its argument arrives as the plain text the agent typed (libpurple takes
 * an "s" argument from the command line, not from its markup), so it is
 * taken as it is: unescaping it would turn a typed "&amp;" into "&" and a
 * typed "<br>" into a line break.  It is split into a subcommand word and
 * the rest, and dispatched through one table that also holds
 * each subcommand's usage and help text (/crm help lists them, /crm help
 * <name> explains one).  The table says what each subcommand needs (an
 * open store, a one-to-one conversation, a linked customer) and the
 * dispatcher checks that before the handler runs, answering with what is
 * missing and how to get it.  Handlers check their arguments (see
 * crm-cmd-args.c) before writing anything, so a wrong command changes
 * nothing.  Every answer is a system line in the conversation, not logged,
 * and the command always returns PURPLE_CMD_RET_OK, so that the text the
 * agent reads is ours and translated.
 */
#include "crm-config.h"
#include "crm-i18n.h"

#include <string.h>

#include <blist.h>
#include <cmds.h>
#include <debug.h>
#include <request.h>
#include <util.h>

#include "crm-card-format.h"
#include "crm-cmd-args.h"
#include "crm-parse.h"
#include "crm-plugin-private.h"
#include "crm-prefs.h"

/* How many customers /crm find and /crm link list at most. */
#define FIND_LIMIT 20

typedef enum {
	NEED_NOTHING = 0,
	NEED_STORE = 1 << 0,
	NEED_BUDDY = 1 << 1,		/* an IM with a valid handle */
	NEED_CUSTOMER = 1 << 2,		/* ... linked to a customer */
} CmdNeed;

typedef struct {
	PurpleConversation *conv;
	PurpleAccount *account;
	CrmStore *store;
	char *protocol;			/* NEED_BUDDY and up */
	char *handle;
	CrmCustomer *customer;		/* NEED_CUSTOMER */
	GTimeZone *tz;
	gint64 now_us;
} CmdCtx;

typedef void (*CmdFunc) (CmdCtx *ctx, const char *args);

typedef struct {
	const char *name;
	const char *usage;
	const char *help;
	CmdNeed need;
	CmdFunc func;
} CmdDef;

typedef struct {
	PurpleAccount *account;
	char *conv_name;
	CrmCustomer *shown;		/* the values the form opened with */
} EditRequest;

static struct {
	PurpleCmdId id;
	GHashTable *listed;		/* conv -> GStrv of follow-up ids */
	GList *edits;			/* EditRequest *, open forms */
} cmds;

static const CmdDef *find_def (const char *name);
static void write_usage (PurpleConversation *conv, const CmdDef *def);
static gboolean names_customer (CmdCtx *ctx, const char *query,
				const char *id);

/* ---------------------------------------------------------------------
 * Answers
 */

/* Writes a translated format with escaped values into the conversation. */
G_GNUC_PRINTF (2, 3) static void
say (CmdCtx *ctx, const char *format, ...)
{
	va_list args;
	char *text;

	/* The whole sentence is plain text, escaped once: translated
	 * formats hold usage such as "/crm link <id>", which markup would
	 * take for a tag and drop. */
	va_start (args, format);
	text = g_strdup_vprintf (format, args);
	va_end (args);
	crm_plugin_write_text (ctx->conv, text);
	g_free (text);
}

/* An argument error: what was wrong, then how to write the command. */
static void
say_bad_args (CmdCtx *ctx, const char *name, const GError *error)
{
	crm_plugin_write_text (ctx->conv, error->message);
	write_usage (ctx->conv, find_def (name));
}

/* A store error: what was not done and why; nothing else happens. */
static void
say_failure (CmdCtx *ctx, const char *what, GError *error)
{
	crm_plugin_write_failure (ctx->conv, what, error);
	g_error_free (error);
}

/* ---------------------------------------------------------------------
 * Customers and links
 */

/* The buddy's alias, or the conversation's title, or the handle. */
static char *
buddy_default_name (CmdCtx *ctx)
{
	const char *name = purple_conversation_get_name (ctx->conv);
	PurpleBuddy *buddy = purple_find_buddy (ctx->account, name);
	const char *alias = buddy != NULL ? purple_buddy_get_alias (buddy)
					  : purple_conversation_get_title
					    (ctx->conv);

	return g_strdup (alias != NULL && *alias != '\0' ? alias : name);
}

/*
 * Whether the buddy is free to link; says to whom it is linked when not.
 * When @query (nullable) names that very customer, /crm unlink would be
 * the wrong advice, so only the link is stated.  FALSE on a store error
 * too (said).
 */
static gboolean
buddy_unlinked (CmdCtx *ctx, const char *query)
{
	char *id = NULL;
	CrmCustomer *c;
	GError *error = NULL;

	if (!crm_identity_lookup (ctx->store, ctx->protocol, ctx->handle, &id,
				  &error)) {
		say_failure (ctx, _("The buddy could not be looked up."),
			     error);
		return FALSE;
	}
	if (id == NULL)
		return TRUE;
	c = crm_customer_get (ctx->store, id, NULL);
	if (query != NULL && names_customer (ctx, query, id))
		say (ctx, _("This buddy is already linked to %s."),
		     c != NULL ? c->name : id);
	else
		say (ctx, _("This buddy is already linked to %s. Type /crm "
			    "unlink first to link it to another customer."),
		     c != NULL ? c->name : id);
	if (c != NULL)
		crm_customer_free (c);
	g_free (id);
	return FALSE;
}

/* Links the buddy to @customer_id; says why not when that fails. */
static gboolean
link_buddy (CmdCtx *ctx, const char *customer_id)
{
	GError *error = NULL;

	if (!crm_identity_link (ctx->store, customer_id, ctx->protocol,
				ctx->handle,
				purple_conversation_get_name (ctx->conv),
				&error)) {
		say_failure (ctx, _("The buddy was not linked."), error);
		return FALSE;
	}
	crm_interaction_log_forget (ctx->account,
				    purple_conversation_get_name (ctx->conv));
	return TRUE;
}

/* /crm new [name]: a customer made from this buddy, linked to it. */
static void
cmd_new (CmdCtx *ctx, const char *args)
{
	CrmCustomer *fields;
	GError *error = NULL;
	char *id;

	if (!buddy_unlinked (ctx, NULL))
		return;
	fields = crm_customer_new ();
	fields->name = *args != '\0' ? g_strdup (args)
				     : buddy_default_name (ctx);
	fields->department = crm_prefs_department ();
	if (!crm_cmd_args_check_text (fields->name,
				      CRM_CMD_ARGS_MAX_FIELD_BYTES, &error)) {
		say_bad_args (ctx, "new", error);
		g_error_free (error);
		crm_customer_free (fields);
		return;
	}
	id = crm_customer_create (ctx->store, fields, &error);
	if (id == NULL) {
		say_failure (ctx, _("The customer was not created."), error);
	} else if (!link_buddy (ctx, id)) {
		/* Undo, so that a failed command leaves nothing behind. */
		crm_customer_delete (ctx->store, id, NULL);
	} else {
		say (ctx, _("Customer %s created and linked to this buddy."),
		     fields->name);
		crm_plugin_show_card (ctx->conv);
	}
	g_free (id);
	crm_customer_free (fields);
}

/* Whether @c's name or e-mail is exactly @query, ignoring case. */
static gboolean
matches_exactly (const CrmCustomer *c, const char *query)
{
	char *q = g_utf8_casefold (query, -1);
	char *name = g_utf8_casefold (c->name != NULL ? c->name : "", -1);
	char *mail = g_utf8_casefold (c->email != NULL ? c->email : "", -1);
	gboolean same = strcmp (q, name) == 0 || strcmp (q, mail) == 0;

	g_free (mail);
	g_free (name);
	g_free (q);
	return same;
}

/* Of several matches, the one whose name or e-mail is the query. */
static CrmCustomer *
pick_exact (GPtrArray *found, const char *query)
{
	CrmCustomer *pick = NULL;
	guint i;

	for (i = 0; i < found->len; i++) {
		CrmCustomer *c = g_ptr_array_index (found, i);

		if (!matches_exactly (c, query))
			continue;
		if (pick != NULL)
			return NULL;
		pick = c;
	}
	return pick;
}

/* Of @found, the one customer @query names: the only match, or among
 * several the one whose full name or e-mail it is; NULL otherwise. */
static CrmCustomer *
pick_one (GPtrArray *found, const char *query)
{
	if (found->len == 1)
		return g_ptr_array_index (found, 0);
	return found->len > 1 ? pick_exact (found, query) : NULL;
}

/*
 * Whether @query names the customer @id, as resolve_customer() would take
 * it.  Quiet: on a store error it says FALSE, and the caller's general
 * answer stands.
 */
static gboolean
names_customer (CmdCtx *ctx, const char *query, const char *id)
{
	GPtrArray *found;
	CrmCustomer *c;
	gboolean same;

	if (g_uuid_string_is_valid (query))
		return g_ascii_strcasecmp (query, id) == 0;
	found = crm_customer_find (ctx->store, query, FIND_LIMIT, NULL);
	if (found == NULL)
		return FALSE;
	c = pick_one (found, query);
	same = c != NULL && strcmp (c->id, id) == 0;
	g_ptr_array_unref (found);
	return same;
}

/* Lists several matches and asks for a more exact query. */
static void
say_ambiguous (CmdCtx *ctx, const char *query, GPtrArray *found)
{
	char *list = crm_card_format_customers (found);

	say (ctx, _("“%s” matches more than one customer. Link one by its "
		    "id: /crm link <id>."), query);
	crm_plugin_write (ctx->conv, list);
	g_free (list);
}

/*
 * The one customer @query names: an id, or words that match exactly one
 * customer (or, among several, exactly one by full name or e-mail).
 * Says what went wrong and returns NULL otherwise.
 */
static CrmCustomer *
resolve_customer (CmdCtx *ctx, const char *query)
{
	GError *error = NULL;
	GPtrArray *found;
	CrmCustomer *c = NULL;

	if (g_uuid_string_is_valid (query)) {
		c = crm_customer_get (ctx->store, query, &error);
		if (c == NULL && g_error_matches (error, CRM_STORE_ERROR,
						  CRM_STORE_ERROR_NOT_FOUND)) {
			say (ctx, _("No customer has the id %s."), query);
			g_error_free (error);
		} else if (c == NULL) {
			say_failure (ctx, _("The customer could not be "
					    "looked up."), error);
		}
		return c;
	}
	found = crm_customer_find (ctx->store, query, FIND_LIMIT, &error);
	if (found == NULL) {
		say_failure (ctx, _("The search did not run."), error);
		return NULL;
	}
	if (pick_one (found, query) != NULL)
		c = crm_customer_copy (pick_one (found, query));
	else if (found->len > 1)
		say_ambiguous (ctx, query, found);
	else
		say (ctx, _("No customer matches “%s”. Type /crm find <words> "
			    "to search, or /crm new to create a customer."),
		     query);
	g_ptr_array_unref (found);
	return c;
}

/* /crm link <name, e-mail or id>: this buddy joins an existing customer. */
static void
cmd_link (CmdCtx *ctx, const char *args)
{
	CrmCustomer *c;
	GError *error = NULL;

	if (*args == '\0') {
		g_set_error (&error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_MISSING,
			     _("Say which customer to link: a name, an e-mail "
			       "address or an id."));
		say_bad_args (ctx, "link", error);
		g_error_free (error);
		return;
	}
	if (!buddy_unlinked (ctx, args))
		return;
	c = resolve_customer (ctx, args);
	if (c == NULL)
		return;
	if (link_buddy (ctx, c->id)) {
		say (ctx, _("This buddy is now linked to %s."), c->name);
		crm_plugin_show_card (ctx->conv);
	}
	crm_customer_free (c);
}

/* /crm unlink: the buddy no longer belongs to the customer. */
static void
cmd_unlink (CmdCtx *ctx, const char *args)
{
	GError *error = NULL;

	crm_interaction_log_forget (ctx->account,
				    purple_conversation_get_name (ctx->conv));
	if (!crm_identity_unlink (ctx->store, ctx->protocol, ctx->handle,
				  &error)) {
		say_failure (ctx, _("The buddy was not unlinked."), error);
		return;
	}
	say (ctx, _("This buddy is no longer linked to %s. The customer and "
		    "their notes are kept."), ctx->customer->name);
}

/* /crm show: the card again. */
static void
cmd_show (CmdCtx *ctx, const char *args)
{
	crm_plugin_show_card (ctx->conv);
}

/* /crm find <words>: customers by name, company, e-mail, phone, handle. */
static void
cmd_find (CmdCtx *ctx, const char *args)
{
	GError *error = NULL;
	GPtrArray *found;
	char *list;

	if (*args == '\0') {
		g_set_error (&error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_MISSING,
			     _("Say what to look for."));
		say_bad_args (ctx, "find", error);
		g_error_free (error);
		return;
	}
	found = crm_customer_find (ctx->store, args, FIND_LIMIT, &error);
	if (found == NULL) {
		say_failure (ctx, _("The search did not run."), error);
		return;
	}
	if (found->len == 0) {
		say (ctx, _("No customer matches “%s”."), args);
	} else {
		list = crm_card_format_customers (found);
		crm_plugin_write (ctx->conv, list);
		g_free (list);
	}
	g_ptr_array_unref (found);
}

/* ---------------------------------------------------------------------
 * Notes, history, handovers
 */

/* /crm note <text>: a note on the customer, for every department. */
static void
cmd_note (CmdCtx *ctx, const char *args)
{
	GError *error = NULL;
	char *agent, *dept, *id;

	if (!crm_cmd_args_check_text (args, CRM_NOTE_MAX_BYTES, &error)) {
		say_bad_args (ctx, "note", error);
		g_error_free (error);
		return;
	}
	agent = crm_prefs_agent_name (ctx->account);
	dept = crm_prefs_department ();
	id = crm_note_add (ctx->store, ctx->customer->id, agent, dept, args,
			   &error);
	if (id == NULL)
		say_failure (ctx, _("The note was not saved."), error);
	else
		say (ctx, _("Note added to %s."), ctx->customer->name);
	g_free (id);
	g_free (dept);
	g_free (agent);
}

/* /crm notes: every note on the customer, newest first. */
static void
cmd_notes (CmdCtx *ctx, const char *args)
{
	GError *error = NULL;
	GPtrArray *notes = crm_note_list (ctx->store, ctx->customer->id, 0,
					  &error);
	char *text;

	if (notes == NULL) {
		say_failure (ctx, _("The notes could not be read."), error);
		return;
	}
	text = crm_card_format_notes (ctx->customer, notes, ctx->tz,
				      ctx->now_us);
	crm_plugin_write (ctx->conv, text);
	g_free (text);
	g_ptr_array_unref (notes);
}

/* /crm history: past conversations with the customer. */
static void
cmd_history (CmdCtx *ctx, const char *args)
{
	GError *error = NULL;
	GPtrArray *list = crm_interaction_list (ctx->store, ctx->customer->id,
						0, &error);
	char *text;

	if (list == NULL) {
		say_failure (ctx, _("The history could not be read."), error);
		return;
	}
	text = crm_card_format_history (ctx->customer, list, ctx->tz,
					ctx->now_us);
	crm_plugin_write (ctx->conv, text);
	g_free (text);
	g_ptr_array_unref (list);
}

/*
 * Replaces *@agent, as typed after @, with the agent directory's spelling
 * of that agent, so that the follow-up or handover reaches them.  An agent
 * nobody on the team is called is said (with the known agents) and
 * refused, since the work would otherwise go to nobody.  No @agent (a
 * department, or no assignee) needs no check.
 */
static gboolean
check_agent (CmdCtx *ctx, const char *cmd_name, char **agent)
{
	GError *error = NULL;
	GPtrArray *agents, *names;
	char *self, *found;
	guint i;

	if (*agent == NULL)
		return TRUE;
	agents = crm_agent_list (ctx->store, &error);
	if (agents == NULL) {
		say_failure (ctx, _("The agent directory could not be read."),
			     error);
		return FALSE;
	}
	names = g_ptr_array_new ();
	for (i = 0; i < agents->len; i++)
		g_ptr_array_add (names, ((CrmAgent *) agents->pdata[i])->name);
	g_ptr_array_add (names, NULL);
	self = crm_prefs_agent_name (ctx->account);
	found = crm_cmd_args_match_agent (*agent,
					  (const char *const *) names->pdata,
					  self, &error);
	if (found == NULL) {
		say_bad_args (ctx, cmd_name, error);
		g_error_free (error);
	} else {
		g_free (*agent);
		*agent = found;
	}
	g_free (self);
	g_ptr_array_unref (names);
	g_ptr_array_unref (agents);
	return found != NULL;
}

/* /crm handover <department | @agent> <note>: pass the customer on. */
static void
cmd_handover (CmdCtx *ctx, const char *args)
{
	CrmHandover h = { 0 };
	GError *error = NULL;
	char *id;

	if (!crm_cmd_args_parse_target (args, &h.to_agent, &h.to_department,
					&h.note, &error) ||
	    !crm_cmd_args_check_text (h.note, CRM_CMD_ARGS_MAX_TEXT_BYTES,
				      &error)) {
		say_bad_args (ctx, "handover", error);
		g_error_free (error);
		goto out;
	}
	if (!check_agent (ctx, "handover", &h.to_agent))
		goto out;
	h.customer_id = ctx->customer->id;
	h.from_agent = crm_prefs_agent_name (ctx->account);
	h.from_department = crm_prefs_department ();
	id = crm_handover_create (ctx->store, &h, &error);
	if (id == NULL)
		say_failure (ctx, _("The handover was not recorded."), error);
	else
		say (ctx, _("%s is handed over to %s, with your note: %s"),
		     ctx->customer->name,
		     h.to_agent != NULL ? h.to_agent : h.to_department,
		     h.note);
	g_free (id);
	g_free (h.from_agent);
	g_free (h.from_department);
out:
	g_free (h.to_agent);
	g_free (h.to_department);
	g_free (h.note);
}

/*
 * A handover to a department makes that department the customer's owner;
 * one to an agent leaves the owner as it was.  Returns the new owner, or
 * NULL when it did not change (a store error is said).
 */
static const char *
accept_owner (CmdCtx *ctx, const CrmHandover *h)
{
	GError *error = NULL;

	if (h->to_department == NULL || *h->to_department == '\0')
		return NULL;
	g_free (ctx->customer->department);
	ctx->customer->department = g_strdup (h->to_department);
	if (!crm_customer_update (ctx->store, ctx->customer, &error)) {
		say_failure (ctx, _("The handover was accepted, but the owning department was not changed."),
			     error);
		return NULL;
	}
	return h->to_department;
}

/*
 * "You accepted the handover of Maria Anders from Sam Sales (sales).",
 * then what changed and, when the pick was not obvious, why this one.
 */
static void
say_accepted (CmdCtx *ctx, const CrmHandover *h, const char *owner,
	      gboolean addressed, guint n_candidates)
{
	GString *text = g_string_new (NULL);

	if (h->from_department != NULL && *h->from_department != '\0')
		g_string_append_printf (text, _("You accepted the handover of %s from %s (%s)."),
					ctx->customer->name, h->from_agent,
					h->from_department);
	else
		g_string_append_printf (text, _("You accepted the handover of %s from %s."),
					ctx->customer->name, h->from_agent);
	if (owner != NULL) {
		g_string_append_c (text, ' ');
		g_string_append_printf (text, _("Owner is now %s."), owner);
	}
	if (!addressed) {
		g_string_append_c (text, ' ');
		g_string_append_printf (text, _("It was addressed to %s, not to you or your department."),
					h->to_agent != NULL ? h->to_agent
							    : h->to_department);
	}
	if (n_candidates > 1) {
		g_string_append_c (text, ' ');
		g_string_append_printf (text,
					g_dngettext (GETTEXT_PACKAGE,
						     "It is the newest of %u pending handover.",
						     "It is the newest of %u pending handovers.",
						     n_candidates),
					n_candidates);
	}
	if (h->note != NULL && *h->note != '\0') {
		g_string_append_c (text, ' ');
		g_string_append_printf (text, _("Their note: %s"), h->note);
	}
	crm_plugin_write_text (ctx->conv, text->str);
	g_string_free (text, TRUE);
}

/*
 * /crm accept: take this customer over from a pending handover, the
 * newest one addressed to this agent or this agent's department, else the
 * newest of all.
 */
static void
cmd_accept (CmdCtx *ctx, const char *args)
{
	GError *error = NULL;
	GPtrArray *pending;
	const CrmHandover *h;
	char *me, *dept;
	gboolean addressed;
	guint n;

	pending = crm_handover_list (ctx->store, ctx->customer->id, TRUE,
				     &error);
	if (pending == NULL) {
		say_failure (ctx, _("The handovers could not be read."), error);
		return;
	}
	me = crm_prefs_agent_name (ctx->account);
	dept = crm_prefs_department ();
	h = crm_cmd_args_pick_handover (pending, me, dept, &addressed, &n);
	if (h == NULL)
		say (ctx, _("There is no pending handover of %s to accept."),
		     ctx->customer->name);
	else if (!crm_handover_accept (ctx->store, h->id, me, &error))
		say_failure (ctx, _("The handover was not accepted."), error);
	else
		say_accepted (ctx, h, accept_owner (ctx, h), addressed, n);
	g_free (dept);
	g_free (me);
	g_ptr_array_unref (pending);
}

/* ---------------------------------------------------------------------
 * Follow-ups
 */

/* Reads when and what of /crm followup into @f; says what is wrong. */
static gboolean
read_followup (CmdCtx *ctx, const char *args, CrmFollowup *f)
{
	GDateTime *now = g_date_time_new_now (ctx->tz);
	GError *error = NULL;
	char *rest = NULL;
	gboolean ok;

	ok = crm_cmd_args_parse_assignee (args, &f->assignee_agent,
					  &f->assignee_department, &rest,
					  &error) &&
	     crm_parse_due (rest, now, &f->due_us, &f->text, &error);
	if (ok && !crm_cmd_args_check_text (f->text,
					    CRM_CMD_ARGS_MAX_TEXT_BYTES,
					    &error)) {
		ok = FALSE;
		/* Only a missing text gets the example; a text too long or
		 * not UTF-8 keeps its own reason. */
		if (g_error_matches (error, CRM_CMD_ARGS_ERROR,
				     CRM_CMD_ARGS_ERROR_MISSING)) {
			g_clear_error (&error);
			g_set_error (&error, CRM_CMD_ARGS_ERROR,
				     CRM_CMD_ARGS_ERROR_MISSING,
				     _("Say what to do after the time, for "
				       "example: /crm followup tomorrow 9:00 "
				       "Call back about the invoice."));
		}
	}
	if (!ok) {
		say_bad_args (ctx, "followup", error);
		g_error_free (error);
	}
	g_free (rest);
	g_date_time_unref (now);
	return ok;
}

/* /crm followup [@agent | @dept:department] <when> <text>. */
static void
cmd_followup (CmdCtx *ctx, const char *args)
{
	CrmFollowup *f = g_new0 (CrmFollowup, 1);
	GError *error = NULL;
	char *id, *when;

	if (!read_followup (ctx, args, f) ||
	    !check_agent (ctx, "followup", &f->assignee_agent))
		goto out;
	f->customer_id = g_strdup (ctx->customer->id);
	f->tz = g_strdup (g_time_zone_get_identifier (ctx->tz));
	f->created_by = crm_prefs_agent_name (ctx->account);
	if (f->assignee_agent == NULL && f->assignee_department == NULL)
		f->assignee_agent = g_strdup (f->created_by);
	id = crm_followup_add (ctx->store, f, &error);
	if (id == NULL) {
		say_failure (ctx, _("The follow-up was not saved."), error);
		goto out;
	}
	when = crm_card_format_time (f->due_us, ctx->tz, ctx->now_us);
	/* Translators: customer, due time, the text, and who must do it. */
	say (ctx, _("Follow-up for %s due %s: %s (assigned to %s)."),
	     ctx->customer->name, when, f->text,
	     f->assignee_agent != NULL ? f->assignee_agent
				       : f->assignee_department);
	g_free (when);
	g_free (id);
	crm_scheduler_poke ();
out:
	crm_followup_free (f);
}

/* The customer's open follow-ups, overdue first; NULL on error (said). */
static GPtrArray *
open_followups (CmdCtx *ctx)
{
	GError *error = NULL;
	GPtrArray *list = crm_followup_list (ctx->store, ctx->customer->id,
					     TRUE, &error);

	if (list == NULL) {
		say_failure (ctx, _("The follow-ups could not be read."),
			     error);
		return NULL;
	}
	crm_card_format_sort_followups (list, ctx->now_us);
	return list;
}

/* Remembers which follow-up each number of the shown list stands for. */
static void
remember_listed (PurpleConversation *conv, GPtrArray *list)
{
	char **ids = g_new0 (char *, list->len + 1);
	guint i;

	for (i = 0; i < list->len; i++)
		ids[i] = g_strdup (((CrmFollowup *) list->pdata[i])->id);
	g_hash_table_replace (cmds.listed, conv, ids);
}

/* /crm followups: open follow-ups, overdue first, numbered. */
static void
cmd_followups (CmdCtx *ctx, const char *args)
{
	GPtrArray *list = open_followups (ctx);
	char *text;

	if (list == NULL)
		return;
	remember_listed (ctx->conv, list);
	text = crm_card_format_followups (ctx->customer, list, ctx->tz,
					  ctx->now_us);
	crm_plugin_write (ctx->conv, text);
	g_free (text);
	g_ptr_array_unref (list);
}

/*
 * The id /crm done names: a number from the list last shown here (or the
 * current list when none was shown), or an id.  NULL when wrong (said).
 */
static char *
done_target (CmdCtx *ctx, const char *args)
{
	char **ids = g_hash_table_lookup (cmds.listed, ctx->conv);
	GPtrArray *list = NULL;
	GError *error = NULL;
	char *id = NULL;
	guint n = 0;

	if (ids == NULL) {
		list = open_followups (ctx);
		if (list == NULL)
			return NULL;
		remember_listed (ctx->conv, list);
		ids = g_hash_table_lookup (cmds.listed, ctx->conv);
		g_ptr_array_unref (list);
	}
	if (!crm_cmd_args_parse_done (args, g_strv_length (ids), &n, &id,
				      &error)) {
		say_bad_args (ctx, "done", error);
		g_error_free (error);
		return NULL;
	}
	return id != NULL ? id : g_strdup (ids[n - 1]);
}

/* /crm done <number or id>: a follow-up is done. */
static void
cmd_done (CmdCtx *ctx, const char *args)
{
	char *id = done_target (ctx, args);
	CrmFollowup *f;
	GError *error = NULL;
	char *agent;

	if (id == NULL)
		return;
	f = crm_followup_get (ctx->store, id, &error);
	g_free (id);
	if (f == NULL) {
		say_failure (ctx, _("The follow-up was not closed."), error);
		return;
	}
	/* An id (or a list shown before a relink) can name another
	 * customer's follow-up; this conversation must not close it. */
	if (g_strcmp0 (f->customer_id, ctx->customer->id) != 0) {
		say (ctx, _("That follow-up belongs to another customer, "
			    "not to %s. Type /crm followups to see theirs."),
		     ctx->customer->name);
		crm_followup_free (f);
		return;
	}
	if (f->status != CRM_FOLLOWUP_OPEN) {
		say (ctx, _("That follow-up is already closed: %s"), f->text);
		crm_followup_free (f);
		return;
	}
	agent = crm_prefs_agent_name (ctx->account);
	if (!crm_followup_set_status (ctx->store, f->id, CRM_FOLLOWUP_DONE,
				      agent, &error))
		say_failure (ctx, _("The follow-up was not closed."), error);
	else
		say (ctx, _("Follow-up done: %s"), f->text);
	g_free (agent);
	crm_followup_free (f);
}

/* ---------------------------------------------------------------------
 * The edit form
 */

/* The form's text fields and where each lives in a CrmCustomer. */
static const struct {
	const char *id;
	const char *label;
	gsize offset;
	gboolean multiline;
} edit_fields[] = {
	{ "name", N_("Name"), G_STRUCT_OFFSET (CrmCustomer, name), FALSE },
	{ "company", N_("Company"), G_STRUCT_OFFSET (CrmCustomer, company),
	  FALSE },
	{ "email", N_("E-mail"), G_STRUCT_OFFSET (CrmCustomer, email), FALSE },
	{ "phone", N_("Phone"), G_STRUCT_OFFSET (CrmCustomer, phone), FALSE },
	/* Translators: the department that owns a customer. */
	{ "department", N_("Department"),
	  G_STRUCT_OFFSET (CrmCustomer, department), FALSE },
	/* Translators: what the customer agreed to (e-mails, calls...). */
	{ "consent", N_("Consent"), G_STRUCT_OFFSET (CrmCustomer, consent),
	  TRUE },
};

#define FIELD(c, i) (G_STRUCT_MEMBER (char *, (c), edit_fields[i].offset))

/* Frees an edit request and forgets it. */
static void
edit_free (EditRequest *req)
{
	cmds.edits = g_list_remove (cmds.edits, req);
	crm_customer_free (req->shown);
	g_free (req->conv_name);
	g_free (req);
}

/* A form value trimmed, NULL when blank. */
static char *
form_value (PurpleRequestFields *fields, const char *id)
{
	const char *value = purple_request_fields_get_string (fields, id);
	char *text = g_strstrip (g_strdup (value != NULL ? value : ""));

	if (*text != '\0')
		return text;
	g_free (text);
	return NULL;
}

/* Checks the form's values; sets @error to the first wrong one. */
static gboolean
edit_check (CrmCustomer *form, GError **error)
{
	guint i;

	if (form->name == NULL) {
		g_set_error (error, CRM_CMD_ARGS_ERROR,
			     CRM_CMD_ARGS_ERROR_MISSING,
			     _("The name cannot be empty."));
		return FALSE;
	}
	for (i = 0; i < G_N_ELEMENTS (edit_fields); i++) {
		const char *value = FIELD (form, i);

		if (value != NULL &&
		    !crm_cmd_args_check_text (value,
					      CRM_CMD_ARGS_MAX_FIELD_BYTES,
					      error)) {
			g_prefix_error (error, "%s: ", _(edit_fields[i].label));
			return FALSE;
		}
	}
	return crm_cmd_args_check_email (form->email, error) &&
	       crm_cmd_args_check_phone (form->phone, error);
}

/* Reads the form into a customer record. */
static CrmCustomer *
edit_read (PurpleRequestFields *fields)
{
	CrmCustomer *form = crm_customer_new ();
	char *tags = form_value (fields, "tags");
	guint i;

	for (i = 0; i < G_N_ELEMENTS (edit_fields); i++)
		FIELD (form, i) = form_value (fields, edit_fields[i].id);
	form->tags = crm_cmd_args_split_tags (tags);
	g_free (tags);
	return form;
}

/* Whether two tag lists differ. */
static gboolean
tags_differ (char **a, char **b)
{
	char *ja = a != NULL ? g_strjoinv ("\n", a) : g_strdup ("");
	char *jb = b != NULL ? g_strjoinv ("\n", b) : g_strdup ("");
	gboolean differ = strcmp (ja, jb) != 0;

	g_free (ja);
	g_free (jb);
	return differ;
}

/*
 * Copies into @current only what the agent changed in the form (against
 * the values it opened with), so that changes other agents made meanwhile
 * to other fields stay.  Returns the labels of the changed fields.
 */
static GPtrArray *
edit_apply (const CrmCustomer *shown, const CrmCustomer *form,
	    CrmCustomer *current)
{
	GPtrArray *changed = g_ptr_array_new ();
	guint i;

	for (i = 0; i < G_N_ELEMENTS (edit_fields); i++) {
		if (g_strcmp0 (FIELD (shown, i), FIELD (form, i)) == 0)
			continue;
		g_free (FIELD (current, i));
		FIELD (current, i) = g_strdup (FIELD (form, i));
		g_ptr_array_add (changed, (char *) _(edit_fields[i].label));
	}
	if (g_strcmp0 (shown->phone, form->phone) != 0) {
		char *region = crm_prefs_phone_region ();

		g_free (current->phone_e164);
		current->phone_e164 = crm_cmd_args_phone_e164 (form->phone,
							       region);
		g_free (region);
	}
	if (tags_differ (shown->tags, form->tags)) {
		g_strfreev (current->tags);
		current->tags = g_strdupv (form->tags);
		g_ptr_array_add (changed, (char *) _("Tags"));
	}
	return changed;
}

/* Writes the changed fields; answers in @conv (or a dialog). */
static void
edit_save (PurpleConversation *conv, EditRequest *req, CrmCustomer *form)
{
	CrmStore *store = crm_plugin_get_store ();
	GError *error = NULL;
	CrmCustomer *current = crm_customer_get (store, req->shown->id,
						 &error);
	GPtrArray *changed;
	char *list, *text;

	if (current == NULL) {
		crm_plugin_write_failure (conv, _("The customer was not "
						  "changed."), error);
		g_error_free (error);
		return;
	}
	changed = edit_apply (req->shown, form, current);
	g_ptr_array_add (changed, NULL);
	list = g_strjoinv (", ", (char **) changed->pdata);
	if (changed->len == 1)
		text = g_strdup (_("Nothing was changed."));
	else if (!crm_customer_update (store, current, &error))
		text = NULL;
	else
		/* Translators: %s lists the fields, e.g. "Name, E-mail". */
		text = g_strdup_printf (_("Saved the changes to %s: %s."),
					current->name, list);
	if (text == NULL) {
		crm_plugin_write_failure (conv, _("The customer was not "
						  "changed."), error);
		g_error_free (error);
	} else if (conv != NULL) {
		crm_plugin_write_text (conv, text);
	}
	g_free (text);
	g_free (list);
	g_ptr_array_free (changed, TRUE);
	crm_customer_free (current);
}

/* The form's Save: check, then write only what changed. */
static void
edit_ok_cb (EditRequest *req, PurpleRequestFields *fields)
{
	PurpleConversation *conv = purple_find_conversation_with_account
		(PURPLE_CONV_TYPE_IM, req->conv_name, req->account);
	CrmCustomer *form = edit_read (fields);
	GError *error = NULL;

	if (crm_plugin_get_store () == NULL) {
		g_set_error_literal (&error, CRM_STORE_ERROR,
				     CRM_STORE_ERROR_FAILED,
				     crm_plugin_get_store_problem ());
		crm_plugin_write_failure (conv, _("The customer was not "
						  "changed."), error);
		g_error_free (error);
	} else if (!edit_check (form, &error)) {
		crm_plugin_write_failure (conv, _("The customer was not "
						  "changed."), error);
		g_error_free (error);
	} else {
		edit_save (conv, req, form);
	}
	crm_customer_free (form);
	edit_free (req);
}

/* The form's Cancel. */
static void
edit_cancel_cb (EditRequest *req, PurpleRequestFields *fields)
{
	edit_free (req);
}

/* Builds the form's fields from the customer's current values. */
static PurpleRequestFields *
edit_fields_new (const CrmCustomer *c)
{
	PurpleRequestFields *fields = purple_request_fields_new ();
	PurpleRequestFieldGroup *group = purple_request_field_group_new (NULL);
	PurpleRequestField *field;
	char *tags;
	guint i;

	purple_request_fields_add_group (fields, group);
	for (i = 0; i < G_N_ELEMENTS (edit_fields); i++) {
		field = purple_request_field_string_new
			(edit_fields[i].id, _(edit_fields[i].label),
			 FIELD (c, i), edit_fields[i].multiline);
		purple_request_field_group_add_field (group, field);
		if (i == 0)
			purple_request_field_set_required (field, TRUE);
	}
	tags = c->tags != NULL ? g_strjoinv (", ", c->tags) : NULL;
	field = purple_request_field_string_new ("tags",
						 _("Tags (comma-separated)"),
						 tags, FALSE);
	purple_request_field_group_add_field (group, field);
	g_free (tags);
	return fields;
}

/* /crm edit: a form with the customer's fields. */
static void
cmd_edit (CmdCtx *ctx, const char *args)
{
	EditRequest *req = g_new0 (EditRequest, 1);
	char *title = crm_card_format_customer_title (ctx->customer);

	req->account = ctx->account;
	req->conv_name = g_strdup (purple_conversation_get_name (ctx->conv));
	req->shown = crm_customer_copy (ctx->customer);
	cmds.edits = g_list_prepend (cmds.edits, req);
	purple_request_fields (crm_plugin_get_handle (), _("Edit customer"),
			       title, _("Only the fields you change are "
					"saved."),
			       edit_fields_new (ctx->customer), _("Save"),
			       G_CALLBACK (edit_ok_cb), _("Cancel"),
			       G_CALLBACK (edit_cancel_cb), ctx->account,
			       req->conv_name, ctx->conv, req);
	g_free (title);
}

/* ---------------------------------------------------------------------
 * Help and dispatch
 */

static void cmd_help (CmdCtx *ctx, const char *args);

/* Translators: in the usage lines below keep "/crm" and the command word
 * (help, show, new...) as they are; translate the words in <>. */
static const CmdDef defs[] = {
	{ "help", N_("/crm help [command]"),
	  N_("Lists the commands, or explains one."),
	  NEED_NOTHING, cmd_help },
	{ "show", N_("/crm show"),
	  N_("Shows this customer's card again."),
	  NEED_STORE | NEED_BUDDY, cmd_show },
	{ "new", N_("/crm new [name]"),
	  N_("Creates a customer from this buddy and links the buddy to "
	     "it. The name defaults to the buddy's alias."),
	  NEED_STORE | NEED_BUDDY, cmd_new },
	{ "link", N_("/crm link <name, e-mail or id>"),
	  N_("Links this buddy to an existing customer. The words must match "
	     "exactly one customer; /crm find shows the ids."),
	  NEED_STORE | NEED_BUDDY, cmd_link },
	{ "unlink", N_("/crm unlink"),
	  N_("Unlinks this buddy from its customer. The customer and the "
	     "notes are kept."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_unlink },
	{ "edit", N_("/crm edit"),
	  N_("Opens a form to edit this customer's name, company, e-mail, "
	     "phone, tags, department and consent."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_edit },
	{ "note", N_("/crm note <text>"),
	  N_("Adds a note to this customer, seen by every department."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_note },
	{ "notes", N_("/crm notes"),
	  N_("Shows every note on this customer, newest first."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_notes },
	{ "history", N_("/crm history"),
	  N_("Shows the past conversations with this customer."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_history },
	{ "find", N_("/crm find <words>"),
	  N_("Searches customers by name, company, e-mail, phone or chat "
	     "handle, and shows their ids."),
	  NEED_STORE, cmd_find },
	{ "followup", N_("/crm followup [@agent or @dept:department] <when> "
			 "<text>"),
	  N_("Adds a follow-up with a reminder. It is yours unless the first "
	     "word names an agent (@anna, @\"Anna Berg\") or a department "
	     "(@dept:billing)."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_followup },
	{ "followups", N_("/crm followups"),
	  N_("Lists this customer's open follow-ups, overdue first, "
	     "numbered for /crm done."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_followups },
	{ "done", N_("/crm done <number or id>"),
	  N_("Marks a follow-up done: its number in /crm followups, or its "
	     "id."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_done },
	{ "handover", N_("/crm handover <department or @agent> <note>"),
	  N_("Hands this customer over to another department or agent, with "
	     "a note for them."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_handover },
	{ "accept", N_("/crm accept"),
	  N_("Accepts the newest pending handover of this customer to you or "
	     "your department (or, if none is, the newest of all). A handover "
	     "to a department makes it the customer's owner."),
	  NEED_STORE | NEED_BUDDY | NEED_CUSTOMER, cmd_accept },
};

/* The subcommand called @name, or NULL. */
static const CmdDef *
find_def (const char *name)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS (defs); i++) {
		if (g_ascii_strcasecmp (defs[i].name, name) == 0)
			return &defs[i];
	}
	return NULL;
}

/* "How to write it: /crm note <text>". */
static void
write_usage (PurpleConversation *conv, const CmdDef *def)
{
	char *markup;

	if (def == NULL)
		return;
	/* Translators: %s is a usage line such as "/crm note <text>". */
	markup = g_markup_printf_escaped (_("How to write it: %s"),
					  _(def->usage));
	crm_plugin_write (conv, markup);
	g_free (markup);
}

/* The list of every subcommand with its usage and help. */
static void
write_help_list (PurpleConversation *conv)
{
	GString *out = g_string_new (NULL);
	char *line;
	guint i;

	line = g_markup_escape_text (_("Chat CRM commands (type /crm help "
				       "<command> for one):"), -1);
	g_string_append (out, line);
	g_free (line);
	for (i = 0; i < G_N_ELEMENTS (defs); i++) {
		line = g_markup_printf_escaped ("<br><b>%s</b> — %s",
						_(defs[i].usage),
						_(defs[i].help));
		g_string_append (out, line);
		g_free (line);
	}
	crm_plugin_write (conv, out->str);
	g_string_free (out, TRUE);
}

/* /crm help [command]. */
static void
cmd_help (CmdCtx *ctx, const char *args)
{
	const CmdDef *def;
	char *word = g_strstrip (g_strdup (args));

	def = *word != '\0' ? find_def (word) : NULL;
	if (*word == '\0') {
		write_help_list (ctx->conv);
	} else if (def == NULL) {
		say (ctx, _("There is no /crm command “%s”."), word);
		write_help_list (ctx->conv);
	} else {
		char *usage = g_markup_escape_text (_(def->usage), -1);
		char *help = g_markup_escape_text (_(def->help), -1);
		char *markup = g_strdup_printf ("<b>%s</b><br>%s", usage, help);

		crm_plugin_write (ctx->conv, markup);
		g_free (markup);
		g_free (help);
		g_free (usage);
		if (def->func == cmd_followup)
			say (ctx, _("Times: %s"), crm_parse_due_forms ());
	}
	g_free (word);
}

/* Says that a customer command needs a linked buddy. */
static void
say_not_linked (CmdCtx *ctx)
{
	char *text = g_markup_escape_text (_("This buddy is not linked to a "
					     "customer yet. Type /crm new to "
					     "create one, or /crm link <name, "
					     "e-mail or id> to link an "
					     "existing one."), -1);

	crm_plugin_write (ctx->conv, text);
	g_free (text);
}

/* Loads the linked customer into @ctx; says what is wrong when none. */
static gboolean
ctx_load_customer (CmdCtx *ctx)
{
	GError *error = NULL;
	char *id = NULL;

	if (!crm_identity_lookup (ctx->store, ctx->protocol, ctx->handle, &id,
				  &error)) {
		say_failure (ctx, _("The buddy could not be looked up."),
			     error);
		return FALSE;
	}
	if (id == NULL) {
		say_not_linked (ctx);
		return FALSE;
	}
	ctx->customer = crm_customer_get (ctx->store, id, &error);
	g_free (id);
	if (ctx->customer == NULL) {
		say_failure (ctx, _("The customer could not be read."), error);
		return FALSE;
	}
	return TRUE;
}

/*
 * Checks what @def needs: an open store, a one-to-one conversation with a
 * valid handle, a linked customer.  Says what is missing when not.
 */
static gboolean
ctx_prepare (CmdCtx *ctx, const CmdDef *def)
{
	char *line;

	if ((def->need & NEED_STORE) && ctx->store == NULL) {
		line = crm_card_format_unavailable
			(crm_plugin_get_store_problem ());
		crm_plugin_write (ctx->conv, line);
		g_free (line);
		return FALSE;
	}
	if (!(def->need & NEED_BUDDY))
		return TRUE;
	if (purple_conversation_get_type (ctx->conv) != PURPLE_CONV_TYPE_IM) {
		crm_plugin_write_text (ctx->conv, _("This command works in a "
						    "one-to-one conversation "
						    "with a customer."));
		return FALSE;
	}
	if (!crm_plugin_conv_handle (ctx->conv, &ctx->protocol,
				     &ctx->handle)) {
		crm_plugin_write_text (ctx->conv, _("This buddy's name is not "
						    "a valid handle for its "
						    "protocol, so the CRM "
						    "cannot link it."));
		return FALSE;
	}
	if (!(def->need & NEED_CUSTOMER))
		return TRUE;
	return ctx_load_customer (ctx);
}

/* Runs one subcommand with its context. */
static void
run (PurpleConversation *conv, const CmdDef *def, const char *args)
{
	CmdCtx ctx = { 0 };

	ctx.conv = conv;
	ctx.account = purple_conversation_get_account (conv);
	ctx.store = crm_plugin_get_store ();
	ctx.tz = g_time_zone_new_local ();
	ctx.now_us = ctx.store != NULL ? crm_store_now (ctx.store)
				       : g_get_real_time ();
	if (ctx_prepare (&ctx, def))
		def->func (&ctx, args);
	if (ctx.customer != NULL)
		crm_customer_free (ctx.customer);
	g_free (ctx.protocol);
	g_free (ctx.handle);
	g_time_zone_unref (ctx.tz);
}

/*
 * The /crm callback: split the plain-text argument into the subcommand
 * and the rest, and run it.  Always OK: every answer is written here.
 */
static PurpleCmdRet
on_crm_command (PurpleConversation *conv, const gchar *cmd, gchar **args,
		gchar **error, void *data)
{
	char *text = g_strdup (args != NULL && args[0] != NULL ? args[0]
							       : "");
	char *word = NULL, *rest = NULL;
	const CmdDef *def;

	if (text == NULL || !crm_parse_split_first (text, &word, &rest, NULL)) {
		crm_plugin_write_text (conv, _("The command is not valid "
					       "UTF-8 text."));
	} else if (*word == '\0') {
		write_help_list (conv);
	} else if ((def = find_def (word)) == NULL) {
		char *msg = g_markup_printf_escaped (_("“%s” is not a /crm "
						       "command."), word);

		crm_plugin_write (conv, msg);
		g_free (msg);
		write_help_list (conv);
	} else {
		run (conv, def, rest);
	}
	g_free (word);
	g_free (rest);
	g_free (text);
	return PURPLE_CMD_RET_OK;
}

/*
 * Registers /crm once for every protocol, in IMs and chats.  Arguments
 * that do not fit are let through so that the handler can say what is
 * wrong in its own words.
 */
void
crm_cmd_register (PurplePlugin *plugin)
{
	if (cmds.listed == NULL)
		cmds.listed = g_hash_table_new_full (g_direct_hash,
						     g_direct_equal, NULL,
						     (GDestroyNotify)
						     g_strfreev);
	if (cmds.id != 0)
		return;
	cmds.id = purple_cmd_register ("crm", "s", PURPLE_CMD_P_PLUGIN,
				       PURPLE_CMD_FLAG_IM |
				       PURPLE_CMD_FLAG_CHAT |
				       PURPLE_CMD_FLAG_ALLOW_WRONG_ARGS,
				       NULL, on_crm_command,
				       _("crm &lt;command&gt;: customer cards, "
					 "notes and follow-ups. Type /crm "
					 "help for the commands."), NULL);
}

/*
 * Unregisters /crm, closes open edit forms and forgets numbered lists.
 * At unload.
 */
void
crm_cmd_unregister (void)
{
	if (cmds.id != 0)
		purple_cmd_unregister (cmds.id);
	cmds.id = 0;
	/* Only with forms still open: a UI that answers a form at once
	 * leaves libpurple an entry without a UI handle, which it cannot
	 * close. */
	if (cmds.edits != NULL)
		purple_request_close_with_handle (crm_plugin_get_handle ());
	while (cmds.edits != NULL)
		edit_free (cmds.edits->data);
	g_clear_pointer (&cmds.listed, g_hash_table_destroy);
}

/* A conversation closes: its numbered follow-up list goes with it. */
void
crm_cmd_forget_conv (PurpleConversation *conv)
{
	if (cmds.listed != NULL)
		g_hash_table_remove (cmds.listed, conv);
}
