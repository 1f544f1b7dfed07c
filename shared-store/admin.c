/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * admin.c: chatcrm-admin, the administrator's command-line tool.
 *
 * It opens a replica file directly (the plugin may have it open at the
 * same time: the store is WAL and waits for locks) and runs one command:
 * import customers from CSV, link a chat handle to a customer, find, show
 * a customer's card, list notes and handovers.  Exit status 0 is success,
 * 1 a failure (the message says why), 2 a usage error.
 */
#include "crm-config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <glib/gi18n.h>

#include "crm.h"

#define ADMIN_EXIT_OK 0
#define ADMIN_EXIT_FAILURE 1
#define ADMIN_EXIT_USAGE 2

static const char admin_usage[] = N_(
	"Usage: chatcrm-admin --store PATH COMMAND [ARGUMENTS]\n"
	"\n"
	"Commands:\n"
	"  import-csv FILE [--department D]\n"
	"      Import customers from a CSV file with a header row.  Rows that\n"
	"      match an existing customer (same e-mail, or same name and\n"
	"      company) fill in its empty fields instead of adding a new one.\n"
	"  link QUERY PROTOCOL HANDLE [DISPLAY]\n"
	"      Link a chat handle to a customer.  QUERY is a customer id, an\n"
	"      exact e-mail address, or a name or company that matches exactly\n"
	"      one customer.  PROTOCOL is the libpurple protocol id (for example\n"
	"      prpl-jabber, prpl-irc).  HANDLE is stored in the normal form\n"
	"      the plugin looks it up by: for XMPP the bare JID in lower case\n"
	"      (Mira.Kovac@Shop.example/phone is stored as\n"
	"      mira.kovac@shop.example); for IRC the nick folded by rfc1459\n"
	"      case mapping; for other protocols as typed, so type it as the\n"
	"      network writes it.  DISPLAY is the handle as the network shows\n"
	"      it (default: HANDLE as typed).  An invalid handle is refused.\n"
	"  find QUERY\n"
	"      Search customers by name, company, e-mail, phone, tags, handle.\n"
	"  show ID\n"
	"      Show a customer's card.\n"
	"  notes ID\n"
	"      List all notes of a customer, newest first.\n"
	"  handovers\n"
	"      List handovers, newest first.\n"
	"\n"
	"The store path may also be given in the CHATCRM_STORE variable.\n");

static int
admin_usage_error (const char *why)
{
	if (why)
		g_printerr ("chatcrm-admin: %s\n\n", why);
	g_printerr ("%s", _(admin_usage));
	return ADMIN_EXIT_USAGE;
}

static int
admin_fail (const GError *error)
{
	g_printerr ("chatcrm-admin: %s\n", error->message);
	return ADMIN_EXIT_FAILURE;
}

static char *
admin_time (gint64 us)
{
	g_autoptr(GDateTime) dt = NULL;

	if (us <= 0)
		return g_strdup ("-");
	dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
	return dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M UTC")
		  : g_strdup ("?");
}

static const char *
admin_or_dash (const char *s)
{
	return s && *s ? s : "-";
}

static void
admin_print_customer_line (const CrmCustomer *c)
{
	g_print ("%s  %s", c->id, c->name);
	if (c->company && g_strcmp0 (c->company, c->name) != 0)
		g_print (" (%s)", c->company);
	if (c->email)
		g_print ("  <%s>", c->email);
	if (c->phone)
		g_print ("  %s", c->phone);
	g_print ("\n");
}

static int
admin_import (CrmStore *store, const char *file, const char *department)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmImportReport) report = NULL;
	guint i;

	report = crm_import_csv (store, file, department, &error);
	if (report == NULL)
		return admin_fail (error);
	g_print (_("taken: %u\nmerged: %u\nunchanged: %u\nskipped: %u\n"),
		 report->taken, report->merged, report->unchanged,
		 report->skipped);
	for (i = 0; i < report->reasons->len; i++)
		g_print ("  %s\n", (const char *) report->reasons->pdata[i]);
	return ADMIN_EXIT_OK;
}

static gboolean
admin_matches_exactly (const CrmCustomer *c, const char *folded)
{
	const char *fields[] = { c->email, c->name, c->company };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (fields); i++) {
		g_autofree char *f = NULL;

		if (fields[i] == NULL)
			continue;
		f = g_utf8_casefold (fields[i], -1);
		if (strcmp (f, folded) == 0)
			return TRUE;
	}
	return FALSE;
}

