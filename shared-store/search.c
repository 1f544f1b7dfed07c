/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * search.c: finding customers by what an agent remembers of them.
 *
 * This first version scans: every word of the query (case-folded) must
 * occur in the case-folded name, company, e-mail, phone, tags or one of the
 * chat handles; exact and prefix matches of the name rank first.  Words are
 * bound as parameters and matched with instr(), so no character of the
 * query is special.
 *
 * A query that is an XMPP address as people type it ("Maria@Example.org/
 * Home") would match no stored handle word by word, since handles are kept
 * in their bare normal form; such a query also matches XMPP identities by
 * that normal form.
 */
#include "store-private.h"

#include <string.h>

/* Words of a query beyond this many are ignored. */
#define SEARCH_MAX_WORDS 8

#define SEARCH_WORD_CLAUSE \
	" AND (instr(crm_fold(c.name), ?%u) OR" \
	" instr(crm_fold(coalesce(c.company, '')), ?%u) OR" \
	" instr(coalesce(c.email_norm, ''), ?%u) OR" \
	" instr(crm_fold(coalesce(c.phone, '')), ?%u) OR" \
	" instr(coalesce(c.phone_e164, ''), ?%u) OR" \
	" instr(crm_fold(coalesce(c.tags, '')), ?%u) OR" \
	" EXISTS (SELECT 1 FROM identity i WHERE i.customer_id = c.id" \
	" AND i.deleted = 0 AND instr(crm_fold(i.handle), ?%u)))"

/* A bare JID matched whole against the normal form of XMPP handles. */
#define SEARCH_JID_CLAUSE \
	") OR EXISTS (SELECT 1 FROM identity j WHERE j.customer_id = c.id" \
	" AND j.deleted = 0 AND j.protocol = 'prpl-jabber'" \
	" AND j.handle = ?%u))"

static char *
search_build_sql (guint n_words, gboolean by_jid)
{
	GString *sql = g_string_new ("SELECT ");
	guint i;

	/* ?1 is the whole folded query, ?2 the limit, words from ?3, then
	 * the bare JID when @by_jid. */
	g_string_append (sql, "c.id, c.name, c.company, c.email, c.phone, "
			 "c.phone_e164, c.tags, c.department, c.consent, "
			 "c.custom, c.merged_into, c.created, c.updated "
			 "FROM customer c WHERE c.name IS NOT NULL "
			 "AND c.deleted = 0 AND c.merged_into IS NULL");
	if (by_jid)
		g_string_append (sql, " AND ((1");
	for (i = 0; i < n_words; i++) {
		guint p = i + 3;

		g_string_append_printf (sql, SEARCH_WORD_CLAUSE,
					p, p, p, p, p, p, p);
	}
	if (by_jid)
		g_string_append_printf (sql, SEARCH_JID_CLAUSE, n_words + 3);
	g_string_append (sql, " ORDER BY CASE"
			 " WHEN crm_fold(c.name) = ?1 THEN 0"
			 " WHEN substr(crm_fold(c.name), 1, length(?1)) = ?1"
			 " THEN 1 ELSE 2 END, crm_fold(c.name), c.id"
			 " LIMIT ?2");
	return g_string_free (sql, FALSE);
}

static GPtrArray *
search_by_id (CrmStore *store, const char *id, GError **error)
{
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GError) local = NULL;
	CrmCustomer *c;

	list = g_ptr_array_new_with_free_func (
		(GDestroyNotify) crm_customer_free);
	c = crm_customer_get (store, id, &local);
	if (c)
		g_ptr_array_add (list, c);
	else if (!g_error_matches (local, CRM_STORE_ERROR,
				   CRM_STORE_ERROR_NOT_FOUND)) {
		g_propagate_error (error, g_steal_pointer (&local));
		return NULL;
	}
	return g_steal_pointer (&list);
}

/*
 * The bare JID @query names when it differs from what the words match
 * anyway (a resource, NFKC or a domain's trailing dot), else NULL.  A JID
 * without '@' is a bare domain, which the words already find.
 */
static char *
search_jid (const char *query, const char *folded)
{
	g_autofree char *trimmed = g_strstrip (g_strdup (query));
	g_autofree char *jid = crm_handle_xmpp (trimmed);

	if (jid == NULL || strchr (jid, '@') == NULL
	    || strcmp (jid, folded) == 0)
		return NULL;
	return g_steal_pointer (&jid);
}

/*
 * crm_customer_find:
 * See crm-customer.h.  An exact customer id returns that customer.
 */
GPtrArray *
crm_customer_find (CrmStore *store,
		   const char *query,
		   guint limit,
		   GError **error)
{
	g_autofree char *folded = NULL;
	g_autofree char *sql = NULL;
	g_autofree char *jid = NULL;
	g_auto(GStrv) words = NULL;
	g_autoptr(sqlite3_stmt) stmt = NULL;
	guint n_words, i;

	g_return_val_if_fail (store != NULL, NULL);
	g_return_val_if_fail (query != NULL, NULL);
	g_return_val_if_fail (error == NULL || *error == NULL, NULL);

	if (!crm_store__check_text (query, _("search"),
				    CRM_STORE_MAX_FIELD_BYTES, TRUE, error))
		return NULL;
	folded = g_strstrip (crm_store__casefold (query));
	if (crm_uuid_is_valid (folded))
		return search_by_id (store, folded, error);
	words = g_strsplit_set (folded, " \t\r\n", -1);
	for (i = 0, n_words = 0; words[i] && n_words < SEARCH_MAX_WORDS; i++)
		n_words += *words[i] ? 1 : 0;

	jid = search_jid (query, folded);
	sql = search_build_sql (n_words, jid != NULL);
	stmt = crm_store__prepare (store, sql, error);
	if (stmt == NULL)
		return NULL;
	crm_store__bind_text (stmt, 1, folded);
	sqlite3_bind_int64 (stmt, 2, limit ? (gint64) limit : -1);
	for (i = 0, n_words = 0; words[i] && n_words < SEARCH_MAX_WORDS; i++) {
		if (*words[i])
			crm_store__bind_text (stmt, 3 + n_words++, words[i]);
	}
	if (jid != NULL)
		crm_store__bind_text (stmt, 3 + n_words, jid);
	/* FIXME(#7): a full scan with a C function per row; move to FTS5
	 * with a prefix index (DESIGN.md, Search) before stores grow past
	 * a few thousand customers. */
	return crm_store__collect (store, stmt,
				   (CrmRowReader) crm_customer__from_row,
				   (GDestroyNotify) crm_customer_free, error);
}