/* The one customer QUERY names, or NULL with a message printed. */
static char *
admin_resolve (CrmStore *store, const char *query)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) found = NULL;
	g_autoptr(GPtrArray) exact = g_ptr_array_new ();
	g_autofree char *folded = g_utf8_casefold (query, -1);
	guint i;

	found = crm_customer_find (store, query, 200, &error);
	if (found == NULL) {
		admin_fail (error);
		return NULL;
	}
	for (i = 0; i < found->len; i++) {
		CrmCustomer *c = found->pdata[i];

		if (crm_uuid_is_valid (query) ||
		    admin_matches_exactly (c, folded))
			g_ptr_array_add (exact, c);
	}
	if (exact->len == 1)
		return g_strdup (((CrmCustomer *) exact->pdata[0])->id);
	if (exact->len == 0)
		g_printerr (_("chatcrm-admin: no customer matches “%s” exactly; try “find”\n"),
			    query);
	else
		g_printerr (_("chatcrm-admin: %u customers match “%s”; use the id:\n"),
			    exact->len, query);
	for (i = 0; i < exact->len; i++)
		admin_print_customer_line (exact->pdata[i]);
	return NULL;
}

/*
 * Links a handle in the form the plugin looks it up by, so that a handle
 * typed as the user sees it ("Ana@Example.org/Home") matches their
 * conversations.  The admin tool knows no IRC network, so nicks fold by
 * rfc1459, the protocol's default.
 */
static int
admin_link (CrmStore *store, char **args, int n_args)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *id = NULL;
	g_autofree char *handle = NULL;
	g_autofree char *display = NULL;

	if (n_args < 3 || n_args > 4)
		return admin_usage_error (_("link takes QUERY PROTOCOL HANDLE [DISPLAY]"));
	handle = crm_handle_normalize (args[1], args[2], CRM_CASEMAP_RFC1459);
	if (handle == NULL) {
		g_printerr (_("chatcrm-admin: “%s” is not a valid %s handle; nothing was linked\n"),
			    args[2], args[1]);
		return ADMIN_EXIT_FAILURE;
	}
	display = g_strstrip (g_strdup (n_args == 4 ? args[3] : args[2]));
	id = admin_resolve (store, args[0]);
	if (id == NULL)
		return ADMIN_EXIT_FAILURE;
	if (!crm_identity_link (store, id, args[1], handle, display, &error))
		return admin_fail (error);
	g_print (_("linked %s %s (shown as “%s”) to %s\n"), args[1], handle,
		 display, id);
	return ADMIN_EXIT_OK;
}

static int
admin_find (CrmStore *store, const char *query)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) found = NULL;
	guint i;

	found = crm_customer_find (store, query, 50, &error);
	if (found == NULL)
		return admin_fail (error);
	for (i = 0; i < found->len; i++)
		admin_print_customer_line (found->pdata[i]);
	if (found->len == 0)
		g_print (_("no customer found\n"));
	return ADMIN_EXIT_OK;
}

static void
admin_print_note (const CrmNote *n)
{
	g_autofree char *when = admin_time (n->created_us);

	g_print ("  %s  %s (%s):\n    %s\n", when, n->author,
		 admin_or_dash (n->department), n->body);
}

static void
admin_print_card_lists (const CrmCard *card)
{
	guint i;

	for (i = 0; i < card->identities->len; i++) {
		const CrmIdentity *id = card->identities->pdata[i];

		g_print (_("handle:     %s %s\n"), id->protocol, id->display);
	}
	for (i = 0; i < card->followups->len; i++) {
		const CrmFollowup *f = card->followups->pdata[i];
		g_autofree char *due = admin_time (f->due_us);

		g_print (_("follow-up:  %s  %s\n"), due, f->text);
	}
	for (i = 0; i < card->handovers->len; i++) {
		const CrmHandover *h = card->handovers->pdata[i];

		g_print (_("handover:   from %s to %s\n"), h->from_agent,
			 h->to_agent ? h->to_agent : h->to_department);
	}
	g_print (_("notes:      %lld\n"), (long long) card->n_notes_total);
	for (i = 0; i < card->notes->len; i++)
		admin_print_note (card->notes->pdata[i]);
}

static int
admin_show (CrmStore *store, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmCard) card = NULL;
	g_autofree char *tags = NULL;
	const CrmCustomer *c;

	card = crm_card_load (store, id, 5, 5, &error);
	if (card == NULL)
		return admin_fail (error);
	c = card->customer;
	tags = c->tags ? g_strjoinv (", ", c->tags) : NULL;
	g_print (_("id:         %s\n"), c->id);
	g_print (_("name:       %s\n"), c->name);
	g_print (_("company:    %s\n"), admin_or_dash (c->company));
	g_print (_("e-mail:     %s\n"), admin_or_dash (c->email));
	g_print (_("phone:      %s\n"), admin_or_dash (c->phone));
	g_print (_("department: %s\n"), admin_or_dash (c->department));
	g_print (_("tags:       %s\n"), admin_or_dash (tags));
	admin_print_card_lists (card);
	return ADMIN_EXIT_OK;
}

static int
admin_notes (CrmStore *store, const char *id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) notes = NULL;
	guint i;

	notes = crm_note_list (store, id, 0, &error);
	if (notes == NULL)
		return admin_fail (error);
	for (i = 0; i < notes->len; i++)
		admin_print_note (notes->pdata[i]);
	if (notes->len == 0)
		g_print (_("no notes\n"));
	return ADMIN_EXIT_OK;
}

static int
admin_handovers (CrmStore *store)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;
	guint i;

	list = crm_handover_list (store, NULL, FALSE, &error);
	if (list == NULL)
		return admin_fail (error);
	for (i = 0; i < list->len; i++) {
		const CrmHandover *h = list->pdata[i];
		g_autofree char *when = admin_time (h->created_us);

		g_print ("%s  %s  %s -> %s  %s  %s\n", h->id, when,
			 h->from_agent,
			 h->to_agent ? h->to_agent : h->to_department,
			 h->accepted_by ? _("accepted by") : _("pending"),
			 h->accepted_by ? h->accepted_by : "");
		if (h->note)
			g_print ("    %s\n", h->note);
	}
	if (list->len == 0)
		g_print (_("no handovers\n"));
	return ADMIN_EXIT_OK;
}

static int
admin_dispatch (CrmStore *store, char **args, int n, const char *dept)
{
	const char *cmd = args[0];

	if (strcmp (cmd, "import-csv") == 0 && n == 2)
		return admin_import (store, args[1], dept);
	if (strcmp (cmd, "link") == 0)
		return admin_link (store, args + 1, n - 1);
	if (strcmp (cmd, "find") == 0 && n == 2)
		return admin_find (store, args[1]);
	if (strcmp (cmd, "show") == 0 && n == 2)
		return admin_show (store, args[1]);
	if (strcmp (cmd, "notes") == 0 && n == 2)
		return admin_notes (store, args[1]);
	if (strcmp (cmd, "handovers") == 0 && n == 1)
		return admin_handovers (store);
	return admin_usage_error (_("unknown command or wrong number of arguments"));
}

static gboolean
admin_known_command (const char *cmd)
{
	const char *known[] = { "import-csv", "link", "find", "show", "notes",
				"handovers" };
	gsize i;

	for (i = 0; i < G_N_ELEMENTS (known); i++) {
		if (strcmp (cmd, known[i]) == 0)
			return TRUE;
	}
	return FALSE;
}

/*
 * Opens the store at @path for @cmd, or prints why not and returns NULL.
 * Only import-csv may create a store: for any other command a path that
 * does not exist is a mistyped one, and opening it would leave a new empty
 * store (and its folder) behind while the command found nothing.
 */
static CrmStore *
admin_open (const char *path, const char *cmd)
{
	g_autoptr(GError) error = NULL;
	CrmStore *store;

	if (strcmp (cmd, "import-csv") != 0 &&
	    !g_file_test (path, G_FILE_TEST_EXISTS)) {
		g_printerr (_("chatcrm-admin: No store at %s. Check the path, or create one with import-csv.\n"),
			    path);
		return NULL;
	}
	store = crm_store_open (path, CRM_STORE_DEFAULT_BUSY_TIMEOUT_MS,
				&error);
	if (store == NULL)
		admin_fail (error);
	return store;
}

/*
 * main:
 * Parses the options, opens the store, runs one command.
 */
int
main (int argc, char **argv)
{
	g_autofree char *store_path = NULL;
	g_autofree char *department = NULL;
	g_auto(GStrv) rest = NULL;
	g_autoptr(GOptionContext) ctx = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(CrmStore) store = NULL;
	gboolean help = FALSE;
	const GOptionEntry entries[] = {
		{ "help", 'h', 0, G_OPTION_ARG_NONE, &help,
		  N_("Show the usage"), NULL },
		{ "store", 's', 0, G_OPTION_ARG_FILENAME, &store_path,
		  N_("The store file"), N_("PATH") },
		{ "department", 'd', 0, G_OPTION_ARG_STRING, &department,
		  N_("Department of imported customers"), N_("D") },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest,
		  NULL, NULL },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};

	setlocale (LC_ALL, "");
	bindtextdomain (GETTEXT_PACKAGE, CRM_LOCALEDIR);
	bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
	textdomain (GETTEXT_PACKAGE);

	ctx = g_option_context_new (NULL);
	g_option_context_set_help_enabled (ctx, FALSE);
	g_option_context_add_main_entries (ctx, entries, GETTEXT_PACKAGE);
	if (!g_option_context_parse (ctx, &argc, &argv, &error))
		return admin_usage_error (error->message);
	if (help) {
		g_print ("%s", _(admin_usage));
		return ADMIN_EXIT_OK;
	}
	if (rest == NULL || !admin_known_command (rest[0]))
		return admin_usage_error (rest ? _("unknown command") : NULL);
	if (store_path == NULL && g_getenv ("CHATCRM_STORE"))
		store_path = g_strdup (g_getenv ("CHATCRM_STORE"));
	if (store_path == NULL)
		return admin_usage_error (_("no store given (--store PATH)"));

	store = admin_open (store_path, rest[0]);
	if (store == NULL)
		return ADMIN_EXIT_FAILURE;
	return admin_dispatch (store, rest, (int) g_strv_length (rest),
			       department);
}
